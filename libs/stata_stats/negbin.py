"""``nbreg``: negative binomial regression, mean dispersion (NB2).

Stata's model: ``Var(y) = μ(1 + αμ)``, ``μ = exp(xb + offset)``, α estimated as ``ln α``.
``e(b)`` holds ``depvar:x … depvar:_cons /:lnalpha``; ``e(alpha)`` = exp(ln α). Stata fits the
Poisson model first (its ll is ``e(ll_c)``, the comparison of the "LR test of alpha=0",
χ̄²(01) = 2(ll − ll_c) with p = ½·Pr(χ²(1) > χ̄²)), then the constant-only negative binomial
(``e(ll_0)``, the model LR test's base), then the full model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from libs.stata_stats.discrete import fit_ml
from libs.stata_stats.errors import StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import MLFit, maximize, numeric_hessian
from libs.stata_stats.mlmodel import ml_covariance, ml_sample, model_test, regressors
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest


@dataclass(frozen=True, kw_only=True)
class NegbinFit:
    """The estimates with what ``nbreg`` prints besides the table."""

    estimation: Estimation
    notes: tuple[str, ...]
    iterations: tuple[float, ...]


def nb2_loglik(y: FloatArray, xb: FloatArray, lnalpha: float) -> FloatArray:
    """Per-row log likelihood of the NB2 model."""
    a = np.exp(-lnalpha)  # 1/α
    log_a_mu = np.logaddexp(-lnalpha, xb)  # ln(1/α + μ)
    return np.asarray(
        special.gammaln(y + a) - special.gammaln(a) - special.gammaln(y + 1.0)
        - a * (lnalpha + log_a_mu) + y * (xb - log_a_mu),
        dtype=np.float64,
    )


def nb2_scores(y: FloatArray, xb: FloatArray, lnalpha: float) -> tuple[FloatArray, FloatArray]:
    """Derivatives of the per-row log likelihood in xb and in ln α."""
    a = np.exp(-lnalpha)
    mu = np.exp(xb)
    d_xb = a * (y - mu) / (a + mu)
    d_a = special.digamma(y + a) - special.digamma(a) + np.log(a / (a + mu)) + (mu - y) / (a + mu)
    return np.asarray(d_xb, dtype=np.float64), np.asarray(-a * d_a, dtype=np.float64)


@dataclass(frozen=True)
class _Likelihood:
    """The NB2 log likelihood of ``y`` on ``design`` (θ = b, ln α)."""

    y: FloatArray
    design: FloatArray
    offset: FloatArray
    w: FloatArray

    def value(self, theta: FloatArray) -> float:
        return float(self.w @ nb2_loglik(self.y, self.design @ theta[:-1] + self.offset,
                                         float(theta[-1])))

    def scores(self, theta: FloatArray) -> FloatArray:
        d_xb, d_ln = nb2_scores(self.y, self.design @ theta[:-1] + self.offset, float(theta[-1]))
        return np.column_stack([self.design * d_xb[:, None], d_ln])

    def gradient(self, theta: FloatArray) -> FloatArray:
        return np.asarray(self.w @ self.scores(theta), dtype=np.float64)

    def derivatives(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        return self.gradient(theta), numeric_hessian(self.gradient, theta)

    def fit(self, start: FloatArray) -> MLFit:
        return maximize(self.value, self.derivatives, start)


def fit_nbreg(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
              weights: Weights | None = None, vce: VceRequest | None = None,
              offset: FloatArray | None = None,
              preomitted: tuple[bool, ...] | None = None) -> NegbinFit:
    """Stata's ``nbreg depvar indepvars [weight] [, exposure() offset() vce()]``."""
    ms = ml_sample(y, X, weights, vce, offset)
    vce, sample, mask, ys, Xs = ms.vce, ms.sample, ms.mask, ms.y, ms.X
    if np.any(y[mask] < 0):
        raise StatsError(459, f"{depvar} must be greater than or equal to zero")
    w = sample.w
    off = np.zeros(len(ys)) if offset is None else offset[mask]
    reg = regressors(Xs, w, names, preomitted)
    design = np.column_stack([Xs[:, reg.keep], np.ones(len(ys))])
    poisson = fit_ml("poisson", ys, Xs[:, reg.keep], tuple(names[j] for j in reg.keep),
                     depvar=depvar, weights=None if weights is None else
                     Weights(kind=weights.kind, values=weights.values[mask]),
                     offset=None if offset is None else off).estimation

    cons_start = float(np.log((w @ ys) / (w @ np.exp(off))))
    null = _Likelihood(ys, np.ones((len(ys), 1)), off, w).fit(np.array([cons_start, 0.0]))
    full = _Likelihood(ys, design, off, w)
    ml = full.fit(np.append(poisson.b, null.coef[-1]))
    cov = ml_covariance(ml, full.scores(ml.coef), sample, vce)
    k = X.shape[1]
    size = k + 2
    idx = np.concatenate([reg.keep, [k, k + 1]])
    b = np.zeros(size)
    b[idx] = ml.coef
    V = np.zeros((size, size))
    V[np.ix_(idx, idx)] = cov.V
    omitted = (*reg.omitted, False, False)
    ll_c = poisson.scalars["ll"]
    chi2_c = max(2.0 * (ml.ll - ll_c), 0.0)
    scalars: dict[str, float] = {"N": sample.n_obs, "ll": ml.ll, "ll_0": null.ll,
                                 "ll_c": ll_c, "chi2_c": chi2_c,
                                 "alpha": float(np.exp(ml.coef[-1]))}
    macros = {"cmd": "nbreg", "depvar": depvar, "title": "Negative binomial regression",
              "dispers": "mean", "chi2_ct": "LR"}
    cov.post(scalars, macros)
    test = model_test(b, V, np.arange(k), omitted, vce.is_robust, ml.ll, null.ll)
    macros["chi2type"] = str(test.pop("chi2type"))
    scalars.update({key: float(v) for key, v in test.items()})
    scalars.update(
        p_c=0.5 * float(stats.chi2.sf(chi2_c, 1)) if chi2_c > 0 else 1.0,
        r2_p=1.0 - ml.ll / null.ll,
        k=float(size),
        k_eq=2.0,
        k_aux=1.0,
        rank=float(idx.size),
        ic=float(len(ml.iterations) - 1),
        converged=1.0,
    )
    all_names = (*(f"{depvar}:{n}" for n in names), f"{depvar}:_cons", "/:lnalpha")
    est = Estimation(cmd="nbreg", depvar=depvar, names=all_names, b=b, V=V, omitted=omitted,
                     scalars=scalars, macros=macros, df_r=None, sample=mask)
    return NegbinFit(estimation=est, notes=reg.notes, iterations=ml.iterations)
