"""Sun and Abraham (2021), "Estimating dynamic treatment effects in event studies with
heterogeneous treatment effects": the interaction-weighted (IW) estimator of
``eventstudyinteract``.

The cohort × relative-period effects δ_{e,l} come from a two-way fixed-effects regression
on the interactions (the caller runs it); each relative period's IW effect averages them
with the cohorts' shares among the observations at that relative period,
β_l = Σ_e ŝ_{e,l} δ̂_{e,l}. The shares are OLS coefficients of cohort indicators on the
relative-period indicators (untreated control cohort left out) and their covariance the
heteroskedasticity-robust (HC0) sandwich of that system, as ``avar`` computes it. The IW
covariance adds the two parts: W V_δ W' + δ' Σ_s δ per pair of relative periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CohortShares:
    """Shares ``s[e, l]`` (cohorts × relative periods) and their covariance indexed
    ``e · n_periods + l``."""

    shares: FloatArray
    covariance: FloatArray


def cohort_shares(cohorts: NDArray[np.intp], n_cohorts: int,
                  periods: FloatArray) -> CohortShares:
    """OLS of each cohort's indicator on the relative-period indicators ``periods``
    (observations × periods, no constant) over the observations of treated cohorts, with
    the robust covariance (I ⊗ Sxx⁻¹) S (I ⊗ Sxx⁻¹) / N, S = Σ (u ⊗ x)(u ⊗ x)' / N."""
    n, n_periods = periods.shape
    indicators = (cohorts[:, None] == np.arange(n_cohorts)[None, :]).astype(np.float64)
    xtx_inv = np.linalg.pinv(periods.T @ periods)
    coef = xtx_inv @ periods.T @ indicators  # periods × cohorts
    resid = indicators - periods @ coef
    scores = np.einsum("ic,il->icl", resid, periods).reshape(n, n_cohorts * n_periods)
    bread = np.kron(np.eye(n_cohorts), xtx_inv)
    return CohortShares(coef.T, bread @ (scores.T @ scores) @ bread)


def aggregate(delta: FloatArray, delta_cov: FloatArray,
              shares: CohortShares) -> tuple[FloatArray, FloatArray]:
    """IW effects and covariance from δ (cohorts × periods) and its covariance ordered
    period-major (the interactions ``l × e`` with the cohort varying fastest)."""
    n_cohorts, n_periods = delta.shape
    s = shares.shares
    b = (s * delta).sum(axis=0)
    weights = np.zeros((n_periods, n_periods * n_cohorts))
    for period in range(n_periods):
        weights[period, period * n_cohorts:(period + 1) * n_cohorts] = s[:, period]
    V = weights @ delta_cov @ weights.T
    share_cov = shares.covariance.reshape(n_cohorts, n_periods, n_cohorts, n_periods)
    V += np.einsum("ei,eifj,fj->ij", delta, share_cov, delta)
    return b, (V + V.T) / 2
