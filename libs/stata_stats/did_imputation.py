"""Borusyak, Jaravel and Spiess (2024), "Revisiting event-study designs": the imputation
estimator of ``did_imputation`` with the default two-way model (unit and period effects).

1. Fit unit and period fixed effects (weighted) on the untreated observations (never
   treated, or K = t − E_i < 0). 2. Impute Y(0) for every treated observation an estimand
   uses and take τ̂_it = Y_it − Ŷ_it(0). 3. Average τ̂ with the estimand's weights (all
   treated, or one horizon K each). The estimator is linear, τ̂ = Σ w_it v_it Y_it: v is the
   normalised estimand weight on treated observations and −Z₀(Z₀'WZ₀)⁻¹Z₁'Wv₁ on untreated
   ones. The variance is Σ_clusters (Σ w v ε̃)², ε̃ the imputation residual for untreated
   observations and τ̂ less its average within ``avgeffectsby`` groups (cohort × period by
   default; weighted by the clusters' own weights, the paper's section 4.3) for treated
   ones, inflated by the leave-out factor with ``leaveout``. Pre-trend coefficients come
   from OLS of Y on leads K = −1…−p and the fixed effects on the untreated observations
   (singletons dropped, as reghdfe does), with their clustered scores stacked beside the
   effects' so that e(V) holds the covariances between the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

from libs.stata_stats.errors import StatsError
from libs.stata_stats.hdfe import absorbed_df, drop_singletons, nested_in_clusters
from libs.stata_stats.sample import group_codes

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Panel:
    """One row per observation of the estimation sample: outcome, unit, period, periods
    since treatment K (NaN = never treated), weights, clusters and avgeffectsby groups."""

    y: FloatArray
    unit: NDArray[np.intp]
    time: NDArray[np.intp]
    k: FloatArray
    weights: FloatArray
    clusters: NDArray[np.intp]
    groups: NDArray[np.intp]

    @property
    def treated(self) -> BoolArray:
        return np.asarray(np.isfinite(self.k) & (self.k >= 0))


@dataclass(frozen=True)
class Imputation:
    """Coefficients (tau…, then pre1…), their covariance, treated counts per effect, the
    per-observation effects (NaN where not estimated) and what was suppressed."""

    names: list[str]
    b: FloatArray
    V: FloatArray
    n_treated: FloatArray
    n_control: int
    effects: FloatArray
    dropped: list[str]
    autosample_drop: list[str]
    autosample_trim: list[str]
    sample: BoolArray
    pre_df: float | None


def panel(y: FloatArray, unit: NDArray[np.generic], time: FloatArray, k: FloatArray,
          weights: FloatArray, clusters: NDArray[np.generic],
          groups: list[NDArray[np.generic]]) -> Panel:
    """Codes the identifiers of the estimation sample."""
    group = np.zeros(len(y), dtype=np.intp)
    for g in groups:
        codes = group_codes(g)[0]
        group = group_codes(group * (int(codes.max()) + 1) + codes)[0]
    return Panel(y, group_codes(unit)[0], group_codes(time)[0], k, weights,
                 group_codes(clusters)[0], group)


def _design(p: Panel, rows: BoolArray) -> sparse.csr_matrix:
    """Dummies for the units and periods that ``rows`` observe (the first such period left
    out), for every observation."""
    n, n_units = len(p.y), int(p.unit.max()) + 1
    seen = np.zeros(n_units + int(p.time.max()) + 1, dtype=bool)
    seen[p.unit[rows]] = True
    seen[n_units + p.time[rows]] = True
    seen[n_units + int(p.time[rows].min())] = False
    column = np.cumsum(seen) - 1
    cols = np.concatenate([p.unit, n_units + p.time])
    keep = seen[cols]
    return sparse.csr_matrix((np.ones(int(keep.sum())),
                              (np.tile(np.arange(n), 2)[keep], column[cols[keep]])),
                             shape=(n, int(seen.sum())))


def _components(p: Panel, rows: BoolArray) -> int:
    """Connected components of the unit–period graph on ``rows``."""
    n_units = int(p.unit.max()) + 1
    size = n_units + int(p.time.max()) + 1
    graph = sparse.coo_matrix((np.ones(int(rows.sum())),
                               (p.unit[rows], n_units + p.time[rows])), shape=(size, size))
    used = np.zeros(size, dtype=bool)
    used[p.unit[rows]] = True
    used[n_units + p.time[rows]] = True
    _, labels = connected_components(graph, directed=False)
    return len(np.unique(labels[used]))


def estimands(p: Panel, horizons: list[int] | None) -> tuple[list[BoolArray], list[str]]:
    """The treated observations each coefficient averages: all of them (``tau``) or one
    horizon each (``tau0 tau1 …``)."""
    if horizons is None:
        return [p.treated], ["tau"]
    return [p.treated & (p.k == h) for h in horizons], [f"tau{h}" for h in horizons]


def estimate(p: Panel, horizons: list[int] | None, *, autosample: bool, minn: float,
             leaveout: bool, pretrends: int, se: bool) -> Imputation:
    """The imputation estimates of ``did_imputation`` (see the module docstring)."""
    columns, names = estimands(p, horizons)
    control = ~p.treated
    if not control.any():
        raise StatsError(459, "There are no untreated observations, i.e. those with t<Ei "
                              "or mi(Ei).")
    n_units, n_times = int(p.unit.max()) + 1, int(p.time.max()) + 1
    has_unit = np.bincount(p.unit[control], minlength=n_units) > 0
    has_time = np.bincount(p.time[control], minlength=n_times) > 0
    imputable = has_unit[p.unit] & has_time[p.time]
    need = np.logical_or.reduce(columns)
    cannot = need & ~imputable
    drop_auto: list[str] = []
    trim_auto: list[str] = []
    if cannot.any():
        if not autosample:
            raise StatsError(198, f"Could not impute FE for {int(cannot.sum())} observations."
                                  " Use the autosample option if you would like those "
                                  "observations to be dropped from the sample automatically.")
        for j, col in enumerate(columns):
            if (col & cannot).any():
                (drop_auto if not (col & imputable).any() else trim_auto).append(names[j])
            columns[j] = col & imputable
        need &= imputable
    sample = control | need
    if _components(p, control) != _components(p, sample):
        raise StatsError(481, "Could not run imputation for some observations because some "
                              "absorbed variables/FEs are collinear in the D==0 subsample "
                              "but not in the full sample")
    if _components(p, control) > 1:
        raise StatsError(481, "the untreated observations' units and periods form more "
                              "than one connected set; the embedded engine imputes within "
                              "one")
    Z = _design(p, control)
    Z0, w0 = Z[control], p.weights[control]
    gram = (Z0.T @ sparse.diags(w0) @ Z0).tocsc()
    fitted = Z @ spsolve(gram, Z0.T @ (w0 * p.y[control]))
    effects = np.where(need, p.y - fitted, np.nan)
    k = len(names)
    b, n_treated = np.zeros(k), np.zeros(k)
    v_all = np.zeros((len(p.y), k))
    dropped: list[str] = list(drop_auto)
    for j, col in enumerate(columns):
        wt = np.where(col, p.weights, 0.0)
        if names[j] in drop_auto:
            continue
        if wt.sum() <= 0 or np.sum((wt / wt.sum()) ** 2) * minn > 1:
            dropped.append(names[j])
            continue
        wt /= wt.sum()
        n_treated[j] = float(np.count_nonzero(wt))
        b[j] = float(np.sum(wt[need] * effects[need]))
        v = np.where(col, wt / p.weights, 0.0)
        v[control] = -(Z0 @ spsolve(gram, Z[col].T @ wt[col]))
        v_all[:, j] = v
    n_cl = int(p.clusters.max()) + 1
    scores = np.zeros((n_cl, k))
    if se:
        resid = np.where(control, p.y - fitted, 0.0)
        for j in range(k):
            if names[j] not in dropped:
                scores[:, j] = _effect_scores(p, effects, resid, need, v_all[:, j], leaveout,
                                              names[j])
    pre_df = None
    if pretrends > 0:
        b_pre, pre_scores, pre_df = _pretrends(p, control, pretrends)
        names = names + [f"pre{h}" for h in range(1, pretrends + 1)]
        b = np.concatenate([b, b_pre])
        scores = np.column_stack([scores, pre_scores])
    V = scores.T @ scores if se else np.zeros((len(names), len(names)))
    return Imputation(names, b, V, n_treated, int(control.sum()), effects, dropped,
                      drop_auto, trim_auto, sample, pre_df)


def _effect_scores(p: Panel, effects: FloatArray, resid: FloatArray, need: BoolArray,
                   v: FloatArray, leaveout: bool, name: str) -> FloatArray:
    """Σ over each cluster of w·v·ε̃ for one coefficient."""
    used = need & (v != 0)
    wv = np.where(used, p.weights * v, 0.0)
    n_groups = int(p.groups.max()) + 1
    pair = group_codes(p.clusters * n_groups + p.groups)[0]
    cluster_weight = np.bincount(pair, weights=wv)[pair]
    raw = cluster_weight * wv
    denom = np.bincount(p.groups, weights=raw, minlength=n_groups)[p.groups]
    smart = np.divide(raw, denom, out=np.zeros_like(raw), where=denom != 0)
    tau = np.nan_to_num(effects)
    avg = np.bincount(p.groups, weights=np.where(used, tau * smart, 0.0),
                      minlength=n_groups)[p.groups]
    eps = np.where(need, tau - avg, resid)
    if leaveout:
        share = np.divide(cluster_weight**2, denom, out=np.zeros_like(denom), where=used)
        lone = share > 0.99999
        if lone.any():
            raise StatsError(498, f"Cannot compute leave-out standard errors because of "
                                  f"{int(lone.sum())} observations for coefficient "
                                  f"\"{name}\" (cohorts with only one unit or cluster; "
                                  "consider avgeffectsby() with broader groups)")
        factor = np.divide(denom, denom - cluster_weight**2, out=np.ones_like(denom),
                           where=used)
        eps = np.where(used, eps * factor, eps)
    return np.bincount(p.clusters, weights=p.weights * v * eps,
                       minlength=int(p.clusters.max()) + 1)


def _pretrends(p: Panel, control: BoolArray, pre: int) -> tuple[FloatArray, FloatArray,
                                                                  float]:
    """OLS of Y on the leads K = −1…−pre with unit and period effects on the untreated
    observations, singletons dropped (reghdfe's default); the coefficients, each cluster's
    scores scaled by reghdfe's small-sample factor, and the F test's df G − 1."""
    rows = np.flatnonzero(control)
    keep = drop_singletons([group_codes(p.unit[rows])[0], group_codes(p.time[rows])[0]])
    rows = rows[keep]
    sub = Panel(p.y[rows], group_codes(p.unit[rows])[0], group_codes(p.time[rows])[0],
                p.k[rows], p.weights[rows], group_codes(p.clusters[rows])[0], p.groups[rows])
    w = sub.weights
    Z = _design(sub, np.ones(len(rows), dtype=bool))
    gram = (Z.T @ sparse.diags(w) @ Z).tocsc()
    X = np.column_stack([(sub.k == -h).astype(float) for h in range(1, pre + 1)])

    # the leads and the outcome less their weighted projection on the fixed effects
    both = np.column_stack([sub.y, X])
    within = both - Z @ np.asarray(spsolve(gram, Z.T @ (w[:, None] * both))).reshape(
        gram.shape[0], -1)
    yt, Xt = within[:, 0], within[:, 1:]
    # a lead with no observations, or collinear with the others, is omitted (b = 0, se = 0)
    usable = np.flatnonzero(np.einsum("ij,ij,i->j", Xt, Xt, w) > 1e-9 * np.maximum(X.sum(0), 1))
    Xu = Xt[:, usable]
    xtwx = Xu.T @ (w[:, None] * Xu)
    bu = np.linalg.solve(xtwx, Xu.T @ (w * yt))
    e = yt - Xu @ bu
    b = np.zeros(pre)
    b[usable] = bu
    n, g = float(len(rows)), int(sub.clusters.max()) + 1
    codes = [sub.unit, sub.time]
    nested = [nested_in_clusters(c, sub.clusters) for c in codes]
    levels, redundant = absorbed_df(codes, nested)
    df_resid = n - len(usable) - (levels - redundant) - (1.0 if all(nested) else 0.0)
    dof = (n - 1) / df_resid * g / (g - 1)
    influence = Xu @ np.linalg.inv(xtwx)
    scores = np.zeros((g, pre))
    for col, j in enumerate(usable):
        scores[:, j] = np.bincount(sub.clusters, weights=w * influence[:, col] * e,
                                   minlength=g) * np.sqrt(dof)
    return b, scores, float(g - 1)


def horizons_in(k: FloatArray) -> list[int]:
    """``allhorizons``: every non-negative K present."""
    return sorted({int(x) for x in k[np.isfinite(k) & (k >= 0)]})
