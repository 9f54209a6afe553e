"""``xtprobit, re`` and ``xtlogit, re``: random-effects binary models ([XT] xtprobit).

Pr(yᵢₜ = 1 | uᵢ) = F(xᵢₜb + uᵢ), uᵢ ~ N(0, σᵤ²), F = Φ (probit) or Λ (logit); the panel's
likelihood integrates uᵢ out. As Stata's default integration, the integral is computed by
adaptive Gauss–Hermite quadrature with 12 points: centred on the mode ûᵢ of the integrand
(Newton's method on ln F and the normal density) and scaled by its curvature ŝᵢ,

    Lᵢ ≈ √2·ŝᵢ Σₖ wₖ exp(xₖ²) f(ûᵢ + √2·ŝᵢ·xₖ).

The parameters are b and ``/lnsig2u`` = ln σᵤ²; the maximum is found by Newton–Raphson with
numerical derivatives and ``e(V)`` is minus the inverse numerical Hessian. ρ = σᵤ²/(σᵤ² + σₑ²)
with σₑ² = 1 (probit) or π²/3 (logit); the LR test of ρ = 0 compares with the pooled model
(χ̄²(01): half the χ²(1) tail).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from libs.stata_stats.errors import NO_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import design_with_constant
from libs.stata_stats.likelihood import Logit, Probit, maximize, newton, numeric_jacobian
from libs.stata_stats.mlmodel import regressors
from libs.stata_stats.sample import estimation_mask, group_codes
from libs.stata_stats.wald import wald_statistic

N_QUAD = 12
_NODES, _WEIGHTS = np.polynomial.hermite.hermgauss(N_QUAD)
_ERROR_VARIANCE = {"probit": 1.0, "logit": np.pi**2 / 3}


@dataclass(frozen=True, kw_only=True)
class RandomEffectsFit:
    """The estimates and the iteration log."""

    estimation: Estimation
    iterations: tuple[float, ...]


def _log_cdf(link: str, z: FloatArray) -> FloatArray:
    if link == "probit":
        return np.asarray(special.log_ndtr(z))
    return np.asarray(-np.logaddexp(0.0, -z))


def _cdf_derivatives(link: str, z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """First and second derivatives of ln F(z)."""
    if link == "probit":
        mills = np.exp(stats.norm.logpdf(z) - special.log_ndtr(z))
        return mills, -mills * (z + mills)
    p = special.expit(z)
    return 1.0 - p, -p * (1.0 - p)


def panel_loglik(theta: FloatArray, y: FloatArray, X: FloatArray, codes: NDArray[np.intp],
                 n_groups: int, link: str) -> float:
    """The log likelihood by adaptive Gauss–Hermite quadrature (``theta`` = b, ln σᵤ²)."""
    xb = X @ theta[:-1]
    var_u = float(np.exp(theta[-1]))
    q = 2.0 * y - 1.0
    u = np.zeros(n_groups)
    curvature = np.full(n_groups, -1.0 / var_u)
    for _ in range(100):
        d1, d2 = _cdf_derivatives(link, q * (xb + u[codes]))
        grad = np.bincount(codes, weights=q * d1, minlength=n_groups) - u / var_u
        curvature = np.bincount(codes, weights=d2, minlength=n_groups) - 1.0 / var_u
        step = grad / curvature
        u = u - step
        if float(np.max(np.abs(step))) < 1e-12:
            break
    scale = 1.0 / np.sqrt(-curvature)
    terms = np.empty((n_groups, N_QUAD))
    for k in range(N_QUAD):
        node = u + np.sqrt(2.0) * scale * _NODES[k]
        inner = np.bincount(codes, weights=_log_cdf(link, q * (xb + node[codes])),
                            minlength=n_groups)
        prior = -0.5 * node**2 / var_u - 0.5 * np.log(2 * np.pi * var_u)
        terms[:, k] = np.log(_WEIGHTS[k]) + _NODES[k] ** 2 + inner + prior
    panels = np.log(np.sqrt(2.0) * scale) + special.logsumexp(terms, axis=1)
    return float(panels.sum())


def fit_random_effects(link: str, y: FloatArray, X: FloatArray, names: tuple[str, ...],
                       groups: NDArray[np.generic], *, depvar: str, ivar: str,
                       preomitted: tuple[bool, ...] | None = None) -> RandomEffectsFit:
    """Stata's ``xtprobit``/``xtlogit depvar indepvars, re`` on the panels ``groups``."""
    mask = estimation_mask(y, X, None, None, groups)
    if not mask.any():
        raise StatsError(NO_OBSERVATIONS, "no observations")
    ys = (y[mask] != 0).astype(np.float64)
    if ys.min() == ys.max():
        raise StatsError(NO_OBSERVATIONS, "outcome does not vary; remember:\n"
                         "                  0 = negative outcome,\n"
                         "    all other nonmissing values = positive outcome")
    reg = regressors(X[mask], np.ones(int(mask.sum())), names, preomitted)
    D = design_with_constant(X[mask][:, reg.keep], True)
    codes, n_groups = group_codes(groups[mask])
    family = Probit() if link == "probit" else Logit()
    pooled = newton(family, ys, D, np.ones(len(ys)), np.zeros(D.shape[1]))

    def value(theta: FloatArray) -> float:
        return panel_loglik(theta, ys, D, codes, n_groups, link)

    def gradient(theta: FloatArray) -> FloatArray:
        return np.asarray(numeric_jacobian(lambda t: np.array([value(t)]), theta, 1e-6)[0],
                          dtype=np.float64)

    def derivatives(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        neg_h = -numeric_jacobian(gradient, theta, 1e-4)
        return gradient(theta), (neg_h + neg_h.T) / 2

    start = np.append(pooled.coef, np.log(0.5 * _ERROR_VARIANCE[link]))
    ml = maximize(value, derivatives, start)
    k = X.shape[1]
    idx = np.append(reg.keep, [k, k + 1])
    b = np.zeros(k + 2)
    b[idx] = ml.coef
    V = np.zeros((k + 2, k + 2))
    V[np.ix_(idx, idx)] = ml.neg_hessian_inv
    omitted = (*reg.omitted, False, False)
    sizes = np.bincount(codes, minlength=n_groups)
    var_u = float(np.exp(b[-1]))
    rho = var_u / (var_u + _ERROR_VARIANCE[link])
    chibar2 = max(2.0 * (ml.ll - pooled.ll), 0.0)
    chi2, df_m = wald_statistic(b, V, np.arange(k), omitted)
    scalars = {"N": float(len(ys)), "N_g": float(n_groups), "g_min": float(sizes.min()),
               "g_avg": float(sizes.mean()), "g_max": float(sizes.max()), "ll": ml.ll,
               "ll_c": pooled.ll, "chi2_c": chibar2, "p_c": 0.5 * float(stats.chi2.sf(chibar2, 1)),
               "chi2": chi2, "df_m": float(df_m), "p": float(stats.chi2.sf(chi2, df_m)),
               "sigma_u": float(np.sqrt(var_u)), "rho": rho, "n_quad": float(N_QUAD),
               "rank": float(idx.size), "ic": float(len(ml.iterations) - 1),
               "converged": 1.0}
    title = ("Random-effects probit regression" if link == "probit"
             else "Random-effects logistic regression")
    macros = {"cmd": f"xt{link}", "depvar": depvar, "ivar": ivar, "model": "re",
              "distrib": "Gaussian", "intmethod": "aghermite", "chi2type": "Wald",
              "title": title, "vce": "oim"}
    full = (*(f"{depvar}:{n}" for n in (*names, "_cons")), "/:lnsig2u")
    est = Estimation(cmd=f"xt{link}", depvar=depvar, names=full, b=b, V=V, omitted=omitted,
                     scalars=scalars, macros=macros, df_r=None, sample=mask)
    return RandomEffectsFit(estimation=est, iterations=ml.iterations)
