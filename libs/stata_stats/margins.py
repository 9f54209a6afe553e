"""``margins``: average marginal effects (``dydx()``) and predictive margins, with
delta-method standard errors.

A continuous term's effect is the derivative of the prediction with respect to the
variable, averaged over the estimation sample: ``mean f(xbᵢ)·(dxᵢ·b)`` where ``dxᵢ`` is the
derivative of the design row (1 in the variable's column, the other factor in interaction
columns). A factor level's effect is the discrete change from the base level,
``mean F(x¹ᵢb) − F(x⁰ᵢb)``, as Stata computes it for ``i.`` terms. The covariance is
``J e(V) J'`` with J the derivative of the averaged effects in b.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.stata_stats.estimation import Estimation, FloatArray, coefficient_table
from libs.stata_stats.likelihood import Family


class Identity:
    """The linear prediction (``regress``): F(xb) = xb."""

    name = "linear"

    def mean(self, xb: FloatArray) -> FloatArray:
        return xb

    def mean_derivatives(self, xb: FloatArray) -> tuple[FloatArray, FloatArray]:
        return np.ones_like(xb), np.zeros_like(xb)


@dataclass(frozen=True, kw_only=True)
class Continuous:
    """A continuous variable: ``derivative`` is d(design row)/d(variable), n×p."""

    name: str
    derivative: FloatArray
    design: FloatArray | None = None  #: the rows it is evaluated at (default: the shared ones)


@dataclass(frozen=True, kw_only=True)
class Discrete:
    """A factor level: the design with the variable set to the level and to the base."""

    name: str
    at_level: FloatArray
    at_base: FloatArray


@dataclass(frozen=True, kw_only=True)
class Margins:
    """``r(b)``, ``r(V)`` and ``r(table)`` of ``margins, dydx()``."""

    names: tuple[str, ...]
    b: FloatArray
    V: FloatArray
    df_r: float | None
    N: float

    def table(self, level: float = 95.0) -> FloatArray:
        """``r(table)`` of the margins."""
        return coefficient_table(self.b, self.V, self.df_r, (False,) * len(self.b), level)


def dydx(
    est: Estimation,
    design: FloatArray,
    terms: list[Continuous | Discrete],
    response: Family | Identity,
    weights: FloatArray | None = None,
) -> Margins:
    """Average marginal effects of ``terms`` over the rows of ``design`` (the sample)."""
    n = design.shape[0]
    w = np.ones(n) if weights is None else weights
    share = w / w.sum()
    b = est.b
    effects = np.zeros(len(terms))
    jac = np.zeros((len(terms), b.size))
    for i, term in enumerate(terms):
        if isinstance(term, Continuous):
            at = design if term.design is None else term.design
            xb = at @ b
            f, fprime = response.mean_derivatives(xb)
            slope = term.derivative @ b
            effects[i] = float(share @ (f * slope))
            jac[i] = (share * fprime * slope) @ at + (share * f) @ term.derivative
        else:
            xb1, xb0 = term.at_level @ b, term.at_base @ b
            f1, _ = response.mean_derivatives(xb1)
            f0, _ = response.mean_derivatives(xb0)
            effects[i] = float(share @ (response.mean(xb1) - response.mean(xb0)))
            jac[i] = (share * f1) @ term.at_level - (share * f0) @ term.at_base
    V = jac @ est.V @ jac.T
    return Margins(
        names=tuple(t.name for t in terms), b=effects, V=V, df_r=est.df_r, N=est.scalars["N"]
    )


def predictive(
    est: Estimation,
    designs: list[FloatArray],
    names: tuple[str, ...],
    response: Family | Identity,
    weights: FloatArray | None = None,
) -> Margins:
    """Predictive margins: the mean prediction ``mean F(Xₖb)`` over the rows of each design,
    with Jacobian ``mean f(Xₖb)·Xₖ`` for the delta-method covariance."""
    effects = np.zeros(len(designs))
    jac = np.zeros((len(designs), est.b.size))
    for i, X in enumerate(designs):
        w = np.ones(X.shape[0]) if weights is None else weights
        share = w / w.sum()
        xb = X @ est.b
        f, _ = response.mean_derivatives(xb)
        effects[i] = float(share @ response.mean(xb))
        jac[i] = (share * f) @ X
    return Margins(names=names, b=effects, V=jac @ est.V @ jac.T, df_r=est.df_r,
                   N=est.scalars["N"])
