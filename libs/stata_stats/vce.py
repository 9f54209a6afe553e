"""The variance of the estimates, one function for every estimator: :func:`covariance`.

Each estimator brings its bread (``(X'WX)⁻¹`` or the inverse of minus the Hessian), the
regressors and per-row score factor (a residual, or the derivative of the log likelihood), and
the residual df its small-sample factor divides by; this module returns the conventional
``σ²·bread`` or Stata's sandwich for ``vce(robust)``/``vce(cluster g)``, with what ``e()``
posts about it. The factor's df stays at the estimator's call site, next to its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.sample import Sample, Weights

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


@dataclass(frozen=True, kw_only=True)
class Covariance:
    """``e(V)`` and what Stata posts with it."""

    V: FloatArray
    kind: str  #: ``e(vce)``
    robust: bool  #: ``e(vcetype)`` is "Robust"
    clusters: int = 0  #: ``e(N_clust)`` under ``vce(cluster)``
    clustvar: str = ""  #: ``e(clustvar)``

    def t_df(self, df_resid: float) -> float:
        """The df of the t statistics: G−1 under ``vce(cluster)``, else ``df_resid``."""
        return float(self.clusters - 1) if self.clusters else float(df_resid)

    def post(self, scalars: dict[str, float], macros: dict[str, str]) -> None:
        """Add ``e(vce)``, ``e(vcetype)``, ``e(N_clust)`` and ``e(clustvar)``."""
        macros["vce"] = self.kind
        if self.robust:
            macros["vcetype"] = "Robust"
        if self.clusters:
            scalars["N_clust"] = float(self.clusters)
            macros["clustvar"] = self.clustvar


def covariance(
    bread: FloatArray,
    X: FloatArray,
    score: FloatArray,
    sample: Sample,
    vce: VceRequest,
    *,
    cons: bool,
    sigma2: float,
    df_resid: float | None,
    conventional: str,
) -> Covariance:
    """The covariance of the estimates under ``vce``.

    Without a sandwich type it is ``sigma2 · bread`` (``e(vce)`` = ``conventional``: "ols",
    "oim" ...). With one, the scores are the rows of ``X`` (and a constant column last when
    ``cons``) times ``score`` and the row weights, summed within clusters, and Stata's factor
    is robust × N/``df_resid``, cluster × G/(G−1)·(N−1)/``df_resid`` (missing with one
    cluster); ``df_resid`` None means no factor at all (``ivregress`` without ``small``).
    """
    if not vce.is_robust:
        return Covariance(V=bread * sigma2, kind=conventional, robust=False)
    n = sample.n_obs
    if sample.clusters is None:
        raw = sandwich(bread, _scores(X, cons, sample.score_weights * score), None, 0)
        V = raw if df_resid is None else raw * n / df_resid
        return Covariance(V=V, kind=vce.kind, robust=True)
    g = sample.clusters.count
    raw = sandwich(bread, _scores(X, cons, sample.w * score), sample.clusters.codes, g)
    factor = 1.0
    if df_resid is not None:
        factor = g / (g - 1) * (n - 1) / df_resid if g > 1 else np.nan
    return Covariance(V=raw * factor, kind=vce.kind, robust=True, clusters=g,
                      clustvar=vce.clustvar)


def _scores(X: FloatArray, cons: bool, factor: FloatArray) -> FloatArray:
    """Rows of ``[X, 1]`` (or ``X``) times ``factor``, built without an intermediate ``[X, 1]``."""
    n, k = X.shape
    out = np.empty((n, k + (1 if cons else 0)))
    np.multiply(X, factor[:, None], out=out[:, :k])
    if cons:
        out[:, k] = factor
    return out
