"""The numbers of ``rdplot`` (Calonico, Cattaneo and Titiunik 2015, "Optimal data-driven
regression discontinuity plots"), as rdplot.ado 8.4 computes them.

A global polynomial of order p is fitted on each side of the cutoff (kernel-weighted within
h). The number of bins on each side comes from the IMSE-optimal or mimicking-variance rule,
with the bias and variance estimated by spacings (es, qs, esmv, qsmv) or by a polynomial
regression of order 4 (…pr); evenly spaced (es…) or quantile spaced (qs…) bins. Each bin
reports its count, edges, the means of x and y, the standard error of the mean of y and a
t confidence interval. With mass points (10 % or more repeated values on a side) and
``masspoints(adjust)`` the spacings rules switch to their polynomial-regression versions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from libs.stata_stats.errors import StatsError
from libs.stata_stats.rd_local import basis, inverse, kernel_weights

FloatArray = NDArray[np.float64]
BINSELECT = ("es", "espr", "esmv", "esmvpr", "qs", "qspr", "qsmv", "qsmvpr")


@dataclass(frozen=True)
class Bins:
    """One row per non-empty bin (ids −J_l…−1, 1…J_r), as rdplot collapses them; ``N`` is
    rdplot_N, the count less one as the package stores it."""

    id: NDArray[np.int64]
    N: FloatArray
    min_bin: FloatArray
    max_bin: FloatArray
    mean_bin: FloatArray
    mean_x: FloatArray
    mean_y: FloatArray
    se_y: FloatArray
    ci_l: FloatArray
    ci_r: FloatArray


@dataclass(frozen=True)
class RdPlot:
    """Everything rdplot reports, stores and draws (pairs are left, right)."""

    n: tuple[int, int]
    n_h: tuple[int, int]
    h: tuple[float, float]
    coef_l: FloatArray
    coef_r: FloatArray
    J: tuple[int, int]
    J_imse: tuple[float, float]
    J_mv: tuple[float, float]
    binselect: str
    edges: FloatArray
    obs_bin: NDArray[np.int64]  #: each observation's bin id
    bins: Bins
    curve_x: tuple[FloatArray, FloatArray]
    curve_y: tuple[FloatArray, FloatArray]
    x_range: tuple[float, float]


def rdplot(y: FloatArray, x: FloatArray, *, c: float, p: int, binselect: str,
           nbins: tuple[int, int] | None, scale: tuple[float, float], kernel: str,
           weights: FloatArray | None, h: tuple[float, float] | None,
           support: tuple[float, float] | None, masspoints: str, ci: float) -> RdPlot:
    """rdplot for outcome ``y`` and running variable ``x`` (sorted here by x)."""
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    w_obs = None if weights is None else weights[order]
    x_min, x_max = float(x.min()), float(x.max())
    if support is not None:
        x_min, x_max = min(x_min, support[0]), max(x_max, support[1])
    if c <= x_min or c >= x_max:
        raise StatsError(125, "c() should be set within the range of the running variable")
    left = x < c
    n_l, n_r = int(left.sum()), int((~left).sum())
    if n_l + n_r < 20:
        raise StatsError(2001, "Not enough observations to perform bin calculations")
    h_l, h_r = h if h is not None else (c - x_min, x_max - c)
    if masspoints in ("check", "adjust"):
        mass_l = 1 - len(np.unique(x[left])) / n_l
        mass_r = 1 - len(np.unique(x[~left])) / n_r
        if (mass_l >= 0.1 or mass_r >= 0.1) and masspoints == "adjust" \
                and binselect in ("es", "esmv", "qs", "qsmv"):
            binselect += "pr"
    coefs = []
    for side, bw in ((left, h_l), (~left, h_r)):
        w = kernel_weights(x[side], c, bw + 1e-8, kernel)
        if w_obs is not None:
            w = w * w_obs[side]
        R = basis(x[side] - c, p)
        coefs.append(inverse(R.T @ (R * w[:, None])) @ (R * w[:, None]).T @ y[side])
    n_h = (int(np.sum((x < c) & (x >= c - h_l))), int(np.sum((x >= c) & (x <= c + h_r))))
    rules = _bin_rules(y, x, left, c, x_min, x_max)
    imse_key, mv_key = {"es": ("es_hat_dw", "es_hat_mv"), "espr": ("es_chk_dw", "es_chk_mv"),
                        "esmv": ("es_hat_dw", "es_hat_mv"), "esmvpr": ("es_chk_dw", "es_chk_mv"),
                        "qs": ("qs_hat_dw", "qs_hat_mv"), "qspr": ("qs_chk_dw", "qs_chk_mv"),
                        "qsmv": ("qs_hat_dw", "qs_hat_mv"),
                        "qsmvpr": ("qs_chk_dw", "qs_chk_mv")}[binselect]
    chosen = rules[mv_key if "mv" in binselect else imse_key]
    J_orig = [float(chosen[0]), float(chosen[1])]
    if nbins is not None:
        J_orig = [float(nbins[0]), float(nbins[1])]
    for j, side in enumerate((left, ~left)):
        if np.var(y[side]) == 0:
            J_orig[j] = 1.0
    # Stata's round(): halves away from zero
    J = (int(np.floor(scale[0] * J_orig[0] + 0.5)), int(np.floor(scale[1] * J_orig[1] + 0.5)))
    edges = _edges(x, left, c, x_min, x_max, J, binselect.startswith("qs"))
    position = np.minimum(np.searchsorted(edges, x, side="right"), len(edges) - 1)
    ids = position - J[0] - 1
    ids = np.where(ids >= 0, ids + 1, ids).astype(np.int64)
    curve_x = (np.linspace(c - h_l, c, 500), np.linspace(c, c + h_r, 500))
    curve_y = (basis(curve_x[0] - c, p) @ coefs[0], basis(curve_x[1] - c, p) @ coefs[1])
    return RdPlot((n_l, n_r), n_h, (float(h_l), float(h_r)), coefs[0], coefs[1], J,
                  (float(rules[imse_key][0]), float(rules[imse_key][1])),
                  (float(rules[mv_key][0]), float(rules[mv_key][1])), binselect, edges,
                  np.asarray(ids[np.argsort(order)]), _collapse(x, y, ids, edges, J, ci),
                  curve_x, curve_y, (x_min, x_max))


def _bin_rules(y: FloatArray, x: FloatArray, left: NDArray[np.bool_], c: float,
               x_min: float, x_max: float) -> dict[str, tuple[float, float]]:
    """The eight bin counts (left, right): IMSE-optimal (dw) and mimicking-variance (mv),
    evenly (es) or quantile (qs) spaced, spacings (hat) or polynomial (chk) estimators."""
    n = len(x)
    parts: dict[str, list[float]] = {k: [] for k in ("B_es", "V_es_hat", "V_es_chk", "B_qs",
                                                     "V_qs_hat", "V_qs_chk", "var")}
    for side, width in ((left, c - x_min), (~left, x_max - c)):
        xs, ys = x[side], y[side]
        ns = len(xs)
        R = _polynomial_basis(xs)
        k = R.shape[1] - 1
        inv = inverse(R.T @ R)
        g1, g2 = inv @ R.T @ ys, inv @ R.T @ ys**2
        deriv = g1[1:] * np.arange(1, k + 1)
        mid = (xs[1:] + xs[:-1]) / 2
        Rm = np.vander(mid, k + 1, increasing=True)
        dxi, dyi = np.diff(xs), np.diff(ys)
        var_y = float(np.var(ys, ddof=1))
        s2_mid = Rm @ g2 - (Rm @ g1) ** 2
        s2_mid[s2_mid < 0] = var_y
        s2 = R @ g2 - (R @ g1) ** 2
        s2[s2 < 0] = var_y
        mu1 = np.vander(xs, k, increasing=True) @ deriv
        mu1_mid = np.vander(mid, k, increasing=True) @ deriv
        parts["B_es"].append(width**2 / (12 * n) * float(np.sum(mu1**2)))
        parts["V_es_hat"].append(0.5 / width * float(np.sum(dxi * dyi**2)))
        parts["V_es_chk"].append(1 / width * float(np.sum(dxi * s2_mid)))
        parts["B_qs"].append(ns**2 / (24 * n) * float(np.sum(dxi**2 * mu1_mid**2)))
        parts["V_qs_hat"].append(1 / (2 * ns) * float(np.sum(dyi**2)))
        parts["V_qs_chk"].append(1 / ns * float(np.sum(s2)))
        parts["var"].append(var_y)

    def imse(B: list[float], V: list[float]) -> tuple[float, float]:
        return (float(np.ceil((2 * B[0] / V[0] * n) ** (1 / 3))),
                float(np.ceil((2 * B[1] / V[1] * n) ** (1 / 3))))

    def mimic(V: list[float]) -> tuple[float, float]:
        scale = n / np.log(n) ** 2
        return (float(np.ceil(parts["var"][0] / V[0] * scale)),
                float(np.ceil(parts["var"][1] / V[1] * scale)))

    return {"es_hat_dw": imse(parts["B_es"], parts["V_es_hat"]),
            "es_chk_dw": imse(parts["B_es"], parts["V_es_chk"]),
            "qs_hat_dw": imse(parts["B_qs"], parts["V_qs_hat"]),
            "qs_chk_dw": imse(parts["B_qs"], parts["V_qs_chk"]),
            "es_hat_mv": mimic(parts["V_es_hat"]), "es_chk_mv": mimic(parts["V_es_chk"]),
            "qs_hat_mv": mimic(parts["V_qs_hat"]), "qs_chk_mv": mimic(parts["V_qs_chk"])}


def _polynomial_basis(xs: FloatArray) -> FloatArray:
    """1, x, …, x^k with k = 4, or 3, or 2 when the cross-product is singular."""
    for k in (4, 3, 2):
        R = np.vander(xs, k + 1, increasing=True)
        try:
            np.linalg.cholesky(R.T @ R)
            return R
        except np.linalg.LinAlgError:
            continue
    return R


def _edges(x: FloatArray, left: NDArray[np.bool_], c: float, x_min: float, x_max: float,
           J: tuple[int, int], quantile: bool) -> FloatArray:
    """Bin edges from x_min to x_max through c: evenly spaced, or at the J-quantiles of each
    side by ``pctile``'s rule (the averaged inverse of the empirical distribution)."""
    if not quantile:
        return np.concatenate([np.linspace(x_min, c, J[0] + 1)[:-1],
                               np.linspace(c, x_max, J[1] + 1)])
    inner = [np.quantile(x[side], np.arange(1, j) / j, method="averaged_inverted_cdf")
             for side, j in ((left, J[0]), (~left, J[1]))]
    return np.concatenate([[x_min], inner[0], [c], inner[1], [x_max]])


def _collapse(x: FloatArray, y: FloatArray, ids: NDArray[np.int64], edges: FloatArray,
              J: tuple[int, int], ci: float) -> Bins:
    """Per-bin count, edges, means, standard error of the mean and t interval."""
    present = np.unique(ids)
    pos = np.where(present < 0, present + J[0], present + J[0] - 1)
    count = np.array([np.sum(ids == b) for b in present], dtype=np.float64)
    mean_x = np.array([x[ids == b].mean() for b in present])
    mean_y = np.array([y[ids == b].mean() for b in present])
    sd = np.array([y[ids == b].std(ddof=1) if np.sum(ids == b) > 1 else np.nan
                   for b in present])
    se = sd / np.sqrt(count)
    df = count - 1
    with np.errstate(invalid="ignore"):
        quant = -stats.t.ppf(abs((1 - ci / 100) / 2), np.where(df > 0, df, np.nan))
    return Bins(present, df, edges[pos], edges[pos + 1], (edges[pos] + edges[pos + 1]) / 2,
                mean_x, mean_y, se, mean_y - quant * se, mean_y + quant * se)
