"""``teffects ra|ipw|aipw|ipwra``: treatment effects of a binary treatment.

Stata estimates every part (outcome regressions ``OME0``/``OME1``, the treatment model
``TME1``, the potential-outcome means and the effect) jointly as one set of estimating
equations, and ``e(V)`` is their sandwich ``A⁻¹BA⁻ᵀ/N`` (A the Jacobian of the mean
moments, B their outer product), reported with z statistics. ``e(b)`` holds
``ATE:r1vs0.t`` (or ``ATET:``), ``POmean:0.t``, then the auxiliary equations.

- ra: linear regression of y on the outcome covariates in each group; the effect averages
  the difference of the two predictions (over everyone, or over the treated for ATET);
- ipw: logit (default) or probit treatment model; the means are inverse-probability
  weighted with normalised weights (ATET: treated 1, controls p/(1−p));
- aipw: the augmented (doubly robust) means ``xbⱼ + 1{t=j}(y − xbⱼ)/Pr(t=j)``;
- ipwra: the outcome regressions weighted by the ipw weights, then as ra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import Logit, Probit, newton, numeric_jacobian
from libs.stata_stats.sample import estimation_mask

METHODS = ("ra", "ipw", "aipw", "ipwra")
TITLES = {
    "ra": "Regression adjustment",
    "ipw": "Inverse-probability weights",
    "aipw": "Augmented IPW",
    "ipwra": "IPW regression adjustment",
}


@dataclass(frozen=True, kw_only=True)
class Design:
    """The arrays of one ``teffects`` call (rows with a missing value are dropped)."""

    y: FloatArray
    treat: FloatArray
    outcome: FloatArray  #: outcome covariates (no constant), n×ko
    treatment: FloatArray  #: treatment-model covariates (no constant), n×kt
    outcome_names: tuple[str, ...]
    treatment_names: tuple[str, ...]


def fit_teffects(method: str, data: Design, *, depvar: str, tvar: str, stat: str = "ate",
                 tmodel: str = "logit") -> Estimation:
    """Stata's ``teffects method (y xvars) (t zvars, tmodel) [, ate|atet]``."""
    if method not in METHODS:
        raise StatsError(INVALID_SYNTAX, f"teffects {method} not allowed")
    if stat not in ("ate", "atet") or (stat == "atet" and method == "aipw"):
        raise StatsError(INVALID_SYNTAX, f"{stat} not allowed with teffects {method}")
    mask = estimation_mask(data.y, np.column_stack([data.outcome, data.treatment]), None,
                           data.treat)
    y, t = data.y[mask], data.treat[mask]
    if not np.all(np.isin(t, (0.0, 1.0))):
        raise StatsError(459, f"{tvar} must be a 0/1 treatment")
    n = len(y)
    ones = np.ones((n, 1))
    xo = np.column_stack([data.outcome[mask], ones])
    xt = np.column_stack([data.treatment[mask], ones])
    uses_outcome = method != "ipw"
    uses_treatment = method != "ra"
    family = Probit() if tmodel == "probit" else Logit()
    ko, kt = xo.shape[1], xt.shape[1]
    sizes = [1, 1, *([ko, ko] if uses_outcome else []), *([kt] if uses_treatment else [])]
    cuts = np.cumsum([0, *sizes])

    def parts(theta: FloatArray) -> tuple[float, float, FloatArray, FloatArray, FloatArray]:
        b0 = theta[cuts[2]:cuts[3]] if uses_outcome else np.zeros(ko)
        b1 = theta[cuts[3]:cuts[4]] if uses_outcome else np.zeros(ko)
        g = theta[cuts[-2]:cuts[-1]] if uses_treatment else np.zeros(kt)
        return float(theta[0]), float(theta[1]), b0, b1, g

    def weights(p: FloatArray) -> tuple[FloatArray, FloatArray]:
        if stat == "atet":
            return t, (1 - t) * p / (1 - p)
        return t / p, (1 - t) / (1 - p)

    def moments(theta: FloatArray) -> FloatArray:
        effect, mu0, b0, b1, g = parts(theta)
        cols: list[FloatArray] = []
        p = family.mean(xt @ g)
        w1, w0 = weights(p) if method in ("ipw", "ipwra") else (t, 1 - t)
        base = t if stat == "atet" else np.ones(n)
        if method == "ipw":
            cols += [w1 * (y - mu0 - effect), w0 * (y - mu0)]
        else:
            f0, f1 = xo @ b0, xo @ b1
            if method == "aipw":
                f0 = f0 + (1 - t) * (y - f0) / (1 - p)
                f1 = f1 + t * (y - f1) / p
            cols += [base * (f1 - f0 - effect), base * (f0 - mu0)]
            cols += [xo * (w0 * (y - xo @ b0))[:, None], xo * (w1 * (y - xo @ b1))[:, None]]
        if uses_treatment:
            d1, _ = family.derivatives(t, xt @ g)
            cols.append(xt * d1[:, None])
        return np.column_stack(cols)

    theta = _solve(method, y, t, xo, xt, family, stat, weights)
    assert theta.size == cuts[-1]
    scores = moments(theta)
    jac = numeric_jacobian(lambda th: np.asarray(moments(th).mean(axis=0)), theta, 1e-6)
    a_inv = np.linalg.inv(jac)
    V = a_inv @ (scores.T @ scores / n) @ a_inv.T / n
    label = "ATET" if stat == "atet" else "ATE"
    names = [f"{label}:r1vs0.{tvar}", f"POmean:0.{tvar}"]
    if uses_outcome:
        for eq in ("OME0", "OME1"):
            names += [f"{eq}:{name}" for name in (*data.outcome_names, "_cons")]
    if uses_treatment:
        names += [f"TME1:{name}" for name in (*data.treatment_names, "_cons")]
    scalars = {"N": float(n), "treated": 1.0, "control": 0.0, "k_levels": 2.0,
               "k_eq": float(len(sizes) - (1 if uses_outcome else 0)),
               "rank": float(theta.size), "converged": 1.0}
    macros = {"cmd": "teffects", "subcmd": method, "stat": stat, "depvar": depvar,
              "tvar": tvar, "title": "Treatment-effects estimation", "method": TITLES[method],
              "vce": "robust", "vcetype": "Robust",
              "tmodel": tmodel if uses_treatment else "", "omodel": "linear" if uses_outcome
              else ""}
    return Estimation(cmd="teffects", depvar=depvar, names=tuple(names), b=theta,
                      V=(V + V.T) / 2, omitted=(False,) * theta.size, scalars=scalars,
                      macros=macros, df_r=None, sample=mask)


def _solve(method: str, y: FloatArray, t: FloatArray, xo: FloatArray, xt: FloatArray,
           family: Logit | Probit, stat: str,
           weights: Callable[[FloatArray], tuple[FloatArray, FloatArray]]) -> FloatArray:
    """The estimates, part by part: treatment model, outcome regressions, then the means."""
    parts: list[FloatArray] = []
    g = np.zeros(xt.shape[1])
    p = np.full(len(y), 0.5)
    if method != "ra":
        g = newton(family, t, xt, np.ones(len(y)), np.zeros(xt.shape[1])).coef
        p = family.mean(xt @ g)
    w1, w0 = weights(p) if method in ("ipw", "ipwra") else (t, 1 - t)
    base = t if stat == "atet" else np.ones(len(y))
    if method == "ipw":
        mu1 = float(w1 @ y / w1.sum())
        mu0 = float(w0 @ y / w0.sum())
    else:
        b0 = _wls(xo, y, w0)
        b1 = _wls(xo, y, w1)
        f0, f1 = xo @ b0, xo @ b1
        if method == "aipw":
            f0 = f0 + (1 - t) * (y - f0) / (1 - p)
            f1 = f1 + t * (y - f1) / p
        mu0 = float(base @ f0 / base.sum())
        mu1 = float(base @ f1 / base.sum())
        parts += [b0, b1]
    head = np.array([mu1 - mu0, mu0])
    return np.concatenate([head, *parts, *([g] if method != "ra" else [])])


def _wls(X: FloatArray, y: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted least squares (zero weights drop a row)."""
    xw = X * w[:, None]
    return np.asarray(np.linalg.solve(xw.T @ X, xw.T @ y), dtype=np.float64)
