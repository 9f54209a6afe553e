"""``estat sbsingle`` ([TS] estat sbsingle) after ``regress`` on tsset data.

The statistics are checked against a brute-force loop written here: at every candidate date
the unrestricted regression (statsmodels OLS with the tested regressors interacted with the
second-regime indicator), Wald = q·F of the interactions (HC1 Wald after ``vce(robust)``),
LR = N·ln(RSS_R/RSS_U); sup, average and ln-mean-exp(W/2) summaries. Candidates follow
sbsingle.ado 1.0.2: ⌈π0·N⌉ observations before the first one and as many after the last.
The p-values (Hansen 1997) are checked against Andrews' (2003, corrigendum) critical values
of the sup-Wald test at 15% trimming as Stock and Watson print them (Introduction to
Econometrics, table 14.5 "Critical values of the QLR statistic with 15% trimming"), and
against the limiting null distributions simulated here from Brownian bridges.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from libs.stata_stats.structural_break import hansen_pvalue


@pytest.fixture
def series(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 110
    x = rng.normal(size=n)
    after = np.arange(n) >= 64
    y = 1.0 + 0.5 * x + after * (0.6 + 0.4 * x) + rng.normal(scale=0.8, size=n)
    d = pd.DataFrame({"y": y, "x": x, "z": rng.normal(size=n)})
    d.to_csv(tmp_path / "s.csv", index=False)
    return d


_SETUP = """
import delimited s.csv, clear asdouble
generate t = tq(1990q1) + _n - 1
format t %tq
tsset t
"""


def _sequence(d: pd.DataFrame, breaking: list[str], fixed: list[str], constant: bool,
              first: int, last: int, robust: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Wald and LR at second regimes starting at positions first..last (0-based)."""
    n = len(d)
    base = sm.add_constant(d[["x", "z"]].to_numpy())
    rss_r = sm.OLS(d.y.to_numpy(), base).fit().ssr
    wald, lr = [], []
    for b in range(first, last + 1):
        after = (np.arange(n) >= b).astype(float)
        cols = [d[v].to_numpy() for v in [*fixed, *breaking]] + [np.ones(n)]
        shifts = [d[v].to_numpy() * after for v in breaking] + ([after] if constant else [])
        X = np.column_stack([*cols, *shifts])
        fit = sm.OLS(d.y.to_numpy(), X).fit(cov_type="HC1" if robust else "nonrobust")
        R = np.zeros((len(shifts), X.shape[1]))
        R[:, -len(shifts):] = np.eye(len(shifts))
        test = fit.wald_test(R, scalar=True, use_f=not robust)
        wald.append(float(test.statistic) * (len(shifts) if not robust else 1))
        lr.append(n * np.log(rss_r / fit.ssr))
    return np.array(wald), np.array(lr)


def test_sup_wald_default(stata, series) -> None:  # type: ignore[no-untyped-def]
    run = stata(_SETUP + "regress y x z\nestat sbsingle, generate(w)")
    assert run.rc == 0, run.log
    n = len(series)
    low = math.ceil(0.15 * n)
    wald, _ = _sequence(series, ["x", "z"], [], True, low, n - low)
    r = run.session.r
    assert r.scalars["chi2"] == pytest.approx(wald.max(), rel=1e-9)
    assert r.scalars["df"] == 3
    assert r.scalars["p"] == pytest.approx(hansen_pvalue("sup", wald.max(), 3, 0.15), rel=1e-12)
    assert (r.scalars["swald"], r.scalars["p_swald"]) == (r.scalars["chi2"], r.scalars["p"])
    quarter = pd.Period("1990Q1", freq="Q") + int(low + np.argmax(wald))
    assert r.macros["breakdate"] == f"{quarter.year}q{quarter.quarter}"
    assert r.macros["test"] == "swald"
    start = pd.Period("1990Q1", freq="Q") + low
    assert r.macros["ltrim"] == f"{start.year}q{start.quarter}"
    w = run.col("w")
    np.testing.assert_allclose(w[low:n - low + 1], wald, rtol=1e-6)  # stored as float
    assert np.isnan(w[:low]).all()
    assert np.isnan(w[n - low + 1:]).all()
    assert "Estimated break date:" in run.log
    assert "swald" in run.log


def test_all_tests_breakvars_and_trim(stata, series) -> None:  # type: ignore[no-untyped-def]
    run = stata(_SETUP + "regress y x z\nestat sbsingle, breakvars(x, constant) trim(20) all\n"
                "matrix s = (r(chi2), r(p), r(df))")
    assert run.rc == 0, run.log
    n = len(series)
    low = math.ceil(0.20 * n)
    wald, lr = _sequence(series, ["x"], ["z"], True, low, n - low)
    expected = {"swald": wald.max(), "awald": wald.mean(),
                "ewald": np.log(np.mean(np.exp(wald / 2))), "slr": lr.max(),
                "alr": lr.mean(), "elr": np.log(np.mean(np.exp(lr / 2)))}
    for name, value in expected.items():
        line = next(s for s in run.log.splitlines() if s.split()[:1] == [name])
        assert float(line.split()[1]) == pytest.approx(value, abs=6e-5), name
    stat, p, df = run.session.matrices["s"].values[0]
    assert stat == pytest.approx(expected["elr"], rel=1e-9)
    assert p == pytest.approx(hansen_pvalue("exp", expected["elr"], 2, 0.20), rel=1e-12)
    assert df == 2
    assert "breakdate" not in run.session.r.macros  # several tests: no single date
    assert "Coefficients included in test: x _cons" in run.log


def test_robust_and_asymmetric_trim(stata, series) -> None:  # type: ignore[no-untyped-def]
    run = stata(_SETUP + "regress y x z, vce(robust)\nestat sbsingle, ltrim(10) rtrim(20) "
                "breakvars(x z)")
    assert run.rc == 0, run.log
    n = len(series)
    first, last = math.ceil(n * 0.10) + 1, math.ceil(n * 0.80) + 1
    wald, _ = _sequence(series, ["x", "z"], [], False, first, last, robust=True)
    r = run.session.r
    assert r.scalars["chi2"] == pytest.approx(wald.max(), rel=1e-9)
    lam = 0.8 * 0.9 / (0.1 * 0.2)  # Andrews' λ of the two trims; π0 = 1/(1 + √λ)
    assert r.scalars["p"] == pytest.approx(
        hansen_pvalue("sup", wald.max(), 2, 1 / (1 + np.sqrt(lam))), rel=1e-12)


@pytest.mark.parametrize(("q", "values"), [(1, (7.12, 8.68, 12.16)), (2, (5.00, 5.86, 7.78)),
                                           (5, (3.26, 3.66, 4.53)), (10, (2.48, 2.71, 3.23))])
def test_hansen_pvalues_at_andrews_critical_values(q: int, values: tuple[float, ...]) -> None:
    """Stock and Watson's table 14.5 (F scale, Andrews 2003): q·F at 10%, 5%, 1%."""
    for level, cv in zip((0.10, 0.05, 0.01), values, strict=True):
        assert hansen_pvalue("sup", q * cv, q, 0.15) == pytest.approx(level, rel=0.12)


@pytest.mark.parametrize("kind", ["sup", "ave", "exp"])
def test_hansen_pvalues_against_simulated_limit(kind: str) -> None:
    """The null limit of the statistics: Q(λ) = |B(λ) − λB(1)|²/(λ(1 − λ)) for a
    2-dimensional Brownian motion B, λ in [.15, .85]; at the simulated 90% and 95%
    quantiles Hansen's p-values are .10 and .05 (Monte Carlo and grid error ±.015)."""
    rng = np.random.default_rng(3)
    steps, reps, k = 400, 6000, 2
    B = np.cumsum(rng.normal(scale=np.sqrt(1 / steps), size=(reps, steps, k)), axis=1)
    lam = np.arange(1, steps + 1) / steps
    inside = (lam >= 0.15) & (lam <= 0.85)
    bridge = B[:, inside] - lam[inside, None] * B[:, -1:, :]
    Q = (bridge ** 2).sum(axis=2) / (lam[inside] * (1 - lam[inside]))
    stat = {"sup": Q.max(axis=1), "ave": Q.mean(axis=1),
            "exp": np.log(np.mean(np.exp(Q / 2), axis=1))}[kind]
    for level in (0.10, 0.05):
        quantile = float(np.quantile(stat, 1 - level))
        assert hansen_pvalue(kind, quantile, k, 0.15) == pytest.approx(level, abs=0.015)


@pytest.mark.parametrize(("text", "rc"), [
    ("regress y x\nestat sbsingle", 111),
    ("tsset t\ndrop in 40\nregress y x\nestat sbsingle", 198),
    ("tsset t\nregress y x\nestat sbsingle, trim(10) ltrim(10) rtrim(10)", 198),
    ("tsset t\nregress y x\nestat sbsingle, breakvars(z)", 198),
    ("tsset t\ngenerate p = y > 1\nlogit p x\nestat sbsingle", 321),
    ("tsset t\nivregress 2sls y (x = z)\nestat sbsingle", 198),
    ("generate g = _n > 50\ntsset g t\nregress y x\nestat sbsingle", 459),
])
def test_errors(stata, series, text, rc) -> None:  # type: ignore[no-untyped-def]
    run = stata("import delimited s.csv, clear asdouble\ngenerate t = _n\n" + text)
    assert run.rc == rc, run.log
