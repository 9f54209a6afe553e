"""What the multi-parameter ML commands (ologit, mlogit, nbreg, tobit, xtlogit ...) share:
the regressors left after Stata's collinearity check, the covariance from the per-row scores,
and the model test.

Stata's conventions for every ``ml`` command: the default VCE is the observed information
(``e(vce)`` = ``oim``); ``vce(robust)`` is the sandwich of the scores times N/(N−1);
``vce(cluster g)`` sums the scores within clusters and multiplies by G/(G−1); the model test is
LR against the constant-only model with ``oim`` and Wald with a sandwich.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from libs.stata_stats.collinear import collinear_terms
from libs.stata_stats.errors import NO_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.likelihood import MLFit
from libs.stata_stats.sample import Sample, Weights, estimation_mask
from libs.stata_stats.vce import Covariance, VceRequest, covariance, vce_for_weights
from libs.stata_stats.wald import wald_statistic


@dataclass(frozen=True, kw_only=True)
class MLSample:
    """An ML command's estimation sample: the VCE as weights imply it, the rows, y and X."""

    vce: VceRequest
    sample: Sample
    y: FloatArray  #: the dependent variable on the sample rows
    X: FloatArray  #: the regressors on the sample rows

    @property
    def mask(self) -> NDArray[np.bool_]:
        """``e(sample)`` over the input rows."""
        return self.sample.mask


def ml_sample(y: FloatArray, X: FloatArray, weights: Weights | None, vce: VceRequest | None,
              *others: NDArray[np.generic] | None) -> MLSample:
    """Listwise sample of an ML command (``others``: offsets and the like must be there too);
    ``pweight`` implies ``vce(robust)``; the log likelihood is weighted as given."""
    request = vce_for_weights(vce or VceRequest(kind="oim"), weights)
    mask = estimation_mask(y, X, weights, request.clusters, *others)
    sample = Sample.likelihood(mask, weights, request.clusters)
    return MLSample(vce=request, sample=sample, y=y[mask], X=X[mask])


@dataclass(frozen=True, kw_only=True)
class Regressors:
    """The regressors an ML model estimates: the kept columns and Stata's notes."""

    keep: NDArray[np.intp]  #: indices of the columns kept
    omitted: tuple[bool, ...]  #: per input column: base, ``o.`` or collinear
    notes: tuple[str, ...]  #: "note: x omitted because of collinearity."


def regressors(X: FloatArray, w: FloatArray, names: tuple[str, ...],
               preomitted: tuple[bool, ...] | None, *, centered: bool = True) -> Regressors:
    """Stata's ``_rmcoll`` on the sample rows ``X`` (weighted, centered when the model has a
    constant or cutpoints that play its part)."""
    k = X.shape[1]
    before = tuple(preomitted) if preomitted is not None else (False,) * k
    Xc = X - (w @ X) / w.sum() if centered else X
    omitted = collinear_terms((Xc * w[:, None]).T @ Xc, before)
    notes = tuple(
        f"note: {names[j]} omitted because of collinearity."
        for j in range(k) if omitted[j] and not before[j]
    )
    return Regressors(keep=np.flatnonzero(~np.asarray(omitted, dtype=bool)), omitted=omitted,
                      notes=notes)


def ml_covariance(fit: MLFit, scores: FloatArray, sample: Sample, vce: VceRequest) -> Covariance:
    """``e(V)`` of an ML fit from ``(-H)⁻¹`` and the per-row scores (n×p, unweighted)."""
    n = scores.shape[0]
    # the ML commands' sandwich factor: N/(N−1) robust, G/(G−1) clustered
    return covariance(fit.neg_hessian_inv, scores, np.ones(n), sample, vce, cons=False,
                      sigma2=1.0, df_resid=sample.n_obs - 1, conventional="oim")


def model_test(b: FloatArray, V: FloatArray, tested: NDArray[np.intp],
               omitted: tuple[bool, ...], robust: bool, ll: float,
               ll_0: float) -> dict[str, float | str]:
    """``e(chi2)``, ``e(p)``, ``e(df_m)`` and ``e(chi2type)``: LR against the constant-only
    model (``ll_0``), or Wald on the ``tested`` coefficients under a sandwich VCE."""
    df_m = int(sum(not omitted[j] for j in tested))
    if robust:
        chi2, _ = wald_statistic(b, V, tested, omitted)
        kind = "Wald"
    else:
        chi2 = 2.0 * (ll - ll_0)
        kind = "LR"
    p = float(stats.chi2.sf(chi2, df_m)) if df_m else np.nan
    return {"chi2": float(chi2), "p": p, "df_m": float(df_m), "chi2type": kind}


def outcome_codes(y: FloatArray) -> tuple[FloatArray, NDArray[np.intp]]:
    """The distinct outcomes of a categorical dependent variable (sorted) and each
    observation's index among them; one that does not vary has nothing to estimate."""
    values, codes = np.unique(y, return_inverse=True)
    if values.size < 2:
        raise StatsError(NO_OBSERVATIONS, "outcome does not vary")
    return values, codes


def post_model_test(scalars: dict[str, float], macros: dict[str, str], b: FloatArray,
                    V: FloatArray, tested: NDArray[np.intp], omitted: tuple[bool, ...],
                    robust: bool, ll: float, ll_0: float) -> None:
    """Store ``model_test``'s results and McFadden's pseudo-R² (``e(r2_p)``) as a
    discrete-choice ML command's ``e()`` carries them."""
    test = model_test(b, V, tested, omitted, robust, ll, ll_0)
    macros["chi2type"] = str(test.pop("chi2type"))
    scalars.update({key: float(v) for key, v in test.items()})
    scalars["r2_p"] = 1.0 - ll / ll_0
