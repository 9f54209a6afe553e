"""Confidence intervals of ``ci``/``cii`` ([R] ci): means (t, or exact Poisson), proportions
(exact Clopper–Pearson, Wald, Wilson, Agresti–Coull, Jeffreys) and variances (χ²).

- means: se = √(Var/N), mean ± t(N−1)·se; Poisson: mean = events/exposure, se = √events /
  exposure, limits χ²(α/2; 2x)/2 and χ²(1−α/2; 2x+2)/2 over the exposure.
- proportions: se = √(p(1−p)/n) for every type; exact limits are Beta quantiles (0 and 1 at
  x = 0 and x = n); Wilson's score interval; Agresti–Coull's Wald interval at ñ = n + z² and
  p̃ = (x + z²/2)/ñ; Jeffreys' Beta(x + ½, n − x + ½) quantiles (0 at x = 0, 1 at x = n).
- variances: (N−1)s²/χ²(1−α/2; N−1) and (N−1)s²/χ²(α/2; N−1); ``sd`` takes square roots.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError

Scalars = dict[str, float]
PROPORTION_TYPES = ("exact", "wald", "wilson", "agresti", "jeffreys")


def _alpha(level: float) -> float:
    if not 10.0 <= level <= 99.99:
        raise StatsError(INVALID_SYNTAX, "level() must be between 10 and 99.99 inclusive")
    return 1.0 - level / 100.0


def mean_interval(n: float, mean: float, sd: float, level: float = 95.0) -> Scalars:
    """r() of ``ci means`` / ``cii means #obs #mean #sd``."""
    alpha = _alpha(level)
    se = sd / np.sqrt(n) if n > 0 else np.nan
    half = float(st.t.isf(alpha / 2, n - 1) * se) if n > 1 else np.nan
    return {"N": n, "mean": mean, "se": float(se), "lb": mean - half, "ub": mean + half,
            "level": level}


def poisson_interval(exposure: float, events: float, level: float = 95.0) -> Scalars:
    """r() of ``ci means, poisson`` / ``cii means #exposure #events, poisson``."""
    alpha = _alpha(level)
    if exposure <= 0 or events < 0:
        raise StatsError(INVALID_SYNTAX, "exposure must be positive and events nonnegative")
    lb = float(st.chi2.ppf(alpha / 2, 2 * events)) / 2 if events > 0 else 0.0
    ub = float(st.chi2.ppf(1 - alpha / 2, 2 * events + 2)) / 2
    return {"N": exposure, "mean": events / exposure, "se": float(np.sqrt(events)) / exposure,
            "lb": lb / exposure, "ub": ub / exposure, "level": level}


def proportion_interval(n: float, successes: float, level: float = 95.0,
                        kind: str = "exact") -> Scalars:
    """r() of ``ci proportions`` / ``cii proportions #obs #successes``."""
    alpha = _alpha(level)
    if n <= 0 or not 0 <= successes <= n:
        raise StatsError(INVALID_SYNTAX, "successes must be between 0 and the observations")
    x = successes
    p = x / n
    z = float(st.norm.isf(alpha / 2))
    se = float(np.sqrt(p * (1 - p) / n))
    if kind == "exact":
        lb = float(st.beta.ppf(alpha / 2, x, n - x + 1)) if x > 0 else 0.0
        ub = float(st.beta.isf(alpha / 2, x + 1, n - x)) if x < n else 1.0
    elif kind == "wald":
        lb, ub = p - z * se, p + z * se
    elif kind == "wilson":
        centre = (x + z * z / 2) / (n + z * z)
        half = z * np.sqrt(n) / (n + z * z) * np.sqrt(p * (1 - p) + z * z / (4 * n))
        lb, ub = centre - half, centre + half
    elif kind == "agresti":
        n_t = n + z * z
        p_t = (x + z * z / 2) / n_t
        half = z * np.sqrt(p_t * (1 - p_t) / n_t)
        lb, ub = p_t - half, p_t + half
    elif kind == "jeffreys":
        lb = float(st.beta.ppf(alpha / 2, x + 0.5, n - x + 0.5)) if x > 0 else 0.0
        ub = float(st.beta.isf(alpha / 2, x + 0.5, n - x + 0.5)) if x < n else 1.0
    else:
        raise StatsError(INVALID_SYNTAX, f"unknown interval type {kind}")
    return {"N": n, "proportion": p, "se": se, "lb": float(lb), "ub": float(ub),
            "level": level}


def variance_interval(n: float, variance: float, level: float = 95.0, *,
                      sd: bool = False) -> Scalars:
    """r() of ``ci variances`` / ``cii variances #obs #variance`` (``sd``: of the standard
    deviation)."""
    alpha = _alpha(level)
    if n < 2:
        raise StatsError(2001, "insufficient observations")
    lb = (n - 1) * variance / float(st.chi2.isf(alpha / 2, n - 1))
    ub = (n - 1) * variance / float(st.chi2.ppf(alpha / 2, n - 1))
    if sd:
        return {"N": n, "sd": float(np.sqrt(variance)), "lb": float(np.sqrt(lb)),
                "ub": float(np.sqrt(ub)), "level": level}
    return {"N": n, "Var": variance, "lb": lb, "ub": ub, "level": level}
