"""``mlogit``: multinomial logit with a base outcome.

Stata's model: ``Pr(y = vⱼ) = exp(xbⱼ) / Σₘ exp(xbₘ)`` with ``b`` of the base outcome fixed at
zero. The base is ``baseoutcome(#)`` or, by default, the most frequent outcome (the smallest
value among equally frequent ones). ``e(b)`` has one equation per outcome in ascending order,
named by the outcome's value label (else its value); the base equation is kept with its terms
``o.``-prefixed and zero, as Stata stores it. Iteration 0 is the constant-only model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from libs.stata_stats.collinear import omitted_name
from libs.stata_stats.errors import StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import maximize
from libs.stata_stats.mlmodel import (
    ml_covariance,
    ml_sample,
    outcome_codes,
    post_model_test,
    regressors,
)
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest


@dataclass(frozen=True, kw_only=True)
class MultinomialFit:
    """The estimates and what ``mlogit`` prints and posts besides ``e(b)``/``e(V)``."""

    estimation: Estimation
    outcomes: FloatArray  #: ``e(out)``: the outcome values in order
    base: float  #: ``e(baseout)``
    notes: tuple[str, ...]
    iterations: tuple[float, ...]


def probabilities(index: FloatArray) -> FloatArray:
    """Row-wise softmax of the n×J linear predictions (base column zero)."""
    return np.asarray(special.softmax(index, axis=1), dtype=np.float64)


def fit_mlogit(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
               labels: dict[float, str] | None = None, base: float | None = None,
               cons: bool = True, weights: Weights | None = None,
               vce: VceRequest | None = None,
               preomitted: tuple[bool, ...] | None = None) -> MultinomialFit:
    """Stata's ``mlogit depvar indepvars [weight] [, baseoutcome(#) noconstant vce()]``."""
    ms = ml_sample(y, X, weights, vce)
    vce, sample, mask, ys, Xs = ms.vce, ms.sample, ms.mask, ms.y, ms.X
    w = sample.w
    outcomes, codes = outcome_codes(ys)
    n_out = outcomes.size
    freq = np.bincount(codes, weights=w, minlength=n_out)
    if base is None:
        base_code = int(np.argmax(freq))
    elif base in outcomes:
        base_code = int(np.flatnonzero(outcomes == base)[0])
    else:
        raise StatsError(111, f"outcome {base:g} not found")
    reg = regressors(Xs, w, names, preomitted, centered=cons)
    design = Xs[:, reg.keep]
    if cons:
        design = np.column_stack([design, np.ones(len(ys))])
    p = design.shape[1]
    free = [j for j in range(n_out) if j != base_code]
    Y = np.zeros((len(ys), n_out))
    Y[np.arange(len(ys)), codes] = 1.0

    def index(theta: FloatArray) -> FloatArray:
        out = np.zeros((len(ys), n_out))
        out[:, free] = design @ theta.reshape(len(free), p).T
        return out

    def value(theta: FloatArray) -> float:
        eta = index(theta)
        return float(w @ (eta[np.arange(len(ys)), codes] - special.logsumexp(eta, axis=1)))

    def scores(theta: FloatArray) -> FloatArray:
        resid = (Y - probabilities(index(theta)))[:, free]
        return np.asarray((resid[:, :, None] * design[:, None, :]).reshape(len(ys), -1))

    def derivatives(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        prob = probabilities(index(theta))[:, free]
        grad = w @ scores(theta)
        neg_h = np.empty((len(free) * p, len(free) * p))
        for a in range(len(free)):
            for c in range(len(free)):
                weight = prob[:, a] * ((a == c) - prob[:, c]) * w
                neg_h[a * p:(a + 1) * p, c * p:(c + 1) * p] = (design * weight[:, None]).T @ design
        return np.asarray(grad, dtype=np.float64), neg_h

    start = np.zeros(len(free) * p)
    if cons:
        log_share = np.log(freq / freq.sum())
        start.reshape(len(free), p)[:, -1] = log_share[free] - log_share[base_code]
    ll_0 = value(start) if cons else float(w.sum() * -np.log(n_out))
    ml = maximize(value, derivatives, start)
    cov = ml_covariance(ml, scores(ml.coef), sample, vce)
    k = X.shape[1]
    width = k + (1 if cons else 0)
    cols = np.append(reg.keep, k) if cons else reg.keep
    size = n_out * width
    idx = np.concatenate([j * width + cols for j in free])
    b = np.zeros(size)
    b[idx] = ml.coef
    V = np.zeros((size, size))
    V[np.ix_(idx, idx)] = cov.V
    terms = (*names, "_cons") if cons else names
    term_omitted = (*reg.omitted, False) if cons else reg.omitted
    eq_names = [_equation(v, labels) for v in outcomes]
    all_names: list[str] = []
    omitted: list[bool] = []
    for j, eq in enumerate(eq_names):
        for term, om in zip(terms, term_omitted, strict=True):
            if j == base_code:
                all_names.append(f"{eq}:{term if om else omitted_name(term)}")
                omitted.append(True)
            else:
                all_names.append(f"{eq}:{term}")
                omitted.append(om)
    scalars: dict[str, float] = {"N": sample.n_obs, "ll": ml.ll, "ll_0": ll_0}
    macros = {"cmd": "mlogit", "depvar": depvar, "title": "Multinomial logistic regression",
              "eqnames": " ".join(eq_names)}
    cov.post(scalars, macros)
    slopes = np.concatenate([j * width + np.arange(k) for j in free])
    post_model_test(scalars, macros, b, V, slopes, tuple(omitted), vce.is_robust, ml.ll,
                    ll_0)
    scalars.update(
        k_out=float(n_out),
        k=float(size),
        k_eq=float(n_out),
        k_eq_model=float(n_out - 1),
        baseout=float(outcomes[base_code]),
        ibaseout=float(base_code + 1),
        rank=float(idx.size),
        ic=float(len(ml.iterations) - 1),
        converged=1.0,
    )
    est = Estimation(cmd="mlogit", depvar=depvar, names=tuple(all_names), b=b, V=V,
                     omitted=tuple(omitted), scalars=scalars, macros=macros, df_r=None,
                     sample=mask)
    return MultinomialFit(estimation=est, outcomes=outcomes, base=float(outcomes[base_code]),
                          notes=reg.notes, iterations=ml.iterations)


def _equation(value: float, labels: dict[float, str] | None) -> str:
    """An outcome's equation name: its value label, else the value."""
    if labels and value in labels:
        return labels[value]
    return f"{value:g}"
