"""``zip`` and ``zinb`` ([R] zip, [R] zinb) against statsmodels' ZeroInflatedPoisson and
ZeroInflatedNegativeBinomialP (p = 2, NB2) with Stata's conventions: a logit inflation
equation, the count equation first in e(b) then ``inflate:``, zinb's α as ``/lnalpha``; the
OIM variance as the inverse of minus statsmodels' log likelihood Hessian taken numerically
(``approx_hess3``; its analytic ZIP Hessian is approximate), the robust one as the sandwich of
its per-row scores × N/(N−1); e(ll_0) the fit whose count equation has only a constant."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP, ZeroInflatedPoisson
from statsmodels.tools.numdiff import approx_fprime, approx_hess3


@pytest.fixture
def counts(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(17)
    n = 400
    d = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(size=n),
                      "z": rng.normal(size=n), "t": rng.uniform(0.5, 2.0, size=n)})
    zero = rng.uniform(size=n) < 1 / (1 + np.exp(-(-0.4 + 0.9 * d.z)))
    mu = d.t * np.exp(0.4 + 0.5 * d.x1 - 0.7 * d.x2)
    d["y"] = np.where(zero, 0, rng.negative_binomial(1.5, 1.5 / (1.5 + mu)))
    d.to_csv(tmp_path / "c.csv", index=False)
    return d


def _reference(d: pd.DataFrame, cmd: str, count: list[str], exposure: bool = False):  # type: ignore[no-untyped-def]
    X = sm.add_constant(d[count], prepend=False) if count else np.ones((len(d), 1))
    Z = sm.add_constant(d[["z"]], prepend=False)
    kw: dict[str, object] = {"exposure": d.t} if exposure else {}
    cls = ZeroInflatedPoisson if cmd == "zip" else ZeroInflatedNegativeBinomialP
    if cmd == "zinb":
        kw["p"] = 2
    model = cls(d.y, X, exog_infl=Z, inflation="logit", **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(method="bfgs", maxiter=10000, gtol=1e-10, disp=0)
    return model, np.asarray(fit.params, dtype=float)


def _stata_order(params: np.ndarray, cmd: str, kz: int = 2) -> np.ndarray:
    """statsmodels' (inflate, count[, alpha]) as Stata's (count, inflate[, ln alpha])."""
    if cmd == "zip":
        return np.concatenate([params[kz:], params[:kz]])
    return np.concatenate([params[kz:-1], params[:kz], [np.log(params[-1])]])


def _loglike(model, cmd: str, kz: int = 2):  # type: ignore[no-untyped-def]
    """statsmodels' log likelihood (and per-row version) in Stata's order and ln α."""
    def to_sm(theta: np.ndarray) -> np.ndarray:
        if cmd == "zip":
            return np.concatenate([theta[-kz:], theta[:-kz]])
        return np.concatenate([theta[-kz - 1:-1], theta[:-kz - 1], [np.exp(theta[-1])]])
    return (lambda t: model.loglike(to_sm(t))), (lambda t: model.loglikeobs(to_sm(t)))


@pytest.mark.parametrize("cmd", ["zip", "zinb"])
def test_estimates_oim_and_ll_0(stata, counts, cmd) -> None:  # type: ignore[no-untyped-def]
    run = stata(f"import delimited c.csv, clear asdouble\n{cmd} y x1 x2, inflate(z)")
    assert run.rc == 0, run.log
    e = run.session.e
    model, params = _reference(counts, cmd, ["x1", "x2"])
    theta = _stata_order(params, cmd)
    b = e.matrices["b"].values[0]
    np.testing.assert_allclose(b, theta, rtol=1e-5, atol=1e-7)
    ll, _ = _loglike(model, cmd)
    assert e.scalars["ll"] == pytest.approx(ll(theta), rel=1e-9)
    V = np.linalg.inv(-approx_hess3(b, ll))
    np.testing.assert_allclose(e.matrices["V"].values, V, rtol=1e-4, atol=1e-8)
    null_model, null_params = _reference(counts, cmd, [])
    assert e.scalars["ll_0"] == pytest.approx(null_model.loglike(null_params), rel=1e-8)
    assert e.scalars["chi2"] == pytest.approx(2 * (e.scalars["ll"] - e.scalars["ll_0"]),
                                              rel=1e-6)
    assert e.scalars["df_m"] == 2
    assert e.scalars["N_zero"] == (counts.y == 0).sum()
    assert e.matrices["b"].colnames[-1] == ("/:lnalpha" if cmd == "zinb" else "inflate:_cons")
    if cmd == "zinb":
        assert e.scalars["alpha"] == pytest.approx(params[-1], rel=1e-5)


def test_robust_exposure(stata, counts) -> None:  # type: ignore[no-untyped-def]
    run = stata("import delimited c.csv, clear asdouble\n"
                "zip y x1 x2, inflate(z) exposure(t) vce(robust)")
    assert run.rc == 0, run.log
    e = run.session.e
    model, params = _reference(counts, "zip", ["x1", "x2"], exposure=True)
    theta = _stata_order(params, "zip")
    b = e.matrices["b"].values[0]
    np.testing.assert_allclose(b, theta, rtol=1e-5, atol=1e-7)
    ll, llobs = _loglike(model, "zip")
    bread = np.linalg.inv(-approx_hess3(b, ll))
    scores = approx_fprime(b, llobs, centered=True)
    n = len(counts)
    np.testing.assert_allclose(e.matrices["V"].values,
                               bread @ scores.T @ scores @ bread * n / (n - 1),
                               rtol=1e-4, atol=1e-8)
    assert e.macros["chi2type"] == "Wald"


@pytest.mark.parametrize(("text", "rc"), [("zip y x1 x2", 198), ("zip y x1, inflate(z) vuong", 198),
                                          ("replace y = y + 1\nzip y x1, inflate(z)", 2000),
                                          ("replace y = -1 in 1\nzinb y x1, inflate(z)", 459)])
def test_errors(stata, counts, text, rc) -> None:  # type: ignore[no-untyped-def]
    run = stata("import delimited c.csv, clear asdouble\n" + text)
    assert run.rc == rc, run.log
