"""Variance estimators shared by the commands: Stata's sandwich and its small-sample factors.

Each estimator computes its own bread (inverse Hessian or ``(X'X)^-1``) and scores; this module
turns them into ``vce(robust)`` or ``vce(cluster g)`` covariances and says which factor Stata
multiplies by, so the factor for each command lives at one call site, next to its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.sample import Weights

#: The ``vce()`` types the estimators understand.
VCE_TYPES = ("ols", "oim", "conventional", "unadjusted", "robust", "cluster")


@dataclass(frozen=True, kw_only=True)
class VceRequest:
    """A parsed ``vce()`` option: its type and, for ``cluster``, the cluster ids of every row."""

    kind: str = "ols"
    clusters: NDArray[np.generic] | None = None
    clustvar: str = ""

    def __post_init__(self) -> None:
        if self.kind not in VCE_TYPES:
            raise StatsError(INVALID_SYNTAX, f"vcetype '{self.kind}' not allowed")
        if self.kind == "cluster" and self.clusters is None:
            raise StatsError(INVALID_SYNTAX, "vce(cluster) needs a cluster variable")

    @property
    def is_robust(self) -> bool:
        """True for the sandwich types (``robust`` and ``cluster``)."""
        return self.kind in ("robust", "cluster")


def vce_for_weights(vce: VceRequest, weights: Weights | None) -> VceRequest:
    """``vce`` as Stata applies it: sampling weights (``pweight``) imply ``vce(robust)``."""
    if weights is not None and weights.kind == "pweight" and not vce.is_robust:
        return VceRequest(kind="robust")
    return vce


def cluster_codes(clusters: NDArray[np.generic]) -> tuple[NDArray[np.intp], int]:
    """Integer codes 0..G-1 for the cluster ids, and G."""
    codes, uniques = pd.factorize(pd.Series(clusters), sort=False)
    return np.asarray(codes, dtype=np.intp), len(uniques)


def sum_by_group(values: FloatArray, codes: NDArray[np.intp], groups: int) -> FloatArray:
    """Column sums of ``values`` (n×k) within each group: a G×k array."""
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=groups)
    out = np.empty((groups, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=groups)
    return out


def meat(scores: FloatArray, codes: NDArray[np.intp] | None, groups: int) -> FloatArray:
    """``Σ s_i s_i'`` over observations, or over cluster sums of the scores."""
    s = scores if codes is None else sum_by_group(scores, codes, groups)
    return s.T @ s


def sandwich(
    bread: FloatArray, scores: FloatArray, codes: NDArray[np.intp] | None, groups: int
) -> FloatArray:
    """``bread · meat · bread`` without any small-sample factor."""
    middle = meat(scores, codes, groups)
    out = bread @ middle @ bread
    return (out + out.T) / 2.0
