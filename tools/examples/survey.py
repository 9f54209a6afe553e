"""Generated survey waves: an append pair with Likert items, messy text and text dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: How respondents typed their region: case, spaces and abbreviations vary.
_REGION_SPELLINGS = {
    "north": ["North", "north", " NORTH", "North "],
    "south": ["South", "south", "SOUTH ", " South"],
    "east": ["East", "east", "EAST", "East  "],
    "west": ["West", "west", " West", "WEST"],
}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _wave(seed: int, wave: int, first_id: int, n: int, month: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(list(_REGION_SPELLINGS), n)
    typed = [rng.choice(_REGION_SPELLINGS[r]) for r in region]
    region_effect = pd.Series(region).map({"north": 0.3, "south": -0.2, "east": 0.0, "west": 0.1})
    trait = rng.normal(0, 1, n) + region_effect.to_numpy()
    items = {
        f"q{k}": np.clip(np.round(3 + 0.9 * trait + rng.normal(0, 0.8, n)), 1, 5).astype(int)
        for k in range(1, 6)
    }
    day = rng.integers(1, 29, n)
    age = rng.integers(18, 80, n)
    income = np.round(rng.lognormal(np.log(40000), 0.5, n), -2).astype(int)
    children = rng.poisson(np.exp(-0.6 + 0.025 * (age - 18) - 0.3 * np.log(income / 40000)))
    return pd.DataFrame(
        {
            "resp_id": np.arange(first_id, first_id + n),
            "wave": wave,
            "region": pd.Series(typed, dtype="str"),
            "age": age,
            "income": income,
            "children": np.minimum(children, 8),
            **items,
            "satisfaction": np.clip(np.round(3 + trait + rng.normal(0, 0.7, n)), 1, 5).astype(int),
            "interview": pd.Series(
                [f"{d:02d}{_MONTHS[month - 1]}2023" for d in day], dtype="str"
            ),
        }
    )


def survey_wave1() -> pd.DataFrame:
    """Wave 1 (March 2023): 250 respondents, ids 1–250.

    A latent attitude t ~ N(0, 1) plus a region shift (north +0.3, south −0.2, west +0.1)
    drives five Likert items ``q1``–``q5 = clip(round(3 + 0.9·t + N(0, 0.8²)), 1, 5)``
    (Cronbach's alpha ≈ 0.8) and ``satisfaction = clip(round(3 + t + N(0, 0.7²)), 1, 5)``.
    ``region`` is typed inconsistently (case, stray spaces); ``age`` ~ U{18..79}; ``income``
    lognormal(ln 40000, 0.5) to the nearest 100; ``children`` ~ Poisson(exp(−0.6 +
    0.025·(age − 18) − 0.3·ln(income/40000))), at most 8; ``interview`` a text date such as
    "07mar2023" (Stata's DMY form).
    """
    return _wave(seed=1, wave=1, first_id=1, n=250, month=3)


def survey_wave2() -> pd.DataFrame:
    """Wave 2 (September 2023): 200 new respondents, ids 251–450, the same questionnaire
    plus ``channel`` (1 online, 2 telephone; a column wave 1 lacks). Three forms were
    submitted twice (respondents 260, 301 and 377 appear again as the last rows)."""
    frame = _wave(seed=2, wave=2, first_id=251, n=200, month=9)
    frame["channel"] = np.random.default_rng(3).integers(1, 3, len(frame))
    again = frame[frame["resp_id"].isin([260, 301, 377])]
    return pd.concat([frame, again], ignore_index=True)


def satisfaction_labels() -> pd.DataFrame:
    """Lookup table of the satisfaction scale for a recode by mapping: code → group."""
    return pd.DataFrame(
        {
            "satisfaction": [1, 2, 3, 4, 5],
            "satisfaction_group": pd.Series(
                ["dissatisfied", "dissatisfied", "neutral", "satisfied", "satisfied"], dtype="str"
            ),
        }
    )
