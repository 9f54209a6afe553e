"""``kdensity``: Stata's kernels, its default bandwidth and evaluation grid, the estimate.

From Stata's [R] kdensity (methods and formulas) and ``kdensity.ado``:

- f̂(x) = Σ wᵢ K((x − Xᵢ)/h) / (h Σ wᵢ).
- Kernels as Stata defines them; note ``epanechnikov`` is the variance-one form
  (3/4)(1 − z²/5)/√5 on |z| < √5, and ``epan2`` the textbook (3/4)(1 − z²) on |z| < 1.
- Default bandwidth: h = 0.9·m/N^(1/5), m = min(sd, IQR/1.349) (sd when that is ≤ 0), with
  sd, the quartiles and N as ``summarize, detail`` gives them under the same weights
  (iweights are ignored there, as in the ado-file).
- Default grid: n points (default 50) from min − h to max + h in equal steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from libs.stata_stats.errors import StatsError
from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.sample import Weights
from libs.stata_stats.summary import summarize

_SQRT5 = math.sqrt(5.0)


def _epanechnikov(z: FloatArray) -> FloatArray:
    return np.where(np.abs(z) < _SQRT5, 0.75 * (1 - z * z / 5) / _SQRT5, 0.0)


def _epan2(z: FloatArray) -> FloatArray:
    return np.where(np.abs(z) < 1, 0.75 * (1 - z * z), 0.0)


def _biweight(z: FloatArray) -> FloatArray:
    return np.where(np.abs(z) < 1, 15 / 16 * (1 - z * z) ** 2, 0.0)


def _cosine(z: FloatArray) -> FloatArray:
    return np.where(np.abs(z) < 0.5, 1 + np.cos(2 * np.pi * z), 0.0)


def _gaussian(z: FloatArray) -> FloatArray:
    return np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _parzen(z: FloatArray) -> FloatArray:
    a = np.abs(z)
    inner = 4 / 3 - 8 * a**2 + 8 * a**3
    outer = 8 * (1 - a) ** 3 / 3
    return np.where(a <= 0.5, inner, np.where(a <= 1, outer, 0.0))


def _rectangle(z: FloatArray) -> FloatArray:
    return np.where(np.abs(z) < 1, 0.5, 0.0)


def _triangle(z: FloatArray) -> FloatArray:
    return np.where(np.abs(z) < 1, 1 - np.abs(z), 0.0)


class Kernel(NamedTuple):
    """One of Stata's kernels: the shortest abbreviation its name accepts, K(z), and the
    half-width of its support (infinite for the Gaussian)."""

    shortest: int
    function: Callable[[FloatArray], FloatArray]
    support: float


#: Stata's kernels by name (kdensity.ado; lpoly and twoway share them).
KERNELS: dict[str, Kernel] = {
    "epan2": Kernel(5, _epan2, 1.0), "epanechnikov": Kernel(2, _epanechnikov, _SQRT5),
    "biweight": Kernel(2, _biweight, 1.0), "cosine": Kernel(3, _cosine, 0.5),
    "gaussian": Kernel(3, _gaussian, math.inf), "parzen": Kernel(3, _parzen, 1.0),
    "rectangle": Kernel(3, _rectangle, 1.0), "triangle": Kernel(3, _triangle, 1.0),
}


def kernel_named(text: str) -> str:
    """The kernel ``text`` names (``ep`` → epanechnikov); r(198) "invalid kernel function"."""
    typed = text.strip().lower()
    for name, spec in KERNELS.items():
        if name.startswith(typed) and len(typed) >= spec.shortest:
            return name
    raise StatsError(198, "invalid kernel function")


def kernel(name: str) -> Callable[[FloatArray], FloatArray]:
    """The kernel function K(z) called ``name`` (a full name)."""
    return KERNELS[name].function


def default_bandwidth(x: FloatArray, weights: Weights | None = None) -> float:
    """Stata's default kdensity bandwidth 0.9·min(sd, IQR/1.349)/N^(1/5)."""
    stats = summarize(x, None if weights is None or weights.kind == "iweight" else weights,
                      detail=True).scalars
    if stats["N"] == 0:
        raise StatsError(2000, "no observations")
    sd = stats["sd"]
    spread = min(sd, (stats["p75"] - stats["p25"]) / 1.349)
    if not spread > 0:
        spread = sd
    return float(0.9 * spread / stats["N"] ** 0.2)


def grid(x: FloatArray, bandwidth: float, n: int) -> FloatArray:
    """Stata's evaluation points: n equal steps from min(x) − h to max(x) + h."""
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    step = (hi - lo + 2 * bandwidth) / (n - 1) if n > 1 else 0.0
    return lo - bandwidth + step * np.arange(n, dtype=np.float64)


def density(x: FloatArray, at: FloatArray, bandwidth: float, kernel_name: str = "epanechnikov",
            weights: Weights | None = None) -> FloatArray:
    """f̂ at each point of ``at`` (missing points stay missing); rows with missing x or weight
    are left out."""
    x = np.asarray(x, dtype=np.float64)
    w = np.ones(x.size) if weights is None else np.asarray(weights.values, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(w) & (w != 0)
    x, w = x[keep], w[keep]
    if x.size == 0:
        raise StatsError(2000, "no observations")
    if not bandwidth > 0:
        raise StatsError(198, "bandwidth must be positive")
    func = kernel(kernel_name)
    at = np.asarray(at, dtype=np.float64)
    out = np.full(at.size, np.nan)
    finite = np.flatnonzero(np.isfinite(at))
    # Points in chunks: a (points × observations) block at a time keeps memory bounded.
    chunk = max(1, 4_000_000 // max(x.size, 1))
    total = float(w.sum())
    for start in range(0, finite.size, chunk):
        index = finite[start : start + chunk]
        z = (at[index, None] - x[None, :]) / bandwidth
        out[index] = func(z) @ w / (bandwidth * total)
    return out


@dataclass(frozen=True, kw_only=True)
class Kdensity:
    """What ``kdensity`` computes: the points, the estimate and its ``r()`` values."""

    at: FloatArray
    density: FloatArray
    bandwidth: float
    kernel: str
    n: int
    scale: float  #: r(scale) = 1/(n·mean of the estimate)


def kdensity(x: FloatArray, *, weights: Weights | None = None, bandwidth: float | None = None,
             kernel_name: str = "epanechnikov", n: int = 50,
             at: FloatArray | None = None) -> Kdensity:
    """``kdensity x [weight] [, bwidth() kernel() n() at()]`` on the rows given."""
    x = np.asarray(x, dtype=np.float64)
    h = default_bandwidth(x, weights) if bandwidth is None else bandwidth
    if at is None:
        points = grid(x[np.isfinite(x)], h, n)
    else:
        points = np.asarray(at, dtype=np.float64)
        n = max(1, int(np.isfinite(points).sum()))
    values = density(x, points, h, kernel_name, weights)
    shown = values[:n] if at is None else values[np.isfinite(values)]
    scale = 1.0 / (n * float(np.mean(shown))) if shown.size and np.mean(shown) > 0 else np.nan
    return Kdensity(at=points, density=values, bandwidth=h, kernel=kernel_name, n=n,
                    scale=scale)
