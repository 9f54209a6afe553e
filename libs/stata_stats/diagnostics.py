"""Specification tests after a linear regression: ``estat hettest`` (Breusch–Pagan /
Cook–Weisberg), ``estat ovtest`` (Ramsey RESET) and ``estat vif``, with Stata's conventions
([R] regress postestimation, Methods and formulas):

- hettest, ``normal`` (default): regress e²/σ̂² (σ̂² = RSS/N) on z with a constant;
  chi2 = MSS/2 with df = #z.  ``iid``: N·R² of e² on z (Koenker's score test).  ``fstat``:
  the F statistic of that regression, F(#z, N − #z − 1).
- ovtest: add ŷ², ŷ³, ŷ⁴ (or powers 2–4 of every regressor with ``rhs``) and F-test them.
- vif: 1/(1 − R²_j) of each regressor on the others; ``uncentered`` uses the uncentered R²
  with the constant among the regressors (and reports it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import FloatArray

#: Relative pivot below which an added column counts as collinear (what regress would omit).
COLLINEAR_TOLERANCE = 1e-9
ADJUSTMENTS = ("noadjust", "bonferroni", "holm", "sidak")


@dataclass(frozen=True, kw_only=True)
class ScoreTest:
    """A chi2 or F test: statistic, df (and df_r for F), p."""

    stat: float
    df: int
    p: float
    df_r: float | None = None

    def r(self) -> dict[str, float]:
        """Stata's ``r()``: chi2/df/p, or F/df_m/df_r/p."""
        if self.df_r is None:
            return {"chi2": self.stat, "df": float(self.df), "p": self.p}
        return {"F": self.stat, "df_m": float(self.df), "df_r": self.df_r, "p": self.p}


def _ols_fit(y: FloatArray, X: FloatArray) -> tuple[FloatArray, int]:
    """Fitted values and the rank of ``X`` (least squares, collinear columns tolerated)."""
    coef, _, rank, _ = np.linalg.lstsq(X, y, rcond=None)
    return X @ coef, int(rank)


def heteroskedasticity(resid: FloatArray, Z: FloatArray, kind: str = "normal") -> ScoreTest:
    """Breusch–Pagan / Cook–Weisberg test of constant variance against variance in ``Z``
    (columns without the constant); ``kind`` is ``normal``, ``iid`` or ``fstat``."""
    n = len(resid)
    if Z.ndim != 2 or Z.shape[1] == 0:
        raise StatsError(INVALID_SYNTAX, "no variables to test")
    design = np.column_stack([np.ones(n), Z])
    e2 = resid**2
    if kind == "normal":
        g = e2 / (e2.sum() / n)
        fitted, rank = _ols_fit(g, design)
        stat = float(((fitted - g.mean()) ** 2).sum()) / 2.0
    else:
        fitted, rank = _ols_fit(e2, design)
        mss = float(((fitted - e2.mean()) ** 2).sum())
        rss = float(((e2 - fitted) ** 2).sum())
        if kind == "fstat":
            df_m, df_r = rank - 1, n - rank
            if df_r <= 0:
                raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
            f = (mss / df_m) / (rss / df_r)
            return ScoreTest(stat=f, df=df_m, df_r=float(df_r), p=float(stats.f.sf(f, df_m, df_r)))
        stat = n * mss / (mss + rss)
    df = rank - 1
    return ScoreTest(stat=stat, df=df, p=float(stats.chi2.sf(stat, df)))


def adjust(p: FloatArray, method: str) -> FloatArray:
    """Multiple-testing adjustment of p-values: Bonferroni, Holm (step-down) or Šidák."""
    k = len(p)
    if method == "bonferroni":
        return np.minimum(p * k, 1.0)
    if method == "sidak":
        return 1.0 - (1.0 - p) ** k
    if method == "holm":
        order = np.argsort(p)
        stepped = np.maximum.accumulate(np.minimum(p[order] * (k - np.arange(k)), 1.0))
        out = np.empty(k)
        out[order] = stepped
        return out
    return p.copy()


def reset(y: FloatArray, X: FloatArray, added: FloatArray) -> ScoreTest:
    """F test of the ``added`` columns in the regression of ``y`` on ``X`` (with its constant)
    and them; collinear added columns are dropped, as regress would."""
    n = len(y)
    fitted_r, rank_r = _ols_fit(y, X)
    fitted_u, rank_u = _ols_fit(y, np.column_stack([X, added]))
    q = rank_u - rank_r
    df_r = n - rank_u
    if q <= 0:
        raise StatsError(INVALID_SYNTAX, "no powers to test: all collinear with the regressors")
    if df_r <= 0:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    rss_r = float(((y - fitted_r) ** 2).sum())
    rss_u = float(((y - fitted_u) ** 2).sum())
    f = ((rss_r - rss_u) / q) / (rss_u / df_r)
    return ScoreTest(stat=f, df=q, df_r=float(df_r), p=float(stats.f.sf(f, q, df_r)))


def powers(columns: FloatArray) -> FloatArray:
    """Squares, cubes and fourth powers of each column, scaled to [0, 1] first (the F test
    does not change; the powers stay far from overflow)."""
    lo, hi = columns.min(axis=0), columns.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    scaled = (columns - lo) / span
    return np.column_stack([scaled**k for k in (2, 3, 4)])


def variance_inflation(X: FloatArray, *, uncentered: bool = False) -> FloatArray:
    """VIF of each column of ``X`` (the regressors; with ``uncentered``, the constant among
    them): 1/(1 − R²) of the column on the others (plus a constant when centered)."""
    n, k = X.shape
    out = np.empty(k)
    for j in range(k):
        others = np.delete(X, j, axis=1)
        if not uncentered:
            others = np.column_stack([np.ones(n), others])
        x = X[:, j]
        fitted, _ = _ols_fit(x, others)
        rss = float(((x - fitted) ** 2).sum())
        tss = float(((x - x.mean()) ** 2).sum()) if not uncentered else float((x**2).sum())
        out[j] = tss / rss if rss > 0 else np.inf
    return out
