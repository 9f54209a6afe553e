"""areg against regress with the absorbed indicators written out (statsmodels OLS): the
slopes, their VCE for ols/robust/cluster, R² and the test of the absorbed effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from libs.stata_stats.areg import areg
from libs.stata_stats.vce import VceRequest
from tests.stata_stats.reference import assert_rel


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n, g = 400, 30
    d = pd.DataFrame({"g": rng.integers(0, g, n), "c": rng.integers(0, 12, n)})
    d["x1"] = rng.normal(size=n) + d["g"] / 10
    d["x2"] = rng.normal(size=n)
    d["y"] = 1 + 0.5 * d["x1"] - d["x2"] + d["g"] / 5 + rng.normal(size=n)
    return d


@pytest.mark.parametrize("kind", ["ols", "robust", "cluster"])
def test_areg_equals_dummy_regression(kind: str) -> None:
    d = _data()
    dummies = pd.get_dummies(d["g"], prefix="g", drop_first=True).astype(float)
    exog = sm.add_constant(pd.concat([d[["x1", "x2"]], dummies], axis=1))
    ols = sm.OLS(d["y"], exog)
    if kind == "ols":
        ref = ols.fit()
    elif kind == "robust":
        ref = ols.fit(cov_type="HC1")
    else:
        ref = ols.fit(cov_type="cluster", cov_kwds={"groups": d["c"]})
    vce = VceRequest(kind=kind, clusters=d["c"].to_numpy() if kind == "cluster" else None)
    est = areg(
        d["y"].to_numpy(),
        d[["x1", "x2"]].to_numpy(),
        ("x1", "x2"),
        d["g"].to_numpy(),
        depvar="y",
        absvar="g",
        vce=vce,
    )
    assert_rel(est.b[:2], ref.params[["x1", "x2"]], 1e-9, "b")
    assert_rel(est.V[:2, :2], ref.cov_params().loc[["x1", "x2"], ["x1", "x2"]], 1e-9, "V")
    assert_rel(est.scalars["r2"], ref.rsquared, 1e-9)
    assert_rel(est.scalars["r2_a"], ref.rsquared_adj, 1e-9)
    restricted = sm.OLS(d["y"], sm.add_constant(d[["x1", "x2"]])).fit()
    f_absorb, _, _ = ols.fit().compare_f_test(restricted)
    assert_rel(est.scalars["F_absorb"], f_absorb, 1e-9)
    # the constant is the grand-mean intercept, as xtreg fe reports it
    xbar = d[["x1", "x2"]].mean().to_numpy()
    assert_rel(est.b[2], d["y"].mean() - xbar @ est.b[:2], 1e-9)
