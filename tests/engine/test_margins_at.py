"""``margins, at()`` and ``atmeans`` ([R] margins): predictive margins average the prediction
over the estimation sample with the ``at()`` variables fixed (every combination of the
values, the last variable fastest), ``atmeans`` evaluates at the sample means; standard
errors by the delta method. Checked against statsmodels: Logit's ``get_margeff(at="mean")``
for ``dydx() atmeans``, and predictive margins with a finite-difference Jacobian of the
averaged prediction and statsmodels' covariance; OLS margins against ``get_prediction``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit


@pytest.fixture
def data(tmp_path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(8)
    n = 800
    df = pd.DataFrame({"kids": rng.integers(0, 4, n), "educ": rng.integers(10, 18, n),
                       "age": rng.integers(20, 60, n)})
    p = expit(-1 + .15 * df.educ - .04 * (df.age - 40) - .5 * df.kids)
    df["inlf"] = (rng.random(n) < p).astype(int)
    df["y"] = 1 + .3 * df.educ - .2 * df.kids + rng.normal(size=n)
    df.to_csv(tmp_path / "m.csv", index=False)
    return df


def _delta(f, params: np.ndarray, cov: np.ndarray) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    eps = 1e-6
    grad = np.array([(f(params + eps * e) - f(params - eps * e)) / (2 * eps)
                     for e in np.eye(len(params))])
    return f(params), float(np.sqrt(grad @ cov @ grad))


def test_predictive_margins_at_values_after_logit(stata, data):
    r = stata("""
        import delimited m.csv, clear
        logit inlf age educ kids
        margins, at(kids = (0 1 2 3))
        matrix T = r(table)
        margins, at(kids = (0 2) educ = 12(4)16)
    """)
    assert r.rc == 0, r.log
    X = sm.add_constant(data[["age", "educ", "kids"]])
    res = sm.Logit(data.inlf, X).fit(disp=0)
    cov = res.cov_params().to_numpy()
    T = r.session.matrices["T"]
    assert T.colnames == ["1._at", "2._at", "3._at", "4._at"]
    for j, k in enumerate((0, 1, 2, 3)):
        Xk = X.assign(kids=k).to_numpy()
        m, se = _delta(lambda b, Xk=Xk: float(expit(Xk @ b).mean()), res.params.to_numpy(), cov)
        assert T.values[0, j] == pytest.approx(m, rel=1e-7)
        assert T.values[1, j] == pytest.approx(se, rel=1e-5)
    assert "1._at: kids = 0" in r.output
    b = r.session.r.matrices["b"].values[0]
    combos = [(0, 12), (0, 16), (2, 12), (2, 16)]  # the last at() variable changes fastest
    for j, (k, e) in enumerate(combos):
        Xk = X.assign(kids=k, educ=e).to_numpy()
        assert b[j] == pytest.approx(float(expit(Xk @ res.params.to_numpy()).mean()), rel=1e-7)
    assert "2._at: kids = 0" in r.output
    assert "       educ = 16" in r.output


def test_dydx_atmeans_against_statsmodels(stata, data):
    r = stata("""
        import delimited m.csv, clear
        logit inlf age educ kids
        margins, dydx(educ kids) atmeans
    """)
    assert r.rc == 0, r.log
    X = sm.add_constant(data[["age", "educ", "kids"]])
    me = sm.Logit(data.inlf, X).fit(disp=0).get_margeff(at="mean")
    table = r.session.r.matrices["table"].values
    np.testing.assert_allclose(table[0], me.margeff[1:], rtol=1e-7)
    np.testing.assert_allclose(table[1], me.margeff_se[1:], rtol=1e-6)
    assert "Conditional marginal effects" in r.log


def test_linear_margins_match_ols_prediction(stata, data):
    r = stata("""
        import delimited m.csv, clear
        regress y educ kids
        margins, at(kids = 1)
        margins
    """)
    assert r.rc == 0, r.log
    X = sm.add_constant(data[["educ", "kids"]])
    res = sm.OLS(data.y, X).fit()
    row = X.assign(kids=1).mean().to_numpy()[None, :]
    pred = res.get_prediction(row)
    T = r.session.r.matrices["table"].values  # the last margins: overall mean prediction
    assert T[0, 0] == pytest.approx(data.y.mean(), rel=1e-9)
    r2 = stata("""
        import delimited m.csv, clear
        regress y educ kids
        margins, at(kids = 1)
    """)
    T1 = r2.session.r.matrices["table"].values
    assert T1[0, 0] == pytest.approx(float(pred.predicted_mean[0]), rel=1e-9)
    assert T1[1, 0] == pytest.approx(float(pred.se_mean[0]), rel=1e-7)
    assert "Expression: Linear prediction, predict()" in r2.output


def test_marginlist_levels_of_a_factor(stata, tmp_path):
    rng = np.random.default_rng(12)
    n = 400
    df = pd.DataFrame({"treat": rng.integers(0, 2, n), "female": rng.integers(0, 2, n),
                       "base": rng.normal(size=n)})
    df["y"] = 1 + .5 * df.treat + .3 * df.treat * df.female + df.base + rng.normal(size=n)
    df.to_csv(tmp_path / "h.csv", index=False)
    r = stata("""
        import delimited h.csv, clear asdouble
        regress y i.treat##i.female base, vce(robust)
        margins female, dydx(treat)
        matrix D = r(table)
        margins female
    """)
    assert r.rc == 0, r.log
    X = pd.DataFrame({"const": 1.0, "treat": df.treat, "female": df.female,
                      "tf": df.treat * df.female, "base": df.base})
    res = sm.OLS(df.y, X).fit(cov_type="HC1")
    D = r.session.matrices["D"]
    assert D.colnames == ["1.treat:0.female", "1.treat:1.female"]
    for j, f in enumerate((0, 1)):
        c = np.array([0, 1, 0, f, 0], dtype=float)
        assert D.values[0, j] == pytest.approx(float(c @ res.params), rel=1e-9)
        assert D.values[1, j] == pytest.approx(float(np.sqrt(c @ res.cov_params() @ c)),
                                               rel=1e-7)
    T = r.session.r.matrices["table"]
    assert T.colnames == ["0.female", "1.female"]
    for j, f in enumerate((0, 1)):
        row = X.assign(female=f, tf=df.treat * f).mean().to_numpy()
        assert T.values[0, j] == pytest.approx(float(row @ res.params), rel=1e-9)
        assert T.values[1, j] == pytest.approx(float(np.sqrt(row @ res.cov_params() @ row)),
                                               rel=1e-7)
    assert "      female |" in r.output
    assert "Note: dy/dx for factor levels is the discrete change from the base level." \
        in r.output
