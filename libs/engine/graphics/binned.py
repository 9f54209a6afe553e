"""``binscatter`` (SSC, Stepner): the binned scatter plot, with its defaults.

Following ``binscatter.ado``:

- the sample: non-missing y, x, controls, ``absorb()`` and ``by()`` within if/in;
- with ``controls()``/``absorb()``, x and every y are replaced by their residuals from a
  regression on the controls (within the absorbed groups, as ``areg`` does), plus their
  sample mean (unless ``noaddmean``);
- bins: with no more distinct x values than ``nquantiles()`` (default 20) each value is a
  bin; otherwise the cut points are the ``_pctile`` percentiles 100k/nq and an observation
  falls into bin 1 + #{cut points < x}; the marker is the mean (``medians``: the median) of
  x and of y in each bin;
- the line (``linetype(lfit)``, the default; ``qfit``; ``connect``; ``none``) is the
  regression of y on x over the residualised data, drawn from the first bin's x to the last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.engine.errors import StataError
from libs.engine.graphics.data import FloatArray
from libs.engine.graphics.fits import Fit, polynomial_fit
from libs.engine.percentile import percentile


def residualised(values: FloatArray, controls: FloatArray | None, groups: FloatArray | None,
                 weights: FloatArray | None, add_mean: bool) -> FloatArray:
    """``values`` less their fit on ``controls`` (and group means), plus their mean."""
    w = np.ones(values.size) if weights is None else weights
    centred = values.copy()
    X = controls if controls is not None else np.zeros((values.size, 0))
    X = X.copy()
    if groups is not None:
        codes = np.unique(groups, return_inverse=True)[1]
        total = np.bincount(codes, weights=w)
        centred = centred - (np.bincount(codes, weights=w * centred) / total)[codes]
        for j in range(X.shape[1]):
            X[:, j] -= (np.bincount(codes, weights=w * X[:, j]) / total)[codes]
    else:
        X = np.column_stack([np.ones(values.size), X])
    if X.shape[1]:
        root = np.sqrt(w)
        beta = np.linalg.lstsq(X * root[:, None], centred * root, rcond=None)[0]
        centred = centred - X @ beta
    if add_mean:
        centred = centred + float(np.average(values, weights=w))
    return centred


def bin_numbers(x: FloatArray, count: int, weights: FloatArray | None) -> tuple[FloatArray,
                                                                                 bool]:
    """Each observation's bin and whether x was taken as discrete (few distinct values)."""
    if count < 2:
        raise StataError(198, "nquantiles() must be greater than or equal to 2")
    distinct = np.unique(x)
    if distinct.size <= count:
        return np.searchsorted(distinct, x).astype(np.float64) + 1, True
    cuts = np.array([percentile(x, 100 * k / count, weights) for k in range(1, count)])
    return np.searchsorted(cuts, x, side="left").astype(np.float64) + 1, False


@dataclass(frozen=True)
class Binned:
    """One y variable's binned points and fitted line."""

    x: FloatArray
    y: FloatArray
    fit: Fit | None


def binned(x: FloatArray, y: FloatArray, numbers: FloatArray, *,
           weights: FloatArray | None = None, weight_kind: str = "", medians: bool = False,
           line: str = "lfit") -> Binned:
    """The bin markers (bins given by ``numbers``, from :func:`bin_numbers` over the whole
    sample) and the fit of y on x; arrays already restricted to the rows drawn."""
    if x.size == 0:
        raise StataError(2000, "no observations")
    xs, ys = [], []
    for number in np.unique(numbers):
        inside = numbers == number
        w = None if weights is None else weights[inside]
        if medians:
            xs.append(percentile(x[inside], 50, w))
            ys.append(percentile(y[inside], 50, w))
        else:
            xs.append(float(np.average(x[inside], weights=w)))
            ys.append(float(np.average(y[inside], weights=w)))
    fit = None
    if line in ("lfit", "qfit") and x.size > (2 if line == "lfit" else 3):
        fit = polynomial_fit(x, y, 1 if line == "lfit" else 2, weights, weight_kind)
    return Binned(np.array(xs), np.array(ys), fit)
