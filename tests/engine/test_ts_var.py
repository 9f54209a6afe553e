"""var, varsoc, vargranger and irf.

References: Stata's own runs shipped in statsmodels — ``var`` on Stata's lutkepohl2.dta
(tsa/statespace/tests/results/results_var_misc.py: coefficients, Cholesky factor of e(Sigma),
ll, AIC/SBIC/HQIC with and without lutstats, FPE, with dfk) and on macrodata VAR(2)
(tsa/vector_ar/tests/results/results_var.py: coefficients, se, RMSE, R², equation ll and χ²);
statsmodels' VAR for varsoc's log likelihoods, the Granger Wald tests and every impulse
response with its Lütkepohl standard error (statsmodels given Stata's ML Σ).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.datasets import macrodata
from statsmodels.tsa.statespace.tests.results import results_var_misc as misc
from statsmodels.tsa.vector_ar.tests.results.results_var import MacrodataResults
from statsmodels.tsa.vector_ar.var_model import VAR

from tests.engine.conftest import Run
from tests.stata_stats.reference import SM_ROOT

Stata = Callable[[str], Run]
VARS = "dln_inv dln_inc dln_consump"
SAMPLE = "if qtr<=tq(1978q4)"


@pytest.fixture
def lutkepohl(tmp_path: Path) -> Path:
    target = tmp_path / "lutkepohl2.dta"
    shutil.copy(SM_ROOT / "tsa" / "tests" / "results" / "lutkepohl2.dta", target)
    return target


def _lutkepohl_y() -> np.ndarray:
    d = pd.read_stata(SM_ROOT / "tsa" / "tests" / "results" / "lutkepohl2.dta")
    keep = d["qtr"] <= pd.Timestamp("1978-10-01")
    return d.loc[keep, VARS.split()].to_numpy(dtype=np.float64)[1:]  # first row: no diff


@pytest.mark.parametrize(("options", "ref"), [
    ("", misc.lutkepohl_var1),
    ("lutstats", misc.lutkepohl_var1_lustats),
    ("lutstats dfk", misc.lutkepohl_var1_lustats_dfk),
])
def test_var_matches_stata_lutkepohl(stata: Stata, lutkepohl: Path, options: str,
                                     ref: dict[str, object]) -> None:
    run = stata(f"use lutkepohl2, clear\ntsset qtr\nvar {VARS} {SAMPLE}, noconstant lags(1) "
                f"{options}")
    assert run.rc == 0, run.log
    e = run.session.e
    params = np.asarray(ref["params"], dtype=float)
    np.testing.assert_allclose(e.matrices["b"].values[0], params[:9], rtol=1e-6)
    chol = np.linalg.cholesky(e.matrices["Sigma"].values)
    # recorded to 7 decimals (with dfk, from a rounded e(Sigma))
    np.testing.assert_allclose(chol[np.tril_indices(3)], params[9:], rtol=1e-5, atol=3e-7)
    s = e.scalars
    assert s["ll"] == pytest.approx(ref["loglike"], rel=1e-9)
    for name, key in (("aic", "aic"), ("sbic", "bic"), ("hqic", "hqic"), ("fpe", "fpe")):
        assert s[name] == pytest.approx(ref[key], rel=1e-8), name
    assert e.matrices["b"].colnames[:3] == ["dln_inv:L.dln_inv", "dln_inv:L.dln_inc",
                                            "dln_inv:L.dln_consump"]


def test_var_matches_stata_macrodata(stata: Stata, tmp_path: Path) -> None:
    d = macrodata.load_pandas().data
    pd.DataFrame({"t": np.arange(len(d), dtype=np.int16),
                  **{v: d[v].to_numpy() for v in ("realgdp", "realcons", "realinv")}}
                 ).to_stata(tmp_path / "macro.dta", write_index=False)
    run = stata("""
        use macro, clear
        tsset t
        foreach v in realgdp realcons realinv {
            generate l`v' = ln(`v')
            generate d`v' = D.l`v'
        }
        var drealgdp drealcons drealinv, lags(1/2)
    """)
    assert run.rc == 0, run.log
    ref = MacrodataResults()
    e = run.session.e
    b = e.matrices["b"].values[0].reshape(3, 7)
    se = np.sqrt(np.diag(e.matrices["V"].values)).reshape(3, 7)
    # Stata's columns: L.v1 L2.v1 L.v2 … _cons; statsmodels' reshaped reference: _cons, L1s, L2s
    order = [6, 0, 2, 4, 1, 3, 5]
    # how var.do built the growth rates is not shipped: float logs (Stata's default type)
    # reproduce Stata's estimates to 5e-5, double precision only to 2e-4
    np.testing.assert_allclose(b[:, order], ref.params, atol=5e-5)
    np.testing.assert_allclose(se[:, order], ref.bse, rtol=1e-3)
    s = e.scalars
    for i in (1, 2, 3):
        assert s[f"rmse_{i}"] == pytest.approx(getattr(ref, f"rmse_{i}"), rel=1e-4)
        assert s[f"r2_{i}"] == pytest.approx(getattr(ref, f"rsquared_{i}"), rel=1e-3)
        assert s[f"ll_{i}"] == pytest.approx(getattr(ref, f"llf_{i}"), rel=1e-6)
        assert s[f"chi2_{i}"] == pytest.approx(getattr(ref, f"chi2_{i}"), rel=1e-3)
    assert s["ll"] == pytest.approx(ref.llf, rel=1e-6)
    assert s["N"] == 200


def test_varsoc_log_likelihoods(stata: Stata, lutkepohl: Path) -> None:
    run = stata(f"use lutkepohl2, clear\ntsset qtr\nvarsoc {VARS} {SAMPLE}")
    assert run.rc == 0, run.log
    table = run.session.r.matrices["stats"].values
    y = _lutkepohl_y()
    assert run.session.r.scalars["N"] == len(y) - 4
    for p in range(5):
        # every order on the sample of the longest: the rows after the first 4
        sample = y[4 - p:]
        llf = VAR(sample).fit(p, trend="c").llf if p else _ll0(sample)
        assert table[p, 1] == pytest.approx(llf, rel=1e-9), p
    lr = 2 * np.diff(table[:, 1])
    np.testing.assert_allclose(table[1:, 2], lr, rtol=1e-12)
    assert "*" in run.log


def _ll0(y: np.ndarray) -> float:
    """The constant-only VAR's Gaussian log likelihood."""
    e = y - y.mean(axis=0)
    T, K = y.shape
    _sign, logdet = np.linalg.slogdet(e.T @ e / T)
    return float(-T / 2 * (K * np.log(2 * np.pi) + logdet + K))


def test_vargranger_wald_tests(stata: Stata, lutkepohl: Path) -> None:
    run = stata(f"use lutkepohl2, clear\ntsset qtr\nvar {VARS} {SAMPLE}, lags(1/2)\nvargranger")
    assert run.rc == 0, run.log
    g = run.session.r.matrices["gstats"].values
    y = _lutkepohl_y()
    res = VAR(y).fit(2)
    Z = res.endog_lagged  # const, y(t-1), y(t-2)
    xtx_inv = np.linalg.inv(Z.T @ Z)
    sigma = res.sigma_u_mle
    # equation dln_inv, excluded dln_inc: its two lag coefficients
    cols = [1 + 1, 1 + 3 + 1]
    beta = res.params[cols, 0]
    wald = beta @ np.linalg.solve(sigma[0, 0] * xtx_inv[np.ix_(cols, cols)], beta)
    assert g[0, 0] == pytest.approx(wald, rel=1e-8)
    assert g[0, 1] == 2
    assert g.shape == (9, 3)


def test_irf_against_statsmodels(stata: Stata, lutkepohl: Path) -> None:
    run = stata(f"""
        use lutkepohl2, clear
        tsset qtr
        var {VARS} {SAMPLE}, lags(1/2)
        irf create order1, set(results, replace) step(8)
        irf table oirf, impulse(dln_inc) response(dln_consump)
        use results.irf, clear
    """)
    assert run.rc == 0, run.log
    data = run.session.data.to_pandas()
    y = _lutkepohl_y()
    res = VAR(y).fit(2)._results
    res.sigma_u = res.sigma_u_mle  # Stata's var: Σ is the ML estimate
    ref = res.irf(8)
    names = VARS.split()

    def pick(stat: str, imp: str, resp: str) -> np.ndarray:
        rows = data[(data.impulse == imp) & (data.response == resp)].sort_values("step")
        return rows[stat].to_numpy()

    se_irf = np.sqrt(np.array([np.diag(c) for c in ref.cov(orth=False)])).reshape(
        9, 3, 3, order="F")
    se_oirf = np.sqrt(np.array([np.diag(c) for c in ref.cov(orth=True)])).reshape(
        9, 3, 3, order="F")
    se_coirf = np.sqrt(np.array([np.diag(c) for c in ref.cum_effect_cov(orth=True)])
                       ).reshape(9, 3, 3, order="F")
    fevd = res.fevd(9).decomp  # response, step 1…9, impulse
    for j, imp in enumerate(names):
        for k, resp in enumerate(names):
            np.testing.assert_allclose(pick("irf", imp, resp), ref.irfs[:, k, j], atol=1e-12)
            np.testing.assert_allclose(pick("oirf", imp, resp), ref.orth_irfs[:, k, j],
                                       atol=1e-12)
            np.testing.assert_allclose(pick("stdirf", imp, resp), se_irf[:, k, j],
                                       rtol=1e-6, atol=1e-12)
            np.testing.assert_allclose(pick("stdoirf", imp, resp), se_oirf[:, k, j],
                                       rtol=1e-6, atol=1e-12)
            np.testing.assert_allclose(pick("stdcoirf", imp, resp), se_coirf[:, k, j],
                                       rtol=1e-6, atol=1e-12)
            np.testing.assert_allclose(pick("fevd", imp, resp)[1:], fevd[k, :8, j],
                                       atol=1e-12)
    assert "Results from order1" in run.log
    assert "irfname = order1, impulse = dln_inc, and response = dln_consump" in run.log


def test_irf_needs_var_and_a_file(stata: Stata, lutkepohl: Path) -> None:
    assert stata("use lutkepohl2, clear\nirf create a, set(x)").rc == 301
    run = stata(f"use lutkepohl2, clear\ntsset qtr\nvar {VARS} {SAMPLE}\nirf create a")
    assert run.rc == 198  # no active irf file
    graph = stata(f"""
        use lutkepohl2, clear
        tsset qtr
        var {VARS} {SAMPLE}
        irf create a, set(g)
        irf graph oirf
    """)
    assert graph.rc == 0
    assert "not drawn by the embedded engine" in graph.log


def test_irf_fevd_standard_errors_follow_lutkepohl(stata: Stata, lutkepohl: Path) -> None:
    """stdfevd against the analytic delta method of Lütkepohl (2005, Prop. 3.6) built from
    statsmodels' Gᵢ and H matrices (the engine differentiates numerically)."""
    run = stata(f"""
        use lutkepohl2, clear
        tsset qtr
        var {VARS} {SAMPLE}, lags(1/2)
        irf create order1, set(results, replace) step(6)
        use results.irf, clear
    """)
    assert run.rc == 0, run.log
    data = run.session.data.to_pandas()
    res = VAR(_lutkepohl_y()).fit(2)._results
    res.sigma_u = res.sigma_u_mle
    ref = res.irf(6)
    K, T = 3, res.nobs
    eye = np.eye(K)
    theta = ref.orth_irfs
    C = [np.zeros((K * K, ref.cov_a.shape[0]))] + [np.kron(ref.P.T, eye) @ ref.G[i - 1]
                                                   for i in range(1, 7)]
    Cbar = [np.kron(eye, ref.irfs[i]) @ ref.H for i in range(7)]
    cov_sig = ref.cov_sig / T
    names = VARS.split()
    for h in range(1, 7):
        for k in range(K):
            mse = sum(theta[i][k] @ theta[i][k] for i in range(h))
            for j in range(K):
                num = sum(theta[i][k, j] ** 2 for i in range(h))
                d_alpha = sum(2 * (theta[i][k, j] * C[i][j * K + k] * mse
                                   - num * sum(theta[i][k, m] * C[i][m * K + k]
                                               for m in range(K))) / mse**2
                              for i in range(h))
                d_sigma = sum(2 * (theta[i][k, j] * Cbar[i][j * K + k] * mse
                                   - num * sum(theta[i][k, m] * Cbar[i][m * K + k]
                                               for m in range(K))) / mse**2
                              for i in range(h))
                se = np.sqrt(d_alpha @ ref.cov_a @ d_alpha + d_sigma @ cov_sig @ d_sigma)
                row = data[(data.impulse == names[j]) & (data.response == names[k])
                           & (data.step == h)]
                assert row["stdfevd"].iloc[0] == pytest.approx(se, rel=1e-5), (h, k, j)
