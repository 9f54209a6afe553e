"""logit/probit (spector) and poisson (ships) against Stata's output shipped in statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.datasets import spector
from statsmodels.discrete.tests.results import results_count_robust_cluster as ships_ref
from statsmodels.discrete.tests.results.results_discrete import Spector

from libs.stata_stats.discrete import fit_ml
from libs.stata_stats.vce import VceRequest
from tests.stata_stats.reference import SM_ROOT, as_float, assert_rel, check_params_table

RTOL = 1e-6
SANDWICH_RTOL = 1e-5
NAMES = ("gpa", "tuce", "psi")


def _spector() -> tuple[np.ndarray, np.ndarray]:
    d = spector.load_pandas().data
    return d["GRADE"].to_numpy(dtype=np.float64), as_float(d[["GPA", "TUCE", "PSI"]])


@pytest.mark.parametrize("cmd", ["logit", "probit"])
def test_spector(cmd: str) -> None:
    """logit/probit grade gpa tuce psi: every statistic Stata recorded."""
    ref = getattr(Spector, cmd)
    y, x = _spector()
    est = fit_ml(cmd, y, x, NAMES, depvar="grade").estimation
    table = est.table()
    assert_rel(est.b, ref.params, RTOL, "b")
    assert_rel(est.V, ref.cov_params, RTOL, "V")
    assert_rel(est.se, ref.bse, RTOL, "se")
    assert_rel(table[2], ref.z, RTOL, "z")
    assert_rel(table[3], ref.pvalues, RTOL, "p")
    # Stata's interval was recorded with 7 significant digits
    assert_rel(table[4:6].T, ref.conf_int, 5e-7, "ci")
    s = est.scalars
    assert_rel(
        [s["ll"], s["ll_0"], s["chi2"], s["r2_p"], s["p"], s["df_m"], s["N"]],
        [ref.llf, ref.llnull, ref.llr, ref.prsquared, ref.llr_pvalue, ref.df_model, ref.nobs],
        RTOL,
    )
    assert est.macros["vce"] == "oim"


def _ships() -> pd.DataFrame:
    return pd.read_csv(SM_ROOT / "discrete/tests/results/ships.csv")


@pytest.mark.parametrize(
    ("ref", "kind", "exposure"),
    [
        (ships_ref.results_poisson_clu, "cluster", False),
        (ships_ref.results_poisson_hc1, "robust", False),
        (ships_ref.results_poisson_exposure_nonrobust, "oim", True),
        (ships_ref.results_poisson_exposure_hc1, "robust", True),
        (ships_ref.results_poisson_exposure_clu, "cluster", True),
    ],
)
def test_ships_poisson(ref: object, kind: str, exposure: bool) -> None:
    """poisson accident yr_con op_75_79 [, exposure(service)] vce(...); rows with missing
    values are dropped listwise by the estimator itself."""
    d = _ships()
    offset = np.log(d["service"].to_numpy(dtype=np.float64)) if exposure else None
    vce = VceRequest(
        kind=kind, clusters=d["ship"].to_numpy() if kind == "cluster" else None, clustvar="ship"
    )
    with np.errstate(divide="ignore"):
        est = fit_ml(
            "poisson",
            d["accident"].to_numpy(dtype=np.float64),
            d[["yr_con", "op_75_79"]].to_numpy(dtype=np.float64),
            ("yr_con", "op_75_79"),
            depvar="accident",
            vce=vce,
            offset=offset,
        ).estimation
    rtol = SANDWICH_RTOL if kind != "oim" else RTOL
    check_params_table(est, ref, rtol, rtol)
