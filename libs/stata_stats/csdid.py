"""Callaway and Sant'Anna (2021): group-time average treatment effects ATT(g,t) with panel
data, and their aggregations.

Cohort g (first treated in period g; 0 = never treated) is compared in period t with its
last untreated period (g-1) for t ≥ g, and with the period before t for t < g (the varying
base period of csdid and R's did), against never-treated units or, with ``notyet``, against
units not yet treated by max(t, base). Every 2x2 comparison uses the units observed in both
periods. Units treated after the last period count as never treated; without never-treated
units the last cohort is the (not yet treated) control and its own periods are left out.
The influence functions of all ATT(g,t) sit in one n_units × K matrix, so every
aggregation's standard error comes from a linear combination of them — plus, for weights
that are estimated cohort shares, their own influence function (did's ``wif``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.stata_stats.did_att import FloatArray, panel_att
from libs.stata_stats.errors import StatsError


@dataclass(frozen=True)
class GroupTime:
    """All ATT(g,t): cohort, base and current period of each, the estimates, the scaled
    influence matrix (units × K) and the cohort shares."""

    groups: FloatArray
    bases: FloatArray
    times: FloatArray
    att: FloatArray
    influence: FloatArray
    unit_group: FloatArray
    unit_weight: FloatArray
    periods: FloatArray

    @property
    def n(self) -> int:
        """Number of units."""
        return len(self.unit_group)

    def cov(self) -> FloatArray:
        """Var of the ATT(g,t) vector: IF'IF/n²."""
        return np.asarray(self.influence.T @ self.influence / self.n**2)

    def share(self, g: float) -> float:
        """P(G = g), the cohort's (weighted) share of all units."""
        return float(np.mean(self.unit_weight * (self.unit_group == g)))


def group_time(unit: FloatArray, time: FloatArray, y: FloatArray, gvar: FloatArray,
               X: FloatArray, weights: FloatArray, *, method: str,
               notyet: bool) -> GroupTime:
    """Every ATT(g,t) of a panel (one row per unit and period)."""
    units, uidx = np.unique(unit, return_inverse=True)
    periods = np.unique(time)
    tidx = np.searchsorted(periods, time)
    n, T = len(units), len(periods)
    Y = np.full((n, T), np.nan)
    Y[uidx, tidx] = y
    G = np.zeros(n)
    G[uidx] = gvar
    W = np.ones(n)
    W[uidx] = weights
    Xs = np.full((n, T, X.shape[1]), np.nan)
    Xs[uidx, tidx] = X
    G[periods[-1] < G] = 0  # treated after the last period: never treated in the data
    never = G == 0
    cohorts = [g for g in np.unique(G) if g > periods[0]]
    if not never.any():
        # no never-treated units: the last cohort serves as the not-yet-treated control
        notyet = True
        last = max(cohorts, default=0.0)
        cohorts = [g for g in cohorts if g < last]
        T = int(np.searchsorted(periods, last))
    if not cohorts:
        raise StatsError(2000, "no cohort is treated after the first period")
    usable = (G == 0) | (periods[0] < G)  # cohorts treated from the start are dropped
    rows: list[tuple[float, float, float, float, FloatArray]] = []
    for g in cohorts:
        before_g = periods[periods < g]
        for k in range(1, T):
            t = periods[k]
            base = before_g[-1] if t >= g else periods[k - 1]
            b = int(np.searchsorted(periods, base))
            control = never if not notyet else ((G == 0) | (max(t, base) < G)) & (g != G)
            sample = usable & ((g == G) | control) & np.isfinite(Y[:, k]) & np.isfinite(Y[:, b])
            if X.shape[1]:
                sample &= np.all(np.isfinite(Xs[:, b]), axis=1)
            d = (G[sample] == g).astype(np.float64)
            if d.sum() == 0 or d.sum() == len(d):
                continue
            design = np.column_stack([np.ones(int(sample.sum())), Xs[sample, b]])
            dy = Y[sample, k] - Y[sample, b]
            est = panel_att(dy, d, design, W[sample], method)
            full = np.zeros(n)
            full[sample] = est.influence * n / sample.sum()
            rows.append((g, float(base), float(t), est.att, full))
    return GroupTime(
        groups=np.array([r[0] for r in rows]), bases=np.array([r[1] for r in rows]),
        times=np.array([r[2] for r in rows]), att=np.array([r[3] for r in rows]),
        influence=np.column_stack([r[4] for r in rows]), unit_group=G, unit_weight=W,
        periods=periods)


@dataclass(frozen=True)
class Aggregate:
    """Aggregated effects: names, estimates and their covariance."""

    names: list[str]
    b: FloatArray
    V: FloatArray


def _weighted(gt: GroupTime, keep: np.ndarray) -> tuple[float, FloatArray]:
    """Σ ATT weighted by cohort shares over ``keep``, with the influence function of the
    estimated shares (did's wif)."""
    idx = np.flatnonzero(keep)
    pg = np.array([gt.share(g) for g in gt.groups[idx]])
    total = pg.sum()
    w = pg / total
    est = float(w @ gt.att[idx])
    member = np.column_stack([gt.unit_weight * (gt.unit_group == g) for g in gt.groups[idx]])
    if1 = (member - pg) / total
    if2 = np.outer((member - pg).sum(axis=1), pg / total**2)
    inf = gt.influence[:, idx] @ w + (if1 - if2) @ gt.att[idx]
    return est, np.asarray(inf)


def _mean(parts: list[tuple[float, FloatArray]]) -> tuple[float, FloatArray]:
    return (float(np.mean([p[0] for p in parts])),
            np.mean(np.column_stack([p[1] for p in parts]), axis=1))


def aggregate(gt: GroupTime, kind: str, window: tuple[int, int] | None = None) -> Aggregate:
    """``estat simple|group|calendar|event``: the ATT averaged over post-treatment pairs
    (cohort shares), by cohort (GAverage first), by calendar period (CAverage first) or by
    periods relative to treatment (Pre_avg, Post_avg, then Tm#/Tp#)."""
    post = gt.times >= gt.groups
    parts: list[tuple[str, tuple[float, FloatArray]]] = []
    if kind == "simple":
        parts = [("ATT", _weighted(gt, post))]
    elif kind == "group":
        cohorts = np.unique(gt.groups)
        each = []
        for g in cohorts:
            keep = post & (gt.groups == g)
            idx = np.flatnonzero(keep)
            each.append((float(gt.att[idx].mean()), gt.influence[:, idx].mean(axis=1)))
        pg = np.array([gt.share(g) for g in cohorts])
        w = pg / pg.sum()
        member = np.column_stack([gt.unit_weight * (gt.unit_group == g) for g in cohorts])
        wif = (member - pg) / pg.sum() - np.outer((member - pg).sum(axis=1), pg / pg.sum()**2)
        att_g = np.array([e[0] for e in each])
        overall = (float(w @ att_g),
                   np.column_stack([e[1] for e in each]) @ w + wif @ att_g)
        parts = [("GAverage", overall)] + [(f"G{g:g}", e) for g, e in zip(cohorts, each,
                                                                          strict=True)]
    elif kind == "calendar":
        times = [t for t in np.unique(gt.times) if (post & (gt.times == t)).any()]
        by_time = [(f"T{t:g}", _weighted(gt, post & (gt.times == t))) for t in times]
        parts = [("CAverage", _mean([e for _, e in by_time])), *by_time]
    elif kind == "event":
        rel = gt.times - gt.groups
        events = sorted(set(rel.tolist()))
        if window is not None:
            events = [e for e in events if window[0] <= e <= window[1]]
        by_event = [(_event_name(e), _weighted(gt, rel == e)) for e in events]
        pre = [v for (_, v), e in zip(by_event, events, strict=True) if e < 0]
        after = [v for (_, v), e in zip(by_event, events, strict=True) if e >= 0]
        parts = ([("Pre_avg", _mean(pre))] if pre else []) + (
            [("Post_avg", _mean(after))] if after else []) + by_event
    else:
        raise StatsError(198, f"estat {kind} not valid after csdid")
    names = [name for name, _ in parts]
    b = np.array([v[0] for _, v in parts])
    inf = np.column_stack([v[1] for _, v in parts])
    return Aggregate(names, b, np.asarray(inf.T @ inf / gt.n**2))


def _event_name(e: float) -> str:
    return f"Tm{abs(e):g}" if e < 0 else f"Tp{e:g}"
