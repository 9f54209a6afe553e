"""``xtsum`` as [XT] xtsum and xtsum.ado state it: overall statistics over the N observations,
between over the n panel means, within over xᵢₜ − x̄ᵢ (min and max with the overall mean
added back), T = N/n shown as ``T-bar`` when panels differ in size. The layout is checked
against Stata's printed ``xtsum id t`` on a 595 × 7 panel; the numbers of an unbalanced panel
with gaps and missing values against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

# Stata's output of `xtsum id t` after `xtset id t` on a 595-worker, 7-year panel (a public
# Jupyter notebook run through pystata on the Cornwell-Rupert wage panel)
STATA_BALANCED = """\
Variable         |      Mean   Std. dev.       Min        Max |    Observations
-----------------+--------------------------------------------+----------------
id       overall |       298   171.7821          1        595 |     N =    4165
         between |              171.906          1        595 |     n =     595
         within  |                    0        298        298 |     T =       7
                 |                                            |
t        overall |         4    2.00024          1          7 |     N =    4165
         between |                    0          4          4 |     n =     595
         within  |              2.00024          1          7 |     T =       7"""


def test_balanced_panel_prints_what_stata_prints(stata):
    r = stata("""
        clear
        set obs 4165
        gen id = ceil(_n / 7)
        gen t = _n - 7 * (id - 1)
        xtset id t
        xtsum id t
    """)
    assert r.rc == 0, r.log
    assert "\n".join(r.output[-len(STATA_BALANCED.splitlines()):]) == STATA_BALANCED


def test_unbalanced_panel_against_pandas(stata, tmp_path):
    rng = np.random.default_rng(7)
    rows = [(i, t) for i in range(1, 41) for t in range(2000, 2010) if rng.random() < .7]
    df = pd.DataFrame(rows, columns=["id", "year"])
    df["x"] = rng.normal(size=len(df)) + df["id"] / 10
    df.loc[rng.random(len(df)) < .1, "x"] = np.nan
    df.to_csv(tmp_path / "p.csv", index=False)
    r = stata("""
        import delimited p.csv, clear
        xtset id year
        xtsum x if year > 2001
    """)
    assert r.rc == 0, r.log
    d = df[(df.year > 2001) & df.x.notna()]
    means = d.groupby("id").x.mean()
    within = d.x - d.id.map(means)
    expected = {
        "N": len(d), "n": len(means), "Tbar": len(d) / len(means), "mean": d.x.mean(),
        "sd": d.x.std(), "min": d.x.min(), "max": d.x.max(),
        "sd_b": means.std(), "min_b": means.min(), "max_b": means.max(),
        "sd_w": within.std(), "min_w": within.min() + d.x.mean(),
        "max_w": within.max() + d.x.mean(),
    }
    got = r.session.r.scalars
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-6), key  # x is stored as float
    assert "T-bar =" in r.log


def test_needs_a_panel_variable_or_i(stata):
    r = stata("""
        clear
        set obs 6
        gen g = ceil(_n / 3)
        gen x = _n
        capture xtsum x
        display _rc
        xtsum x, i(g)
    """)
    assert r.rc == 0, r.log
    assert "459" in r.output
    assert r.session.r.scalars["sd_b"] == pytest.approx(np.std([2.0, 5.0], ddof=1))
