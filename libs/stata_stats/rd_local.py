"""Local polynomial pieces shared by rdrobust and rdbwselect (Calonico, Cattaneo and
Titiunik 2014; Calonico, Cattaneo, Farrell and Titiunik 2017, "rdrobust: Software for
regression discontinuity designs"): kernel weights, polynomial bases, the residuals of the
variance estimators (nearest-neighbour or plug-in HC0-HC3) and the sandwich "meat", with
clusters summed (CR1) when given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: The constant of the rule-of-thumb pilot bandwidth per kernel (rdbwselect's C_c).
PILOT_CONSTANT = {"triangular": 2.576, "epanechnikov": 2.34, "uniform": 1.843}


def kernel_weights(x: FloatArray, c: float, h: float, kernel: str) -> FloatArray:
    """K((x-c)/h)/h for the triangular, Epanechnikov or uniform kernel."""
    u = (x - c) / h
    inside = np.abs(u) <= 1
    if kernel == "epanechnikov":
        shape = 0.75 * (1 - u**2)
    elif kernel == "uniform":
        shape = np.full_like(u, 0.5)
    else:
        shape = 1 - np.abs(u)
    return np.asarray(shape * inside / h, dtype=np.float64)


def basis(u: FloatArray, p: int) -> FloatArray:
    """Columns 1, u, u², ..., u^p."""
    return np.vander(u, p + 1, increasing=True)


def ties(x: FloatArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For data sorted by x: how many observations share each x, and each one's rank
    (1-based) among them — what the nearest-neighbour residuals step over."""
    _, start, counts = np.unique(x, return_index=True, return_counts=True)
    dups = np.repeat(counts, counts)
    rank = np.arange(len(x)) - np.repeat(start, counts) + 1
    return dups.astype(np.int64), rank.astype(np.int64)


def nn_residuals(x: FloatArray, D: FloatArray, matches: int) -> FloatArray:
    """Nearest-neighbour residuals (Abadie-Imbens style) of every column of ``D``: each
    observation minus the mean of its ``matches`` closest neighbours in x (all ties of
    the last distance included), scaled by sqrt(J/(J+1)). ``x`` must be sorted."""
    n = len(x)
    dups, rank = ties(x)
    out = np.zeros_like(D)
    tol_eps = np.sqrt(np.finfo(np.float64).eps)
    cap = min(matches, n - 1)
    for pos in range(n):
        right = int(dups[pos] - rank[pos])
        left = int(rank[pos] - 1)
        while left + right < cap:
            if pos - left - 1 < 0:
                right += int(dups[pos + right + 1])
            elif pos + right + 1 >= n:
                left += int(dups[pos - left - 1])
            else:
                d_left = x[pos] - x[pos - left - 1]
                d_right = x[pos + right + 1] - x[pos]
                tol = max(d_left, d_right) * tol_eps
                if d_left - d_right > tol:
                    right += int(dups[pos + right + 1])
                elif d_right - d_left > tol:
                    left += int(dups[pos - left - 1])
                else:
                    right += int(dups[pos + right + 1])
                    left += int(dups[pos - left - 1])
        lo, hi = pos - left, pos + right + 1
        j = hi - lo - 1
        neighbours = (D[lo:hi].sum(axis=0) - D[pos]) / j
        out[pos] = np.sqrt(j / (j + 1)) * (D[pos] - neighbours)
    return out


@dataclass(frozen=True)
class Vce:
    """``vce(nn [#])``, ``vce(hc0|hc1|hc2|hc3)``, ``vce(cluster c)``, ``vce(nncluster c [#])``."""

    kind: str = "nn"  #: nn, hc0, hc1, hc2, hc3
    matches: int = 3
    cluster: FloatArray | None = None


def residuals(vce: Vce, x: FloatArray, D: FloatArray, fitted: FloatArray,
              leverage: FloatArray | None, k: int) -> FloatArray:
    """The residuals the variance uses: nearest-neighbour, or D minus the fit weighted as
    HC0 (1), HC1 (sqrt(n/(n-k)); 1 with clusters), HC2 (1/sqrt(1-h)) or HC3 (1/(1-h))."""
    if vce.kind == "nn":
        return nn_residuals(x, D, vce.matches)
    n = len(x)
    w: float | FloatArray = 1.0
    if vce.kind == "hc1" and vce.cluster is None:
        w = np.sqrt(n / (n - k))
    elif vce.kind in ("hc2", "hc3"):
        assert leverage is not None
        one_minus = np.maximum(1 - leverage, 1e-8)
        w = (1 / np.sqrt(one_minus) if vce.kind == "hc2" else 1 / one_minus)[:, None]
    return w * (D - fitted)


def meat(scores_x: FloatArray, res: FloatArray, s: FloatArray,
         clusters: FloatArray | None, k_df: int) -> FloatArray:
    """Σ (x_i r_i)(x_i r_i)' with r_i = Σ_l s_l res_il; with clusters the sums are taken
    per cluster and scaled by (n-1)/(n-k)·G/(G-1)."""
    r = res @ s
    score = scores_x * r[:, None]
    if clusters is None:
        return score.T @ score
    groups, idx = np.unique(clusters, return_inverse=True)
    summed = np.zeros((len(groups), score.shape[1]))
    np.add.at(summed, idx, score)
    n, g = len(r), len(groups)
    factor = (n - 1) / (n - k_df) * g / (g - 1) if g > 1 else np.nan
    return factor * (summed.T @ summed)


def weighted_fit(x: FloatArray, D: FloatArray, w: FloatArray, c: float, order: int,
                 vce: Vce) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
    """Kernel-weighted polynomial fit: (basis, (R'WR)⁻¹, coefficients, leverage for HC2/3)."""
    R = basis(x - c, order)
    Rw = R * w[:, None]
    inv = inverse(R.T @ Rw)
    beta = inv @ (Rw.T @ D)
    leverage = np.sum((R @ inv) * Rw, axis=1) if vce.kind in ("hc2", "hc3") else None
    return R, inv, beta, leverage


def inverse(G: FloatArray) -> FloatArray:
    """(R'WR)⁻¹ of a polynomial fit. The powers of an unscaled running variable make G badly
    conditioned, so an exact inverse (Cholesky) is used; the pseudo-inverse, which would
    drop small singular values, only when G is singular."""
    try:
        factor = np.linalg.cholesky(G)
        inv_factor = np.linalg.inv(factor)
        return np.asarray(inv_factor.T @ inv_factor)
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.pinv(G))
