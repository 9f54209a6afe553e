"""``margins`` with ``predict()``, after the categorical models, and over a factor's levels,
checked independently: statsmodels' ``MNLogit.get_margeff`` (mlogit, every outcome),
closed-form effects of ologit's outcome probability and tobit's E(y*) with their delta-method
variance from statsmodels' ``approx_fprime``, and the exact linear combination after
``regress`` with an interaction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.numdiff import approx_fprime

DATA = """
    clear
    set seed 2718
    set obs 1500
    gen double age = 20 + floor(50*runiform())
    gen double lninc = rnormal(10, .6)
    gen byte smoker = runiform() < .25
    gen double latent = -.03*age + .5*lninc - .6*smoker + logit(runiform())
    gen byte health = 1 + (latent > 2.5) + (latent > 3.5) + (latent > 4.5)
"""


def _frame(run, names):  # type: ignore[no-untyped-def]
    return pd.DataFrame({n: np.asarray(run.col(n), dtype=float) for n in names})


def _r(run) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    r = run.session.r.matrices
    return r["b"].values[0], np.sqrt(np.diag(r["V"].values))


def test_margins_after_mlogit_give_every_outcome_as_statsmodels(stata) -> None:
    run = stata(DATA + """
        gen byte occ = 1 + (latent + rnormal() > 3) + (lninc + rnormal() > 10.5)
        mlogit occ age lninc smoker, baseoutcome(1)
        margins, dydx(*)
    """)
    assert run.rc == 0, run.log
    data = _frame(run, ["occ", "age", "lninc", "smoker"])
    fit = sm.MNLogit(data["occ"], sm.add_constant(data[["age", "lninc", "smoker"]])).fit(
        disp=0, tol=1e-12, maxiter=200)
    eff = fit.get_margeff(at="overall", method="dydx")
    b, se = _r(run)
    # statsmodels: rows = variables (age, lninc, smoker), columns = outcomes
    expected_b = eff.margeff.ravel()
    expected_se = eff.margeff_se.ravel()
    np.testing.assert_allclose(b, expected_b, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(se, expected_se, rtol=1e-4)
    assert run.session.r.matrices["b"].colnames[3:6] == [
        "lninc:1._predict", "lninc:2._predict", "lninc:3._predict"]
    assert "1._predict: Pr(occ==1), predict(pr outcome(1))" in run.output


def test_margins_after_ologit_with_predict_outcome(stata) -> None:
    run = stata(DATA + """
        ologit health age lninc smoker
        margins, dydx(lninc) predict(outcome(4))
    """)
    assert run.rc == 0, run.log
    data = _frame(run, ["age", "lninc", "smoker"]).to_numpy()
    e = run.session.e
    names = e.matrices["b"].colnames
    beta, V = e.matrices["b"].values[0], e.matrices["V"].values

    def effect(theta: np.ndarray) -> float:
        xb = data @ theta[:3]
        cut3 = theta[names.index("/:cut3")]
        # Pr(y = 4) = 1 − Λ(cut3 − xb); d/dlninc = λ(cut3 − xb)·β_lninc
        return float(np.mean(stats.logistic.pdf(cut3 - xb)) * theta[1])

    jac = approx_fprime(beta, effect, centered=True)
    b, se = _r(run)
    np.testing.assert_allclose(b[0], effect(beta), rtol=1e-6)
    np.testing.assert_allclose(se[0], np.sqrt(jac @ V @ jac), rtol=1e-5)
    assert "Expression: Pr(health==4), predict(pr outcome(4))" in run.output


def test_margins_after_tobit_with_predict_ystar(stata) -> None:
    run = stata(DATA + """
        gen double hours = max(0, -400 + 60*lninc - 300*smoker + rnormal(0, 200))
        tobit hours lninc smoker age, ll(0)
        margins, dydx(lninc smoker) predict(ystar(0,.))
    """)
    assert run.rc == 0, run.log
    data = _frame(run, ["lninc", "smoker", "age"])
    X = np.column_stack([data.to_numpy(), np.ones(len(data))])
    e = run.session.e
    beta, V = e.matrices["b"].values[0], e.matrices["V"].values

    def slope(theta: np.ndarray, j: int) -> float:
        # E(y*) censored at 0: dE/dx_j = β_j Φ(xb/σ) (McDonald and Moffitt)
        sigma = np.sqrt(theta[4])
        return float(np.mean(stats.norm.cdf(X @ theta[:4] / sigma)) * theta[j])

    def change(theta: np.ndarray) -> float:
        sigma = np.sqrt(theta[4])

        def ystar(xb: np.ndarray) -> np.ndarray:
            z = xb / sigma
            return np.asarray(stats.norm.cdf(z) * xb + sigma * stats.norm.pdf(z))

        X1, X0 = X.copy(), X.copy()
        X1[:, 1], X0[:, 1] = 1.0, 0.0
        return float(np.mean(ystar(X1 @ theta[:4]) - ystar(X0 @ theta[:4])))

    b, se = _r(run)
    expected = [slope(beta, 0), slope(beta, 1)]
    jac = np.vstack([approx_fprime(beta, lambda t: slope(t, 0), centered=True),
                     approx_fprime(beta, lambda t: slope(t, 1), centered=True)])
    # smoker is continuous in the model (no i.), so Stata differentiates: a slope
    np.testing.assert_allclose(b, expected, rtol=1e-6)
    np.testing.assert_allclose(se, np.sqrt(np.diag(jac @ V @ jac.T)), rtol=1e-4)
    assert abs(change(beta) - expected[1]) > 1e-3  # the discrete change is a different number


def test_margins_over_factor_levels_after_regress_with_an_interaction(stata) -> None:
    run = stata(DATA + """
        gen byte treat = runiform() < .5
        gen double y = lninc + 3*treat + 1.5*treat*smoker + rnormal()
        regress y i.treat##i.smoker age, vce(robust)
        margins smoker, dydx(treat)
    """)
    assert run.rc == 0, run.log
    data = _frame(run, ["y", "treat", "smoker", "age"])
    X = pd.DataFrame({"treat": data["treat"], "smoker": data["smoker"],
                      "inter": data["treat"] * data["smoker"], "age": data["age"]})
    fit = sm.OLS(data["y"], sm.add_constant(X)).fit(cov_type="HC1")
    V = fit.cov_params().to_numpy()
    g0 = np.array([0, 1, 0, 0, 0.0])
    g1 = np.array([0, 1, 0, 1, 0.0])
    b, se = _r(run)
    np.testing.assert_allclose(b, [fit.params["treat"], fit.params["treat"]
                                   + fit.params["inter"]], rtol=1e-7)
    np.testing.assert_allclose(se, [np.sqrt(g0 @ V @ g0), np.sqrt(g1 @ V @ g1)], rtol=1e-6)
    assert run.session.r.matrices["b"].colnames == ["1.treat:0.smoker", "1.treat:1.smoker"]
    assert "dy/dx wrt:  1.treat" in run.output
