"""The statistics of resampling prefixes, as Stata's [R] bootstrap and [R] permute define them.

Bootstrap (k replicates θ*ᵢ of a statistic θ̂ observed on the data):

- standard error  se = sqrt(Σ(θ*ᵢ − θ̄*)² / (k − 1)); bias = θ̄* − θ̂;
- normal interval θ̂ ± z₁₋α/₂ · se;
- percentile interval: the α/2 and 1 − α/2 percentiles of the θ*ᵢ (Stata's ``_pctile``);
- bias-corrected: z₀ = Φ⁻¹(#{θ*ᵢ ≤ θ̂}/k), percentiles Φ(2z₀ ∓ z₁₋α/₂).

Permutation: with the replicates T of the statistic under permutation, c = #{|T| ≥ |T(obs)|}
(or T ≤ T(obs) with ``left``, T ≥ T(obs) with ``right``; compared with a 1e-7 tolerance),
p = c/n, se = sqrt(p(1 − p)/n), and the exact (Clopper–Pearson) binomial interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.summary import percentiles

#: permute's tolerance in comparing a replicate with the observed statistic
PERMUTE_EPS = 1e-7


@dataclass(frozen=True, kw_only=True)
class BootstrapSummary:
    """Per statistic (columns): replicates used, mean, bias, se, z0 and the intervals
    (2 × k matrices: lower and upper limit)."""

    n_reps: FloatArray
    mean: FloatArray
    bias: FloatArray
    se: FloatArray
    z0: FloatArray
    ci_normal: FloatArray
    ci_percentile: FloatArray
    ci_bc: FloatArray


def bootstrap_summary(observed: FloatArray, replicates: FloatArray, level: float = 95.0
                      ) -> BootstrapSummary:
    """Summaries of ``replicates`` (reps × k, NaN for failed ones) around ``observed`` (k)."""
    k = len(observed)
    alpha = (100.0 - level) / 100.0
    crit = float(stats.norm.isf(alpha / 2))
    out = {name: np.full(k, np.nan) for name in ("n", "mean", "bias", "se", "z0")}
    cis = {name: np.full((2, k), np.nan) for name in ("normal", "percentile", "bc")}
    for j in range(k):
        draws = replicates[:, j][np.isfinite(replicates[:, j])]
        n = draws.size
        out["n"][j] = n
        if n == 0:
            continue
        mean = float(draws.mean())
        se = float(draws.std(ddof=1)) if n > 1 else np.nan
        out["mean"][j], out["bias"][j], out["se"][j] = mean, mean - observed[j], se
        cis["normal"][:, j] = observed[j] - crit * se, observed[j] + crit * se
        ones = np.ones(n)
        cis["percentile"][:, j] = percentiles(draws, ones, (50 * alpha, 100 - 50 * alpha))
        share = float(np.mean(draws <= observed[j]))
        z0 = float(stats.norm.ppf(share))
        out["z0"][j] = z0
        if np.isfinite(z0):
            p1 = 100 * float(stats.norm.cdf(2 * z0 - crit))
            p2 = 100 * float(stats.norm.cdf(2 * z0 + crit))
            cis["bc"][:, j] = percentiles(draws, ones, (p1, p2))
    return BootstrapSummary(n_reps=out["n"], mean=out["mean"], bias=out["bias"], se=out["se"],
                            z0=out["z0"], ci_normal=cis["normal"],
                            ci_percentile=cis["percentile"], ci_bc=cis["bc"])


def bootstrap_covariance(replicates: FloatArray) -> FloatArray:
    """e(V): the covariance of the replicates (1/(k − 1)), over replicates with no missing."""
    complete = replicates[np.isfinite(replicates).all(axis=1)]
    if complete.shape[0] < 2:
        return np.full((replicates.shape[1],) * 2, np.nan)
    return np.atleast_2d(np.cov(complete, rowvar=False, ddof=1))


@dataclass(frozen=True, kw_only=True)
class PermutationSummary:
    """Per statistic: c, n, p = c/n, se(p) and the exact interval (2 × k)."""

    c: FloatArray
    n: FloatArray
    p: FloatArray
    se: FloatArray
    ci: FloatArray


def permutation_summary(observed: FloatArray, replicates: FloatArray, event: str = "both",
                        level: float = 95.0) -> PermutationSummary:
    """Monte Carlo p-values of ``observed`` against the permutation ``replicates``
    (reps × k); ``event`` is ``both`` (|T| ≥ |T(obs)|), ``left`` or ``right``."""
    k = len(observed)
    c, n = np.zeros(k), np.zeros(k)
    for j in range(k):
        draws = replicates[:, j][np.isfinite(replicates[:, j])]
        if event == "left":
            hits = draws <= observed[j] + PERMUTE_EPS
        elif event == "right":
            hits = draws >= observed[j] - PERMUTE_EPS
        else:
            hits = np.abs(draws) >= abs(observed[j]) - PERMUTE_EPS
        c[j], n[j] = float(hits.sum()), float(draws.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = c / n
        se = np.sqrt(p * (1 - p) / n)
    ci = np.vstack(exact_binomial_interval(c, n, level))
    return PermutationSummary(c=c, n=n, p=p, se=se, ci=ci)


def exact_binomial_interval(c: FloatArray, n: FloatArray, level: float = 95.0
                            ) -> tuple[FloatArray, FloatArray]:
    """Clopper–Pearson interval for c successes in n trials (``cii proportions``' default)."""
    alpha = (100.0 - level) / 100.0
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(c > 0, stats.beta.ppf(alpha / 2, c, n - c + 1), 0.0)
        upper = np.where(c < n, stats.beta.ppf(1 - alpha / 2, c + 1, n - c), 1.0)
    return lower, upper
