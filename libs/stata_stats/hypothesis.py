"""Classical tests as Stata computes and stores them: ``ttest``, ``prtest``, ``ranksum``,
``signrank``, ``oneway``, ``swilk``.

Each function returns Stata's ``r()`` scalars under Stata's names. Group comparisons take the
groups in ascending order of the ``by()`` variable; differences are group 1 − group 2.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from libs.stata_stats.arithmetic import ratio
from libs.stata_stats.errors import (
    INSUFFICIENT_OBSERVATIONS,
    INVALID_SYNTAX,
    NO_OBSERVATIONS,
    StatsError,
)
from libs.stata_stats.estimation import FloatArray

Scalars = dict[str, float]


def _t_result(diff: float, se: float, df: float, level: float) -> Scalars:
    t = diff / se
    return {
        "t": t,
        "df_t": df,
        "se": se,
        "p": float(2.0 * stats.t.sf(abs(t), df)),
        "p_l": float(stats.t.cdf(t, df)),
        "p_u": float(stats.t.sf(t, df)),
        "level": level,
    }


def _finite(x: FloatArray) -> FloatArray:
    return np.asarray(x, dtype=np.float64)[np.isfinite(x)]


def two_groups(
    x: FloatArray, by: NDArray[np.generic]
) -> tuple[FloatArray, FloatArray, tuple[object, object]]:
    """Split ``x`` by a two-valued ``by()`` variable, lower group first (missing dropped)."""
    ok = np.isfinite(x) & np.asarray([v == v and v is not None for v in by], dtype=bool)
    levels = sorted(set(by[ok].tolist()))
    if len(levels) != 2:
        raise StatsError(420, "more than 2 groups found, only 2 allowed")
    g1, g2 = levels
    return x[ok & (by == g1)], x[ok & (by == g2)], (g1, g2)


def ttest_one(x: FloatArray, mu: float, level: float = 95.0) -> Scalars:
    """``ttest x == mu``."""
    xs = _finite(x)
    n = xs.size
    sd = float(xs.std(ddof=1))
    out = _t_result(float(xs.mean()) - mu, sd / np.sqrt(n), n - 1.0, level)
    out.update(N_1=float(n), mu_1=float(xs.mean()), sd_1=sd)
    return out


def ttest_paired(x: FloatArray, y: FloatArray, level: float = 95.0) -> Scalars:
    """``ttest x == y`` (paired: both nonmissing)."""
    ok = np.isfinite(x) & np.isfinite(y)
    d = x[ok] - y[ok]
    n = d.size
    sd_d = float(d.std(ddof=1))
    out = _t_result(float(d.mean()), sd_d / np.sqrt(n), n - 1.0, level)
    out.update(
        N_1=float(n),
        N_2=float(n),
        mu_1=float(x[ok].mean()),
        mu_2=float(y[ok].mean()),
        sd_1=float(x[ok].std(ddof=1)),
        sd_2=float(y[ok].std(ddof=1)),
        sd=sd_d,
    )
    return out


def ttest_groups(
    x: FloatArray,
    by: NDArray[np.generic],
    *,
    unequal: bool = False,
    welch: bool = False,
    level: float = 95.0,
) -> Scalars:
    """``ttest x, by(g) [unequal welch]``: pooled variance, or Satterthwaite's (Welch's) df."""
    a, b, _ = two_groups(x, by)
    n1, n2 = a.size, b.size
    if n1 < 1 or n2 < 1 or n1 + n2 < 3:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    v1, v2 = float(a.var(ddof=1)) if n1 > 1 else 0.0, float(b.var(ddof=1)) if n2 > 1 else 0.0
    if unequal or welch:
        q1, q2 = v1 / n1, v2 / n2
        se = np.sqrt(q1 + q2)
        if welch:
            df = (q1 + q2) ** 2 / (q1**2 / (n1 + 1) + q2**2 / (n2 + 1)) - 2.0
        else:
            df = (q1 + q2) ** 2 / (q1**2 / (n1 - 1) + q2**2 / (n2 - 1))
    else:
        df = n1 + n2 - 2.0
        pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
        se = np.sqrt(pooled * (1.0 / n1 + 1.0 / n2))
    out = _t_result(float(a.mean() - b.mean()), float(se), float(df), level)
    both = np.concatenate([a, b])
    out.update(
        N_1=float(n1),
        N_2=float(n2),
        mu_1=float(a.mean()),
        mu_2=float(b.mean()),
        sd_1=float(np.sqrt(v1)),
        sd_2=float(np.sqrt(v2)),
        sd=float(both.std(ddof=1)),
    )
    return out


def prtest_one(x: FloatArray, p0: float, level: float = 95.0) -> Scalars:
    """``prtest x == p0`` for a 0/1 variable."""
    xs = _finite(x)
    _check_binary(xs)
    n = xs.size
    if n == 0:
        raise StatsError(NO_OBSERVATIONS, "no observations")
    phat = float(xs.mean())
    z = (phat - p0) / np.sqrt(p0 * (1.0 - p0) / n)
    return {"N_1": float(n), "P_1": phat, "z": float(z), **_z_p(float(z)), "level": level}


def prtest_groups(x: FloatArray, by: NDArray[np.generic], level: float = 95.0) -> Scalars:
    """``prtest x, by(g)``: pooled-proportion z test."""
    a, b, _ = two_groups(x, by)
    _check_binary(np.concatenate([a, b]))
    n1, n2 = a.size, b.size
    p1, p2 = float(a.mean()), float(b.mean())
    pooled = (a.sum() + b.sum()) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    return {
        "N_1": float(n1),
        "N_2": float(n2),
        "P_1": p1,
        "P_2": p2,
        "z": float(z),
        **_z_p(float(z)),
        "level": level,
    }


def _check_binary(x: FloatArray) -> None:
    if not np.isin(x, (0.0, 1.0)).all():
        raise StatsError(INVALID_SYNTAX, "variable is not a 0/1 variable")


def _z_p(z: float) -> Scalars:
    return {
        "p": float(2.0 * stats.norm.sf(abs(z))),
        "p_l": float(stats.norm.cdf(z)),
        "p_u": float(stats.norm.sf(z)),
    }


def ranksum(x: FloatArray, by: NDArray[np.generic]) -> Scalars:
    """``ranksum x, by(g)``: Wilcoxon rank-sum with the tie-adjusted variance ``r(Var_a)``."""
    a, b, (g1, _) = two_groups(x, by)
    n1, n2 = a.size, b.size
    n = n1 + n2
    ranks = stats.rankdata(np.concatenate([a, b]))
    t = float(ranks[:n1].sum())
    expected = n1 * (n + 1) / 2.0
    var = n1 * n2 / (n * (n - 1.0)) * float(((ranks - (n + 1) / 2.0) ** 2).sum())
    z = (t - expected) / np.sqrt(var)
    return {
        "N_1": float(n1),
        "N_2": float(n2),
        "sum_obs": t,
        "sum_exp": expected,
        "Var_a": var,
        "z": float(z),
        "p": float(2.0 * stats.norm.sf(abs(z))),
        "group1": float(g1) if isinstance(g1, (int, float)) else np.nan,
    }


def signrank(x: FloatArray, y: FloatArray | float = 0.0) -> Scalars:
    """``signrank x = y``: zero differences take part in the ranking but not in the sums;
    E and the variance ``r(Var_a)`` adjust for them and for ties."""
    yy = np.broadcast_to(np.asarray(y, dtype=np.float64), np.shape(x))
    ok = np.isfinite(x) & np.isfinite(yy)
    d = np.asarray(x)[ok] - yy[ok]
    n = d.size
    ranks = stats.rankdata(np.abs(d))
    pos, neg, zero = d > 0, d < 0, d == 0
    n0 = int(zero.sum())
    expected = (n * (n + 1) - n0 * (n0 + 1)) / 4.0
    _, tie_counts = np.unique(np.abs(d[~zero]), return_counts=True)
    var = (
        n * (n + 1) * (2 * n + 1) / 24.0
        - n0 * (n0 + 1) * (2 * n0 + 1) / 24.0
        - float((tie_counts**3 - tie_counts).sum()) / 48.0
    )
    sum_pos = float(ranks[pos].sum())
    z = (sum_pos - expected) / np.sqrt(var)
    return {
        "N_pos": float(pos.sum()),
        "N_neg": float(neg.sum()),
        "N_tie": float(n0),
        "sum_pos": sum_pos,
        "sum_neg": float(ranks[neg].sum()),
        "z": float(z),
        "Var_a": var,
        "p": float(2.0 * stats.norm.sf(abs(z))),
    }


def oneway(y: FloatArray, group: NDArray[np.generic]) -> Scalars:
    """``oneway y g``: ANOVA F test and Bartlett's test of equal variances."""
    ok = np.isfinite(y) & np.asarray([v == v and v is not None for v in group], dtype=bool)
    ys, gs = y[ok], group[ok]
    levels = sorted(set(gs.tolist()))
    samples = [ys[gs == g] for g in levels]
    k, n = len(samples), ys.size
    if n == 0:
        raise StatsError(NO_OBSERVATIONS, "no observations")
    grand = ys.mean()
    mss = float(sum(s.size * (s.mean() - grand) ** 2 for s in samples))
    rss = float(sum(((s - s.mean()) ** 2).sum() for s in samples))
    df_m, df_r = k - 1.0, n - k
    f = ratio(ratio(mss, df_m), ratio(rss, df_r))
    out = {
        "N": float(n),
        "df_m": df_m,
        "df_r": float(df_r),
        "F": f,
        "mss": mss,
        "rss": rss,
        "p": float(stats.f.sf(f, df_m, df_r)),
    }
    multi = [s for s in samples if s.size > 1]
    if len(multi) > 1:
        bart = stats.bartlett(*multi)
        out.update(chi2bart=float(bart.statistic), df_bart=float(len(multi) - 1))
    return out


def swilk(x: FloatArray) -> Scalars:
    """``swilk x``: Shapiro–Wilk W with Royston's (1992) approximation, its normal z and p,
    and V = (1−W)/(1−W_med), which has median 1 under normality."""
    xs = _finite(x)
    n = xs.size
    if n < 4 or n > 2000:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "swilk needs 4 to 2000 observations")
    result = stats.shapiro(xs)
    w, p = float(result.statistic), float(result.pvalue)
    z = float(stats.norm.isf(p))
    # Royston's normalising transform of ln(1−W): its mean (the median of W's law) for n ≥ 12,
    # and the small-sample form via (γ − ln(1−W)) for n < 12.
    ln_n = np.log(n)
    if n >= 12:
        mu = 0.0038915 * ln_n**3 - 0.083751 * ln_n**2 - 0.31082 * ln_n - 1.5861
        w_med = 1.0 - np.exp(mu)
    else:
        gamma = 0.459 * n - 2.273
        mu = 0.544 - 0.39978 * n + 0.025054 * n**2 - 0.0006714 * n**3
        w_med = 1.0 - np.exp(gamma - np.exp(-mu))
    return {"N": float(n), "W": w, "V": (1.0 - w) / (1.0 - w_med), "z": z, "p": p}
