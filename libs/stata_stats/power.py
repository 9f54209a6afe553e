"""Power and sample size of ``power onemean``, ``power twomeans`` and ``power
twoproportions`` ([PSS] power): the power of a test at given sample sizes, and the smallest
integer sample size that reaches a target power (Stata rounds sample sizes up).

- onemean: t test (noncentral t with n − 1 df, δ = (ma − m0)√n/sd), or z with ``knownsd``.
- twomeans: two-sample t test, df = n1 + n2 − 2 with a common sd; with sd1 ≠ sd2,
  Satterthwaite's df; z with ``knownsds``.
- twoproportions: Pearson's χ² (the pooled z) test: power = Φ((|p2 − p1| − z·σ0)/σa) +
  Φ((−|p2 − p1| − z·σ0)/σa), σ0² = p̄(1 − p̄)(1/n1 + 1/n2) with p̄ the n-weighted mean of the
  proportions, σa² = p1(1 − p1)/n1 + p2(1 − p2)/n2.

Two-sided tests count both rejection tails; ``onesided`` uses α in the tail of the effect.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats as st

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError

MAX_N = 10**8


def _tails(alpha: float, onesided: bool) -> float:
    return alpha if onesided else alpha / 2


def t_power(noncentrality: float, df: float, alpha: float, onesided: bool) -> float:
    """Power of a t test with the given noncentrality (the effect's sign is irrelevant)."""
    nc = abs(noncentrality)
    crit = float(st.t.isf(_tails(alpha, onesided), df))
    power = float(st.nct.sf(crit, df, nc))
    if not onesided:
        power += float(st.nct.cdf(-crit, df, nc))
    return power


def z_power(shift: float, alpha: float, onesided: bool, ratio: float = 1.0) -> float:
    """Power of a z test whose statistic is N(shift, ratio²) under the alternative with
    critical value z·(1/ratio) (``ratio`` = σ0/σa for tests with two variances)."""
    crit = float(st.norm.isf(_tails(alpha, onesided))) * ratio
    power = float(st.norm.sf(crit - abs(shift)))
    if not onesided:
        power += float(st.norm.cdf(-crit - abs(shift)))
    return power


def onemean_power(n: float, m0: float, ma: float, sd: float, alpha: float, *,
                  onesided: bool = False, knownsd: bool = False) -> float:
    """Power of the one-sample mean test with n observations."""
    shift = (ma - m0) * math.sqrt(n) / sd
    return z_power(shift, alpha, onesided) if knownsd else t_power(shift, n - 1, alpha,
                                                                    onesided)


def twomeans_power(n1: float, n2: float, m1: float, m2: float, sd1: float, sd2: float,
                   alpha: float, *, onesided: bool = False, knownsds: bool = False) -> float:
    """Power of the two-sample mean test with group sizes n1 and n2."""
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    shift = (m2 - m1) / math.sqrt(v1 + v2)
    if knownsds:
        return z_power(shift, alpha, onesided)
    if sd1 == sd2:
        pooled = sd1 * math.sqrt(1 / n1 + 1 / n2)
        return t_power((m2 - m1) / pooled, n1 + n2 - 2, alpha, onesided)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    return t_power(shift, df, alpha, onesided)


def twoproportions_power(n1: float, n2: float, p1: float, p2: float, alpha: float, *,
                         onesided: bool = False) -> float:
    """Power of Pearson's χ² test of two proportions with group sizes n1 and n2."""
    pbar = (n1 * p1 + n2 * p2) / (n1 + n2)
    sd0 = math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
    sda = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return z_power((p2 - p1) / sda, alpha, onesided, sd0 / sda)


def smallest_n(power_at: Callable[[int], float], target: float, first: int) -> int:
    """The smallest integer n ≥ ``first`` with ``power_at(n) ≥ target`` (power rises with n):
    doubling, then bisection."""
    if not 0 < target < 1:
        raise StatsError(INVALID_SYNTAX, "power() must be between 0 and 1")
    low, high = first - 1, first
    while power_at(high) < target:
        low, high = high, high * 2
        if high > MAX_N:
            raise StatsError(INVALID_SYNTAX, "sample size exceeds 100,000,000; the effect is "
                                             "too small for the requested power")
    while high - low > 1:
        middle = (low + high) // 2
        if power_at(middle) >= target:
            high = middle
        else:
            low = middle
    return high


def group_sizes(n1: int, nratio: float) -> tuple[int, int]:
    """Group sizes for n1 in the first group and n2 = ⌈n1·nratio⌉ in the second."""
    return n1, int(np.ceil(n1 * nratio - 1e-9))
