"""kwallis, spearman and ktau against scipy with Stata's conventions ([R] kwallis: χ² with and
without the tie correction; [R] spearman: ρ of midranks with the t test on n − 2 df, casewise
deletion; ktau: τa, τb, the score S, its standard error with Kendall's tie terms and the
continuity-corrected z = (|S| − 1)/se)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def data(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 60
    g = rng.integers(1, 5, size=n).astype(float)
    y = np.round(rng.normal(size=n) + g / 2, 1)  # rounded: ties
    x = np.round(y + rng.normal(size=n), 0)
    z = rng.normal(size=n)
    z[[2, 9]] = np.nan
    d = pd.DataFrame({"g": g, "y": y, "x": x, "z": z})
    d.loc[5, "g"] = np.nan
    d.to_stata(tmp_path / "r.dta", write_index=False)
    return d


def test_kwallis_against_scipy(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use r\nkwallis y, by(g)")
    assert run.rc == 0, run.log
    d = data.dropna(subset=["g"])
    h_adj, p_adj = st.kruskal(*[part["y"] for _, part in d.groupby("g")])
    r = run.session.r.scalars
    assert r["df"] == 3
    assert r["chi2_adj"] == pytest.approx(h_adj, rel=1e-10)
    assert r["p_adj"] == pytest.approx(p_adj, rel=1e-8)
    h = h_adj * st.tiecorrect(st.rankdata(d["y"]))
    assert r["chi2"] == pytest.approx(h, rel=1e-10)
    assert r["chi2_adj"] > r["chi2"]  # ties shrink the variance of the ranks
    assert "chi2(3) with ties =" in run.log


def test_spearman_two_variables(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use r\nspearman y z")
    assert run.rc == 0, run.log
    d = data.dropna(subset=["z"])
    ref = st.spearmanr(d["y"], d["z"])
    r = run.session.r.scalars
    assert r["N"] == 58
    assert r["rho"] == pytest.approx(ref.statistic, rel=1e-10)
    assert r["p"] == pytest.approx(ref.pvalue, rel=1e-8)


def test_spearman_matrix_casewise_and_pairwise(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use r\nspearman y x z, stats(rho p obs)\nmatrix C = r(Rho)\n"
                "spearman y x z, pw\nmatrix D = r(Rho)")
    assert run.rc == 0, run.log
    casewise = data[["y", "x", "z"]].dropna()
    ref = st.spearmanr(casewise).statistic
    np.testing.assert_allclose(run.session.matrices["C"].values, ref, rtol=1e-10)
    pairwise = st.spearmanr(data["y"], data["x"]).statistic  # y, x complete in all rows
    assert run.session.matrices["D"].values[1, 0] == pytest.approx(pairwise, rel=1e-10)
    assert run.session.matrices["C"].values[1, 0] != pytest.approx(pairwise, rel=1e-10)


def test_ktau_against_scipy(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use r\nktau y x")
    assert run.rc == 0, run.log
    x, y = data["y"].to_numpy(), data["x"].to_numpy()
    n = x.size
    score = sum(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])
                for i in range(n) for j in range(i))
    ref = st.kendalltau(x, y, method="asymptotic")
    se = abs(score) / st.norm.isf(ref.pvalue / 2)  # scipy's z is S / se without correction
    r = run.session.r.scalars
    assert r["score"] == score
    assert r["tau_a"] == pytest.approx(score / (n * (n - 1) / 2), rel=1e-12)
    assert r["tau_b"] == pytest.approx(ref.statistic, rel=1e-10)
    assert r["se_score"] == pytest.approx(se, rel=1e-8)
    assert r["p"] == pytest.approx(2 * st.norm.sf((abs(score) - 1) / se), rel=1e-8)
    assert r["p"] > ref.pvalue  # the continuity correction
