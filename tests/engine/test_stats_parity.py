"""Do-files run through the engine against Stata's own reference outputs (shipped in the
installed statsmodels and linearmodels wheels). Datasets are written as .dta files with the
storage types Stata's copies have (float where Stata stores float)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from statsmodels.datasets import grunfeld, longley, macrodata, spector
from statsmodels.discrete.tests.results.results_discrete import Spector
from statsmodels.regression.tests.results import results_grunfeld_ols_robust_cluster as grun
from statsmodels.regression.tests.results import results_macro_ols_robust as macro
from statsmodels.regression.tests.results.results_regression import Longley

from tests.engine.conftest import Run
from tests.stata_stats.reference import LM_ROOT, assert_rel, stata_blocks

RTOL = 1e-6
Stata = Callable[[str], Run]


def _e(run: Run) -> dict[str, Any]:
    assert run.rc == 0, run.log
    e = run.session.e
    return {"b": e.matrices["b"], "V": e.matrices["V"], "s": e.scalars, "m": e.macros}


def _check_bunch(run: Run, ref: Any) -> None:
    e = _e(run)
    assert e["b"].colnames == list(ref.params_table_rownames)
    table = run.session.r.matrices["table"].values.T
    assert_rel(table[:, :8], ref.params_table[:, :8], RTOL, "r(table)")
    assert_rel(e["V"].values, ref.cov, RTOL, "e(V)")
    for name in (
        "N",
        "df_m",
        "df_r",
        "F",
        "r2",
        "rmse",
        "mss",
        "rss",
        "r2_a",
        "ll",
        "ll_0",
        "rank",
        "N_clust",
    ):
        if hasattr(ref, name):
            assert_rel(e["s"][name], getattr(ref, name), RTOL, name)
    for name in ("vce", "vcetype", "cmd", "clustvar"):
        if hasattr(ref, name):
            assert e["m"][name] == getattr(ref, name)


def test_regress_robust_macrodata(stata: Stata, tmp_path: Path) -> None:
    d = macrodata.load_pandas().data
    frame = pd.DataFrame(
        {
            "t": np.arange(len(d), dtype=np.int16),
            "realint": d["realint"].to_numpy(),
            "g_realinv": np.r_[np.nan, 400 * np.diff(np.log(d["realinv"].to_numpy()))],
            "g_realgdp": np.r_[np.nan, 400 * np.diff(np.log(d["realgdp"].to_numpy()))],
        }
    )
    frame.to_stata(tmp_path / "macro.dta", write_index=False)
    run = stata("""
        use macro, clear
        tsset t
        regress g_realinv g_realgdp L.realint, vce(robust)
    """)
    _check_bunch(run, macro.results_hc0)
    assert "Linear regression" in run.log


def _grunfeld_dta(path: Path) -> None:
    g = grunfeld.load_pandas().data.iloc[:200]
    pd.DataFrame(
        {
            "invest": g["invest"].astype(np.float32),
            "mvalue": g["value"].astype(np.float32),
            "kstock": g["capital"].astype(np.float32),
            "company": pd.factorize(g["firm"])[0].astype(np.int8),
        }
    ).to_stata(path / "grunfeld.dta", write_index=False)


@pytest.mark.parametrize(
    ("ref", "cmd"),
    [
        (grun.results_cluster, "regress invest mvalue kstock, vce(cluster company)"),
        (grun.results_hc1_wls_small, "regress invest mvalue kstock [aw=1/mvalue], robust"),
        (
            grun.results_cluster_wls_small,
            "regress invest mvalue kstock [aw=1/mvalue], vce(cluster company)",
        ),
    ],
)
def test_regress_grunfeld(stata: Stata, tmp_path: Path, ref: Any, cmd: str) -> None:
    _grunfeld_dta(tmp_path)
    _check_bunch(stata(f"use grunfeld, clear\n{cmd}\n"), ref)


def test_regress_longley(stata: Stata, tmp_path: Path) -> None:
    ref = Longley()
    d = longley.load_pandas().data
    d.columns = [c.lower() for c in d.columns]
    d.astype(np.float64).to_stata(tmp_path / "longley.dta", write_index=False)
    run = stata("use longley, clear\nregress totemp gnpdefl gnp unemp armed pop year\n")
    e = _e(run)
    assert_rel(e["b"].values[0], ref.params, RTOL, "b")
    assert_rel(np.sqrt(np.diag(e["V"].values)), ref.bse, RTOL, "se")
    assert_rel(
        [e["s"]["r2"], e["s"]["F"], e["s"]["rss"]], [ref.rsquared, ref.fvalue, ref.ssr], RTOL
    )
    assert "Source |       SS" in run.log


def _spector_dta(path: Path) -> None:
    d = spector.load_pandas().data
    pd.DataFrame(
        {
            "gpa": d["GPA"].astype(np.float32),
            "tuce": d["TUCE"].astype(np.int8),
            "psi": d["PSI"].astype(np.int8),
            "grade": d["GRADE"].astype(np.int8),
        }
    ).to_stata(path / "spector.dta", write_index=False)


@pytest.mark.parametrize("cmd", ["logit", "probit"])
def test_spector_binary(stata: Stata, tmp_path: Path, cmd: str) -> None:
    _spector_dta(tmp_path)
    run = stata(f"use spector, clear\n{cmd} grade gpa tuce psi\nestat ic\n")
    ref = getattr(Spector, cmd)
    e = _e(run)
    assert_rel(e["b"].values[0], ref.params, RTOL, "b")
    assert_rel(e["V"].values, ref.cov_params, RTOL, "V")
    table = run.session.e.matrices["b"]
    assert table.colnames == ["gpa", "tuce", "psi", "_cons"]
    assert_rel(
        [e["s"]["ll"], e["s"]["ll_0"], e["s"]["chi2"], e["s"]["r2_p"]],
        [ref.llf, ref.llnull, ref.llr, ref.prsquared],
        RTOL,
    )
    S = run.session.r.matrices["S"].values[0]
    assert_rel(S[4:6], [ref.aic, ref.bic], RTOL, "estat ic")
    assert "Iteration 0:  Log likelihood = -20.59173" in run.log


def test_margins_after_logit_with_factor(stata: Stata, tmp_path: Path) -> None:
    _spector_dta(tmp_path)
    run = stata("use spector, clear\nlogit grade gpa tuce i.psi\nmargins, dydx(*)\n")
    assert run.rc == 0, run.log
    ref = Spector.logit
    r = run.session.r.matrices
    assert r["b"].colnames == ["gpa", "tuce", "1.psi"]
    assert_rel(r["b"].values[0], ref.margeff_dummy_dydx, RTOL, "AME")
    assert_rel(np.sqrt(np.diag(r["V"].values)), ref.margeff_dummy_dydx_se, RTOL, "se", decimals=7)


def _panel_dta(path: Path) -> None:
    d = pd.read_stata(LM_ROOT / "tests/panel/results/simulated-panel.dta")
    out = d[[c for c in d.columns if c.startswith(("x", "y", "w"))]].copy()
    out["firm_id"] = pd.factorize(d["firm"])[0].astype(np.int16)
    out["year"] = d["time"].dt.year.astype(np.int16)
    out.to_stata(path / "panel.dta", write_index=False)


@pytest.mark.parametrize(
    "key",
    [
        "fixed_effect-conventional--",
        "fixed_effect-cluster--_light",
        "fixed_effect-robust-weighted-",
        "random_effect-conventional--_heavy",
        "random_effect-cluster--",
    ],
)
def test_xtreg(stata: Stata, tmp_path: Path, key: str) -> None:
    _panel_dta(tmp_path)
    model, vcv, weighted, missing = key.split("-")
    ref = stata_blocks(LM_ROOT / "tests/panel/results/stata-panel-simulated-results.txt")[key]
    xs = " ".join(f"x{i}{missing}" for i in range(1, 6))
    vce = {"conventional": "", "robust": "vce(robust)", "cluster": "vce(cluster firm_id)"}[vcv]
    weight = "[aweight=w]" if weighted else ""
    opt = "fe" if model == "fixed_effect" else "re"
    run = stata(
        f"use panel, clear\nxtset firm_id year\nxtreg y{missing} {xs} {weight}, {opt} {vce}\n"
    )
    e = _e(run)
    names = e["b"].colnames
    assert names == ref.names
    assert_rel(e["b"].values[0], [ref.params[n][0] for n in names], RTOL, "b")
    assert_rel(e["V"].values, ref.V, RTOL, "V")
    for name in ("N", "r2_w", "r2_b", "r2_o", "sigma_u", "sigma_e", "rho", "N_g"):
        if name in ref.scalars:
            assert_rel(e["s"][name], ref.scalars[name], RTOL, name)
    assert "sigma_u" in run.log


@pytest.mark.parametrize("key", ["2sls-robust-small", "2sls-cluster-asymptotic"])
def test_ivregress(stata: Stata, tmp_path: Path, key: str) -> None:
    d = pd.read_csv(LM_ROOT / "tests/iv/results/housing.csv")
    frame = pd.DataFrame(
        {
            "rent": d["rent"].astype(np.int16),
            "hsngval": d["hsngval"].astype(np.int32),
            "pcturban": d["pcturban"].astype(np.float32),
            "faminc": d["faminc"].astype(np.int32),
            "region": pd.Categorical(d["region"]).codes.astype(np.int8) + 1,
            "division": pd.factorize(d["division"])[0].astype(np.int8),
        }
    )
    frame.to_stata(tmp_path / "hsng.dta", write_index=False)
    _, kind, small = key.split("-")
    vce = "vce(robust)" if kind == "robust" else "vce(cluster division)"
    run = stata(
        "use hsng, clear\nivregress 2sls rent pcturban (hsngval = faminc i.region), "
        f"{vce} {'small' if small == 'small' else ''}\n"
    )
    ref = stata_blocks(LM_ROOT / "tests/iv/results/stata-iv-housing-results.txt")[key]
    e = _e(run)
    assert e["b"].colnames == ref.names
    assert_rel(e["b"].values[0], [ref.params[n][0] for n in ref.names], RTOL, "b")
    assert_rel(e["V"].values, ref.V, RTOL, "V")
    for name, value in ref.scalars.items():
        assert_rel(e["s"][name], value, RTOL, name)
