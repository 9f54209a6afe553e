"""Nonparametric survival estimates: Kaplan–Meier (``sts list``/``generate``), Nelson–Aalen,
survival-time percentiles (``stsum``) and the k-sample rank tests (``sts test``).

Records are intervals (t0, t] with a failure indicator at t (left truncation allowed). At
each distinct time τ the number at risk is the count of records with t0 < τ ≤ t.
Stata's definitions ([ST] sts): S(t) = Πτ≤t (1 − dτ/nτ); Greenwood's
se(S) = S·√(Σ d/(n(n−d))); the confidence interval is computed for ln(−ln S) and
transformed back, [S^exp(z·s), S^exp(−z·s)] with s = √(Σ d/(n(n−d)))/|ln S|; the Nelson–Aalen
cumulative hazard is Σ d/n. The log-rank test compares observed with expected failures,
χ² = U'V⁻U on k−1 df; ``wilcoxon`` (Breslow–Gehan) weights each time by n, ``tware`` by √n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from libs.stata_stats.estimation import FloatArray

#: The weights of the rank tests by ``sts test`` option.
TEST_WEIGHTS = ("logrank", "wilcoxon", "tware")


@dataclass(frozen=True, kw_only=True)
class LifeTable:
    """One row per distinct time (entry, failure or censoring) in increasing order."""

    time: FloatArray
    at_risk: FloatArray  #: n just before the time
    fail: FloatArray
    lost: FloatArray  #: censored minus entered at the time ("Net lost")
    survival: FloatArray
    se: FloatArray  #: Greenwood
    cumhaz: FloatArray  #: Nelson–Aalen
    loglog_sd: FloatArray  #: sd of ln(−ln S), NaN where S is 0 or 1

    def interval(self, level: float = 95.0) -> tuple[FloatArray, FloatArray]:
        """The log-log confidence interval of S."""
        z = float(stats.norm.isf((100.0 - level) / 200.0))
        with np.errstate(invalid="ignore", over="ignore"):
            lower = self.survival ** np.exp(z * self.loglog_sd)
            upper = self.survival ** np.exp(-z * self.loglog_sd)
        return lower, upper


def _at_risk(times: FloatArray, t0: FloatArray, t: FloatArray, w: FloatArray) -> FloatArray:
    """Σw over records with t0 < τ ≤ t, for each τ."""
    order_t, order_0 = np.argsort(t), np.argsort(t0)
    cum_t = np.concatenate([[0.0], np.cumsum(w[order_t])])
    cum_0 = np.concatenate([[0.0], np.cumsum(w[order_0])])
    started = cum_0[np.searchsorted(t0[order_0], times, side="left")]
    ended = cum_t[np.searchsorted(t[order_t], times, side="left")]
    return np.asarray(started - ended, dtype=np.float64)


def life_table(t0: FloatArray, t: FloatArray, d: FloatArray,
               w: FloatArray | None = None) -> LifeTable:
    """Kaplan–Meier and Nelson–Aalen at every distinct time of the records."""
    w = np.ones(t.size) if w is None else w
    times = np.unique(np.concatenate([t, t0[t0 > 0]]))
    n = _at_risk(times, t0, t, w)
    at = np.searchsorted(times, t)
    fail = np.bincount(at, weights=w * (d > 0), minlength=times.size)
    censored = np.bincount(at, weights=w * (d == 0), minlength=times.size)
    entered = np.bincount(np.searchsorted(times, t0[t0 > 0]), weights=w[t0 > 0],
                          minlength=times.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 0, 1.0 - fail / n, 1.0)
        survival = np.cumprod(factor)
        green = np.cumsum(np.where((n > fail) & (fail > 0), fail / (n * (n - fail)), 0.0))
        se = survival * np.sqrt(green)
        cumhaz = np.cumsum(np.where(n > 0, fail / n, 0.0))
        sd = np.sqrt(green) / np.abs(np.log(survival))
    sd = np.where((survival > 0) & (survival < 1), sd, np.nan)
    return LifeTable(time=times, at_risk=n, fail=fail, lost=censored - entered,
                     survival=survival, se=np.where(survival > 0, se, np.nan), cumhaz=cumhaz,
                     loglog_sd=sd)


def survival_at(table: LifeTable, when: FloatArray) -> NDArray[np.intp]:
    """Index of the life-table row in force at each time (−1: before the first time)."""
    return np.asarray(np.searchsorted(table.time, when, side="right") - 1, dtype=np.intp)


def percentile(table: LifeTable, p: float) -> float:
    """The smallest time at which S falls to 1 − p/100 or below (missing if never)."""
    below = np.flatnonzero(table.survival <= 1.0 - p / 100.0)
    return float(table.time[below[0]]) if below.size else np.nan


@dataclass(frozen=True, kw_only=True)
class RankTest:
    """``sts test``: observed and expected failures per group, χ², df and p."""

    groups: list[object]
    observed: FloatArray
    expected: FloatArray
    chi2: float
    df: int
    p: float


def rank_test(t0: FloatArray, t: FloatArray, d: FloatArray, groups: NDArray[np.generic],
              kind: str = "logrank") -> RankTest:
    """The k-sample test of equal survivor functions across ``groups``."""
    levels = list(dict.fromkeys(sorted(groups.tolist())))
    g = np.array([levels.index(v) for v in groups.tolist()])
    k = len(levels)
    times = np.unique(t[d > 0])
    n_g = np.column_stack([_at_risk(times, t0[g == j], t[g == j], np.ones(int((g == j).sum())))
                           for j in range(k)])
    at = np.searchsorted(times, t[d > 0])
    d_g = np.column_stack([np.bincount(at[g[d > 0] == j], minlength=times.size)
                           for j in range(k)]).astype(float)
    n, dd = n_g.sum(axis=1), d_g.sum(axis=1)
    weight = {"logrank": np.ones_like(n), "wilcoxon": n, "tware": np.sqrt(n)}[kind]
    share = n_g / n[:, None]
    expected = dd[:, None] * share
    U = (weight[:, None] * (d_g - expected)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(n > 1, weight**2 * dd * (n - dd) / (n - 1), 0.0)
    V = (c[:, None, None] * (share[:, :, None] * (np.eye(k)[None] - share[:, None, :]))).sum(0)
    chi2 = float(U[:-1] @ np.linalg.solve(V[:-1, :-1], U[:-1]))
    return RankTest(groups=levels, observed=d_g.sum(axis=0), expected=expected.sum(axis=0),
                    chi2=chi2, df=k - 1, p=float(stats.chi2.sf(chi2, k - 1)))
