"""``logit``, ``probit`` and ``poisson``: ML estimation with Stata's identification checks.

Stata's definitions:

- default VCE is the observed information ``(-H)⁻¹`` (``e(vce)`` = ``oim``);
- ``vce(robust)`` = ``H⁻¹ (Σ sᵢsᵢ') H⁻¹ · N/(N−1)``; ``vce(cluster g)`` uses cluster sums of
  the scores and G/(G−1);
- the model test is LR (``chi2type`` LR) with oim, Wald with a sandwich VCE;
- for the binary models, a nonzero outcome is a success; an outcome that does not vary, or a
  single regressor that separates the outcomes completely, is ``r(2000)``; a dummy whose
  nonzero values predict the outcome perfectly is dropped with those observations (a note).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.collinear import collinear_terms
from libs.stata_stats.errors import NO_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import design_with_constant
from libs.stata_stats.likelihood import Family, Logit, Poisson, Probit, newton
from libs.stata_stats.sample import Sample, Weights, estimation_mask
from libs.stata_stats.vce import VceRequest, covariance, vce_for_weights
from libs.stata_stats.wald import wald_statistic

FAMILIES: dict[str, Family] = {"logit": Logit(), "probit": Probit(), "poisson": Poisson()}
TITLES = {
    "logit": "Logistic regression",
    "probit": "Probit regression",
    "poisson": "Poisson regression",
}


@dataclass(frozen=True, kw_only=True)
class MLEstimation:
    """An ML estimation with the notes Stata prints before its iteration log."""

    estimation: Estimation
    notes: tuple[str, ...]
    iterations: tuple[float, ...]


def fit_ml(cmd: str, y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
           cons: bool = True, weights: Weights | None = None, vce: VceRequest | None = None,
           offset: FloatArray | None = None,
           preomitted: tuple[bool, ...] | None = None) -> MLEstimation:
    """Stata's ``logit``/``probit``/``poisson depvar indepvars [weight], [vce() noconstant]``."""
    family = FAMILIES[cmd]
    vce = vce_for_weights(vce or VceRequest(kind="oim"), weights)
    mask = estimation_mask(y, X, weights, vce.clusters, offset)
    k = X.shape[1]
    omitted = list(preomitted if preomitted is not None else (False,) * k)
    notes: list[str] = []
    if cmd != "poisson":
        outcome = (y != 0).astype(np.float64)
        _check_perfect_prediction(outcome, X, names, mask, omitted, notes)
        y = outcome
    elif np.any(y[mask] < 0):
        raise StatsError(459, f"{depvar} must be greater than or equal to zero")
    sample = Sample.likelihood(mask, weights, vce.clusters)
    w, n_obs = sample.w, sample.n_obs
    ys, Xs = y[mask], X[mask]
    xbar = (w @ Xs) / w.sum()
    Xc = Xs - xbar if cons else Xs
    before = tuple(omitted)
    omitted = list(collinear_terms((Xc * w[:, None]).T @ Xc, before))
    notes.extend(
        f"note: {names[j]} omitted because of collinearity."
        for j in range(k)
        if omitted[j] and not before[j]
    )
    keep = np.flatnonzero(~np.asarray(omitted, dtype=bool))
    design = design_with_constant(Xs[:, keep], cons)
    off = None if offset is None else offset[mask]
    ybar = float(w @ ys / w.sum())
    if cmd != "poisson" and ybar in (0.0, 1.0):
        raise StatsError(NO_OBSERVATIONS, _NO_VARIATION)
    ll_0 = _constant_only_ll(family, ys, w, ybar, off) if cons else np.nan
    start = np.zeros(design.shape[1])
    if cons:
        start[-1] = family.start(ybar) if off is None else _poisson_offset_start(ys, w, off)
    ml = newton(family, ys, design, w, start, off)
    full = np.zeros(k + (1 if cons else 0))
    idx = np.append(keep, k) if cons else keep
    full[idx] = ml.coef
    V = np.zeros((full.size, full.size))
    macros = {"cmd": cmd, "depvar": depvar, "title": TITLES[cmd]}
    scalars: dict[str, float] = {"N": n_obs, "ll": ml.ll, "k": float(full.size)}
    d1, _ = family.derivatives(ys, design @ ml.coef + (0.0 if off is None else off))
    # the ML commands' sandwich factor: N/(N−1) robust, G/(G−1) clustered
    cov = covariance(ml.neg_hessian_inv, design, d1, sample, vce, cons=False, sigma2=1.0,
                     df_resid=n_obs - 1, conventional="oim")
    cov.post(scalars, macros)
    V[np.ix_(idx, idx)] = cov.V
    all_omitted = (*omitted, False) if cons else tuple(omitted)
    df_m = keep.size
    if vce.is_robust:
        chi2, _ = wald_statistic(full, V, np.arange(k), all_omitted)
        macros["chi2type"] = "Wald"
    else:
        chi2 = 2.0 * (ml.ll - ll_0)
        macros["chi2type"] = "LR"
    scalars.update(
        ll_0=ll_0,
        df_m=float(df_m),
        chi2=chi2,
        p=float(stats.chi2.sf(chi2, df_m)) if df_m else np.nan,
        r2_p=1.0 - ml.ll / ll_0 if cmd != "poisson" or cons else np.nan,
        rank=float(idx.size),
        ic=float(len(ml.iterations) - 1),
        converged=1.0 if ml.converged else 0.0,
        k_eq=1.0,
    )
    est = Estimation(cmd=cmd, depvar=depvar, names=(*names, "_cons") if cons else names, b=full,
                     V=V, omitted=all_omitted, scalars=scalars, macros=macros, df_r=None,
                     sample=mask)
    return MLEstimation(estimation=est, notes=tuple(notes), iterations=ml.iterations)


_NO_VARIATION = (
    "outcome does not vary; remember:\n"
    "                                  0 = negative outcome,\n"
    "        all other nonmissing values = positive outcome"
)


def _constant_only_ll(
    family: Family, y: FloatArray, w: FloatArray, ybar: float, off: FloatArray | None
) -> float:
    """ll of the constant-only model (closed form without an offset)."""
    if off is None:
        return float(w @ family.loglik(y, np.full(len(y), family.start(ybar))))
    ones = np.ones((len(y), 1))
    start = np.array([_poisson_offset_start(y, w, off)])
    return newton(family, y, ones, w, start, off).ll


def _poisson_offset_start(y: FloatArray, w: FloatArray, off: FloatArray) -> float:
    """Constant-only Poisson MLE with an offset: log(Σwy / Σw·exp(offset))."""
    return float(np.log((w @ y) / (w @ np.exp(off))))


def _check_perfect_prediction(
    outcome: FloatArray,
    X: FloatArray,
    names: tuple[str, ...],
    mask: np.ndarray,
    omitted: list[bool],
    notes: list[str],
) -> None:
    """Stata's identification checks for binary outcomes; updates ``mask`` and ``omitted``."""
    if mask.any() and np.ptp(outcome[mask]) == 0:
        raise StatsError(NO_OBSERVATIONS, _NO_VARIATION)
    for j, name in enumerate(names):
        if omitted[j]:
            continue
        x = X[mask, j]
        out = outcome[mask]
        values = np.unique(x)
        if values.size == 2 and 0.0 in values:
            nonzero = x != 0
            if np.ptp(out[nonzero]) == 0:
                kind = "success" if out[nonzero][0] == 1 else "failure"
                rows = np.flatnonzero(mask)[nonzero]
                mask[rows] = False
                omitted[j] = True
                notes.append(
                    f"note: {name} != 0 predicts {kind} perfectly;\n"
                    f"      {name} omitted and {rows.size} obs not used."
                )
            continue
        if values.size < 2:
            continue
        fail, succ = x[out == 0], x[out == 1]
        if fail.size and succ.size:
            if fail.max() < succ.min():
                raise StatsError(
                    NO_OBSERVATIONS, f"outcome = {name} > {fail.max():g} predicts data perfectly"
                )
            if succ.max() < fail.min():
                raise StatsError(
                    NO_OBSERVATIONS, f"outcome = {name} <= {succ.max():g} predicts data perfectly"
                )
    if not mask.any():
        raise StatsError(NO_OBSERVATIONS, "no observations")
