"""``summarize [, detail]``, ``centile`` and the ``tabstat`` statistics, with Stata's
definitions of the variance, moments and percentiles.

- Variance uses N−1 (``fweight``: Σw−1; ``aweight``: weights rescaled to sum to N first).
- Skewness and kurtosis are the moment ratios m₃/m₂^1.5 and m₄/m₂² (no bias correction).
- ``summarize, detail`` percentile p: with cumulative weights Wᵢ and P = W·p/100, the first
  x₍ᵢ₎ with Wᵢ > P, or the mean of x₍ᵢ₎ and x₍ᵢ₊₁₎ when Wᵢ = P exactly.
- ``centile``: R = (n+1)q/100, linear interpolation between the order statistics around R;
  its default interval ("Binom. Interp.") takes the order statistic x₍ₖ₎ where the binomial
  cdf F(k−1) ≤ α/2 < F(k) and moves toward x₍ₖ₊₁₎ by (α/2 − F(k−1))/(F(k) − F(k−1)); the
  upper limit is the same construction on the reversed sample; a limit that the sample
  cannot reach is held at its minimum or maximum, as Stata notes with ``*``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.errors import NO_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.sample import Weights

#: Percentiles ``summarize, detail`` reports, as ``r(p1)`` ... ``r(p99)``.
DETAIL_PERCENTILES = (1, 5, 10, 25, 50, 75, 90, 95, 99)


@dataclass(frozen=True, kw_only=True)
class Summary:
    """``r()`` of ``summarize``: N, sum_w, mean, Var, sd, min, max, sum, and with ``detail``
    the percentiles, skewness, kurtosis, and the 4 smallest/largest values."""

    scalars: dict[str, float]
    smallest: tuple[float, ...] = ()
    largest: tuple[float, ...] = ()


def _clean(x: FloatArray, weights: Weights | None) -> tuple[FloatArray, FloatArray, str]:
    ok = np.isfinite(x)
    kind = "" if weights is None else weights.kind
    w = np.ones(x.size) if weights is None else np.asarray(weights.values, dtype=np.float64)
    ok &= np.isfinite(w)
    if weights is not None:
        ok &= w != 0
    return x[ok], w[ok], kind


def summarize(x: FloatArray, weights: Weights | None = None, detail: bool = False) -> Summary:
    """Stata's ``summarize varname [weight] [, detail]`` for one variable."""
    xs, w, kind = _clean(np.asarray(x, dtype=np.float64), weights)
    n = xs.size
    if n == 0:
        return Summary(scalars={"N": 0.0, "sum_w": 0.0, "sum": 0.0})
    sum_w = float(w.sum())
    if kind in ("aweight", "pweight"):
        w = w * (n / sum_w)
    n_eff = float(w.sum()) if kind in ("fweight", "iweight") else float(n)
    mean = float(w @ xs) / float(w.sum())
    dev = xs - mean
    var = float(w @ dev**2) / (n_eff - 1) if n_eff > 1 else np.nan
    out = {
        "N": n_eff,
        "sum_w": sum_w,
        "mean": mean,
        "Var": var,
        "sd": float(np.sqrt(var)) if np.isfinite(var) else np.nan,
        "min": float(xs.min()),
        "max": float(xs.max()),
        "sum": float(w @ xs),
    }
    if not detail:
        return Summary(scalars=out)
    m2 = float(w @ dev**2) / float(w.sum())
    out["skewness"] = float(w @ dev**3) / float(w.sum()) / m2**1.5 if m2 > 0 else np.nan
    out["kurtosis"] = float(w @ dev**4) / float(w.sum()) / m2**2 if m2 > 0 else np.nan
    order = np.argsort(xs, kind="stable")
    for p, value in zip(DETAIL_PERCENTILES, percentiles(xs, w, DETAIL_PERCENTILES), strict=True):
        out[f"p{p}"] = value
    sorted_x = xs[order]
    return Summary(
        scalars=out,
        smallest=tuple(float(v) for v in sorted_x[:4]),
        largest=tuple(float(v) for v in sorted_x[-4:]),
    )


def percentiles(x: FloatArray, w: FloatArray, ps: tuple[float, ...]) -> list[float]:
    """Stata's (weighted) percentile definition used by ``summarize, detail``/``tabstat``."""
    order = np.argsort(x, kind="stable")
    xs, cw = x[order], np.cumsum(w[order])
    total = cw[-1]
    out = []
    for p in ps:
        target = total * p / 100.0
        i = int(np.searchsorted(cw, target, side="left"))
        if i < xs.size - 1 and np.isclose(cw[i], target, rtol=1e-12, atol=0.0):
            out.append(float((xs[i] + xs[i + 1]) / 2.0))
        else:
            out.append(float(xs[min(i, xs.size - 1)]))
    return out


def centile(x: FloatArray, q: float) -> float:
    """Stata's ``centile`` point estimate: R = (n+1)q/100 with linear interpolation."""
    xs = np.sort(np.asarray(x, dtype=np.float64)[np.isfinite(x)])
    n = xs.size
    if n == 0:
        raise StatsError(NO_OBSERVATIONS, "no observations")
    r = (n + 1) * q / 100.0
    if r < 1.0:
        return float(xs[0])
    if r >= n:
        return float(xs[-1])
    lo = int(np.floor(r))
    return float(xs[lo - 1] + (r - lo) * (xs[lo] - xs[lo - 1]))


def centile_interval(x: FloatArray, q: float, level: float = 95.0) -> tuple[float, float]:
    """``centile``'s default interpolated binomial confidence interval for centile ``q``."""
    xs = np.sort(np.asarray(x, dtype=np.float64)[np.isfinite(x)])
    alpha = (100.0 - level) / 200.0
    lower = _binomial_limit(xs, q / 100.0, alpha)
    upper = -_binomial_limit(-xs[::-1], 1.0 - q / 100.0, alpha)
    return lower, upper


def _binomial_limit(xs: FloatArray, p: float, alpha: float) -> float:
    """Lower limit: interpolate between x₍ₖ₎ and x₍ₖ₊₁₎ at the binomial tail ``alpha``."""
    n = xs.size
    cdf = stats.binom.cdf(np.arange(n + 1), n, p)  # cdf[j] = P(B ≤ j)
    # k (1-based) with cdf[k-1] ≤ alpha < cdf[k]; 0 means even x₍₁₎ is not low enough
    k = int(np.searchsorted(cdf, alpha, side="right"))
    if k == 0:
        return float(xs[0])
    if k >= n:
        return float(xs[-1])
    frac = (alpha - cdf[k - 1]) / (cdf[k] - cdf[k - 1])
    return float(xs[k - 1] + frac * (xs[k] - xs[k - 1]))
