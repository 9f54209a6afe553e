"""Rank statistics: Kruskal–Wallis (``kwallis``), Spearman's rho (``spearman``) and Kendall's
tau (``ktau``), as [R] kwallis and [R] spearman define them.

- kwallis: H = 12/(N(N+1)) Σ R_j²/n_j − 3(N+1) on midranks, χ² with k − 1 df; with ties H is
  divided by 1 − Σ(t³ − t)/(N³ − N) (``chi2_adj``).
- spearman: the correlation of the midranks; p from t = ρ√((n−2)/(1−ρ²)) with n − 2 df.
- ktau: S = Σ sign(x_i − x_j)·sign(y_i − y_j) over pairs; τa = S/(n(n−1)/2), τb = S divided by
  √((N0 − N1)(N0 − N2)) (N1, N2 the tied pairs); var(S) with the tie terms of Kendall (1975);
  p two-sided from the continuity-corrected z = (|S| − 1)/√var(S).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats as st

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, NO_OBSERVATIONS, StatsError

FloatArray = NDArray[np.float64]
Scalars = dict[str, float]


def kwallis(y: FloatArray, group: NDArray[np.generic]) -> tuple[Scalars, list[tuple[object, int,
                                                                                   float]]]:
    """r() of ``kwallis y, by(group)`` and the table rows (group, obs, rank sum)."""
    n = y.size
    levels = list(dict.fromkeys(sorted(group.tolist())))
    if len(levels) < 2:
        raise StatsError(NO_OBSERVATIONS, "kwallis needs at least two groups")
    ranks = st.rankdata(y)
    rows = []
    h = 0.0
    for level in levels:
        in_group = group == level
        r = float(ranks[in_group].sum())
        k = int(in_group.sum())
        rows.append((level, k, r))
        h += r * r / k
    h = 12.0 / (n * (n + 1.0)) * h - 3.0 * (n + 1.0)
    _, counts = np.unique(y, return_counts=True)
    correction = 1.0 - float(np.sum(counts**3.0 - counts)) / (n**3.0 - n)
    df = len(levels) - 1.0
    h_adj = h / correction
    scalars = {"df": df, "chi2": h, "p": float(st.chi2.sf(h, df)), "chi2_adj": h_adj,
               "p_adj": float(st.chi2.sf(h_adj, df))}
    return scalars, rows


def spearman(x: FloatArray, y: FloatArray) -> Scalars:
    """r(N), r(rho), r(p) of ``spearman x y`` (rows complete in both)."""
    n = x.size
    if n < 2:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    rho = float(np.corrcoef(st.rankdata(x), st.rankdata(y))[0, 1])
    if n < 3 or not np.isfinite(rho):
        return {"N": float(n), "rho": rho, "p": np.nan}
    if abs(rho) >= 1.0:
        return {"N": float(n), "rho": rho, "p": 0.0}
    t = rho * np.sqrt((n - 2.0) / (1.0 - rho * rho))
    return {"N": float(n), "rho": rho, "p": float(2.0 * st.t.sf(abs(t), n - 2.0))}


def ktau(x: FloatArray, y: FloatArray) -> Scalars:
    """r(N), r(tau_a), r(tau_b), r(score), r(se_score), r(p) of ``ktau x y``."""
    n = x.size
    if n < 2:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    score = 0.0
    for i in range(n - 1):  # O(n²) in blocks of rows: exact integer arithmetic
        score += float(np.sum(np.sign(x[i + 1:] - x[i]) * np.sign(y[i + 1:] - y[i])))
    pairs = n * (n - 1.0) / 2.0
    tx, ty = _tie_counts(x), _tie_counts(y)
    n1 = float(np.sum(tx * (tx - 1.0))) / 2.0
    n2 = float(np.sum(ty * (ty - 1.0))) / 2.0
    var = (n * (n - 1.0) * (2.0 * n + 5.0) - float(np.sum(tx * (tx - 1.0) * (2.0 * tx + 5.0)))
           - float(np.sum(ty * (ty - 1.0) * (2.0 * ty + 5.0)))) / 18.0
    if n > 2:
        var += (float(np.sum(tx * (tx - 1.0) * (tx - 2.0)))
                * float(np.sum(ty * (ty - 1.0) * (ty - 2.0)))) / (9.0 * n * (n - 1.0) * (n - 2.0))
    var += (4.0 * n1 * n2) / (2.0 * n * (n - 1.0))
    se = float(np.sqrt(var))
    denominator = np.sqrt((pairs - n1) * (pairs - n2))
    tau_b = score / denominator if denominator > 0 else np.nan
    p = float(2.0 * st.norm.sf((abs(score) - 1.0) / se)) if se > 0 else np.nan
    return {"N": float(n), "tau_a": score / pairs, "tau_b": float(tau_b), "score": score,
            "se_score": se, "p": min(p, 1.0)}


def _tie_counts(v: FloatArray) -> FloatArray:
    """Sizes of the groups of tied values (1 for untied values)."""
    _, counts = np.unique(v, return_counts=True)
    return counts.astype(np.float64)
