"""``estat imtest``, ``predict`` influence statistics and ``avplot`` after ``regress``, checked
against direct computations: statsmodels' auxiliary OLS fits for Cameron and Trivedi's
(1990) decomposition and White's N·R²; ``OLSInfluence`` for leverage, standardized and
studentized residuals and Cook's distance; the Frisch–Waugh–Lovell partial regressions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.outliers_influence import OLSInfluence

from tests.engine.graphs import graph

DATA = """
    clear
    set seed 5150
    set obs 300
    gen double sqft = 800 + 2200*runiform()
    gen double rooms = round(sqft/400 + rnormal(0, .7))
    gen double age = floor(80*runiform())
    gen byte pool = runiform() < .3
    gen double price = 50 + .12*sqft + 5*rooms - .4*age + 9*pool + rnormal(0, 1)*(20 + .02*sqft)
"""


def _frame(run, names):  # type: ignore[no-untyped-def]
    return pd.DataFrame({n: np.asarray(run.col(n), dtype=float) for n in names})


def _uncentered_nr2(y: np.ndarray, Z: np.ndarray) -> tuple[float, int]:
    fit = sm.OLS(y, Z).fit()
    return len(y) * (1 - fit.ssr / float(np.sum(y**2))), int(np.linalg.matrix_rank(Z)) - 1


def test_imtest_decomposition_and_white_match_the_auxiliary_regressions(stata) -> None:
    run = stata(DATA + "regress price sqft rooms age pool\nestat imtest, white\n")
    assert run.rc == 0, run.log
    data = _frame(run, ["price", "sqft", "rooms", "age", "pool"])
    X = data[["sqft", "rooms", "age", "pool"]].to_numpy()
    ols = sm.OLS(data["price"], sm.add_constant(X)).fit()
    e = ols.resid.to_numpy()
    n = len(e)
    s2 = float(np.sum(e**2)) / n
    centred = X - X.mean(axis=0)
    # pool is binary: its centred square is a combination of pool and the constant, so the
    # auxiliary regressions have 13 product columns, not 14
    cross = np.column_stack([centred[:, i] * centred[:, j] for i in range(4)
                             for j in range(i + 1) if (i, j) != (3, 3)])
    lin = sm.add_constant(X)
    quad = np.column_stack([lin, cross])
    het = _uncentered_nr2(e**2 - s2, quad)
    skew = _uncentered_nr2(e**3 - 3 * s2 * e, lin)
    kurt_y = e**4 - 6 * s2 * e**2 + 3 * s2**2
    kurt = n * kurt_y.mean() ** 2 / np.mean(kurt_y**2)  # N·uncentered R² on a constant
    r = run.session.r.scalars
    assert (r["df_h"], r["df_s"], r["df_k"], r["df_t"]) == (het[1], 4, 1, het[1] + 5)
    assert het[1] == 13
    np.testing.assert_allclose([r["chi2_h"], r["chi2_s"], r["chi2_k"]],
                               [het[0], skew[0], kurt], rtol=1e-9)
    np.testing.assert_allclose(r["chi2_t"], het[0] + skew[0] + kurt, rtol=1e-9)
    white = n * sm.OLS(e**2, quad).fit().rsquared
    np.testing.assert_allclose(r["white"], white, rtol=1e-9)
    assert r["df_w"] == 13
    total_p = stats.chi2.sf(r["chi2_t"], r["df_t"])
    assert any(line.strip().startswith("Total |") and f"{total_p:.4f}" in line
               for line in run.output)
    assert "Cameron & Trivedi's decomposition of IM-test" in run.output


def test_imtest_needs_regress(stata) -> None:
    run = stata(DATA + "gen byte hi = price > 300\nlogit hi sqft\nestat imtest\n")
    assert run.rc == 321


def test_predict_influence_statistics_match_statsmodels(stata) -> None:
    run = stata(DATA + """
        replace rooms = . in 5
        regress price sqft rooms age if _n <= 250
        predict double lev, leverage
        predict double h, hat
        predict double rsta, rstandard
        predict double rstu, rstudent
        predict double cd, cooksd
    """)
    assert run.rc == 0, run.log
    data = _frame(run, ["price", "sqft", "rooms", "age", "lev", "h", "rsta", "rstu", "cd"])
    inside = data.index[(data.index < 250) & data["rooms"].notna()]
    X = sm.add_constant(data.loc[inside, ["sqft", "rooms", "age"]])
    infl = OLSInfluence(sm.OLS(data.loc[inside, "price"], X).fit())
    np.testing.assert_allclose(data.loc[inside, "lev"], infl.hat_matrix_diag, rtol=1e-9)
    np.testing.assert_allclose(data.loc[inside, "h"], infl.hat_matrix_diag, rtol=1e-9)
    np.testing.assert_allclose(data.loc[inside, "rsta"], infl.resid_studentized_internal,
                               rtol=1e-9)
    np.testing.assert_allclose(data.loc[inside, "rstu"], infl.resid_studentized_external,
                               rtol=1e-9)
    np.testing.assert_allclose(data.loc[inside, "cd"], infl.cooks_distance[0], rtol=1e-9)
    # out of sample: leverage of the new rows against the fitted X'X; rstudent/cooksd missing
    out = data.index[data.index >= 250]
    Xo = sm.add_constant(data.loc[out, ["sqft", "rooms", "age"]], has_constant="add")
    expected = np.einsum("ij,jk,ik->i", Xo, np.linalg.inv(X.T @ X), Xo)
    np.testing.assert_allclose(data.loc[out, "lev"], expected, rtol=1e-9)
    assert data.loc[out, "rstu"].isna().all()
    assert data.loc[out, "cd"].isna().all()
    assert np.isnan(data.loc[4, "lev"])


def test_predict_influence_is_refused_after_other_estimators(stata) -> None:
    run = stata(DATA + "poisson rooms sqft\npredict r, rstudent\n")
    assert run.rc == 198
    assert "option rstudent not allowed" in run.log


def test_avplot_draws_the_frisch_waugh_lovell_residuals(stata) -> None:
    run = stata(DATA + "regress price sqft rooms age, vce(robust)\navplot rooms\n")
    assert run.rc == 0, run.log
    data = _frame(run, ["price", "sqft", "rooms", "age"])
    others = sm.add_constant(data[["sqft", "age"]])
    ey = sm.OLS(data["price"], others).fit().resid
    ex = sm.OLS(data["rooms"], others).fit().resid
    model = graph(run)
    dots, line = model.panels[0].layers
    np.testing.assert_allclose(dots.x, ex, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(dots.y, ey, rtol=1e-9, atol=1e-9)
    full = sm.OLS(data["price"], sm.add_constant(data[["sqft", "rooms", "age"]])).fit(
        cov_type="HC1")
    slope = np.polyfit(line.x, line.y, 1)[0]
    np.testing.assert_allclose(slope, full.params["rooms"], rtol=1e-9)
    assert (model.x.title, model.y.title) == ("e( rooms | X )", "e( price | X )")
    assert model.note[0].startswith("coef = ")
    assert "robust se = " in model.note[0]
    np.testing.assert_allclose(float(model.note[0].split("t = ")[1]),
                               full.params["rooms"] / full.bse["rooms"], atol=0.006)
