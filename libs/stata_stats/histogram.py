"""``histogram``: Stata's bins and bar heights (``twoway__histogram_gen.ado``).

- N counts frequency weights. Default number of bins k = int(min(√N, 10·log10 N)), at least 1;
  ``width(h)`` gives k = ceil((max − start)/h); otherwise h = (max − start)/k.
- The first bin starts at ``start()`` (default the minimum); bin j holds start + j·h ≤ x <
  start + (j+1)·h, and the maximum falls into the last bin.
- ``discrete``: h is the smallest gap between distinct values (or ``width()``), bins are centred
  on start + h/2 + j·h with start = min − h/2 and k = int((max − start)/h + 0.5).
- Heights: density = freq/(N·h), fraction = freq/N, frequency = freq, percent = 100·freq/N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from libs.stata_stats.errors import StatsError
from libs.stata_stats.estimation import FloatArray

#: The height scales ``histogram`` offers, with the y-axis title each gives.
SCALES = {"density": "Density", "fraction": "Fraction", "frequency": "Frequency",
          "percent": "Percent"}


@dataclass(frozen=True, kw_only=True)
class Bins:
    """Where the bars go: ``count`` bins of ``width`` from ``lower`` (``start`` as given)."""

    lower: float
    width: float
    count: int
    start: float
    n: float  #: observations, frequency weights summed

    @property
    def edges(self) -> FloatArray:
        """The count + 1 bin boundaries."""
        return self.lower + self.width * np.arange(self.count + 1, dtype=np.float64)

    @property
    def centres(self) -> FloatArray:
        """The middle of every bin."""
        return self.lower + self.width * (np.arange(self.count, dtype=np.float64) + 0.5)


def bins(x: FloatArray, freq: FloatArray | None = None, *, bin_count: int | None = None,
         width: float | None = None, start: float | None = None,
         discrete: bool = False) -> Bins:
    """Stata's bins for the non-missing values of ``x`` (``freq``: frequency weights)."""
    x = np.asarray(x, dtype=np.float64)
    w = np.ones(x.size) if freq is None else np.asarray(freq, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(w) & (w != 0)
    x, w = x[keep], w[keep]
    if x.size == 0:
        raise StatsError(2000, "no observations")
    if discrete and bin_count is not None:
        raise StatsError(198, "options discrete and bin() may not be combined")
    if bin_count is not None and width is not None:
        raise StatsError(198, "options bin() and width() may not be combined")
    n = float(w.sum())
    lo, hi = float(x.min()), float(x.max())
    if lo == hi and width is None:
        width = 1.0
    first = lo
    if start is not None:
        if lo < start and abs(lo - start) / (abs(start) + 1) > 1e-5:
            raise StatsError(198, "option start() may not be larger than minimum of the "
                                  "variable")
        if not discrete:
            lo = start
    else:
        start = first
    if not discrete:
        if width is None:
            count = bin_count or max(1, int(min(math.sqrt(n), 10 * math.log10(n))))
            width = (hi - lo) / count
        else:
            count = max(1, math.ceil((hi - lo) / width))
        return Bins(lower=lo, width=width, count=count, start=start, n=n)
    if width is None:
        values = np.unique(x)
        gaps = np.diff(values)
        width = float(gaps.min()) if gaps.size else 1.0
    lower = lo - width / 2
    return Bins(lower=lower, width=width, count=int((hi - lower) / width + 0.5), start=start,
                n=n)


def counts(x: FloatArray, spec: Bins, freq: FloatArray | None = None) -> FloatArray:
    """How many observations (frequency-weighted) fall into each bin."""
    x = np.asarray(x, dtype=np.float64)
    w = np.ones(x.size) if freq is None else np.asarray(freq, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(w)
    index = np.floor((x[keep] - spec.lower) / spec.width).astype(np.int64)
    index = np.clip(index, 0, spec.count - 1)
    return np.bincount(index, weights=w[keep], minlength=spec.count).astype(np.float64)


def heights(freqs: FloatArray, spec: Bins, scale: str = "density",
            n: float | None = None) -> FloatArray:
    """Bar heights on ``scale`` (density, fraction, frequency, percent); ``n`` defaults to
    the observations the bins were made from."""
    total = spec.n if n is None else n
    if scale == "density":
        return freqs / (total * spec.width)
    if scale == "fraction":
        return freqs / total
    if scale == "percent":
        return 100 * freqs / total
    return freqs
