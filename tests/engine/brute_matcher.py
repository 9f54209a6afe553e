"""A brute-force nearest-neighbour matcher with Stata's teffects conventions, written
independently of the engine for its tests: matching with replacement in the other arm,
ties at the m-th distance all kept, optional caliper and exact-match groups; frequency
weights of the matched sample; standardized differences and variance ratios as
``tebalance summarize`` defines them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIE = 1e-9  #: distances closer than this are the same distance


def whiten(x: np.ndarray, metric: str = "mahalanobis") -> np.ndarray:
    """Covariates rescaled so that the metric is the Euclidean distance: x·L with
    L·Lᵀ = S⁻¹ (S the sample covariance, or its diagonal for ivariance)."""
    s = np.cov(x, rowvar=False)
    if metric == "ivariance":
        s = np.diag(np.diag(s))
    return x @ np.linalg.cholesky(np.linalg.inv(s))


def match_sets(z: np.ndarray, t: np.ndarray, m: int, rows: np.ndarray,
               caliper: float | None = None,
               group: np.ndarray | None = None) -> dict[int, np.ndarray]:
    """For each i in ``rows``: the other-arm observations within its m-th smallest distance
    (same ``group`` only; no farther than ``caliper``); empty when there is none."""
    out = {}
    for i in rows:
        pool = np.flatnonzero(t != t[i])
        if group is not None:
            pool = pool[group[pool] == group[i]]
        d = np.sqrt(((z[pool] - z[i]) ** 2).sum(axis=1))
        if caliper is not None:
            pool, d = pool[d <= caliper], d[d <= caliper]
        if len(pool) == 0:
            out[int(i)] = pool
            continue
        cut = np.sort(d)[min(m, len(d)) - 1]
        out[int(i)] = pool[d <= cut + TIE]
    return out


def frequency(sets: dict[int, np.ndarray], t: np.ndarray, stat: str) -> np.ndarray:
    """Matched-sample frequency weights: each set spreads a weight of 1 over its members;
    every observation also counts once for itself (ATE), or only the treated do (ATET)."""
    k = np.zeros(len(t))
    for members in sets.values():
        k[members] += 1.0 / len(members)
    return 1 + k if stat == "ate" else np.where(t == 1, 1.0, k)


def balance(x: pd.DataFrame, t: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardized differences and variance ratios, frequency-weighted (divisor Σw − 1)."""
    out = []
    for arm in (1, 0):
        sel = t == arm
        xs, ws = x[sel].to_numpy(float), w[sel]
        mean = np.average(xs, axis=0, weights=ws)
        var = (ws[:, None] * (xs - mean) ** 2).sum(axis=0) / (ws.sum() - 1)
        out.append((mean, var))
    (m1, v1), (m0, v0) = out
    return (m1 - m0) / np.sqrt((v1 + v0) / 2), v1 / v0
