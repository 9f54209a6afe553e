"""heckman against independent computations ([R] heckman's likelihood and two-step method):
the ML estimates from scipy's optimizer on the textbook log likelihood (ρ = tanh(athrho),
σ = exp(lnsigma)), their OIM standard errors from statsmodels' numerical Hessian, the robust
sandwich from numerical per-row scores times N/(N−1); the two-step estimates from statsmodels'
Probit and OLS on the inverse Mills ratio with Heckman's (Greene's) variance formula."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import optimize
from scipy import stats as st
from statsmodels.tools.numdiff import approx_fprime, approx_hess3

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def wages(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(21)
    n = 600
    x, z = rng.normal(size=n), rng.normal(size=n)
    u = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=n)
    selected = (0.2 + 0.9 * z + 0.3 * x + u[:, 1]) > 0
    y = np.where(selected, 1 + 0.5 * x + 1.5 * u[:, 0], np.nan)
    d = pd.DataFrame({"y": y, "x": x, "z": z, "s": selected.astype(float)})
    d.to_stata(tmp_path / "h.dta", write_index=False)
    return d


def _rows_ll(theta: np.ndarray, d: pd.DataFrame) -> np.ndarray:
    """The textbook log likelihood per observation."""
    b0, b1, g0, g1, g2, athrho, lnsigma = theta
    rho, sigma = np.tanh(athrho), np.exp(lnsigma)
    zg = g0 * d["z"].to_numpy() + g1 * d["x"].to_numpy() + g2
    sel = d["s"].to_numpy() == 1
    e = (np.nan_to_num(d["y"].to_numpy()) - b0 * d["x"].to_numpy() - b1) / sigma
    out = st.norm.logcdf(-zg)
    inside = (zg + rho * e) / np.sqrt(1 - rho**2)
    out[sel] = (st.norm.logcdf(inside) + st.norm.logpdf(e) - np.log(sigma))[sel]
    return np.asarray(out)


def test_heckman_ml_against_scipy(stata: Stata, wages: pd.DataFrame) -> None:
    run = stata("use h\nheckman y x, select(z x)")
    assert run.rc == 0, run.log
    res = optimize.minimize(lambda t: -_rows_ll(t, wages).sum(), np.zeros(7) + 0.1,
                            method="BFGS", options={"gtol": 1e-9})
    e = run.session.e
    b = e.matrices["b"].values[0]
    assert list(e.matrices["b"].colnames) == ["y:x", "y:_cons", "select:z", "select:x",
                                               "select:_cons", "/:athrho", "/:lnsigma"]
    np.testing.assert_allclose(b, res.x, rtol=1e-5, atol=1e-6)
    V = np.linalg.inv(-approx_hess3(res.x, lambda t: _rows_ll(t, wages).sum()))
    np.testing.assert_allclose(e.matrices["V"].values, V, rtol=1e-4, atol=1e-8)
    assert e.scalars["ll"] == pytest.approx(-res.fun, rel=1e-10)
    assert e.scalars["rho"] == pytest.approx(np.tanh(res.x[5]), rel=1e-5)
    assert e.scalars["N_selected"] == wages["s"].sum()
    # LR test of independent equations: the probit plus the normal regression
    probit = sm.Probit(wages["s"], sm.add_constant(wages[["z", "x"]])).fit(disp=0)
    sel = wages[wages.s == 1]
    ols = sm.OLS(sel["y"], sm.add_constant(sel["x"])).fit()
    assert e.scalars["chi2_c"] == pytest.approx(2 * (-res.fun - probit.llf - ols.llf), rel=1e-6)


def test_heckman_ml_robust(stata: Stata, wages: pd.DataFrame) -> None:
    run = stata("use h\nheckman y x, select(s = z x) vce(robust)")
    assert run.rc == 0, run.log
    b = run.session.e.matrices["b"].values[0]
    bread = np.linalg.inv(-approx_hess3(b, lambda t: _rows_ll(t, wages).sum()))
    scores = approx_fprime(b, lambda t: _rows_ll(t, wages), centered=True)
    n = len(wages)
    V = bread @ scores.T @ scores @ bread * n / (n - 1)
    np.testing.assert_allclose(run.session.e.matrices["V"].values, V, rtol=1e-4, atol=1e-8)
    assert run.session.e.macros["vcetype"] == "Robust"


def test_heckman_twostep(stata: Stata, wages: pd.DataFrame) -> None:
    run = stata("use h\nheckman y x, select(z x) twostep")
    assert run.rc == 0, run.log
    Z = sm.add_constant(wages[["z", "x"]], prepend=False).to_numpy()
    probit = sm.Probit(wages["s"].to_numpy(), Z).fit(disp=0, tol=1e-12)
    sel = wages["s"].to_numpy() == 1
    zg = Z[sel] @ probit.params
    mills = st.norm.pdf(zg) / st.norm.cdf(zg)
    Xs = np.column_stack([wages["x"].to_numpy()[sel], np.ones(sel.sum()), mills])
    ols = sm.OLS(wages["y"].to_numpy()[sel], Xs).fit()
    delta = mills * (mills + zg)
    sigma2 = ols.ssr / sel.sum() + ols.params[-1] ** 2 * delta.mean()
    rho = ols.params[-1] / np.sqrt(sigma2)
    inv = np.linalg.inv(Xs.T @ Xs)
    F = Xs.T @ (delta[:, None] * Z[sel])
    Q = rho**2 * F @ probit.cov_params() @ F.T
    V = sigma2 * inv @ (Xs.T @ ((1 - rho**2 * delta)[:, None] * Xs) + Q) @ inv
    e = run.session.e
    b = e.matrices["b"].values[0]
    np.testing.assert_allclose(b[[0, 1, 5]], ols.params, rtol=1e-7)
    np.testing.assert_allclose(b[2:5], probit.params, rtol=1e-6)
    Ve = e.matrices["V"].values
    np.testing.assert_allclose(Ve[np.ix_([0, 1, 5], [0, 1, 5])], V, rtol=1e-6)
    np.testing.assert_allclose(Ve[2:5, 2:5], probit.cov_params(), rtol=1e-6)
    assert e.scalars["rho"] == pytest.approx(rho, rel=1e-7)
    assert e.scalars["sigma"] == pytest.approx(np.sqrt(sigma2), rel=1e-8)


def test_heckman_needs_select(stata: Stata, wages: pd.DataFrame) -> None:
    assert stata("use h\nheckman y x").rc == 198
    assert stata("use h\nheckman y x, select(z) twostep vce(robust)").rc == 198
