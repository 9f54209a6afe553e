"""Synthetic control weights (Abadie and Gardeazabal 2003; Abadie, Diamond and Hainmueller
2010, 2011): the predictor weights V and the unit weights W of the synth package.

Notation of the package: ``x1`` (k predictors of the treated unit), ``x0`` (k × J, the
controls), ``z1``/``z0`` the outcome over the periods whose fit is judged (``mspeperiod``).

- Predictors are standardised before V and W are chosen: each one divided by its standard
  deviation (divisor n − 1) over the treated and the control units together, not centred
  (the R package's ``synth()``, by the same authors; the Stata ado calls it ``normalize``).
- For a diagonal V (weights summing to one), W solves the quadratic programme
  min (x1 − x0 w)' V (x1 − x0 w) subject to w ≥ 0, Σw = 1 — exactly, by an active-set
  method (:func:`simplex_least_squares`).
- The default V is "regression based": every period's outcome of ``z`` regressed (OLS with a
  constant, over all units) on the standardised predictors; v_m is the sum over periods of the
  squared slope of predictor m, normalised to sum to one (the R package's starting value;
  JSS 2011, section 3). When the regression has more coefficients than units, equal weights.
- ``nested`` searches V (diagonal, |s|/Σ|s|) for the smallest pre-period MSPE of the outcome,
  (z1 − z0 w(V))'(z1 − z0 w(V)) / T, from the given starting values (Nelder–Mead, then Powell
  from its optimum; the best of all kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SynthFit:
    """The chosen weights and the two losses."""

    v: FloatArray  #: predictor weights, summing to one
    w: FloatArray  #: unit weights of the controls (on the simplex)
    loss_v: float  #: mean squared prediction error of the outcome over ``z``
    loss_w: float  #: (x1 − x0 w)' V (x1 − x0 w) on the standardised predictors


def standardise(x1: FloatArray, x0: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each predictor divided by its standard deviation over all units (r(198) if constant)."""
    sd = np.column_stack([x1, x0]).std(axis=1, ddof=1)
    if not np.all(sd > 0):
        raise StatsError(INVALID_SYNTAX, "a predictor takes the same value for every unit: "
                                         "it cannot be standardised")
    return x1 / sd, x0 / sd[:, None]


def regression_v(x1: FloatArray, x0: FloatArray, z1: FloatArray, z0: FloatArray) -> FloatArray:
    """The regression-based V from standardised predictors (equal weights when the regression
    of the outcomes on the predictors is not identified)."""
    k = x1.size
    design = np.column_stack([np.ones(x0.shape[1] + 1), np.column_stack([x1, x0]).T])
    if np.linalg.matrix_rank(design) < k + 1:
        return np.full(k, 1.0 / k)
    outcomes = np.column_stack([z1, z0]).T  # units × periods
    beta, *_ = np.linalg.lstsq(design, outcomes, rcond=None)
    v = np.sum(beta[1:] ** 2, axis=1)
    return v / v.sum() if v.sum() > 0 else np.full(k, 1.0 / k)


def _affine_least_squares(a: FloatArray, d: FloatArray) -> FloatArray:
    """min ||a u − d|| subject to Σu = 1: the last weight eliminated (u_p = 1 − Σ others)."""
    p = a.shape[1]
    if p == 1:
        return np.ones(1)
    last = a[:, -1]
    z, *_ = np.linalg.lstsq(a[:, :-1] - last[:, None], d - last, rcond=None)
    solution: FloatArray = np.append(z, 1.0 - z.sum())
    return solution


def _step_back(a: FloatArray, d: FloatArray, w: FloatArray, free: npt.NDArray[np.bool_],
               entering: int) -> bool:
    """From the feasible ``w``, move to the best point on the free set's face, dropping the
    units whose weight reaches zero on the way (updates ``w`` and ``free``); False when the
    entering unit cannot lower the loss after all (rounding-level reduced gradient)."""
    for inner in range(a.shape[1] + 1):
        u = _affine_least_squares(a[:, free], d)
        if np.all(u > 0):
            w[:] = 0.0
            w[free] = u
            return True
        if inner == 0 and u[int(np.sum(free[:entering]))] <= 0:
            free[entering] = False
            return False
        current = w[free]
        blocked = u <= 0
        ratio = current / (current - np.where(blocked, u, -1.0))
        step = float(np.min(ratio[blocked]))
        moved = current + step * (u - current)
        moved[blocked & (ratio <= step * (1 + 1e-12))] = 0.0
        w[:] = 0.0
        w[free] = np.maximum(moved, 0.0)
        free &= w > 0
    return True


def simplex_least_squares(a: FloatArray, d: FloatArray) -> FloatArray:
    """min ||a w − d||² subject to w ≥ 0, Σw = 1: a primal active-set method (Lawson and
    Hanson's NNLS with the equality constraint kept on the free set) from the best single
    unit. Each step solves the equality-constrained least squares on the free set exactly;
    the result satisfies the KKT conditions to rounding (the gradient equal on the support,
    no smaller off it). Where the optimum is not unique (an exact fit by more units than
    predictors) the path from the best unit picks one, the same for the same V, so the
    nested search sees a function of V alone."""
    n = a.shape[1]
    residual = d[:, None] - a
    w = np.zeros(n)
    w[int(np.argmin(np.sum(residual * residual, axis=0)))] = 1.0
    free = w > 0
    scale = 1.0 + float(np.abs(a).max(initial=0.0)) ** 2 + float(np.abs(d).max(initial=0.0)) ** 2
    for _ in range(10 * n + 50):
        gradient = 2.0 * a.T @ (a @ w - d)
        multiplier = float(np.mean(gradient[free]))
        reduced = np.where(free, np.inf, gradient - multiplier)
        entering = int(np.argmin(reduced))
        if not reduced[entering] < -1e-13 * scale:
            break
        free[entering] = True
        if not _step_back(a, d, w, free, entering):
            break
    return w


def unit_weights(v: FloatArray, x1: FloatArray, x0: FloatArray) -> FloatArray:
    """W for the predictor weights ``v`` (standardised predictors)."""
    root = np.sqrt(v)
    return simplex_least_squares(root[:, None] * x0, root * x1)


def _fit(v: FloatArray, x1: FloatArray, x0: FloatArray, z1: FloatArray,
         z0: FloatArray) -> SynthFit:
    w = unit_weights(v, x1, x0)
    gap_x = x1 - x0 @ w
    gap_z = z1 - z0 @ w
    return SynthFit(v=v, w=w, loss_v=float(gap_z @ gap_z) / z1.size,
                    loss_w=float(gap_x @ (v * gap_x)))


def fit_given_v(v: FloatArray, x1: FloatArray, x0: FloatArray, z1: FloatArray,
                z0: FloatArray) -> SynthFit:
    """W and the losses for fixed predictor weights (normalised to sum to one here)."""
    v = np.abs(np.asarray(v, dtype=np.float64))
    if not v.sum() > 0:
        raise StatsError(INVALID_SYNTAX, "the V-weights must not all be zero")
    return _fit(v / v.sum(), x1, x0, z1, z0)


def nested_fit(starts: list[FloatArray], x1: FloatArray, x0: FloatArray, z1: FloatArray,
               z0: FloatArray) -> SynthFit:
    """The V (and its W) with the smallest outcome MSPE found from each starting V."""

    def weights(s: FloatArray) -> FloatArray:
        a = np.abs(s)
        total = a.sum()
        return a / total if total > 0 else np.full(a.size, 1.0 / a.size)

    def loss(s: FloatArray) -> float:
        return _fit(weights(s), x1, x0, z1, z0).loss_v

    best = _fit(weights(starts[0]), x1, x0, z1, z0)
    k = x1.size
    for start in starts:
        simplex = minimize(loss, np.asarray(start, dtype=np.float64), method="Nelder-Mead",
                           options={"maxiter": 400 * k, "maxfev": 400 * k, "xatol": 1e-8,
                                    "fatol": 1e-12})
        # Powell's line searches leave flat stretches of the loss (W on a vertex) that
        # stop the simplex
        powell = minimize(loss, simplex.x, method="Powell",
                          options={"xtol": 1e-8, "ftol": 1e-12, "maxfev": 400 * k})
        for s in (simplex.x, powell.x):
            fit = _fit(weights(s), x1, x0, z1, z0)
            if fit.loss_v < best.loss_v:
                best = fit
    return best
