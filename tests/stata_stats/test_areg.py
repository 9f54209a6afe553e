"""areg against regress with the absorbed indicators written out (statsmodels OLS): the
slopes, their VCE for ols/robust/cluster (also with fweights and pweights), R² and the test of
the absorbed effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from libs.stata_stats.areg import areg
from libs.stata_stats.ols import regress
from libs.stata_stats.sample import Weights
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


@pytest.mark.parametrize(
    ("wtype", "kind"), [("fweight", "robust"), ("pweight", "robust"), ("pweight", "ols")]
)
def test_weighted_robust_areg_equals_dummy_regression(wtype: str, kind: str) -> None:
    """With fweights or pweights, areg's robust VCE is regress's with i.g written out: the
    same HC1 factor N/(N−k), because regress's k counts the G−1 indicators and ``_cons``,
    which is areg's N−K−G. pweights imply vce(robust) as they do for regress."""
    d = _data()
    rng = np.random.default_rng(11)
    fw = rng.integers(1, 5, len(d)).astype(float)
    w = fw if wtype == "fweight" else rng.uniform(0.2, 3, len(d))
    dummies = pd.get_dummies(d["g"], prefix="g", drop_first=True).astype(float)
    exog = sm.add_constant(pd.concat([d[["x1", "x2"]], dummies], axis=1))
    if wtype == "fweight":  # frequency weights replicate rows
        rows = np.repeat(np.arange(len(d)), w.astype(int))
        ref = sm.OLS(d["y"].to_numpy()[rows], exog.iloc[rows]).fit(cov_type="HC1")
    else:
        ref = sm.WLS(d["y"], exog, weights=w).fit(cov_type="HC1")
    est = areg(
        d["y"].to_numpy(),
        d[["x1", "x2"]].to_numpy(),
        ("x1", "x2"),
        d["g"].to_numpy(),
        depvar="y",
        absvar="g",
        weights=Weights(kind=wtype, values=w),
        vce=VceRequest(kind=kind),
    )
    assert est.macros["vce"] == "robust"
    assert_rel(est.b[:2], ref.params[["x1", "x2"]], 1e-9, "b")
    assert_rel(est.V[:2, :2], ref.cov_params().loc[["x1", "x2"], ["x1", "x2"]], 1e-9, "V")
    groups = d["g"].nunique()
    assert est.df_r == est.scalars["N"] - 2 - groups == ref.df_resid
    # and it is what regress itself posts for the dummy regression
    reg = regress(
        d["y"].to_numpy(),
        exog.drop(columns="const").to_numpy(),
        tuple(exog.columns[1:]),
        depvar="y",
        weights=Weights(kind=wtype, values=w),
        vce=VceRequest(kind=kind),
    )
    assert_rel(est.V[:2, :2], reg.V[:2, :2], 1e-9, "V regress")
    assert est.df_r == reg.df_r


def test_areg_one_cluster_gives_missing_vce() -> None:
    """One cluster leaves the factor G/(G−1) undefined: the VCE is missing, as regress posts."""
    d = _data()
    est = areg(
        d["y"].to_numpy(),
        d[["x1", "x2"]].to_numpy(),
        ("x1", "x2"),
        d["g"].to_numpy(),
        depvar="y",
        absvar="g",
        vce=VceRequest(kind="cluster", clusters=np.zeros(len(d))),
    )
    assert np.isnan(est.V).all()
