"""``estat hettest``/``ovtest``/``vif`` and ``testparm`` after ``regress``, checked against
statsmodels computed with Stata's conventions ([R] regress postestimation, Methods and
formulas): hettest's default is the Cook–Weisberg statistic MSS/2 (statsmodels'
``het_breuschpagan(..., robust=False)``), ``iid`` is Koenker's N·R² (``robust=True``);
ovtest adds powers 2–4 (``linear_reset(power=4)``); vif is ``variance_inflation_factor``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.diagnostic import het_breuschpagan, linear_reset
from statsmodels.stats.outliers_influence import variance_inflation_factor

RTOL = 1e-8


@pytest.fixture
def data(tmp_path: Path) -> pd.DataFrame:
    """A regression whose error variance grows with x1 (and a categorical g)."""
    rng = np.random.default_rng(314)
    n = 120
    x1 = rng.uniform(1, 10, n)
    x2 = 0.6 * x1 + rng.normal(0, 2, n)
    g = rng.integers(1, 4, n)
    y = 1 + 0.5 * x1 - 0.3 * x2 + 0.2 * x1**2 + g + rng.normal(0, 0.3 * x1, n)
    frame = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g.astype(np.int8)})
    frame.to_stata(tmp_path / "het.dta", write_index=False)
    return frame


def _ols(frame: pd.DataFrame, names: list[str]):  # type: ignore[no-untyped-def]
    return sm.OLS(frame["y"], sm.add_constant(frame[names])).fit()


def test_hettest_default_iid_fstat_rhs_and_varlist(stata, data):
    r = stata("""
        use het, clear
        regress y x1 x2
        estat hettest
        scalar c_fit = r(chi2)
        estat hettest, iid
        scalar c_iid = r(chi2)
        estat hettest, fstat
        scalar f_fit = r(F)
        scalar f_df = r(df_r)
        estat hettest, rhs
        scalar c_rhs = r(chi2)
        scalar d_rhs = r(df)
        hettest x1
        scalar c_x1 = r(chi2)
        scalar p_x1 = r(p)
    """)
    assert r.rc == 0, r.log
    fit = _ols(data, ["x1", "x2"])
    z_fit = sm.add_constant(fit.fittedvalues)
    lm, p_lm = het_breuschpagan(fit.resid, z_fit, robust=False)[:2]
    koenker = het_breuschpagan(fit.resid, z_fit, robust=True)[0]
    f_iid = het_breuschpagan(fit.resid, z_fit, robust=True)[2]
    lm_rhs = het_breuschpagan(fit.resid, fit.model.exog, robust=False)[0]
    lm_x1, p_x1 = het_breuschpagan(fit.resid, sm.add_constant(data["x1"]), robust=False)[:2]
    s = r.session.scalars
    np.testing.assert_allclose([s["c_fit"], s["c_iid"], s["f_fit"], s["c_rhs"], s["c_x1"],
                                s["p_x1"]], [lm, koenker, f_iid, lm_rhs, lm_x1, p_x1], rtol=RTOL)
    assert (s["f_df"], s["d_rhs"]) == (118, 2)
    # Stata 17's layout
    assert r.output[r.output.index("Breusch–Pagan/Cook–Weisberg test for heteroskedasticity "):][
        :6] == [
        "Breusch–Pagan/Cook–Weisberg test for heteroskedasticity ",
        "Assumption: Normal error terms",
        "Variable: Fitted values of y",
        "H0: Constant variance",
        f"    chi2(1) = {lm:6.2f}",
        f"Prob > chi2 = {p_lm:6.4f}",
    ]
    assert "Assumption: i.i.d. error terms" in r.output
    assert "Variables: All independent variables" in r.output
    assert any(line.startswith("F(1, 118) = ") for line in r.output)
    assert "Variable: x1" in r.output


def test_hettest_mtest_adjusts_each_variable_and_factor_variables(stata, data):
    r = stata("""
        use het, clear
        regress y x1 x2 i.g
        estat hettest x1 x2, mtest(bonferroni)
        matrix M = r(mtest)
        scalar joint = r(chi2)
        estat hettest i.g
        scalar c_g = r(chi2)
        scalar d_g = r(df)
    """)
    assert r.rc == 0, r.log
    fit = sm.OLS(data["y"], sm.add_constant(pd.concat(
        [data[["x1", "x2"]], pd.get_dummies(data["g"], prefix="g", drop_first=True, dtype=float)],
        axis=1))).fit()
    singles = [het_breuschpagan(fit.resid, sm.add_constant(data[[v]]), robust=False)[:2]
               for v in ("x1", "x2")]
    joint = het_breuschpagan(fit.resid, sm.add_constant(data[["x1", "x2"]]), robust=False)[0]
    m = r.session.matrices["M"]
    assert m.colnames == ["chi2", "df", "p", "adj_p"]
    np.testing.assert_allclose(m.values[:, 0], [c for c, _ in singles], rtol=RTOL)
    np.testing.assert_allclose(m.values[:, 3], [min(1.0, 2 * p) for _, p in singles], rtol=RTOL)
    np.testing.assert_allclose(r.session.scalars["joint"], joint, rtol=RTOL)
    dummies = pd.get_dummies(data["g"], prefix="g", drop_first=True, dtype=float)
    lm_g = het_breuschpagan(fit.resid, sm.add_constant(dummies), robust=False)[0]
    np.testing.assert_allclose(r.session.scalars["c_g"], lm_g, rtol=RTOL)
    assert r.session.scalars["d_g"] == 2
    assert "# Bonferroni-adjusted p-values" in r.output
    assert any(line.startswith("simultaneous |") for line in r.output)


def test_ovtest_is_ramsey_reset_with_powers_two_to_four(stata, data):
    r = stata("""
        use het, clear
        regress y x1 x2
        estat ovtest
        scalar f_fit = r(F)
        scalar df = r(df)
        scalar df_r = r(df_r)
        ovtest, rhs
        scalar f_rhs = r(F)
        scalar df_rhs = r(df)
    """)
    assert r.rc == 0, r.log
    fit = _ols(data, ["x1", "x2"])
    ref = linear_reset(fit, power=4, test_type="fitted", use_f=True)
    ref_rhs = linear_reset(fit, power=4, test_type="exog", use_f=True)
    s = r.session.scalars
    np.testing.assert_allclose([s["f_fit"], s["f_rhs"]], [ref.fvalue, ref_rhs.fvalue], rtol=1e-7)
    assert (s["df"], s["df_r"], s["df_rhs"]) == (3, 114, 6)
    assert "Ramsey RESET test for omitted variables" in r.output
    assert "Omitted: Powers of fitted values of y" in r.output
    assert "H0: Model has no omitted variables" in r.output
    assert any(line.startswith("F(3, 114) = ") for line in r.output)
    assert any(line.startswith(" Prob > F = ") for line in r.output)


def test_vif_and_uncentered(stata, data):
    r = stata("""
        use het, clear
        gen x3 = x1 + x2 + rnormal()
        regress y x1 x2 x3
        estat vif
        estat vif, uncentered
    """)
    assert r.rc == 0, r.log
    frame = r.session.data.to_pandas()
    X = sm.add_constant(frame[["x1", "x2", "x3"]]).to_numpy()
    centered = [variance_inflation_factor(X, j) for j in (1, 2, 3)]
    # uncentered VIF_j = [(X'X)^-1]_jj * x_j'x_j, constant included
    uncentered = np.diag(np.linalg.inv(X.T @ X)) * (X**2).sum(axis=0)
    rr = r.session.r
    got = {rr.macros[f"name_{k}"]: rr.scalars[f"vif_{k}"] for k in range(1, 5)}
    np.testing.assert_allclose([got[n] for n in ("x1", "x2", "x3", "_cons")],
                               [uncentered[1], uncentered[2], uncentered[3], uncentered[0]],
                               rtol=RTOL)
    first = r.output.index("    Variable |       VIF       1/VIF  ")
    rows = r.output[first + 2 : first + 5]
    order = sorted(zip(centered, ("x1", "x2", "x3"), strict=True), reverse=True)
    assert [row.split()[0] for row in rows] == [name for _, name in order]
    np.testing.assert_allclose([float(row.split()[2]) for row in rows],
                               [v for v, _ in order], atol=0.005)
    assert r.output[first + 6].startswith("    Mean VIF |")


def test_testparm_plain_factor_and_equal(stata, data):
    r = stata("""
        use het, clear
        regress y x1 x2 i.g
        testparm i.g
        scalar f_g = r(F)
        testparm x1 x2, equal
        scalar f_eq = r(F)
        test x1 = x2
        scalar f_test = r(F)
        testparm x*
        scalar f_x = r(F)
        capture testparm x3
        di _rc
        capture testparm nosuch
        di _rc
    """)
    assert r.rc == 0, r.log
    dummies = pd.get_dummies(data["g"], prefix="g", drop_first=True, dtype=float)
    fit = sm.OLS(data["y"], sm.add_constant(pd.concat([data[["x1", "x2"]], dummies], axis=1))
                 ).fit()
    f_g = fit.f_test("g_2 = 0, g_3 = 0").fvalue
    f_eq = fit.f_test("x1 = x2").fvalue
    s = r.session.scalars
    np.testing.assert_allclose([s["f_g"], s["f_eq"], s["f_test"]], [f_g, f_eq, f_eq], rtol=RTOL)
    # x* also matches x3, which is not in the model: testparm passes over it (testparm.ado
    # keeps the variables `test v, notest` accepts) and fails only when none is left
    np.testing.assert_allclose(s["f_x"], fit.f_test("x1 = 0, x2 = 0").fvalue, rtol=RTOL)
    assert r.output[-2:] == ["111", "111"]
    assert " ( 1)  2.g = 0" in r.output
    assert " ( 2)  3.g = 0" in r.output
    assert " ( 1)  - x1 + x2 = 0" in r.output


def test_diagnostics_refuse_other_estimators_and_unknown_subcommands(stata, data):
    r = stata("""
        use het, clear
        gen b = y > 8
        logit b x1
        capture estat hettest
        di _rc
        regress y x1
        capture estat hottest
        di _rc
        capture estat vif
        di _rc
    """)
    assert r.output.count("321") == 2  # hettest after logit; an unknown subcommand
    assert r.output[-1] == "102"  # vif needs two regressors
