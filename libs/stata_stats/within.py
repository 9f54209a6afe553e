"""One absorbed factor: the estimation sample split by group, and the within regression.

``areg`` and ``xtreg, fe`` fit the same regression — ``y − ȳᵢ + ȳ`` on ``x − x̄ᵢ + x̄`` and a
constant, the constant being the grand-mean intercept — and differ in what their small-sample
factors count; ``xtreg, re`` takes σₑ² from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from libs.stata_stats.arithmetic import ratio
from libs.stata_stats.collinear import COLLINEAR_TOLERANCE
from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.least_squares import LeastSquares, fit
from libs.stata_stats.sample import Sample, Weights, estimation_mask, group_codes
from libs.stata_stats.vce import VceRequest, sum_by_group


@dataclass(frozen=True, kw_only=True)
class Panel:
    """The estimation sample split by group: codes, sizes and weighted group means."""

    codes: NDArray[np.intp]
    groups: int
    sizes: FloatArray
    w: FloatArray
    weighted: bool

    def means(self, values: FloatArray) -> FloatArray:
        """Weighted group means (G×k or G) of ``values``."""
        if self.weighted:
            w = self.w[:, None] if values.ndim == 2 else self.w
            sums = sum_by_group(values * w, self.codes, self.groups)
            wsum = np.bincount(self.codes, weights=self.w, minlength=self.groups)
        else:
            sums = sum_by_group(values, self.codes, self.groups)
            wsum = self.sizes
        out: FloatArray = sums / (wsum[:, None] if values.ndim == 2 else wsum)
        return out


def panel_of(ids: NDArray[np.generic], sample: Sample) -> Panel:
    """Group structure of the estimation sample."""
    codes, groups = group_codes(ids[sample.mask])
    sizes = np.bincount(codes, minlength=groups).astype(np.float64)
    return Panel(codes=codes, groups=groups, sizes=sizes, w=sample.w, weighted=sample.weighted)


@dataclass(frozen=True, kw_only=True)
class Within:
    """The within regression of a command's sample: the sample rows, the fit on the
    transformed data, and the group means (reused for r2_b and the effects)."""

    sample: Sample
    panel: Panel
    ys: FloatArray  #: the dependent variable on the sample rows
    Xs: FloatArray  #: the regressors on the sample rows
    ls: LeastSquares
    yt: FloatArray
    Xt: FloatArray
    ybar_g: FloatArray
    xbar_g: FloatArray

    @property
    def k(self) -> int:
        """Slopes estimated (the rank without ``_cons``)."""
        return self.ls.rank - 1

    @property
    def df_resid(self) -> float:
        """N − G − k: the absorbed levels count as parameters."""
        return self.sample.n_obs - self.panel.groups - self.k

    @property
    def rss(self) -> float:
        """Weighted residual sum of squares."""
        return float(self.sample.w @ self.ls.resid**2)

    @property
    def tss(self) -> float:
        """Weighted total sum of squares of the untransformed dependent variable."""
        w = self.sample.w
        return float(w @ (self.ys - (w @ self.ys) / w.sum()) ** 2)

    def effects_f(self, sigma2: float, preomitted: tuple[bool, ...] | None) -> float:
        """F that all group effects are zero (``areg``'s F_absorb, ``xtreg, fe``'s F_f):
        the pooled regression's extra rss per absorbed level, over ``sigma2``."""
        if self.panel.groups < 2:
            return float("nan")
        pooled = fit(self.ys, self.Xs, self.sample.fit_weights, cons=True, preomitted=preomitted)
        rss_pooled = float(self.sample.w @ pooled.resid**2)
        return ratio((rss_pooled - self.rss) / (self.panel.groups - 1), sigma2)


def within_fit(y: FloatArray, X: FloatArray, ids: NDArray[np.generic], weights: Weights | None,
               vce: VceRequest, preomitted: tuple[bool, ...] | None) -> Within:
    """The sample (rows where y, X, the group ids, the weights and the clusters are all
    there) and the within regression on it; r(2001) when N − G − k ≤ 0."""
    mask = estimation_mask(y, X, weights, ids, vce.clusters)
    sample = Sample.linear(mask, weights, vce.clusters)
    ys, Xs = y[mask], X[mask]
    p = panel_of(ids, sample)
    sw = p.w.sum()
    ybar_g, xbar_g = p.means(ys), p.means(Xs)
    yt = ys - ybar_g[p.codes] + (p.w @ ys) / sw
    deviations = Xs - xbar_g[p.codes]
    Xt = deviations + (p.w @ Xs) / sw
    # A regressor constant within every group (schooling in a wage panel) leaves only rounding
    # error after the group means are removed, which the collinearity check, scaled by that
    # error itself, would keep: judge it against the size of the regressor as given.
    invariant = (p.w @ deviations**2) <= COLLINEAR_TOLERANCE * (p.w @ Xs**2)
    pre = preomitted if preomitted is not None else (False,) * Xs.shape[1]
    pre = tuple(bool(a or b) for a, b in zip(pre, invariant, strict=True))
    ls = fit(yt, Xt, sample.fit_weights, cons=True, preomitted=pre)
    within = Within(sample=sample, panel=p, ys=ys, Xs=Xs, ls=ls, yt=yt, Xt=Xt, ybar_g=ybar_g,
                    xbar_g=xbar_g)
    if within.df_resid <= 0:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    return within
