"""Kernel-weighted local polynomial smoothing, Stata's ``lpoly``.

At each grid point x₀ the smooth is β̂₀ of the weighted least-squares fit of y on
(x − x₀)⁰ … (x − x₀)ᵖ with weights K((x − x₀)/h) (times any frequency/analytic weights).
Kernels are Stata's (``kernel_density.KERNELS``): the default ``epanechnikov`` has support |z| < √5.

The default bandwidth is Fan and Gijbels' (1996, §4.2) rule of thumb: with a global
polynomial m̌ of degree q + 3 and its residual variance σ̃²,
h = C₀,q(K) · [σ̃² ∫w₀ / Σᵢ m̌⁽q+1⁾(xᵢ)² w₀(xᵢ)]^{1/(2q+3)}, w₀ the indicator of the inner 90%
of the range of x, and q = p for odd p, p + 1 for even p (local-constant and local-linear
fits share their leading bias order). C₀,q(K) is computed from the equivalent kernel.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from scipy import integrate

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.kernel_density import KERNELS


def smooth(x: FloatArray, y: FloatArray, grid: FloatArray, bandwidth: float | FloatArray,
           degree: int = 0, kernel: str = "epanechnikov",
           weights: FloatArray | None = None) -> FloatArray:
    """The local polynomial estimate at each grid point (NaN where too few points fall in
    the kernel's window to fit the polynomial)."""
    fn = KERNELS[kernel].function
    w = np.ones_like(x) if weights is None else weights
    h = np.broadcast_to(np.asarray(bandwidth, dtype=np.float64), grid.shape)
    out = np.full(grid.shape, np.nan)
    for k, (x0, hk) in enumerate(zip(grid, h, strict=True)):
        if not (np.isfinite(x0) and np.isfinite(hk)):
            continue
        kw = fn((x - x0) / hk) * w
        use = kw > 0
        if np.count_nonzero(use) <= degree:
            continue
        design = np.vander(x[use] - x0, degree + 1, increasing=True)
        root = np.sqrt(kw[use])
        coef, _, rank, _ = np.linalg.lstsq(design * root[:, None], y[use] * root, rcond=None)
        if rank == degree + 1:
            out[k] = coef[0]
    return out


@cache
def rot_constant(kernel: str, order: int) -> float:
    """Fan and Gijbels' C₀,p(K) = [((p+1)!)² ∫K*² / (2(p+1) (∫t^{p+1}K*)²)]^{1/(2p+3)} with
    K* the equivalent kernel of the local polynomial of degree p = ``order`` (odd)."""
    fn, edge = KERNELS[kernel].function, KERNELS[kernel].support
    lo, hi = (-edge, edge) if math.isfinite(edge) else (-np.inf, np.inf)

    def moment(j: int) -> float:
        return float(integrate.quad(lambda t: t**j * float(fn(np.array(t))), lo, hi,
                                    limit=200)[0])

    moments = [moment(j) for j in range(2 * order + 2)]
    S = np.array([[moments[i + j] for j in range(order + 1)] for i in range(order + 1)])
    first = np.linalg.solve(S, np.eye(order + 1)[:, 0])

    def equivalent(t: float) -> float:
        return float(first @ (t ** np.arange(order + 1))) * float(fn(np.array(t)))

    roughness = integrate.quad(lambda t: equivalent(t) ** 2, lo, hi, limit=200)[0]
    bias = integrate.quad(lambda t: t ** (order + 1) * equivalent(t), lo, hi, limit=200)[0]
    value = (math.factorial(order + 1) ** 2 * roughness / (2 * (order + 1) * bias**2))
    return float(value ** (1.0 / (2 * order + 3)))


def rule_of_thumb(x: FloatArray, y: FloatArray, degree: int, kernel: str,
                  weights: FloatArray | None = None) -> float:
    """The default bandwidth (see the module docstring)."""
    q = degree if degree % 2 else degree + 1
    w = np.ones_like(x) if weights is None else weights
    n = float(w.sum())
    center, scale = float(np.mean(x)), float(np.std(x)) or 1.0
    z = (x - center) / scale
    design = np.vander(z, q + 4, increasing=True)
    root = np.sqrt(w)
    coef, _, _, _ = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)
    resid = y - design @ coef
    dof = n - (q + 4)
    if dof <= 0:
        raise StatsError(INVALID_SYNTAX, "too few observations for the default bandwidth")
    sigma2 = float((w * resid**2).sum()) / dof
    # (q+1)-th derivative of the global polynomial in x (chain rule through the scaling)
    derivative = np.polynomial.polynomial.polyder(coef, q + 1)
    values = np.polynomial.polynomial.polyval(z, derivative) / scale ** (q + 1)
    lo, hi = float(x.min()), float(x.max())
    inner = (x >= lo + 0.05 * (hi - lo)) & (x <= hi - 0.05 * (hi - lo))
    curvature = float((w * values**2)[inner].sum())
    if curvature <= 0:
        raise StatsError(INVALID_SYNTAX, "the default bandwidth is undefined; specify bwidth()")
    ratio = sigma2 * 0.9 * (hi - lo) / curvature
    return float(rot_constant(kernel, q) * ratio ** (1.0 / (2 * q + 3)))
