"""``estat imtest``: the information-matrix test of a linear regression in Cameron and
Trivedi's (1990) decomposition, and White's (1980) test ([R] regress postestimation).

With residuals e, σ̂² = Σe²/N and the regressors X (without the constant), each component is
N times the *uncentered* R² of an auxiliary regression with a constant:

- heteroskedasticity: e² − σ̂² on X and the distinct products xᵢxⱼ (i ≤ j) of the centred
  regressors; df = rank − 1;
- skewness: e³ − 3σ̂²e on X; df = rank − 1;
- kurtosis: e⁴ − 6σ̂²e² + 3σ̂⁴ on the constant alone; df = 1.

The IM statistic is their sum. White's test is N times the (centred) R² of e² on X and the
same products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import FloatArray


@dataclass(frozen=True, kw_only=True)
class Component:
    """One χ² statistic with its degrees of freedom and p-value."""

    chi2: float
    df: int

    @property
    def p(self) -> float:
        """Upper-tail probability of χ²(df)."""
        return float(stats.chi2.sf(self.chi2, self.df))


@dataclass(frozen=True, kw_only=True)
class InformationMatrixTest:
    """The three components, their total, and White's test."""

    heteroskedasticity: Component
    skewness: Component
    kurtosis: Component
    white: Component

    @property
    def total(self) -> Component:
        """The IM test: the sum of the three components."""
        parts = (self.heteroskedasticity, self.skewness, self.kurtosis)
        return Component(chi2=sum(c.chi2 for c in parts), df=sum(c.df for c in parts))


def _fit(y: FloatArray, Z: FloatArray) -> tuple[float, int]:
    """Residual sum of squares of ``y`` on ``Z`` (a constant first) and the rank of ``Z``."""
    coef, _, rank, _ = np.linalg.lstsq(Z, y, rcond=None)
    return float(np.sum((y - Z @ coef) ** 2)), int(rank)


def _uncentered(y: FloatArray, Z: FloatArray) -> Component:
    """N times the uncentered R² of ``y`` on ``Z``, with df = rank(Z) − 1 (at least 1)."""
    rss, rank = _fit(y, Z)
    return Component(chi2=len(y) * (1.0 - rss / float(np.sum(y**2))), df=max(rank - 1, 1))


def products(X: FloatArray) -> FloatArray:
    """The distinct products xᵢxⱼ (j ≤ i, in Stata's order) of the centred columns."""
    centred = X - X.mean(axis=0)
    k = X.shape[1]
    return np.column_stack([centred[:, i] * centred[:, j] for i in range(k)
                            for j in range(i + 1)])


def information_matrix_test(resid: FloatArray, X: FloatArray) -> InformationMatrixTest:
    """Cameron–Trivedi's decomposition and White's test for residuals ``resid`` of a
    regression on ``X`` (the regressors without the constant)."""
    n = len(resid)
    if X.shape[1] == 0 or n <= X.shape[1] + 1:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    s2 = float(np.sum(resid**2)) / n
    ones = np.ones((n, 1))
    linear = np.column_stack([ones, X])
    quadratic = np.column_stack([linear, products(X)])
    e2 = resid**2
    het = _uncentered(e2 - s2, quadratic)
    skew = _uncentered(resid**3 - 3 * s2 * resid, linear)
    kurt = _uncentered(resid**4 - 6 * s2 * e2 + 3 * s2**2, ones)
    rss, rank = _fit(e2, quadratic)
    white = Component(chi2=n * (1.0 - rss / float(np.sum((e2 - e2.mean()) ** 2))), df=rank - 1)
    return InformationMatrixTest(heteroskedasticity=het, skewness=skew,
                                 kurtosis=Component(chi2=kurt.chi2, df=1), white=white)
