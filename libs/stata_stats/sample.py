"""The estimation sample: listwise deletion and Stata's weight types.

Stata drops an observation when any variable of the command (dependent, regressors, weight,
cluster id) is missing, and when its weight is zero. ``aweight``/``pweight`` are rescaled to
sum to the number of observations; ``fweight`` replicates rows, so ``N`` is their sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from libs.stata_stats.errors import (
    NEGATIVE_WEIGHTS,
    NO_OBSERVATIONS,
    NONINTEGER_WEIGHTS,
    StatsError,
)
from libs.stata_stats.estimation import FloatArray

#: Stata's weight types, by their full names (``e(wtype)``).
WEIGHT_TYPES = ("aweight", "fweight", "pweight", "iweight")


@dataclass(frozen=True, kw_only=True)
class Weights:
    """A ``[wtype=exp]`` clause: the type and the weight of every row."""

    kind: str
    values: FloatArray

    def __post_init__(self) -> None:
        if self.kind not in WEIGHT_TYPES:
            raise StatsError(198, f"{self.kind} not allowed")


def complete(*arrays: NDArray[np.generic] | None) -> NDArray[np.bool_]:
    """Rows where every given array (1-D or 2-D) is non-missing."""
    mask: NDArray[np.bool_] | None = None
    for arr in arrays:
        if arr is None:
            continue
        if arr.dtype.kind == "f":
            ok = np.isfinite(arr) if arr.ndim == 1 else np.isfinite(arr).all(axis=1)
        else:
            ok = np.asarray(pd.notna(arr))
            if ok.ndim == 2:
                ok = ok.all(axis=1)
        mask = ok if mask is None else mask & ok
    if mask is None:
        raise StatsError(NO_OBSERVATIONS, "no observations")
    return mask


def estimation_mask(
    y: FloatArray,
    X: FloatArray,
    weights: Weights | None,
    *others: NDArray[np.generic] | None,
) -> NDArray[np.bool_]:
    """Listwise sample of an estimation command; zero weights are left out as Stata does."""
    w = None if weights is None else weights.values
    mask = complete(y, X, w, *others)
    if weights is not None:
        wv = weights.values
        if np.any(wv[mask] < 0):
            raise StatsError(NEGATIVE_WEIGHTS, "negative weights encountered")
        if weights.kind == "fweight" and np.any(wv[mask] != np.round(wv[mask])):
            raise StatsError(NONINTEGER_WEIGHTS, "may not use noninteger frequency weights")
        mask &= wv != 0
    if not mask.any():
        raise StatsError(NO_OBSERVATIONS, "no observations")
    return mask


def effective_weights(weights: Weights | None, mask: NDArray[np.bool_]) -> tuple[FloatArray, float]:
    """Weights as the estimators use them on the sample, and Stata's ``N``.

    ``aweight``/``pweight`` sum to the number of rows; ``fweight``/``iweight`` are used as
    given and ``N`` is their sum (for fweights, the number of replicated observations).
    """
    n = int(mask.sum())
    if weights is None:
        return np.ones(n), float(n)
    w = np.asarray(weights.values[mask], dtype=np.float64)
    if weights.kind in ("aweight", "pweight"):
        return w * (n / w.sum()), float(n)
    return w, float(w.sum())
