"""roctab against Stata's printed output for Hanley and McNeil's (1982) CT ratings ([R] roctab,
hanley.dta: 109 obs, area 0.8932, se 0.0307, interval 0.83295 to 0.95339), the area against
scipy's Mann–Whitney U/(n1·n0), and DeLong's se against the midrank form of Sun and Xu (2014)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


def test_roctab_hanley_mcneil_as_stata_prints(stata: Stata, tmp_path: Path) -> None:
    counts = {0: [33, 6, 6, 11, 2], 1: [3, 2, 2, 11, 33]}
    rows = [(d, r + 1, c) for d, cs in counts.items() for r, c in enumerate(cs)]
    pd.DataFrame(rows, columns=["disease", "rating", "pop"]).astype(float).to_stata(
        tmp_path / "h.dta", write_index=False)
    run = stata("use h\nroctab disease rating [fw=pop]")
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    assert r["N"] == 109
    assert round(r["area"], 4) == 0.8932
    assert round(r["se"], 4) == 0.0307
    assert round(r["lb"], 5) == 0.83295
    assert round(r["ub"], 5) == 0.95339


def test_roctab_against_mann_whitney_and_midrank_delong(stata: Stata, tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    n = 150
    d = (rng.random(n) < 0.4).astype(float)
    score = np.round(rng.normal(size=n) + d, 1)
    pd.DataFrame({"d": d, "s": score}).to_stata(tmp_path / "r.dta", write_index=False)
    run = stata("use r\nroctab d s, level(90)")
    assert run.rc == 0, run.log
    pos, neg = score[d == 1], score[d == 0]
    m, k = pos.size, neg.size
    area = st.mannwhitneyu(pos, neg).statistic / (m * k)
    # Sun and Xu: midranks within each class and over both give the structural components
    both = st.rankdata(np.concatenate([pos, neg]))
    v10 = (both[:m] - st.rankdata(pos)) / k
    v01 = 1 - (both[m:] - st.rankdata(neg)) / m
    se = np.sqrt(v10.var(ddof=1) / m + v01.var(ddof=1) / k)
    r = run.session.r.scalars
    assert r["area"] == pytest.approx(area, rel=1e-12)
    assert r["se"] == pytest.approx(se, rel=1e-10)
    assert r["ub"] - r["area"] == pytest.approx(st.norm.isf(0.05) * se, rel=1e-10)
