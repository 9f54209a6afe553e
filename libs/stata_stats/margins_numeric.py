"""``margins`` for any prediction: averages of a prediction, of its discrete changes and of
its derivatives, with delta-method standard errors — the general path for predictions that
are not a single mean function of one index (outcome probabilities of ologit/oprobit/mlogit,
tobit's ``ystar()``/``e()``/``pr()``, margins over a factor's levels).

A prediction is a function ``P(C, b)`` of the design columns ``C`` (n × p, one column per
coefficient name) and the coefficients. As Stata's margins does, derivatives are numerical:

- a continuous variable's effect is ``mean [P(C + hD, b) − P(C − hD, b)] / 2h``, with ``D``
  the derivative of the design columns in the variable (exact for the linear part of ``C``;
  ``h`` relative to the variable's spread);
- a factor level's effect is ``mean P(C¹, b) − P(C⁰, b)`` (the discrete change from base);
- the variance is ``J e(V) J'`` with J the central-difference Jacobian in b.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from libs.stata_stats.estimation import FloatArray

Prediction = Callable[[FloatArray, FloatArray], FloatArray]


@dataclass(frozen=True, kw_only=True)
class Level:
    """The average prediction at design ``design`` (``margins`` without ``dydx()``)."""

    design: FloatArray


@dataclass(frozen=True, kw_only=True)
class Change:
    """The average discrete change of the prediction from ``at_base`` to ``at_level``."""

    at_level: FloatArray
    at_base: FloatArray


@dataclass(frozen=True, kw_only=True)
class Slope:
    """The average derivative at ``design`` along the design derivative ``derivative``;
    ``step`` is the finite-difference step in the variable's units."""

    design: FloatArray
    derivative: FloatArray
    step: float


Quantity = Level | Change | Slope


def _value(q: Quantity, predict: Prediction, b: FloatArray, share: FloatArray) -> float:
    if isinstance(q, Level):
        return float(share @ predict(q.design, b))
    if isinstance(q, Change):
        return float(share @ (predict(q.at_level, b) - predict(q.at_base, b)))
    up = predict(q.design + q.step * q.derivative, b)
    down = predict(q.design - q.step * q.derivative, b)
    return float(share @ (up - down)) / (2 * q.step)


def delta_margins(quantities: list[tuple[Prediction, Quantity]], b: FloatArray, V: FloatArray,
                  weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The margins and their delta-method covariance J·V·J'."""
    share = weights / weights.sum()

    def values(beta: FloatArray) -> FloatArray:
        return np.array([_value(q, p, beta, share) for p, q in quantities])

    point = values(b)
    jac = np.zeros((len(quantities), b.size))
    for j in range(b.size):
        if V[j, j] == 0:
            continue  # omitted or base: no variance to carry
        step = 1e-6 * max(abs(float(b[j])), 1e-2)
        up, down = b.copy(), b.copy()
        up[j] += step
        down[j] -= step
        jac[:, j] = (values(up) - values(down)) / (2 * step)
    return point, jac @ V @ jac.T


def finite_step(x: FloatArray) -> float:
    """The step for a variable's numerical derivative: 1e-5 of its spread (1e-5 if none)."""
    finite = x[np.isfinite(x)]
    spread = float(np.std(finite)) if finite.size else 0.0
    return 1e-5 * (spread if spread > 0 else 1.0)
