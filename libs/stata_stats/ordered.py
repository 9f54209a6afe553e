"""``ologit`` and ``oprobit``: ordered outcomes with cutpoints.

Stata's model: ``Pr(y = vⱼ) = F(κⱼ − xb) − F(κⱼ₋₁ − xb)`` over the sorted outcome values
v₁ < … < v_J, with κ₀ = −∞ and κ_J = +∞; there is no constant (the cutpoints take its place).
``e(b)`` holds the slopes under the equation named after the dependent variable and the
cutpoints as ``/:cut1 … /:cut(J−1)``; iteration 0 is the constant-only model (cutpoints at
the cumulative outcome shares); the model test is LR against it (Wald with a sandwich VCE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import maximize, numeric_hessian
from libs.stata_stats.mlmodel import (
    ml_covariance,
    ml_sample,
    outcome_codes,
    post_model_test,
    regressors,
)
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest

_Ufunc = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True)
class Link:
    """The distribution F of the latent error (logistic or standard normal: symmetric about 0,
    so its upper tail is ``sf(x) = F(−x)``)."""

    _cdf: _Ufunc
    _pdf: _Ufunc
    _ppf: _Ufunc

    def cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(self._cdf(x), dtype=np.float64)

    def sf(self, x: FloatArray) -> FloatArray:
        return self.cdf(-x)

    def pdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(self._pdf(x), dtype=np.float64)

    def ppf(self, p: FloatArray) -> FloatArray:
        return np.asarray(self._ppf(p), dtype=np.float64)


def _logistic_pdf(x: FloatArray) -> FloatArray:
    p = special.expit(x)
    return np.asarray(p * (1.0 - p), dtype=np.float64)


#: Logistic errors (``ologit``), standard normal errors (``oprobit``).
LINKS: dict[str, Link] = {"ologit": Link(special.expit, _logistic_pdf, special.logit),
                          "oprobit": Link(special.ndtr, stats.norm.pdf, special.ndtri)}
TITLES = {"ologit": "Ordered logistic regression", "oprobit": "Ordered probit regression"}


@dataclass(frozen=True, kw_only=True)
class OrderedFit:
    """The estimates with what the command prints and posts besides ``e(b)``/``e(V)``."""

    estimation: Estimation
    categories: FloatArray  #: ``e(cat)``: the outcome values in order
    notes: tuple[str, ...]
    iterations: tuple[float, ...]


def category_probabilities(link: Link, xb: FloatArray, cuts: FloatArray) -> FloatArray:
    """n×J probabilities of each outcome given the index and the cutpoints."""
    edges = np.concatenate([[-np.inf], cuts, [np.inf]])
    upper = edges[None, 1:] - xb[:, None]
    lower = edges[None, :-1] - xb[:, None]
    return _interval(link, upper, lower)


def _interval(link: Link, upper: FloatArray, lower: FloatArray) -> FloatArray:
    """F(upper) − F(lower), from the upper tail where both are positive (no cancellation)."""
    with np.errstate(invalid="ignore"):
        out = np.where(lower > 0, link.sf(lower) - link.sf(upper),
                       link.cdf(upper) - link.cdf(lower))
    return np.asarray(out, dtype=np.float64)


def fit_ordered(cmd: str, y: FloatArray, X: FloatArray, names: tuple[str, ...], *,
                depvar: str, weights: Weights | None = None, vce: VceRequest | None = None,
                preomitted: tuple[bool, ...] | None = None) -> OrderedFit:
    """Stata's ``ologit``/``oprobit depvar indepvars [weight] [, vce()]``."""
    link = LINKS[cmd]
    ms = ml_sample(y, X, weights, vce)
    vce, sample, mask, ys, Xs = ms.vce, ms.sample, ms.mask, ms.y, ms.X
    w = sample.w
    cats, codes = outcome_codes(ys)
    n_cat = cats.size
    reg = regressors(Xs, w, names, preomitted)
    Xk = Xs[:, reg.keep]
    kk = reg.keep.size
    shares = np.bincount(codes, weights=w, minlength=n_cat) / w.sum()
    cut0 = link.ppf(np.cumsum(shares)[:-1])

    def split(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        return theta[:kk], theta[kk:]

    def rows(theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        beta, cuts = split(theta)
        edges = np.concatenate([[-np.inf], cuts, [np.inf]])
        xb = Xk @ beta
        upper = edges[codes + 1] - xb
        lower = edges[codes] - xb
        return upper, lower, _interval(link, upper[:, None], lower[:, None])[:, 0], xb

    def value(theta: FloatArray) -> float:
        prob = rows(theta)[2]
        if np.any(prob <= 0) or np.any(np.diff(split(theta)[1]) <= 0):
            return -np.inf
        return float(w @ np.log(prob))

    def scores(theta: FloatArray) -> FloatArray:
        upper, lower, prob, _ = rows(theta)
        fu = np.where(np.isfinite(upper), link.pdf(np.where(np.isfinite(upper), upper, 0)), 0)
        fl = np.where(np.isfinite(lower), link.pdf(np.where(np.isfinite(lower), lower, 0)), 0)
        out = np.zeros((len(prob), kk + n_cat - 1))
        out[:, :kk] = (-(fu - fl) / prob)[:, None] * Xk
        n = np.arange(len(prob))
        top = codes < n_cat - 1
        out[n[top], kk + codes[top]] += fu[top] / prob[top]
        bottom = codes > 0
        out[n[bottom], kk + codes[bottom] - 1] -= fl[bottom] / prob[bottom]
        return out

    def gradient(theta: FloatArray) -> FloatArray:
        return np.asarray(w @ scores(theta), dtype=np.float64)

    def derivatives(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        return gradient(theta), numeric_hessian(gradient, theta)

    start = np.concatenate([np.zeros(kk), cut0])
    ll_0 = value(start)
    ml = maximize(value, derivatives, start)
    cov = ml_covariance(ml, scores(ml.coef), sample, vce)
    k = X.shape[1]
    size = k + n_cat - 1
    idx = np.concatenate([reg.keep, k + np.arange(n_cat - 1)])
    b = np.zeros(size)
    b[idx] = ml.coef
    V = np.zeros((size, size))
    V[np.ix_(idx, idx)] = cov.V
    omitted = (*reg.omitted, *(False,) * (n_cat - 1))
    scalars: dict[str, float] = {"N": sample.n_obs, "ll": ml.ll, "ll_0": ll_0}
    macros = {"cmd": cmd, "depvar": depvar, "title": TITLES[cmd]}
    cov.post(scalars, macros)
    post_model_test(scalars, macros, b, V, np.arange(k), omitted, vce.is_robust, ml.ll, ll_0)
    scalars.update(
        k_cat=float(n_cat),
        k=float(size),
        k_eq=float(n_cat),
        k_aux=float(n_cat - 1),
        rank=float(idx.size),
        ic=float(len(ml.iterations) - 1),
        converged=1.0,
    )
    all_names = (*(f"{depvar}:{n}" for n in names),
                 *(f"/:cut{j + 1}" for j in range(n_cat - 1)))
    est = Estimation(cmd=cmd, depvar=depvar, names=all_names, b=b, V=V, omitted=omitted,
                     scalars=scalars, macros=macros, df_r=None, sample=mask)
    return OrderedFit(estimation=est, categories=cats, notes=reg.notes,
                      iterations=ml.iterations)
