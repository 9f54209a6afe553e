"""``reghdfe``: linear regression absorbing several fixed effects (Correia's command).

reghdfe's conventions, as its own output and pyfixest/fixest (which reproduce it) give them:

- singletons — observations alone in a level of any absorbed factor — are dropped, repeatedly
  until none is left (``e(num_singletons)``);
- y and X are demeaned by alternating projections on every factor (to a relative change
  below 1e-12 here, reghdfe's default is 1e-8); the slopes are OLS on the demeaned data and
  ``_cons`` is ȳ − x̄'b;
- the absorbed degrees of freedom ``df_a`` count every level, less the redundant ones: all
  levels of a factor nested within a cluster variable, none of the first other factor (it
  absorbs the constant), one per connected component of the second with the first (exact),
  one for every further factor;
- unadjusted: σ² = rss/(N − K − df_a); robust: HC0·N/(N − K − df_a); cluster:
  CRV·G/(G−1)·(N−1)/(N − K − df_a), t on G − 1; multi-way clustering is Cameron–Gelbach–
  Miller's inclusion–exclusion with G = min Gⱼ in the factor and the t df;
- r2_within is 1 − rss/tss of the demeaned y.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import fit, gaussian_ll
from libs.stata_stats.sample import complete, group_codes
from libs.stata_stats.vce import sandwich
from libs.stata_stats.wald import wald_statistic

TOLERANCE = 1e-12
MAX_SWEEPS = 10_000


def drop_singletons(codes: list[NDArray[np.intp]]) -> NDArray[np.bool_]:
    """Rows kept after dropping singleton levels of every factor, repeatedly."""
    keep = np.ones(len(codes[0]), dtype=bool)
    while True:
        before = int(keep.sum())
        for c in codes:
            counts = np.bincount(c[keep], minlength=int(c.max()) + 1)
            keep &= counts[c] > 1
        if int(keep.sum()) == before:
            return keep


def demean(values: FloatArray, codes: list[NDArray[np.intp]]) -> FloatArray:
    """``values`` (n×k) less their projection on all the factors (alternating projections)."""
    out = values.copy()
    sizes = [np.bincount(c).astype(np.float64) for c in codes]
    scale = np.maximum(np.abs(values).max(axis=0), 1e-300)
    for _ in range(MAX_SWEEPS):
        before = out.copy()
        for c, size in zip(codes, sizes, strict=True):
            for j in range(out.shape[1]):
                out[:, j] -= (np.bincount(c, weights=out[:, j], minlength=size.size) / size)[c]
        if len(codes) == 1 or float(np.max(np.abs(out - before) / scale)) < TOLERANCE:
            return out
    raise StatsError(430, "convergence not achieved")


def absorbed_df(codes: list[NDArray[np.intp]], nested: list[bool]) -> tuple[float, float]:
    """(levels, redundant) of the absorbed factors with reghdfe's default adjustments; the
    first factor not nested in a cluster absorbs the constant (none of its levels is
    redundant), the second is redundant by the connected components of the two."""
    levels = [float(c.max() + 1) for c in codes]
    free = [j for j in range(len(codes)) if not nested[j]]
    redundant = []
    for j, c in enumerate(codes):
        if nested[j]:
            redundant.append(levels[j])
        elif j == free[0]:
            redundant.append(0.0)
        elif j == free[1]:
            first = codes[free[0]]
            graph = sparse.coo_matrix((np.ones(len(c)), (first, c)),
                                      shape=(int(levels[free[0]]), int(levels[j])))
            n_comp, _ = connected_components(sparse.bmat([[None, graph], [graph.T, None]]),
                                             directed=False)
            redundant.append(float(n_comp))
        else:
            redundant.append(1.0)
    return float(sum(levels)), float(sum(redundant))


def nested_in_clusters(codes: NDArray[np.intp], clusters: NDArray[np.intp]) -> bool:
    """Whether every level of an absorbed factor lies within one cluster."""
    pairs = np.unique(np.column_stack([codes, clusters]), axis=0)
    return bool(len(pairs) == codes.max() + 1)


def reghdfe(y: FloatArray, X: FloatArray, names: tuple[str, ...],
            absorb: list[NDArray[np.generic]], *, depvar: str, absvars: tuple[str, ...],
            vce: str = "unadjusted", clusters: list[NDArray[np.generic]] | None = None,
            clustvars: tuple[str, ...] = (),
            preomitted: tuple[bool, ...] | None = None) -> Estimation:
    """``reghdfe depvar indepvars, absorb(f1 f2 …) [vce(robust | cluster c1 [c2 …])]``."""
    cl = clusters or []
    mask = complete(y, X, *absorb, *cl)
    codes_all = [group_codes(a[mask])[0] for a in absorb]
    keep = drop_singletons(codes_all)
    singletons = int((~keep).sum())
    rows = np.flatnonzero(mask)[keep]
    mask = np.zeros(len(y), dtype=bool)
    mask[rows] = True
    codes = [group_codes(a[mask])[0] for a in absorb]
    cl_codes = [group_codes(c[mask])[0] for c in cl]
    ys, Xs = y[mask], X[mask]
    n = float(len(ys))
    demeaned = demean(np.column_stack([ys, Xs]), codes)
    # the grand means added back, as areg does: the constant is ȳ − x̄'b
    ybar, xbar = float(ys.mean()), Xs.mean(axis=0)
    yt, Xt = demeaned[:, 0] + ybar, demeaned[:, 1:] + xbar
    ls = fit(yt, Xt, None, cons=True, preomitted=preomitted)
    k_names = len(names)
    k = ls.rank - 1
    nested = [any(nested_in_clusters(c, cc) for cc in cl_codes) for c in codes]
    levels, redundant = absorbed_df(codes, nested)
    df_a = levels - redundant
    # df_a includes the constant unless every factor is nested in a cluster
    df_resid = n - k - df_a - (1.0 if all(nested) else 0.0)
    if df_resid <= 0:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    resid = ls.resid
    rss = float(resid @ resid)
    design = np.column_stack([Xt, np.ones(len(yt))])
    if vce == "cluster":
        V, g = _cluster_vce(ls.bread, design, resid, cl_codes, n, n - df_resid)
        df_r = float(g - 1)
    elif vce == "robust":
        V = sandwich(ls.bread, design * resid[:, None], None, 0) * n / df_resid
        df_r = df_resid
    else:
        V = ls.bread * rss / df_resid
        df_r = df_resid
    b = ls.coef
    omitted = ls.omitted
    stat, q = wald_statistic(b, V, np.arange(k_names), omitted)
    tss = float(((ys - ybar) ** 2).sum())
    tss_w = float(demeaned[:, 0] @ demeaned[:, 0])
    r2 = 1.0 - rss / tss
    r2_w = 1.0 - rss / tss_w
    scalars: dict[str, float] = {
        "N": n, "num_singletons": float(singletons), "N_full": n + singletons,
        "df_m": float(q), "df_r": df_r, "df_a": df_a, "df_a_initial": levels,
        "df_a_redundant": redundant, "rss": rss, "tss": tss, "tss_within": tss_w,
        "mss": tss - rss, "r2": r2, "r2_a": 1.0 - (1.0 - r2) * (n - 1) / df_resid,
        "r2_within": r2_w, "r2_a_within": 1.0 - (1.0 - r2_w) * (n - 1) / df_resid,
        "rmse": float(np.sqrt(rss / df_resid)), "F": stat / q if q else np.nan,
        "ll": gaussian_ll(rss, n), "ll_0": gaussian_ll(tss_w, n), "N_hdfe": float(len(codes)),
        "rank": float(k),
    }
    scalars["p"] = float(stats.f.sf(scalars["F"], q, df_r)) if q else np.nan
    macros = {"cmd": "reghdfe", "depvar": depvar, "title": "HDFE Linear regression",
              "model": "ols", "absvars": " ".join(absvars),
              "extended_absvars": " ".join(absvars), "vce": vce,
              "indepvars": " ".join(names), "dofmethod": "pairwise clusters continuous"}
    if vce in ("robust", "cluster"):
        macros["vcetype"] = "Robust"
    if vce == "cluster":
        scalars["N_clustervars"] = float(len(cl))
        scalars["N_clust"] = float(min(int(c.max()) + 1 for c in cl_codes))
        for j, c in enumerate(cl_codes, start=1):
            scalars[f"N_clust{j}"] = float(int(c.max()) + 1)
        macros["clustvar"] = " ".join(clustvars)
    return Estimation(cmd="reghdfe", depvar=depvar, names=(*names, "_cons"), b=b, V=V,
                      omitted=omitted, scalars=scalars, macros=macros, df_r=df_r, sample=mask)


def _cluster_vce(bread: FloatArray, X: FloatArray, resid: FloatArray,
                 cl_codes: list[NDArray[np.intp]], n: float,
                 k_total: float) -> tuple[FloatArray, int]:
    """Cameron–Gelbach–Miller multi-way CRV with G = min Gⱼ in the small-sample factor."""
    scores = X * resid[:, None]
    g_min = min(int(c.max()) + 1 for c in cl_codes)
    total = np.zeros_like(bread)
    for r in range(1, len(cl_codes) + 1):
        for combo in itertools.combinations(cl_codes, r):
            inter = combo[0]
            for other in combo[1:]:
                inter = group_codes(inter * (int(other.max()) + 1) + other)[0]
            g = int(inter.max()) + 1
            total += (-1) ** (r + 1) * sandwich(bread, scores, inter, g)
    factor = g_min / (g_min - 1) * (n - 1) / (n - k_total)
    return total * factor, g_min
