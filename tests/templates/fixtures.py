"""Deterministic datasets for the template tests, one builder per data shape.

Each builder takes a seed so a template's fixture is reproducible; values are rounded to a few
decimals so that nothing hinges on the last bits of a float written to .dta and back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def cross_section(seed: int, n: int = 200) -> pd.DataFrame:
    """A generic cross-section: outcome y, regressors x1–x3, a 0/1 d, groups g (1–4) and s (str)."""
    rng = np.random.default_rng(seed)
    x1 = np.round(rng.normal(0, 1, n), 4)
    x2 = np.round(rng.normal(2, 1.5, n), 4)
    x3 = np.round(rng.uniform(0, 10, n), 4)
    g = rng.integers(1, 5, n)
    d = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-(0.8 * x1 - 0.3 * x2 + 0.4)))).astype(int)
    y = np.round(1 + 0.5 * x1 - 0.8 * x2 + 0.2 * x3 + 0.3 * g + rng.normal(0, 1 + 0.3 * d, n), 4)
    count = rng.poisson(np.exp(0.3 + 0.4 * x1 - 0.1 * x2))
    region = rng.choice(["north", "south", "east"], n)
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "y": y,
            "x1": x1,
            "x2": x2,
            "x3": x3,
            "d": d,
            "count": count,
            "g": g,
            "s": pd.Series(region, dtype="str"),
        }
    )


def panel(
    seed: int, units: int = 40, periods: int = 8, gaps: bool = False, correlated: bool = True
) -> pd.DataFrame:
    """A balanced panel (or with gaps): unit, year, y with unit effects, x1, x2, treatment.

    ``first_treat`` is the first treated year (missing for never-treated units), ``treat_post``
    is 1 from then on; the true effect is 1.5. With ``correlated`` x1 moves with the unit
    effect (fixed effects needed); without, random effects are consistent too.
    """
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(1, units + 1), periods)
    year = np.tile(np.arange(2000, 2000 + periods), units)
    alpha = np.repeat(rng.normal(0, 2, units), periods)
    x1 = np.round(rng.normal(0, 1, units * periods) + (0.5 if correlated else 0) * alpha, 4)
    x2 = np.round(rng.normal(1, 1, units * periods), 4)
    adopt = rng.choice([2003, 2004, 2005, np.nan], units)
    first_treat = np.repeat(adopt, periods)
    treat_post = ((year >= first_treat) & ~np.isnan(first_treat)).astype(int)
    shock = np.tile(rng.normal(0, 0.5, periods), units)
    y = np.round(
        alpha + shock + 0.7 * x1 - 0.4 * x2 + 1.5 * treat_post + rng.normal(0, 1, units * periods),
        4,
    )
    frame = pd.DataFrame(
        {
            "unit": unit,
            "year": year,
            "y": y,
            "x1": x1,
            "x2": x2,
            "first_treat": first_treat,
            "treat_post": treat_post,
        }
    )
    if gaps:
        frame = frame.drop(index=rng.choice(len(frame), len(frame) // 10, replace=False))
    return frame.reset_index(drop=True)


def wide_repeated(seed: int, units: int = 12) -> pd.DataFrame:
    """Wide repeated measures: country, gdp2000–gdp2002, pop2000–pop2002, region (str)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"country": np.arange(101, 101 + units)})
    for year in (2000, 2001, 2002):
        frame[f"gdp{year}"] = np.round(rng.lognormal(3, 0.5, units), 3)
        frame[f"pop{year}"] = np.round(rng.uniform(1, 50, units), 2)
    frame["region"] = pd.Series(rng.choice(["A", "B"], units), dtype="str")
    return frame
