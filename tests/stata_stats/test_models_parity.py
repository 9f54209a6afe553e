"""ologit/oprobit, mlogit, nbreg and tobit against Stata's output shipped in statsmodels and
against independent implementations (statsmodels OrderedModel, scipy) with Stata's
conventions.

Tolerances: 1e-6 relative where the reference is exact; a reference recorded with fewer
digits is also allowed its rounding (``decimals``); a numerically differentiated reference
(statsmodels' OrderedModel Hessian, scipy/numdiff for tobit) is compared at the precision
of its differences (stated at each check).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats
from statsmodels.datasets import anes96, randhie
from statsmodels.discrete.tests.results.results_discrete import Anes, RandHIE
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_hess3

from libs.stata_stats.multinomial import fit_mlogit
from libs.stata_stats.negbin import fit_nbreg
from libs.stata_stats.ordered import fit_ordered
from libs.stata_stats.tobit import fit_tobit
from libs.stata_stats.vce import VceRequest
from tests.stata_stats.reference import SM_ROOT, as_float, assert_rel

RTOL = 1e-6


def _ucla() -> tuple[np.ndarray, np.ndarray]:
    d = pd.read_csv(SM_ROOT / "miscmodels/tests/results/ologit_ucla.csv")
    codes = {"unlikely": 0.0, "somewhat likely": 1.0, "very likely": 2.0}
    y = d["apply"].map(codes).to_numpy(dtype=np.float64)
    return y, as_float(d[["pared", "public", "gpa"]])


@pytest.mark.parametrize(("cmd", "distr"), [("ologit", "logit"), ("oprobit", "probit")])
def test_ordered_against_orderedmodel(cmd: str, distr: str) -> None:
    """Slopes and cutpoints, ll and the constant-only ll; the cutpoints are statsmodels'
    first threshold plus its exp-increments."""
    y, X = _ucla()
    est = fit_ordered(cmd, y, X, ("pared", "public", "gpa"), depvar="apply").estimation
    ref = OrderedModel(y, X, distr=distr).fit(method="newton", disp=0, maxiter=200,
                                              tol=1e-14)
    p = np.asarray(ref.params)
    cuts = np.cumsum(np.concatenate([[p[3]], np.exp(p[4:])]))
    # compared on the scale of each estimate's standard error: Stata stops at its own
    # convergence rule, statsmodels at tol; both are within 1e-6 se of the maximum
    np.testing.assert_allclose(est.b, np.concatenate([p[:3], cuts]), rtol=0,
                               atol=1e-6 * est.se.min())
    assert_rel(est.scalars["ll"], ref.llf, 1e-12, "ll")
    shares = np.bincount(y.astype(int)) / len(y)
    assert_rel(est.scalars["ll_0"], float(len(y) * shares @ np.log(shares)), 1e-12, "ll_0")
    assert_rel(est.scalars["chi2"], 2 * (ref.llf - est.scalars["ll_0"]), 1e-9, "chi2")
    # statsmodels' covariance comes from a numerical Hessian (≈1e-6 relative)
    assert_rel(est.se[:3], np.asarray(ref.bse)[:3], 1e-5, "se")
    assert est.names == ("apply:pared", "apply:public", "apply:gpa", "/:cut1", "/:cut2")


def test_ologit_ucla_published() -> None:
    """The UCLA example ``ologit apply pared public gpa`` as Stata prints it (7 digits)."""
    y, X = _ucla()
    est = fit_ordered("ologit", y, X, ("pared", "public", "gpa"), depvar="apply").estimation
    assert_rel(est.b, [1.047664, -0.0586828, 0.6157458, 2.203323, 4.298767], 0, "b",
               decimals=6)
    assert_rel(est.se, [0.2657891, 0.2978588, 0.2606311, 0.7795353, 0.8043147], 0, "se",
               decimals=7)
    assert_rel(est.scalars["ll"], -358.51244, 0, "ll", decimals=5)


def _anes(float_logpopul: bool = True) -> tuple[np.ndarray, np.ndarray]:
    d = anes96.load_pandas().data
    X = d[["logpopul", "selfLR", "age", "educ", "income"]].to_numpy(dtype=np.float64)
    if float_logpopul:
        X[:, 0] = as_float(X[:, 0])  # Stata generated logpopul as float
    return d["PID"].to_numpy(dtype=np.float64), X


def test_mlogit_anes_stata() -> None:
    """``mlogit PID logpopul selfLR age educ income, baseoutcome(0)`` (Stata 11)."""
    ref = Anes.mnlogit_basezero
    y, X = _anes()
    est = fit_mlogit(y, X, ("logpopul", "selfLR", "age", "educ", "income"), depvar="PID",
                     base=0).estimation
    table = est.table()
    # e(b): 7 equations of 6 terms, the base outcome's first with o. names and zeros
    assert est.names[:2] == ("0:o.logpopul", "0:o.selfLR")
    assert np.all(est.b[:6] == 0)
    assert np.all(est.V[:6] == 0)
    other = slice(6, None)
    # Stata 11's iterate differs from ours by up to 2e-6 relative along the likelihood's
    # flattest direction (the constants), where ll agrees to 1e-12: a different stopping
    # point of the same maximum, not a different model
    assert_rel(est.b[other].reshape(6, 6).T, ref.params, 2e-6, "b", decimals=8)
    assert_rel(est.se[other].reshape(6, 6).T, ref.bse, RTOL, "se")
    assert_rel(table[2, other].reshape(6, 6).T, ref.z, 3e-6, "z")
    assert_rel(table[4:6, other].T.reshape(6, 6, 2), ref.conf_int, 3e-6, "ci", decimals=7)
    s = est.scalars
    assert_rel([s["ll"], s["ll_0"], s["chi2"], s["r2_p"], s["df_m"], s["N"]],
               [ref.llf, ref.llnull, ref.llr, ref.prsquared, ref.df_model, ref.nobs],
               RTOL)
    assert est.macros["chi2type"] == "LR"


def test_mlogit_default_base_and_constant_only_ll() -> None:
    """The default base is the most frequent outcome; ll_0 is Σ n_j ln(n_j/N)."""
    y, X = _anes()
    est = fit_mlogit(y, X, ("logpopul", "selfLR", "age", "educ", "income"),
                     depvar="PID").estimation
    counts = np.bincount(y.astype(int))
    assert est.scalars["baseout"] == float(np.argmax(counts))
    assert_rel(est.scalars["ll_0"], float(counts @ np.log(counts / counts.sum())), 1e-12)
    # the fit is the same model: ll does not depend on the base
    assert_rel(est.scalars["ll"], Anes.mnlogit_basezero.llf, 1e-10, "ll")


def _randhie() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    d = randhie.load_pandas().data
    names = ("lncoins", "idp", "lpi", "fmde", "physlm", "disea", "hlthg", "hlthf", "hlthp")
    return d["mdvis"].to_numpy(dtype=np.float64), d[list(names)].to_numpy(np.float64), names


def test_nbreg_randhie_stata() -> None:
    """``nbreg mdvis lncoins idp lpi fmde physlm disea hlthg hlthf hlthp`` (Stata 11)."""
    ref = RandHIE.negativebinomial_nb2_bfgs
    y, X, names = _randhie()
    est = fit_nbreg(y, X, names, depvar="mdvis").estimation
    s = est.scalars
    assert_rel([s["ll"], s["ll_0"], s["chi2"]], [ref.llf, ref.llnull, ref.llr], RTOL)
    assert_rel(est.b[-1], ref.lnalpha, RTOL, "lnalpha")
    assert_rel(est.se[-1], ref.lnalpha_std_err, 0, "se(lnalpha)", decimals=7)
    assert_rel(s["alpha"], np.exp(ref.lnalpha), RTOL, "alpha")
    ci = est.table()[4:6].T
    ref_ci = np.asarray(ref.conf_int)
    # Stata's intervals (recorded to 7 decimals): slopes, _cons, and alpha's (transformed)
    assert_rel(ci[:10], ref_ci[:10], RTOL, "ci", decimals=7)
    assert_rel(np.exp(ci[-1]), ref_ci[-1], 0, "ci(alpha)", decimals=6)
    k = len(est.b)
    assert_rel(2 * k - 2 * s["ll"], ref.aic, RTOL, "aic")
    assert est.names[-1] == "/:lnalpha"
    assert est.names[-2] == "mdvis:_cons"


def test_nbreg_against_statsmodels_and_alpha_test() -> None:
    """b and the observed-information se against statsmodels' NB2 (analytic Hessian);
    the LR test of alpha = 0 against statsmodels' Poisson ll."""
    import statsmodels.api as sm

    y, X, names = _randhie()
    est = fit_nbreg(y, X, names, depvar="mdvis").estimation
    exog = sm.add_constant(X, prepend=False)
    ref = sm.NegativeBinomial(y, exog, loglike_method="nb2").fit(
        method="newton", disp=0, maxiter=100, tol=1e-12)
    params = np.asarray(ref.params)
    assert_rel(est.b[:-1], params[:-1], 1e-6, "b")
    assert_rel(np.exp(est.b[-1]), params[-1], 1e-6, "alpha")
    assert_rel(est.se[:-1], np.asarray(ref.bse)[:-1], 1e-6, "se")
    poisson_ll = sm.Poisson(y, exog).fit(method="newton", disp=0, tol=1e-12).llf
    assert_rel(est.scalars["ll_c"], poisson_ll, 1e-9, "ll_c")
    chi2 = 2 * (est.scalars["ll"] - poisson_ll)
    assert_rel(est.scalars["chi2_c"], chi2, 1e-9, "chibar2")
    assert est.scalars["p_c"] == pytest.approx(0.5 * stats.chi2.sf(chi2, 1), abs=1e-300)


def _censored_sample() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 2))
    ystar = 1.0 + X @ np.array([0.5, -1.0]) + 1.5 * rng.normal(size=400)
    return np.clip(ystar, 0.0, 3.0), X


def _tobit_nll(theta: np.ndarray, y: np.ndarray, X: np.ndarray, lo: float, hi: float) -> float:
    """Independent censored-normal ll in (b, σ) — σ itself, not ln σ."""
    xb = X @ theta[:2] + theta[2]
    s = theta[3]
    ll = np.where(y <= lo, stats.norm.logcdf((lo - xb) / s),
                  np.where(y >= hi, stats.norm.logsf((hi - xb) / s),
                           stats.norm.logpdf((y - xb) / s) - np.log(s)))
    return -float(ll.sum())


def test_tobit_against_scipy_mle() -> None:
    """b, σ² and e(V) (the delta method's var(e.y) row) against an independent scipy MLE
    whose covariance is the inverse of a numerical Hessian in (b, σ²)."""
    y, X = _censored_sample()
    est = fit_tobit(y, X, ("x1", "x2"), depvar="y", ll=0.0, ul=3.0).estimation
    res = optimize.minimize(_tobit_nll, np.array([0.0, 0.0, 1.0, 1.0]), args=(y, X, 0.0, 3.0),
                            method="L-BFGS-B", bounds=[(None, None)] * 3 + [(1e-3, None)],
                            options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000})
    b_ref = np.append(res.x[:3], res.x[3] ** 2)

    def nll_var(theta: np.ndarray) -> float:
        return _tobit_nll(np.append(theta[:3], np.sqrt(theta[3])), y, X, 0.0, 3.0)

    V_ref = np.linalg.inv(approx_hess3(b_ref, nll_var))
    assert_rel(est.b, b_ref, 1e-6, "b")
    # numdiff's Hessian is good to about 1e-6 of the largest element
    np.testing.assert_allclose(est.V, V_ref, rtol=1e-5, atol=1e-6 * np.abs(V_ref).max())
    s = est.scalars
    assert_rel(s["ll"], -res.fun, 1e-10, "ll")
    assert (s["N_lc"], s["N_rc"], s["N_unc"]) == (float(np.sum(y <= 0)), float(np.sum(y >= 3)),
                                                   float(np.sum((y > 0) & (y < 3))))
    # constant-only tobit for the LR test, independently
    null = optimize.minimize(
        lambda t: _tobit_nll(np.array([0.0, 0.0, t[0], t[1]]), y, X, 0.0, 3.0),
        np.array([1.0, 1.0]), method="L-BFGS-B", bounds=[(None, None), (1e-3, None)],
        options={"ftol": 1e-15, "gtol": 1e-12})
    assert_rel(s["ll_0"], -null.fun, 1e-10, "ll_0")
    assert_rel(s["chi2"], 2 * (null.fun - res.fun), 1e-7, "chi2")
    assert s["df_r"] == 400 - 2
    assert est.df_r == 398
    assert est.names == ("model:x1", "model:x2", "model:_cons", "/:var(e.y)")


def test_tobit_robust_is_the_ml_sandwich() -> None:
    """vce(robust): H⁻¹(Σsᵢsᵢ')H⁻¹·N/(N−1) in (b, ln σ), mapped to σ² by the delta method;
    the scores are computed here from the textbook formulas."""
    y, X = _censored_sample()
    oim = fit_tobit(y, X, ("x1", "x2"), depvar="y", ll=0.0).estimation
    rob = fit_tobit(y, X, ("x1", "x2"), depvar="y", ll=0.0,
                    vce=VceRequest(kind="robust")).estimation
    b = oim.b
    sigma = np.sqrt(b[-1])
    D = np.column_stack([X, np.ones(len(y))])
    xb = D @ b[:3]
    z = (y - xb) / sigma
    c = (0.0 - xb) / sigma
    mills = np.exp(stats.norm.logpdf(c) - special.log_ndtr(c))
    left = y <= 0
    d_xb = np.where(left, -mills / sigma, z / sigma)
    d_ln = np.where(left, -mills * c, z**2 - 1)
    S = np.column_stack([D * d_xb[:, None], d_ln])
    jac = np.diag([1.0, 1.0, 1.0, 2 * b[-1]])
    H_inv = np.linalg.inv(jac) @ oim.V @ np.linalg.inv(jac)  # (−H)⁻¹ in (b, ln σ)
    V = H_inv @ (S.T @ S) @ H_inv * len(y) / (len(y) - 1)
    assert_rel(rob.V, jac @ V @ jac, 1e-6, "robust V")
    assert rob.macros["vcetype"] == "Robust"
    assert "F" in rob.scalars


def test_xtlogit_fe_against_conditional_logit() -> None:
    """``xtlogit y x1 x2, fe``: b, se and ll against statsmodels' ConditionalLogit; panels
    with all-equal outcomes dropped with Stata's note; LR chi2 against b = 0."""
    from statsmodels.discrete.conditional_models import ConditionalLogit

    from libs.stata_stats.conditional import fit_clogit

    rng = np.random.default_rng(4)
    g = np.repeat(np.arange(150), 6)
    effect = rng.normal(size=150)[g]
    X = rng.normal(size=(900, 2))
    X[:, 1] += effect
    y = (rng.uniform(size=900) < special.expit(effect + X @ [1.0, -0.5])).astype(float)
    fit = fit_clogit(y, X, ("x1", "x2"), g.astype(float), depvar="y", ivar="id")
    est = fit.estimation
    with pytest.warns(Warning, match="no within-group variance"):
        ref = ConditionalLogit(y, X, groups=g).fit(method="newton", disp=0, tol=1e-12)
    np.testing.assert_allclose(est.b, ref.params, rtol=0, atol=1e-6 * est.se.min())
    assert_rel(est.se, ref.bse, 1e-6, "se")
    assert_rel(est.scalars["ll"], ref.llf, 1e-10, "ll")
    informative = [m for m in np.split(y, 150) if 0 < m.sum() < 6]
    ll_0 = -sum(np.log(special.comb(6, m.sum())) for m in informative)
    assert_rel(est.scalars["ll_0"], ll_0, 1e-12, "ll_0")
    assert est.scalars["N_g"] == len(informative)
    assert fit.notes[0].startswith(f"note: {150 - len(informative)} groups")
