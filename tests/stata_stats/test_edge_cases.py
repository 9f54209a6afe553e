"""Edge cases Stata handles specially: collinearity, perfect prediction, singleton clusters,
listwise deletion of missing values, frequency weights."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from libs.stata_stats.collinear import omitted_name
from libs.stata_stats.discrete import fit_ml
from libs.stata_stats.errors import StatsError
from libs.stata_stats.ols import regress
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest
from tests.stata_stats.reference import assert_rel


def _data(n: int = 80) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(n, 3))
    return x @ [1.0, -0.5, 0.25] + rng.normal(size=n), x


def test_collinear_term_is_the_later_one() -> None:
    """x4 = x1 + x2 is omitted (not x1), with a zero coefficient and variance."""
    y, x = _data()
    x4 = x[:, 0] + x[:, 1]
    est = regress(y, np.column_stack([x, x4]), ("x1", "x2", "x3", "x4"), depvar="y")
    assert est.omitted == (False, False, False, True, False)
    assert est.b[3] == 0.0
    assert est.V[3, 3] == 0.0
    ref = sm.OLS(y, sm.add_constant(x, prepend=False)).fit()
    assert_rel(np.delete(est.b, 3), ref.params, 1e-10)
    assert est.scalars["df_m"] == 3
    assert np.isnan(est.table()[1, 3])


def test_constant_regressor_is_omitted_not_the_constant() -> None:
    y, x = _data()
    est = regress(
        y, np.column_stack([np.full(len(y), 2.0), x]), ("k", "x1", "x2", "x3"), depvar="y"
    )
    assert est.omitted[0]
    assert not est.omitted[-1]


def test_omitted_names() -> None:
    assert omitted_name("x") == "o.x"
    assert omitted_name("2.rep78") == "2o.rep78"
    assert omitted_name("2.rep78#c.mpg") == "2o.rep78#co.mpg"


def test_missing_values_dropped_listwise() -> None:
    y, x = _data()
    x = x.copy()
    x[[3, 10], 1] = np.nan
    y = y.copy()
    y[20] = np.nan
    est = regress(y, x, ("a", "b", "c"), depvar="y")
    keep = np.isfinite(y) & np.isfinite(x).all(axis=1)
    ref = sm.OLS(y[keep], sm.add_constant(x[keep], prepend=False)).fit()
    assert est.scalars["N"] == 77
    assert_rel(est.b, ref.params, 1e-10)
    assert est.sample is not None
    assert (est.sample == keep).all()


def test_frequency_weights_replicate_rows() -> None:
    """fweights give exactly the regression on the expanded data, robust included."""
    y, x = _data(40)
    f = np.arange(40) % 3 + 1.0
    rep = np.repeat(np.arange(40), f.astype(int))
    for kind in ("ols", "robust"):
        est = regress(
            y,
            x,
            ("a", "b", "c"),
            depvar="y",
            weights=Weights(kind="fweight", values=f),
            vce=VceRequest(kind=kind),
        )
        ref = regress(y[rep], x[rep], ("a", "b", "c"), depvar="y", vce=VceRequest(kind=kind))
        assert est.scalars["N"] == len(rep)
        assert_rel(est.V, ref.V, 1e-9, kind)


def test_singleton_clusters_equal_robust_up_to_factor() -> None:
    """With one observation per cluster, CRV·G/(G−1)·(N−1)/(N−k) = HC0·N/(N−k)."""
    y, x = _data()
    clu = regress(
        y,
        x,
        ("a", "b", "c"),
        depvar="y",
        vce=VceRequest(kind="cluster", clusters=np.arange(len(y))),
    )
    rob = regress(y, x, ("a", "b", "c"), depvar="y", vce=VceRequest(kind="robust"))
    assert clu.scalars["N_clust"] == len(y)
    assert clu.df_r == len(y) - 1
    assert_rel(clu.V, rob.V, 1e-10)


def test_logit_dummy_predicting_perfectly_is_dropped_with_its_rows() -> None:
    y, x = _data()
    yb = (y > 0).astype(float)
    d = np.zeros(len(y))
    d[:6] = 1.0
    yb[:6] = 1.0
    fit = fit_ml("logit", yb, np.column_stack([x, d]), ("x1", "x2", "x3", "d"), depvar="y")
    assert "d != 0 predicts success perfectly" in fit.notes[0]
    est = fit.estimation
    assert est.omitted[3]
    assert est.scalars["N"] == len(y) - 6
    ref = sm.Logit(yb[6:], sm.add_constant(x[6:], prepend=False)).fit(disp=0)
    assert_rel(np.delete(est.b, 3), ref.params, 1e-6)


def test_logit_complete_separation_is_r2000() -> None:
    _, x = _data()
    with pytest.raises(StatsError) as err:
        fit_ml("logit", (x[:, 0] > 0.1).astype(float), x, ("x1", "x2", "x3"), depvar="y")
    assert err.value.code == 2000
    assert "predicts data perfectly" in err.value.message


def test_logit_outcome_does_not_vary_is_r2000() -> None:
    _, x = _data()
    with pytest.raises(StatsError) as err:
        fit_ml("probit", np.ones(len(x)), x, ("x1", "x2", "x3"), depvar="y")
    assert err.value.code == 2000
    assert "outcome does not vary" in err.value.message


def test_logit_robust_factor_is_n_over_n_minus_1() -> None:
    """Stata: vce(robust) after logit is HC0·N/(N−1) (statsmodels' HC0 has no factor)."""
    y, x = _data()
    yb = (y > 0).astype(float)
    est = fit_ml(
        "logit", yb, x, ("x1", "x2", "x3"), depvar="y", vce=VceRequest(kind="robust")
    ).estimation
    ref = sm.Logit(yb, sm.add_constant(x, prepend=False)).fit(disp=0, cov_type="HC0")
    n = len(y)
    assert_rel(est.V, ref.cov_params() * n / (n - 1), 1e-6)


def test_logit_pweights_imply_robust() -> None:
    """pweights: weighted pseudo-likelihood with the sandwich VCE (weights squared in the meat)."""
    y, x = _data()
    yb = (y > 0).astype(float)
    w = np.linspace(0.5, 2.0, len(y))
    est = fit_ml(
        "logit", yb, x, ("x1", "x2", "x3"), depvar="y", weights=Weights(kind="pweight", values=w)
    ).estimation
    assert est.macros["vce"] == "robust"
    ref = sm.GLM(
        yb, sm.add_constant(x, prepend=False), family=sm.families.Binomial(), freq_weights=w
    ).fit()
    assert_rel(est.b, ref.params, 1e-6)
    design = sm.add_constant(x, prepend=False)
    p = 1 / (1 + np.exp(-design @ est.b))
    bread = np.linalg.inv((design * (w * p * (1 - p))[:, None]).T @ design)
    scores = design * (w * (yb - p))[:, None]
    n = len(y)
    assert_rel(est.V, bread @ scores.T @ scores @ bread * n / (n - 1), 1e-6)
