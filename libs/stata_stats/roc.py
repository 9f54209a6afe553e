"""The nonparametric ROC area of ``roctab`` ([R] roctab): the Mann–Whitney probability that
a positive case rates higher than a negative one (ties count one half), its standard error by
DeLong, DeLong and Clarke-Pearson (1988) — with ψ_ij = 1, ½, 0 as positive i rates above, equal
to or below negative j, V10_i = mean_j ψ_ij, V01_j = mean_i ψ_ij and se² = var(V10)/n1 +
var(V01)/n0 — and the asymptotic normal interval area ± z·se."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats as st

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError

FloatArray = NDArray[np.float64]


def roc_area(positive: FloatArray, negative: FloatArray, level: float = 95.0) -> dict[str, float]:
    """r(N), r(area), r(se), r(lb), r(ub) for the ratings of positive and negative cases
    (frequency weights: repeat the ratings)."""
    n1, n0 = positive.size, negative.size
    if n1 < 2 or n0 < 2:
        raise StatsError(INSUFFICIENT_OBSERVATIONS,
                         "roctab needs at least two positive and two negative outcomes")
    neg_sorted = np.sort(negative)
    below = np.searchsorted(neg_sorted, positive, side="left")
    ties = np.searchsorted(neg_sorted, positive, side="right") - below
    v10 = (below + 0.5 * ties) / n0
    pos_sorted = np.sort(positive)
    above = n1 - np.searchsorted(pos_sorted, negative, side="right")
    ties0 = np.searchsorted(pos_sorted, negative, side="right") - np.searchsorted(
        pos_sorted, negative, side="left")
    v01 = (above + 0.5 * ties0) / n1
    area = float(v10.mean())
    se = float(np.sqrt(v10.var(ddof=1) / n1 + v01.var(ddof=1) / n0))
    z = float(st.norm.isf((1 - level / 100) / 2))
    return {"N": float(n1 + n0), "area": area, "se": se, "lb": area - z * se,
            "ub": area + z * se}
