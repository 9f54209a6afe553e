"""Stata's percentile, as ``summarize, detail``, ``_pctile``, ``egen`` and ``collapse`` use it."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt


def percentile(values: npt.NDArray[np.float64], p: float,
               weights: npt.NDArray[np.float64] | None = None) -> float:
    """The p-th percentile as ``summarize, detail``/``_pctile``/``egen pctile`` define it.

    Unweighted: with sorted x(1..n) and P = n·p/100, x(⌈P⌉) if P is not an integer, else the
    mean of x(P) and x(P+1).  Missing values are ignored.
    """
    x = values[~np.isnan(values)]
    if weights is not None:
        w = weights[~np.isnan(values)]
        order = np.argsort(x, kind="stable")
        x, w = x[order], w[order]
        cum = np.cumsum(w)
        target = cum[-1] * p / 100
        i = int(np.searchsorted(cum, target, side="left"))
        if i < len(x) - 1 and math.isclose(cum[i], target):
            return float((x[i] + x[i + 1]) / 2)
        return float(x[min(i, len(x) - 1)]) if len(x) else math.nan
    n = len(x)
    if n == 0:
        return math.nan
    x = np.sort(x)
    pos = n * p / 100
    k = math.floor(pos)
    if pos == k:
        if k == 0:
            return float(x[0])
        if k >= n:
            return float(x[-1])
        return float((x[k - 1] + x[k]) / 2)
    return float(x[min(math.ceil(pos), n) - 1])


def percentile_altdef(values: npt.NDArray[np.float64], p: float) -> float:
    """The p-th percentile with ``altdef`` (``pctile``, ``xtile``, ``_pctile``): with sorted
    x(1..n) and h = (n+1)·p/100, x(⌊h⌋) + (h − ⌊h⌋)·(x(⌊h⌋+1) − x(⌊h⌋)), held at x(1) below
    and x(n) above."""
    x = np.sort(values[~np.isnan(values)])
    n = len(x)
    if n == 0:
        return math.nan
    h = (n + 1) * p / 100
    k = math.floor(h)
    if k < 1:
        return float(x[0])
    if k >= n:
        return float(x[-1])
    return float(x[k - 1] + (h - k) * (x[k] - x[k - 1]))
