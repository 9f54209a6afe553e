"""Influence statistics of an (unweighted) linear regression, as ``predict`` gives them after
``regress`` ([R] regress postestimation, Methods and formulas):

- ``leverage``/``hat``: hᵢ = xᵢ(X'X)⁻¹xᵢ';
- ``rstandard``: eᵢ / (s·√(1 − hᵢ)), s² = RSS/(N − k);
- ``rstudent``: eᵢ / (s₍ᵢ₎·√(1 − hᵢ)), s₍ᵢ₎² = ((N − k)s² − eᵢ²/(1 − hᵢ)) / (N − k − 1);
- ``cooksd``: eᵢ²·hᵢ / (k·s²·(1 − hᵢ)²), k the number of estimated coefficients.
"""

from __future__ import annotations

import numpy as np

from libs.stata_stats.estimation import FloatArray

STATISTICS = ("leverage", "rstandard", "rstudent", "cooksd")


def leverage(X: FloatArray, rows: FloatArray) -> FloatArray:
    """hᵢ for the design rows ``rows`` (any observations) of a regression fitted on ``X``."""
    pinv = np.linalg.pinv(X.T @ X)
    return np.asarray(np.einsum("ij,jk,ik->i", rows, pinv, rows), dtype=np.float64)


def influence(statistic: str, resid: FloatArray, hat: FloatArray, rss: float, n: int,
              k: int) -> FloatArray:
    """``statistic`` (one of :data:`STATISTICS`) for residuals ``resid`` with leverages
    ``hat``; ``rss``, ``n`` and ``k`` describe the fitted regression."""
    if statistic == "leverage":
        return hat
    s2 = rss / (n - k)
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic == "rstandard":
            return np.asarray(resid / np.sqrt(s2 * (1 - hat)), dtype=np.float64)
        if statistic == "rstudent":
            s2_i = ((n - k) * s2 - resid**2 / (1 - hat)) / (n - k - 1)
            return np.asarray(resid / np.sqrt(s2_i * (1 - hat)), dtype=np.float64)
        return np.asarray(resid**2 * hat / (k * s2 * (1 - hat) ** 2), dtype=np.float64)
