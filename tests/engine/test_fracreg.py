"""fracreg against statsmodels with Stata's conventions: the Bernoulli quasi-likelihood
estimates of a binomial ``GLM`` (logit or probit link) on a fractional outcome, the robust
(default) variance as the sandwich of statsmodels' per-row scores around its observed Hessian
times N/(N−1) (Stata's ML small-sample factor),
the log pseudolikelihood Σ y ln p + (1−y) ln(1−p), e(ll_0) at the mean and the pseudo-R²
([R] fracreg)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def shares(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(12)
    n = 250
    x1, x2 = rng.normal(size=n), rng.uniform(size=n)
    p = 1 / (1 + np.exp(-(-0.3 + 0.7 * x1 - 0.8 * x2)))
    y = np.clip(p + rng.normal(scale=0.15, size=n), 0, 1)
    d = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": rng.integers(0, 25, size=n)})
    d.to_stata(tmp_path / "f.dta", write_index=False)
    return d


def _glm(shares: pd.DataFrame, link: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Estimates, the HC0 sandwich and the Bernoulli quasi-log-likelihood from statsmodels."""
    X = sm.add_constant(shares[["x1", "x2"]], prepend=False).to_numpy()
    links = {"logit": sm.families.links.Logit(), "probit": sm.families.links.Probit()}
    model = sm.GLM(shares["y"].to_numpy(), X, family=sm.families.Binomial(links[link]))
    params = model.fit(method="newton", tol=1e-12, maxiter=100).params
    bread = np.linalg.inv(-model.hessian(params, observed=True))
    scores = model.score_obs(params)
    p = model.predict(params)
    y = shares["y"].to_numpy()
    return params, bread @ scores.T @ scores @ bread, float(np.sum(y * np.log(p)
                                                                     + (1 - y) * np.log1p(-p)))


@pytest.mark.parametrize("model", ["logit", "probit"])
def test_fracreg_robust_default(stata: Stata, shares: pd.DataFrame, model: str) -> None:
    run = stata(f"use f\nfracreg {model} y x1 x2")
    assert run.rc == 0, run.log
    params, sandwich, llf = _glm(shares, model)
    n = len(shares)
    e = run.session.e
    np.testing.assert_allclose(e.matrices["b"].values[0], params, rtol=1e-6)
    np.testing.assert_allclose(e.matrices["V"].values, sandwich * n / (n - 1), rtol=1e-6)
    assert e.scalars["ll"] == pytest.approx(llf, rel=1e-9)
    ybar = shares["y"].mean()
    ll_0 = np.sum(shares["y"] * np.log(ybar) + (1 - shares["y"]) * np.log(1 - ybar))
    assert e.scalars["ll_0"] == pytest.approx(ll_0, rel=1e-10)
    assert e.scalars["r2_p"] == pytest.approx(1 - llf / ll_0, rel=1e-8)
    assert e.macros["cmd"] == "fracreg"
    assert e.macros["vcetype"] == "Robust"
    assert "Log pseudolikelihood" in run.log


def test_fracreg_cluster_and_refusals(stata: Stata, shares: pd.DataFrame) -> None:
    run = stata("use f\nfracreg logit y x1 x2, vce(cluster g)")
    assert run.rc == 0, run.log
    X = sm.add_constant(shares[["x1", "x2"]], prepend=False).to_numpy()
    model = sm.GLM(shares["y"].to_numpy(), X, family=sm.families.Binomial())
    params = model.fit(method="newton", tol=1e-12).params
    bread = np.linalg.inv(-model.hessian(params, observed=True))
    sums = pd.DataFrame(model.score_obs(params)).groupby(shares["g"].to_numpy()).sum()
    g = shares["g"].nunique()
    V = bread @ sums.T.to_numpy() @ sums.to_numpy() @ bread * g / (g - 1)  # ML: G/(G−1)
    np.testing.assert_allclose(run.session.e.matrices["V"].values, V, rtol=1e-6)
    assert run.session.e.scalars["N_clust"] == g
    assert stata("use f\nreplace y = 1.5 in 1\nfracreg logit y x1").rc == 198
    assert stata("use f\nfracreg hetprobit y x1, het(x2)").rc == 198



def _density(model: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """g = dG/dz and dg/dz of the logit or probit mean function."""
    if model == "logit":
        p = 1 / (1 + np.exp(-z))
        g = p * (1 - p)
        return g, g * (1 - 2 * p)
    g = stats.norm.pdf(z)
    return g, -z * g


@pytest.mark.parametrize("model", ["logit", "probit"])
def test_margins_dydx_and_predict_are_on_the_conditional_mean(
        stata: Stata, shares: pd.DataFrame, model: str) -> None:
    # [R] fracreg postestimation: predict's default is cm, E(y|x) = G(xb); margins' default
    # prediction is cm too, so dy/dx is the average of g(xb)·b, not b. Reference: statsmodels'
    # binomial GLM estimates, its robust variance as above, and the average marginal effects
    # with their delta-method standard errors written out here.
    run = stata(f"use f\nfracreg {model} y x1 x2\npredict double mu\npredict double ix, xb\n"
                "margins, dydx(*)")
    assert run.rc == 0, run.log
    params, sandwich, _ = _glm(shares, model)
    n = len(shares)
    X = np.column_stack([shares["x1"], shares["x2"], np.ones(n)])
    z = X @ params
    np.testing.assert_allclose(run.col("ix"), z, rtol=1e-6, atol=1e-7)
    G = 1 / (1 + np.exp(-z)) if model == "logit" else stats.norm.cdf(z)
    np.testing.assert_allclose(run.col("mu"), G, rtol=1e-6)
    g, dg = _density(model, z)
    ame = g.mean() * params[:2]
    jac = np.array([g.mean() * np.eye(3)[j] + params[j] * (dg[:, None] * X).mean(axis=0)
                    for j in range(2)])
    se = np.sqrt(np.diag(jac @ (sandwich * n / (n - 1)) @ jac.T))
    table = run.session.r.matrices["table"].values
    np.testing.assert_allclose(table[0], ame, rtol=1e-6)
    np.testing.assert_allclose(table[1], se, rtol=1e-5)
    assert stata("use f\nregress y x1\npredict m, cm").rc == 198
