"""margins dydx (Stata's spector margins), estat ic (Stata's AIC/BIC), test/lincom, hausman."""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.datasets import spector
from statsmodels.discrete.tests.results.results_discrete import Spector

from libs.stata_stats.discrete import FAMILIES, fit_ml
from libs.stata_stats.margins import Continuous, Discrete, dydx
from libs.stata_stats.ols import regress
from libs.stata_stats.postestimation import estat_ic, hausman
from libs.stata_stats.wald import lincom, wald_test
from tests.stata_stats.reference import as_float, assert_rel


def _spector_logit() -> tuple[object, np.ndarray]:
    d = spector.load_pandas().data
    x = as_float(d[["GPA", "TUCE", "PSI"]])
    est = fit_ml(
        "logit", d["GRADE"].to_numpy(float), x, ("gpa", "tuce", "psi"), depvar="grade"
    ).estimation
    return est, np.column_stack([x, np.ones(len(x))])


def _unit(design: np.ndarray, j: int) -> np.ndarray:
    out = np.zeros_like(design)
    out[:, j] = 1.0
    return out


def test_margins_dydx_continuous_and_factor() -> None:
    """margins, dydx(*) after logit with psi continuous, and with i.psi (discrete change)."""
    est, design = _spector_logit()
    ref = Spector.logit
    cont = dydx(
        est,
        design,
        [
            Continuous(name=n, derivative=_unit(design, j))
            for j, n in enumerate(("gpa", "tuce", "psi"))
        ],
        FAMILIES["logit"],
    )
    assert_rel(cont.b, ref.margeff_nodummy_dydx, 1e-6, "AME")
    # Stata's margins standard errors were recorded with 7 decimals
    assert_rel(np.sqrt(np.diag(cont.V)), ref.margeff_nodummy_dydx_se, 1e-6, "se", decimals=7)
    at1, at0 = design.copy(), design.copy()
    at1[:, 2], at0[:, 2] = 1.0, 0.0
    fac = dydx(
        est,
        design,
        [
            Continuous(name="gpa", derivative=_unit(design, 0)),
            Continuous(name="tuce", derivative=_unit(design, 1)),
            Discrete(name="1.psi", at_level=at1, at_base=at0),
        ],
        FAMILIES["logit"],
    )
    assert_rel(fac.b, ref.margeff_dummy_dydx, 1e-6, "AME i.psi")
    assert_rel(np.sqrt(np.diag(fac.V)), ref.margeff_dummy_dydx_se, 1e-6, "se", decimals=7)
    assert fac.df_r is None


def test_estat_ic_matches_stata() -> None:
    est, _ = _spector_logit()
    ic = estat_ic(est)
    assert_rel([ic.aic, ic.bic, ic.df], [Spector.logit.aic, Spector.logit.bic, 4], 1e-9)


def _ols_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 3))
    y = x @ [1.0, 0.5, 0.0] + rng.normal(size=120)
    return y, x


def test_wald_and_lincom_against_statsmodels() -> None:
    y, x = _ols_data()
    est = regress(y, x, ("a", "b", "c"), depvar="y")
    ref = sm.OLS(y, np.column_stack([x, np.ones(120)])).fit()
    R = np.array([[0, 1.0, 0, 0], [0, 0, 1.0, 0]])
    got = wald_test(est, R)
    f = ref.f_test(R)
    assert_rel(
        [got.stat, got.p, got.df, got.df_r], [float(f.fvalue), float(f.pvalue), 2, 116], 1e-9
    )
    # a repeated constraint is dropped, as Stata notes "constraint 2 dropped"
    dup = wald_test(est, np.vstack([R, R[:1] * 2]))
    assert dup.dropped == (2,)
    assert_rel(dup.stat, got.stat, 1e-9)
    lc = lincom(est, np.array([1.0, -1.0, 0, 0]))
    t = ref.t_test(np.array([1.0, -1.0, 0, 0]))
    assert_rel(
        [lc.estimate, lc.se, lc.stat, lc.p],
        [float(t.effect[0]), float(t.sd[0, 0]), float(t.tvalue[0, 0]), float(t.pvalue)],
        1e-9,
    )


def test_hausman_direct_formula() -> None:
    y, x = _ols_data()
    a = regress(y, x, ("a", "b", "c"), depvar="y")
    b = regress(y, x[:, :2], ("a", "b"), depvar="y")
    h = hausman(a, b)
    diff = a.b[:2] - b.b[:2]
    vd = a.V[:2, :2] - b.V[:2, :2]
    chi2 = float(diff @ np.linalg.inv(vd) @ diff)
    assert h.df == 2
    assert_rel([h.chi2, h.p], [chi2, stats.chi2.sf(chi2, 2)], 1e-9)
