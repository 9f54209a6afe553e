"""Intraclass correlations as Stata's ``icc`` computes them ([R] icc; Shrout and Fleiss 1979,
McGraw and Wong 1996).

From a balanced layout of n targets each rated k times, the ANOVA mean squares: between targets
MS_R, within targets MS_W (one-way), between raters MS_C and residual MS_E (two-way).

- One-way random effects: ICC(1) = (MS_R − MS_W)/(MS_R + (k−1)MS_W), average (MS_R − MS_W)/MS_R;
  F = MS_R/MS_W on (n−1, n(k−1)).
- Consistency (two-way random or mixed): ICC(C,1) = (MS_R − MS_E)/(MS_R + (k−1)MS_E), average
  (MS_R − MS_E)/MS_R; F = MS_R/MS_E on (n−1, (n−1)(k−1)).
- Absolute agreement: ICC(A,1) = (MS_R − MS_E)/(MS_R + (k−1)MS_E + k(MS_C − MS_E)/n), average
  (MS_R − MS_E)/(MS_R + (MS_C − MS_E)/n); its confidence limits use McGraw and Wong's
  approximate denominator degrees of freedom v, the average's are the Spearman–Brown step-up of
  the individual ones.

The F tests are of H0: ICC = ``testvalue`` against ICC > ``testvalue`` (McGraw and Wong's
Table 8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.errors import StatsError
from libs.stata_stats.estimation import FloatArray

MODELS = {"oneway": "one-way random effects", "random": "two-way random effects",
          "mixed": "two-way mixed effects"}


@dataclass(frozen=True, kw_only=True)
class MeanSquares:
    """The ANOVA of an n×k table of ratings."""

    n: int
    k: int
    rows: float  #: MS_R, between targets
    within: float  #: MS_W, within targets (one-way)
    cols: float  #: MS_C, between raters
    error: float  #: MS_E, residual of the two-way layout


def mean_squares(table: FloatArray) -> MeanSquares:
    """Mean squares of ``table`` (targets in rows, raters or replicates in columns)."""
    n, k = table.shape
    grand = float(table.mean())
    ss_rows = k * float(((table.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((table.mean(axis=0) - grand) ** 2).sum())
    ss_total = float(((table - grand) ** 2).sum())
    ss_within = ss_total - ss_rows
    return MeanSquares(n=n, k=k, rows=ss_rows / (n - 1), within=ss_within / (n * (k - 1)),
                       cols=ss_cols / (k - 1),
                       error=(ss_within - ss_cols) / ((n - 1) * (k - 1)))


@dataclass(frozen=True, kw_only=True)
class Icc:
    """One ICC (individual or average) with its F test and confidence interval."""

    value: float
    F: float
    df1: float
    df2: float
    p: float
    lb: float
    ub: float


def icc(table: FloatArray, *, model: str, absolute: bool, level: float = 95.0,
        testvalue: float = 0.0) -> tuple[Icc, Icc]:
    """The individual and average ICCs of ``table`` under ``model`` (oneway|random|mixed)."""
    if model not in MODELS:
        raise StatsError(198, f"model {model} invalid")
    n, k = table.shape
    if n < 2 or k < 2:
        raise StatsError(2001, "insufficient observations")
    ms = mean_squares(table)
    alpha = 1.0 - level / 100.0
    r0 = testvalue
    if model == "oneway":
        return _ratio_iccs(ms.rows, ms.within, n, k, float(n * (k - 1)), alpha, r0)
    if not absolute:
        return _ratio_iccs(ms.rows, ms.error, n, k, float((n - 1) * (k - 1)), alpha, r0)
    return _absolute(ms, alpha, r0)


def _ratio_iccs(msr: float, mse: float, n: int, k: int, df2: float, alpha: float,
                r0: float) -> tuple[Icc, Icc]:
    """One-way and consistency ICCs: functions of F0 = MS_R/MS_E and its F distribution."""
    df1 = float(n - 1)
    f0 = msr / mse
    f_lo = f0 / stats.f.ppf(1 - alpha / 2, df1, df2)
    f_hi = f0 * stats.f.ppf(1 - alpha / 2, df2, df1)
    f_ind = f0 * (1 - r0) / (1 + (k - 1) * r0)
    f_avg = f0 * (1 - r0)
    individual = Icc(value=(msr - mse) / (msr + (k - 1) * mse), F=f_ind, df1=df1, df2=df2,
                     p=float(stats.f.sf(f_ind, df1, df2)), lb=float((f_lo - 1) / (f_lo + k - 1)),
                     ub=float((f_hi - 1) / (f_hi + k - 1)))
    average = Icc(value=(msr - mse) / msr, F=f_avg, df1=df1, df2=df2,
                  p=float(stats.f.sf(f_avg, df1, df2)), lb=float(1 - 1 / f_lo),
                  ub=float(1 - 1 / f_hi))
    return individual, average


def _absolute(ms: MeanSquares, alpha: float, r0: float) -> tuple[Icc, Icc]:
    """Absolute agreement, with McGraw and Wong's approximate degrees of freedom."""
    n, k = ms.n, ms.k
    msr, msc, mse = ms.rows, ms.cols, ms.error
    value = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    df1, dfe = float(n - 1), float((n - 1) * (k - 1))
    a = k * value / (n * (1 - value))
    b = 1 + k * value * (n - 1) / (n * (1 - value))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / dfe)
    f_star = stats.f.ppf(1 - alpha / 2, df1, v)
    f_low_star = stats.f.ppf(1 - alpha / 2, v, df1)
    spread = k * msc + (k * n - k - n) * mse
    lb = float(n * (msr - f_star * mse) / (f_star * spread + n * msr))
    ub = float(n * (f_low_star * msr - mse) / (spread + n * f_low_star * msr))

    def step_up(r: float) -> float:
        return k * r / (1 + (k - 1) * r)

    # H0: ICC = r0 (McGraw and Wong, Table 8, cases 2A/3A); r0 = 0 gives MS_R/MS_E
    c_i, d_i = k * r0 / (n * (1 - r0)), 1 + k * r0 * (n - 1) / (n * (1 - r0))
    c_a, d_a = r0 / (n * (1 - r0)), 1 + r0 * (n - 1) / (n * (1 - r0))
    out = []
    for val, c, d, lo, hi in ((value, c_i, d_i, lb, ub),
                              (step_up(value), c_a, d_a, step_up(lb), step_up(ub))):
        f = msr / (c * msc + d * mse)
        df2 = (c * msc + d * mse) ** 2 / ((c * msc) ** 2 / (k - 1) + (d * mse) ** 2 / dfe)
        out.append(Icc(value=val, F=f, df1=df1, df2=df2, p=float(stats.f.sf(f, df1, df2)),
                       lb=lo, ub=hi))
    return out[0], out[1]


def layout(ratings: FloatArray, targets: FloatArray, raters: FloatArray | None) -> FloatArray:
    """The n×k table of a long layout: one row per target, one column per rater (or, one-way,
    per replicate in data order); r(459) unless every target has the same number of ratings
    and, two-way, one rating by each rater."""
    t_codes, t_index = np.unique(targets, return_inverse=True)
    if raters is None:
        counts = np.bincount(t_index)
        if counts.min() != counts.max():
            raise StatsError(459, "icc requires balanced data: every target must have the "
                                  "same number of ratings")
        order = np.argsort(t_index, kind="stable")
        return np.asarray(ratings[order].reshape(t_codes.size, int(counts[0])), dtype=float)
    r_codes, r_index = np.unique(raters, return_inverse=True)
    table = np.full((t_codes.size, r_codes.size), np.nan)
    seen = np.zeros(table.shape, dtype=int)
    np.add.at(seen, (t_index, r_index), 1)
    if np.any(seen != 1):
        raise StatsError(459, "icc requires balanced data: each target must be rated once by "
                              "each rater")
    table[t_index, r_index] = ratings
    return table
