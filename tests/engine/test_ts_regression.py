"""newey and prais against Stata's own runs shipped in statsmodels (macrodata: ``newey
g_realinv g_realgdp L.realint, lag(4)`` and ``prais …, corc rhotype(tscorr)``; Grunfeld:
``newey invest mvalue kstock, lag(4) force`` on the company-year panel), and Prais–Winsten's
GLS against statsmodels GLS with the AR(1) covariance at the same ρ."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.linalg import toeplitz
from statsmodels.datasets import grunfeld, macrodata
from statsmodels.regression.tests.results import results_grunfeld_ols_robust_cluster as grun
from statsmodels.regression.tests.results import results_macro_ols_robust as macro
from statsmodels.regression.tests.results.macro_gr_corc_stata import results as corc_ref

from tests.engine.conftest import Run
from tests.stata_stats.reference import assert_rel

Stata = Callable[[str], Run]
MODEL = "g_realinv g_realgdp L.realint"


@pytest.fixture
def macro_dta(tmp_path: Path) -> Path:
    d = macrodata.load_pandas().data
    pd.DataFrame({
        "t": np.arange(len(d), dtype=np.int16),
        "realint": d["realint"].to_numpy(),
        "g_realinv": np.r_[np.nan, 400 * np.diff(np.log(d["realinv"].to_numpy()))],
        "g_realgdp": np.r_[np.nan, 400 * np.diff(np.log(d["realgdp"].to_numpy()))],
    }).to_stata(tmp_path / "macro.dta", write_index=False)
    return tmp_path / "macro.dta"


def _check(run: Run, ref: Any, scalars: tuple[str, ...], *, cov: bool = True) -> None:
    assert run.rc == 0, run.log
    e = run.session.e
    assert e.matrices["b"].colnames == list(ref.params_table_rownames)
    table = run.session.r.matrices["table"].values.T
    assert_rel(table[:, :8], ref.params_table[:, :8], 1e-6, "r(table)")
    if cov:
        assert_rel(e.matrices["V"].values, ref.cov, 1e-6, "e(V)")
    for name in scalars:
        assert_rel(e.scalars[name], getattr(ref, name), 1e-6, name)
    for name in ("cmd", "vcetype", "title", "rhotype", "tranmeth", "method"):
        if hasattr(ref, name):
            assert e.macros[name] == getattr(ref, name), name


def test_newey_matches_stata_macrodata(stata: Stata, macro_dta: Path) -> None:
    run = stata(f"use macro, clear\ntsset t\nnewey {MODEL}, lag(4)")
    _check(run, macro.results_newey4, ("N", "df_m", "df_r", "F", "lag", "rank"))
    assert "Regression with Newey–West standard errors" in run.log
    assert "Maximum lag = 4" in run.log


def test_newey_panel_matches_stata_grunfeld(stata: Stata, tmp_path: Path) -> None:
    g = grunfeld.load_pandas().data.iloc[:200]
    pd.DataFrame({
        "invest": g["invest"].astype(np.float32), "mvalue": g["value"].astype(np.float32),
        "kstock": g["capital"].astype(np.float32),
        "company": pd.factorize(g["firm"])[0].astype(np.int8),
        "year": g["year"].astype(np.int16),
    }).to_stata(tmp_path / "grunfeld.dta", write_index=False)
    run = stata("use grunfeld, clear\ntsset company year\n"
                "newey invest mvalue kstock, lag(4) force")
    _check(run, grun.results_nw_panel4, ("N", "df_m", "df_r", "F", "lag"))


def test_newey_lag0_is_hc1_and_gaps_need_force(stata: Stata, macro_dta: Path) -> None:
    run = stata(f"use macro, clear\ntsset t\nnewey {MODEL}, lag(0)")
    assert run.rc == 0, run.log
    d = macrodata.load_pandas().data
    y = 400 * np.diff(np.log(d["realinv"].to_numpy()))
    x = np.column_stack([400 * np.diff(np.log(d["realgdp"].to_numpy())),
                         d["realint"].to_numpy()[:-1]])
    ref = sm.OLS(y, sm.add_constant(x, prepend=False)).fit(cov_type="HC1")
    assert_rel(run.session.e.matrices["V"].values, ref.cov_params(), 1e-9)
    gappy = stata(f"use macro, clear\ndrop if t == 50\ntsset t\nnewey {MODEL}, lag(2)")
    assert gappy.rc == 198
    assert "not regularly spaced" in gappy.log
    assert stata(f"use macro, clear\ntsset t\nnewey {MODEL}").rc == 198  # lag() required


def test_prais_corc_matches_stata(stata: Stata, macro_dta: Path) -> None:
    run = stata(f"use macro, clear\ntsset t\nprais {MODEL}, corc rhotype(tscorr)")
    _check(run, corc_ref, ("N", "df_m", "df_r", "F", "r2", "rmse", "mss", "rss", "r2_a",
                           "ll", "N_gaps", "ic", "dw", "dw_0", "rho", "rank"),
           # the recorded cov's diagonal is not its own table's se² (.0461 vs .2081507²):
           # it is from another run, so the standard errors are checked through r(table)
           cov=False)
    assert "Cochrane–Orcutt AR(1) regression with iterated estimates" in run.log


def _macro_arrays() -> tuple[np.ndarray, np.ndarray]:
    d = macrodata.load_pandas().data
    y = 400 * np.diff(np.log(d["realinv"].to_numpy()))
    x = np.column_stack([400 * np.diff(np.log(d["realgdp"].to_numpy())),
                         d["realint"].to_numpy()[:-1]])
    return y, sm.add_constant(x, prepend=False)


def test_prais_winsten_is_ar1_gls_at_its_rho(stata: Stata, macro_dta: Path) -> None:
    run = stata(f"use macro, clear\ntsset t\nprais {MODEL}")
    assert run.rc == 0, run.log
    e = run.session.e
    rho = e.scalars["rho"]
    y, X = _macro_arrays()
    sigma = toeplitz(rho ** np.arange(len(y))) / (1 - rho**2)
    gls = sm.GLS(y, X, sigma=sigma).fit()
    assert_rel(e.matrices["b"].values[0], gls.params, 1e-8, "b")
    assert_rel(e.matrices["V"].values, gls.cov_params(), 1e-8, "V")
    # the converged ρ is the regression of the residuals on their lag (rhotype(regress))
    u = y - X @ gls.params
    assert rho == pytest.approx(u[1:] @ u[:-1] / (u[:-1] @ u[:-1]), abs=1e-6)
    assert e.macros["tranmeth"] == "prais"


def test_prais_twostep_stops_after_the_ols_rho(stata: Stata, macro_dta: Path) -> None:
    run = stata(f"use macro, clear\ntsset t\nprais {MODEL}, twostep")
    e = run.session.e
    y, X = _macro_arrays()
    u = sm.OLS(y, X).fit().resid
    assert e.scalars["rho"] == pytest.approx(u[1:] @ u[:-1] / (u[:-1] @ u[:-1]), rel=1e-10)
    assert e.scalars["ic"] == 1
    assert e.macros["method"] == "twostep"


def test_prais_nagar_counts_the_dependent_variable_in_k(stata: Stata, macro_dta: Path) -> None:
    # Stata (a Statalist run on webuse qsales: rho_dw = .63263622, N = 20, one regressor and
    # the constant, rhotype(nagar) gives .6702161 = (rho_dw·N² + 3²)/(N² − 3²)): the k of
    # [TS] prais's formulas is the number of regressors with the constant plus one, as
    # prais.ado counts the words of "depvar indepvars _cons".
    rhos = {}
    for kind in ("dw", "nagar", "theil", "tscorr"):
        run = stata(f"use macro, clear\ntsset t\nprais {MODEL}, twostep rhotype({kind})")
        assert run.rc == 0, run.log
        rhos[kind] = run.session.e.scalars["rho"]
    n, k = len(_macro_arrays()[0]), 3 + 1
    assert rhos["nagar"] == pytest.approx((rhos["dw"] * n**2 + k**2) / (n**2 - k**2), rel=1e-10)
    assert rhos["theil"] == pytest.approx(rhos["tscorr"] * (n - k) / n, rel=1e-10)


def test_prais_reports_no_r2_when_the_model_ss_is_negative(stata: Stata, tmp_path: Path) -> None:
    # Stata fits the transformed model with hascons and a centred total sum of squares; when
    # rss exceeds it, prais shows Model SS 0, F = 0.00 and R-squared "." (a Statalist run of a
    # 20-point trend regression). The sums here are recomputed at e(rho) with numpy.
    rng = np.random.default_rng(7)
    n = 20
    t = np.arange(1, n + 1.0)
    y = np.cumsum(rng.normal(size=n)) * 0.3 + rng.normal(size=n)
    pd.DataFrame({"t": t, "y": y}).to_csv(tmp_path / "trend.csv", index=False)
    run = stata("import delimited trend.csv, clear asdouble\ntsset t\nprais y t")
    assert run.rc == 0, run.log
    e = run.session.e.scalars
    rho = e["rho"]
    X = np.column_stack([t, np.ones(n)])
    ty = np.r_[np.sqrt(1 - rho**2) * y[0], y[1:] - rho * y[:-1]]
    tX = np.vstack([np.sqrt(1 - rho**2) * X[0], X[1:] - rho * X[:-1]])
    resid = ty - tX @ np.linalg.lstsq(tX, ty, rcond=None)[0]
    rss = float(resid @ resid)
    assert rss > float(((ty - ty.mean()) ** 2).sum())
    assert e["rss"] == pytest.approx(rss, rel=1e-8)
    assert e["mss"] == 0
    assert e["F"] == 0
    assert np.isnan(e["r2"])
    assert np.isnan(e["r2_a"])
