"""The estimation sample every estimator works on: listwise deletion, Stata's weight types,
and :class:`Sample`.

Stata drops an observation when any variable of the command (dependent, regressors, weight,
cluster id) is missing, and when its weight is zero. In the linear models ``aweight``/``pweight``
are rescaled to sum to the number of observations; ``fweight`` replicates rows, so ``N`` is
their sum.
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


@dataclass(frozen=True, kw_only=True)
class Clusters:
    """The ``vce(cluster)`` groups of the sample rows."""

    codes: NDArray[np.intp]  #: 0..count-1 per sample row
    count: int  #: G, the number of clusters


@dataclass(frozen=True, kw_only=True)
class Sample:
    """The estimation sample of one command, as every estimator needs it.

    Build it with :meth:`linear` (regress, areg, xtreg, ivregress) or :meth:`likelihood`
    (logit, probit, poisson) from the listwise mask of :func:`estimation_mask`.
    """

    mask: NDArray[np.bool_]  #: input rows in the sample (``e(sample)``)
    weights: Weights | None  #: the ``[wtype=exp]`` clause over all input rows
    w: FloatArray  #: the weight of each sample row as the estimator uses it (ones: unweighted)
    n_obs: float  #: Stata's ``N`` (replicated rows for fweights)
    clusters: Clusters | None  #: the ``vce(cluster)`` groups, if any

    @classmethod
    def linear(
        cls, mask: NDArray[np.bool_], weights: Weights | None, clusters: NDArray[np.generic] | None
    ) -> Sample:
        """A linear model's sample: ``aweight``/``pweight`` are rescaled to sum to the number
        of rows; ``fweight``/``iweight`` are used as given and ``N`` is their sum."""
        n = int(mask.sum())
        if weights is None:
            return cls._of(mask, weights, np.ones(n), float(n), clusters)
        w = np.asarray(weights.values[mask], dtype=np.float64)
        if weights.kind in ("aweight", "pweight"):
            return cls._of(mask, weights, w * (n / w.sum()), float(n), clusters)
        return cls._of(mask, weights, w, float(w.sum()), clusters)

    @classmethod
    def likelihood(
        cls, mask: NDArray[np.bool_], weights: Weights | None, clusters: NDArray[np.generic] | None
    ) -> Sample:
        """An ML model's sample: the log likelihood is weighted by the weights as given, and
        only ``fweight`` counts replicated rows in ``N``."""
        n = float(mask.sum())
        if weights is None:
            return cls._of(mask, weights, np.ones(int(n)), n, clusters)
        w = weights.values[mask].astype(np.float64)
        return cls._of(mask, weights, w, float(w.sum()) if weights.kind == "fweight" else n,
                       clusters)

    @classmethod
    def _of(cls, mask: NDArray[np.bool_], weights: Weights | None, w: FloatArray, n_obs: float,
            clusters: NDArray[np.generic] | None) -> Sample:
        groups = None
        if clusters is not None:
            codes, count = group_codes(clusters[mask])
            groups = Clusters(codes=codes, count=count)
        return cls(mask=mask, weights=weights, w=w, n_obs=n_obs, clusters=groups)

    @property
    def weighted(self) -> bool:
        """Whether the command has a ``[weight]`` clause."""
        return self.weights is not None

    @property
    def fit_weights(self) -> FloatArray | None:
        """The weights a fit takes (None: unweighted, so plain means are used)."""
        return self.w if self.weights is not None else None

    @property
    def score_weights(self) -> FloatArray:
        """What each row's score is multiplied by in a robust variance: fweights replicate
        rows, so a row contributes ``w·s·s'`` (√w per score); other weights scale the score."""
        if self.weights is not None and self.weights.kind == "fweight":
            return np.sqrt(self.w)
        return self.w


def group_codes(ids: NDArray[np.generic]) -> tuple[NDArray[np.intp], int]:
    """Integer codes 0..G-1 for group (or cluster) ids, in order of appearance, and G."""
    codes, uniques = pd.factorize(pd.Series(ids), sort=False)
    return np.asarray(codes, dtype=np.intp), len(uniques)


def sample_rows(mask: NDArray[np.bool_], *arrays: FloatArray) -> list[FloatArray]:
    """The rows of each array in the sample ``mask``; the arrays themselves (no copy) when the
    sample keeps every row, the usual case, where copying a large design costs time and memory
    for nothing. Callers only read them."""
    if mask.all():
        return list(arrays)
    return [a[mask] for a in arrays]
