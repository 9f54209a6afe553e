"""``regress`` against Stata's own output shipped in statsmodels (macrodata, Grunfeld, Longley)."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.datasets import grunfeld, longley, macrodata
from statsmodels.regression.tests.results import results_grunfeld_ols_robust_cluster as grun
from statsmodels.regression.tests.results import results_macro_ols_robust as macro
from statsmodels.regression.tests.results.results_regression import Longley

from libs.stata_stats.ols import regress
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest
from tests.stata_stats.reference import as_float, assert_rel, check_params_table

RTOL = 1e-6


def test_macrodata_robust() -> None:
    """regress g_realinv g_realgdp L.realint, vce(robust)."""
    d = macrodata.load_pandas().data
    y = 400 * np.diff(np.log(d["realinv"].to_numpy()))
    x = np.column_stack(
        [400 * np.diff(np.log(d["realgdp"].to_numpy())), d["realint"].to_numpy()[:-1]]
    )
    est = regress(
        y, x, ("g_realgdp", "L.realint"), depvar="g_realinv", vce=VceRequest(kind="robust")
    )
    check_params_table(est, macro.results_hc0, RTOL, RTOL)


def _grunfeld() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Stata's copy of the data has the first 10 firms (200 rows), stored as float
    g = grunfeld.load_pandas().data.iloc[:200]
    return (
        as_float(g["invest"]),
        as_float(g[["value", "capital"]].to_numpy()),
        g["firm"].to_numpy(),
    )


@pytest.mark.parametrize(
    ("ref", "weighted", "kind"),
    [
        (grun.results_cluster, False, "cluster"),
        (grun.results_hc1_wls_small, True, "robust"),
        (grun.results_cluster_wls_small, True, "cluster"),
    ],
)
def test_grunfeld(ref: object, weighted: bool, kind: str) -> None:
    """regress invest mvalue kstock [aw=1/mvalue], vce(robust | cluster company)."""
    y, x, firm = _grunfeld()
    weights = Weights(kind="aweight", values=1.0 / x[:, 0]) if weighted else None
    vce = VceRequest(kind=kind, clusters=firm if kind == "cluster" else None, clustvar="company")
    est = regress(y, x, ("mvalue", "kstock"), depvar="invest", weights=weights, vce=vce)
    check_params_table(est, ref, RTOL, RTOL)


def test_longley() -> None:
    """regress totemp gnpdefl gnp unemp armed pop year (NIST-certified values, Stata's ll/ic)."""
    ref = Longley()
    d = longley.load_pandas().data
    x = d[["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]].to_numpy(dtype=np.float64)
    est = regress(
        d["TOTEMP"].to_numpy(dtype=np.float64),
        x,
        ("gnpdefl", "gnp", "unemp", "armed", "pop", "year"),
        depvar="totemp",
    )
    assert_rel(est.b, ref.params, RTOL, "b")
    assert_rel(est.se, ref.bse, RTOL, "se")
    s = est.scalars
    assert_rel(
        [s["r2"], s["mss"], s["rss"], s["df_m"], s["df_r"], s["F"], s["rmse"] ** 2],
        [ref.rsquared, ref.ess, ref.ssr, ref.df_model, ref.df_resid, ref.fvalue, ref.scale],
        RTOL,
    )
    assert_rel(s["r2_a"], ref.rsquared_adj, RTOL, "r2_a", decimals=8)
    assert_rel(s["ll"], ref.llf, RTOL, "ll", decimals=4)
    assert_rel(est.table()[3], ref.pvalues, RTOL, "p", decimals=8)
    # The intervals came from Stata, whose copy of the data is stored as float (the NIST
    # values above are for the exact data); they were recorded to 7 digits.
    est_float = regress(as_float(d["TOTEMP"]), as_float(x), est.names[:-1], depvar="totemp")
    assert_rel(est_float.table()[4:6].T, np.array(ref.conf_int()), 5e-7, "ci", decimals=7)
