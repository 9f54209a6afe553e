"""``xtlogit, fe``: conditional (fixed-effects) logit.

Stata's model: within each panel the likelihood is conditioned on the number of positive
outcomes, ``Pr(y_g | Σy_g = k) = exp(Σᵢ yᵢxᵢb) / Σ_{|S|=k} exp(Σ_{i∈S} xᵢb)``; panels whose
outcomes are all 0 or all 1 carry no information and are dropped with Stata's note. There is no
constant. The denominator, its gradient and Hessian come from the recursion over the panel's
rows f(i, j) = f(i−1, j) + f(i−1, j−1)·exp(xᵢb). The model test is LR against b = 0, whose
ll is −Σ_g ln C(n_g, k_g).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import maximize
from libs.stata_stats.mlmodel import ml_covariance, ml_sample, model_test, regressors
from libs.stata_stats.sample import group_codes
from libs.stata_stats.vce import VceRequest


@dataclass(frozen=True, kw_only=True)
class ConditionalFit:
    """The estimates with the note on dropped panels and the iteration log."""

    estimation: Estimation
    notes: tuple[str, ...]
    iterations: tuple[float, ...]


def _panel_terms(X: FloatArray, k: int, b: FloatArray) -> tuple[float, FloatArray, FloatArray]:
    """ln D, d ln D/db and d² ln D/db² for one panel with ``k`` positive outcomes."""
    p = X.shape[1]
    shift = float(np.max(X @ b))  # exp(xb − shift) keeps the sums in range
    e = np.exp(X @ b - shift)
    f = np.zeros(k + 1)
    g = np.zeros((k + 1, p))
    h = np.zeros((k + 1, p, p))
    f[0] = 1.0
    for i in range(X.shape[0]):
        x = X[i]
        for j in range(min(i + 1, k), 0, -1):
            h[j] += e[i] * (h[j - 1] + np.outer(g[j - 1], x) + np.outer(x, g[j - 1])
                            + f[j - 1] * np.outer(x, x))
            g[j] += e[i] * (g[j - 1] + f[j - 1] * x)
            f[j] += e[i] * f[j - 1]
    grad = g[k] / f[k]
    hess = h[k] / f[k] - np.outer(grad, grad)
    return float(np.log(f[k]) + k * shift), grad, hess


def fit_clogit(y: FloatArray, X: FloatArray, names: tuple[str, ...],
               groups: NDArray[np.generic], *, depvar: str, ivar: str,
               vce: VceRequest | None = None,
               preomitted: tuple[bool, ...] | None = None) -> ConditionalFit:
    """Stata's ``xtlogit depvar indepvars, fe`` (``i(ivar)`` or the xtset panel)."""
    if vce is not None and vce.kind == "robust":
        # the panels are the independent units: robust means clustered on the panel
        vce = VceRequest(kind="cluster", clusters=groups, clustvar=ivar)
    first = ml_sample(y, X, None, vce, groups)
    codes, n_groups = group_codes(groups[first.mask])
    outcome = (first.y != 0).astype(np.float64)
    positives = np.bincount(codes, weights=outcome, minlength=n_groups)
    sizes = np.bincount(codes, minlength=n_groups)
    informative = (positives > 0) & (positives < sizes)
    uninformative_rows = np.flatnonzero(first.mask)[~informative[codes]]
    notes: list[str] = []
    dropped = int((~informative).sum())
    if dropped:
        notes.append(f"note: {dropped} group{'s' if dropped > 1 else ''} "
                     f"({uninformative_rows.size} obs) dropped because of all positive or\n"
                     "      all negative outcomes.")
    y = y.copy()
    y[uninformative_rows] = np.nan
    ms = ml_sample(y, X, None, vce, groups)
    ys, Xs = (ms.y != 0).astype(np.float64), ms.X
    reg = regressors(Xs, np.ones(len(ys)), names, preomitted)
    notes[:0] = list(reg.notes)
    D = Xs[:, reg.keep]
    codes, n_groups = group_codes(groups[ms.mask])
    members = [np.flatnonzero(codes == g) for g in range(n_groups)]
    counts = [int(ys[m].sum()) for m in members]

    def panel_parts(b: FloatArray) -> tuple[list[float], FloatArray, FloatArray]:
        lls, scores = [], np.zeros((len(ys), b.size))
        neg_h = np.zeros((b.size, b.size))
        for rows, k in zip(members, counts, strict=True):
            log_d, grad, hess = _panel_terms(D[rows], k, b)
            lls.append(float(ys[rows] @ (D[rows] @ b)) - log_d)
            # the panel's score, put on its first row (cluster sums add the panel up)
            scores[rows[0]] = ys[rows] @ D[rows] - grad
            neg_h += hess
        return lls, scores, neg_h

    def value(b: FloatArray) -> float:
        return float(sum(panel_parts(b)[0]))

    def derivatives(b: FloatArray) -> tuple[FloatArray, FloatArray]:
        _, scores, neg_h = panel_parts(b)
        return scores.sum(axis=0), neg_h

    start = np.zeros(D.shape[1])
    ll_0 = -float(sum(np.log(special.comb(len(m), k)) for m, k in zip(members, counts,
                                                                      strict=True)))
    ml = maximize(value, derivatives, start)
    cov = ml_covariance(ml, panel_parts(ml.coef)[1], ms.sample, ms.vce)
    k_all = X.shape[1]
    b = np.zeros(k_all)
    b[reg.keep] = ml.coef
    V = np.zeros((k_all, k_all))
    V[np.ix_(reg.keep, reg.keep)] = cov.V
    scalars: dict[str, float] = {"N": float(len(ys)), "N_g": float(n_groups), "ll": ml.ll,
                                 "ll_0": ll_0, "g_min": float(min(map(len, members))),
                                 "g_max": float(max(map(len, members))),
                                 "g_avg": float(len(ys) / n_groups)}
    macros = {"cmd": "xtlogit", "depvar": depvar, "ivar": ivar, "model": "fe",
              "title": "Conditional fixed-effects logistic regression"}
    cov.post(scalars, macros)
    test = model_test(b, V, np.arange(k_all), reg.omitted, ms.vce.is_robust, ml.ll, ll_0)
    macros["chi2type"] = str(test.pop("chi2type"))
    scalars.update({key: float(v) for key, v in test.items()})
    scalars.update(r2_p=1.0 - ml.ll / ll_0, rank=float(reg.keep.size),
                   ic=float(len(ml.iterations) - 1), converged=1.0)
    est = Estimation(cmd="xtlogit", depvar=depvar, names=names, b=b, V=V,
                     omitted=reg.omitted, scalars=scalars, macros=macros, df_r=None,
                     sample=ms.mask)
    return ConditionalFit(estimation=est, notes=tuple(notes), iterations=ml.iterations)
