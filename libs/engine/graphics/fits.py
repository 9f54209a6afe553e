"""The smooth lines twoway draws: linear and quadratic fits with their confidence bands
(``lfit``, ``qfit``, ``lfitci``, ``qfitci``), local polynomials (``lpoly``) and ``lowess``.

- ``lfit``/``qfit``: least squares of y on x (and x²), weighted as given; evaluated over the
  x range (or ``range()``). ``lfitci``/``qfitci`` add the confidence interval of the mean
  prediction (``stdp``) or of a forecast (``stdf``), t with N − k degrees of freedom.
- ``lpoly``: the smooth of ``libs.stata_stats.lpoly`` (what the ``lpoly`` command computes)
  on a grid of n points from min to max.
- ``lowess``: Stata's running-line smoother: for observation i (data sorted by x) the
  neighbours i − k … i + k, k = int((N·bw − 0.5)/2), tricube weights over 1.0001 times the
  farthest neighbour's distance, and the weighted line's value at xᵢ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.errors import StatsError
from libs.stata_stats.estimation import FloatArray


@dataclass(frozen=True, kw_only=True)
class Fit:
    """A polynomial least-squares fit of y on x: coefficients (constant first) and what a
    confidence band needs."""

    coef: FloatArray
    cov: FloatArray  #: covariance of the coefficients (σ²·(X'WX)⁻¹)
    sigma2: float
    df: float  #: residual degrees of freedom N − k

    def at(self, x: FloatArray) -> FloatArray:
        """Fitted values at ``x``."""
        return _powers(x, self.coef.size - 1) @ self.coef

    def band(self, x: FloatArray, level: float, forecast: bool = False
             ) -> tuple[FloatArray, FloatArray]:
        """Lower and upper limits of the ``level``% interval at ``x``."""
        X = _powers(x, self.coef.size - 1)
        var = np.einsum("ij,jk,ik->i", X, self.cov, X) + (self.sigma2 if forecast else 0.0)
        half = stats.t.ppf(0.5 + level / 200, self.df) * np.sqrt(var)
        centre = X @ self.coef
        return centre - half, centre + half


def _powers(x: FloatArray, degree: int) -> FloatArray:
    return np.column_stack([np.asarray(x, dtype=np.float64) ** k for k in range(degree + 1)])


def polynomial_fit(x: FloatArray, y: FloatArray, degree: int,
                   weights: FloatArray | None = None, weight_kind: str = "") -> Fit:
    """Least squares of y on 1, x, …, x^degree (complete rows only)."""
    w = np.ones(x.size) if weights is None else np.asarray(weights, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y) & np.isfinite(w) & (w > 0)
    x, y, w = x[keep], y[keep], w[keep]
    k = degree + 1
    if weight_kind in ("aweight", "pweight"):
        w = w * (x.size / w.sum())
    n = float(w.sum()) if weight_kind in ("fweight", "iweight") else float(x.size)
    if x.size < k or n - k <= 0:
        raise StatsError(2001 if x.size else 2000,
                         "insufficient observations" if x.size else "no observations")
    X = _powers(x, degree)
    xtwx = X.T @ (X * w[:, None])
    inverse = np.linalg.pinv(xtwx)
    coef = inverse @ (X.T @ (w * y))
    resid = y - X @ coef
    sigma2 = float(w @ resid**2) / (n - k)
    return Fit(coef=coef, cov=sigma2 * inverse, sigma2=sigma2, df=n - k)


def lowess(x: FloatArray, y: FloatArray, bandwidth: float = 0.8) -> tuple[FloatArray, FloatArray]:
    """Stata's ``lowess`` running-line smooth: (sorted x, smoothed y)."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    n = xs.size
    k = max(int((n * bandwidth - 0.5) / 2), 1)
    out = np.empty(n)
    for i in range(n):
        lo, hi = max(0, i - k), min(n, i + k + 1)
        xw, yw = xs[lo:hi], ys[lo:hi]
        reach = 1.0001 * max(xs[hi - 1] - xs[i], xs[i] - xs[lo])
        w = (1 - (np.abs(xw - xs[i]) / reach) ** 3) ** 3 if reach > 0 else np.ones(xw.size)
        sw = w.sum()
        mx, my = w @ xw / sw, w @ yw / sw
        sxx = w @ (xw - mx) ** 2
        slope = (w @ ((xw - mx) * (yw - my))) / sxx if sxx > 0 else 0.0
        out[i] = my + slope * (xs[i] - mx)
    return xs, out
