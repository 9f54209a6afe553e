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
    # the exposure as the offset ln t (the same likelihood): statsmodels' ZIP
    # predict(which="prob") drops an exposure but keeps an offset
    kw: dict[str, object] = {"offset": np.log(d.t)} if exposure else {}
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


def _predict(model, params: np.ndarray, which: str, **kw: object) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(model.predict(params, which=which, **kw), dtype=float)


@pytest.mark.parametrize("cmd", ["zip", "zinb"])
def test_predict_statistics(stata, counts, cmd) -> None:  # type: ignore[no-untyped-def]
    """[R] zip postestimation: n (default) = (1 − p)·exp(xb + ln t), ir the same at exposure 1,
    pr = p, pr(n) = Pr(y = n), pr(a,b) = Pr(a ≤ y ≤ b) with b missing = +∞, xb and stdp of the
    count equation; each against statsmodels' predict(which=...) at its own estimates."""
    run = stata(f"""
        import delimited c.csv, clear asdouble
        generate lim = cond(_n <= 10, 1, .)
        {cmd} y x1 x2, inflate(z) exposure(t)
        predict double n_hat
        predict double ir_hat, ir
        predict double p_inf, pr
        predict double p0, pr(0)
        predict double p2, pr(2)
        predict double p13, pr(1,3)
        predict double p2up, pr(2,.)
        predict double p1lim, pr(1, lim)
        predict double xb_hat, xb
        predict double se_hat, stdp
        predict double n_nooff, nooffset
    """)
    assert run.rc == 0, run.log
    assert "(option n assumed; predicted number of events)" in run.log
    model, params = _reference(counts, cmd, ["x1", "x2"], exposure=True)
    data = run.session.data
    got = {name: data.numeric(name) for name in data.vars}
    zeros = np.zeros(len(counts))
    np.testing.assert_allclose(got["n_hat"], _predict(model, params, "mean"), rtol=2e-5)
    np.testing.assert_allclose(got["ir_hat"], _predict(model, params, "mean", offset=zeros),
                               rtol=2e-5)
    np.testing.assert_allclose(got["n_nooff"], got["ir_hat"], rtol=1e-12)
    np.testing.assert_allclose(got["p_inf"], 1 - _predict(model, params, "prob-main"),
                               rtol=2e-5)
    prob = _predict(model, params, "prob", y_values=np.arange(4))
    np.testing.assert_allclose(got["p0"], prob[:, 0], rtol=2e-5)
    np.testing.assert_allclose(got["p2"], prob[:, 2], rtol=2e-5)
    np.testing.assert_allclose(got["p13"], prob[:, 1:4].sum(axis=1), rtol=2e-5)
    np.testing.assert_allclose(got["p2up"], 1 - prob[:, :2].sum(axis=1), rtol=2e-5)
    lim = np.where(np.arange(len(counts)) < 10, prob[:, 1], 1 - prob[:, 0])
    np.testing.assert_allclose(got["p1lim"], lim, rtol=2e-5)  # b missing: Pr(y ≥ 1)
    np.testing.assert_allclose(got["xb_hat"], _predict(model, params, "linear"), rtol=2e-5,
                               atol=1e-6)
    ll, _ = _loglike(model, cmd)
    theta = _stata_order(params, cmd)
    V = np.linalg.inv(-approx_hess3(theta, ll))[:3, :3]
    X = np.column_stack([counts.x1, counts.x2, np.ones(len(counts))])
    np.testing.assert_allclose(got["se_hat"], np.sqrt(np.einsum("ij,jk,ik->i", X, V, X)),
                               rtol=1e-4)


@pytest.mark.parametrize(("text", "rc"), [("predict a, pr(.,2)", 198), ("predict a, n ir", 198),
                                          ("logit pos x1\npredict a, pr(1)", 198),
                                          ("predict a, residuals", 198)])
def test_predict_errors(stata, counts, text, rc) -> None:  # type: ignore[no-untyped-def]
    run = stata("import delimited c.csv, clear asdouble\ngenerate pos = y > 0\n"
                f"zip y x1, inflate(z)\n{text}")
    assert run.rc == rc, run.log


def test_margins_expected_count(stata, counts) -> None:  # type: ignore[no-untyped-def]
    """``margins`` after zip: the average of (1 − p)·exp(xb + ln t) and the average derivative
    in x1 (also in the inflation equation when x1 is there), delta-method SEs — from
    statsmodels' predict(which="mean") and its own numerical-Hessian covariance."""
    run = stata("""
        import delimited c.csv, clear asdouble
        zip y x1 x2, inflate(z x1) exposure(t)
        margins
        matrix m = r(b)
        matrix mv = r(V)
        margins, dydx(x1)
    """)
    assert run.rc == 0, run.log
    d = counts
    X = sm.add_constant(d[["x1", "x2"]], prepend=False)
    Z = sm.add_constant(d[["z", "x1"]], prepend=False)
    model = ZeroInflatedPoisson(d.y, X, exog_infl=Z, inflation="logit", offset=np.log(d.t))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = np.asarray(model.fit(method="bfgs", maxiter=10000, gtol=1e-10,
                                      disp=0).params, dtype=float)
    V = np.linalg.inv(-approx_hess3(params, model.loglike))

    def mean(theta: np.ndarray, shift: float = 0.0) -> float:
        Xs, Zs = X.copy(), Z.copy()
        Xs["x1"] += shift
        Zs["x1"] += shift
        return float(np.mean(model.predict(theta, exog=Xs, exog_infl=Zs,
                                           offset=np.log(d.t))))

    def ame(theta: np.ndarray) -> float:
        h = 1e-5
        return (mean(theta, h) - mean(theta, -h)) / (2 * h)

    session = run.session
    shown = ((session.matrices["m"], session.matrices["mv"], mean),
             (session.r.matrices["b"], session.r.matrices["V"], ame))
    for b, var, fn in shown:
        assert b.values[0, 0] == pytest.approx(fn(params), rel=1e-4)
        grad = approx_fprime(params, fn, centered=True)
        assert np.sqrt(var.values[0, 0]) == pytest.approx(np.sqrt(grad @ V @ grad), rel=1e-3)
