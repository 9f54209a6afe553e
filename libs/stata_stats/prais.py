"""``prais``: linear regression with AR(1) errors, Prais–Winsten or Cochrane–Orcutt.

Stata's procedure ([TS] prais, Methods and formulas): start from OLS; estimate ρ from the
residuals e = y − Xb of the untransformed model by ``rhotype()``; transform

    yₜ* = yₜ − ρyₜ₋₁ (xₜ likewise, the constant becomes 1 − ρ)   for t > 1,
    y₁* = √(1−ρ²)·y₁ (Prais–Winsten; Cochrane–Orcutt drops the first observation),

regress y* on X* without a further constant, and repeat until ρ changes by less than
``tol`` (1e-6), or stop after one step with ``twostep``. The fit statistics (R², F, root MSE,
mss, rss) are those of the transformed regression, mss taken around the mean of y* (with a
constant in the model); ``dw_0`` and ``dw`` are the Durbin–Watson statistics of the OLS and
the transformed residuals. Rows are in time order; a gap starts a new run (its first row is
treated like the first observation) and is counted in ``N_gaps``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from libs.stata_stats.errors import CONVERGENCE_NOT_ACHIEVED, INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import fit, gaussian_ll
from libs.stata_stats.sample import Sample, estimation_mask
from libs.stata_stats.vce import VceRequest, covariance

RHOTYPES = ("regress", "freg", "tscorr", "dw", "theil", "nagar")
TOLERANCE = 1e-6
MAX_ITERATIONS = 100


@dataclass(frozen=True, kw_only=True)
class PraisFit:
    """The estimates with the iteration log of ρ."""

    estimation: Estimation
    rhos: tuple[float, ...]  #: ρ at iterations 0, 1, ... (iteration 0: OLS, ρ = 0)


def _dw(e: FloatArray, starts: NDArray[np.bool_]) -> float:
    d = np.diff(e)[~starts[1:]]
    return float(d @ d / (e @ e))


def estimate_rho(e: FloatArray, starts: NDArray[np.bool_], rhotype: str, k: int) -> float:
    """ρ from the residuals by Stata's ``rhotype()`` (``starts``: rows with no predecessor)."""
    cur, prev = e[1:][~starts[1:]], e[:-1][~starts[1:]]
    n = e.size
    if rhotype == "regress":
        return float(cur @ prev / (prev @ prev))
    if rhotype == "freg":
        return float(cur @ prev / (cur @ cur))
    tscorr = float(cur @ prev / (e @ e))
    dw = _dw(e, starts)
    if rhotype == "tscorr":
        return tscorr
    if rhotype == "dw":
        return 1.0 - dw / 2.0
    if rhotype == "theil":
        return tscorr * (n - k) / n
    return ((1.0 - dw / 2.0) * n**2 + k**2) / (n**2 - k**2)  # nagar


def _transform(values: FloatArray, starts: NDArray[np.bool_], rho: float,
               corc: bool) -> FloatArray:
    out = np.empty_like(values)
    out[1:] = values[1:] - rho * values[:-1]
    out[starts] = np.sqrt(1.0 - rho**2) * values[starts]
    return out[~starts] if corc else out


def prais(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
          time: FloatArray, panel: FloatArray | None = None, delta: float = 1.0,
          corc: bool = False, twostep: bool = False, rhotype: str = "regress",
          cons: bool = True, vce: VceRequest | None = None,
          preomitted: tuple[bool, ...] | None = None) -> PraisFit:
    """Stata's ``prais depvar indepvars [, corc twostep rhotype() noconstant vce()]``;
    ``time`` (and ``panel``) order the rows, which must be sorted by them."""
    if rhotype not in RHOTYPES:
        raise StatsError(INVALID_SYNTAX, f"rhotype({rhotype}) invalid")
    vce = vce or VceRequest()
    mask = estimation_mask(y, X, None)
    ys, Xs, ts = y[mask], X[mask], time[mask]
    starts = np.ones(ys.size, dtype=bool)
    starts[1:] = np.diff(ts) != delta
    if panel is not None:
        ps = panel[mask]
        starts[1:] |= ps[1:] != ps[:-1]
    n_gaps = int(starts.sum()) - (1 if panel is None else np.unique(panel[mask]).size)
    design = np.column_stack([Xs, np.ones(ys.size)]) if cons else Xs
    pre = tuple(preomitted) if preomitted is not None else (False,) * X.shape[1]
    ols = fit(ys, Xs, None, cons=cons, preomitted=pre)
    e0 = ys - design @ ols.coef
    k = ols.rank + 1  # Stata's prais counts the dependent variable in k (theil, nagar)
    rho, coef, rhos = 0.0, ols.coef, [0.0]
    for _ in range(MAX_ITERATIONS):
        new = estimate_rho(ys - design @ coef, starts, rhotype, k)
        coef = fit(_transform(ys, starts, new, corc),
                   _transform(design, starts, new, corc), None, cons=False,
                   preomitted=(*pre, False) if cons else pre).coef
        rhos.append(new)
        done = twostep or abs(new - rho) < TOLERANCE
        rho = new
        if done:
            break
    else:
        raise StatsError(CONVERGENCE_NOT_ACHIEVED, "convergence not achieved")
    return PraisFit(estimation=_estimation(
        ys, design, starts, rho, corc, cons, pre, vce, names, depvar, e0, mask, n_gaps,
        rhotype, twostep, len(rhos) - 1), rhos=tuple(rhos))


def _estimation(ys: FloatArray, design: FloatArray, starts: NDArray[np.bool_], rho: float,
                corc: bool, cons: bool, pre: tuple[bool, ...], vce: VceRequest,
                names: tuple[str, ...], depvar: str, e0: FloatArray,
                mask: NDArray[np.bool_], n_gaps: int, rhotype: str, twostep: bool,
                iterations: int) -> Estimation:
    """The transformed regression at the final ρ, posted as Stata's prais does."""
    ty = _transform(ys, starts, rho, corc)
    tX = _transform(design, starts, rho, corc)
    ls = fit(ty, tX, None, cons=False, preomitted=(*pre, False) if cons else pre)
    n = float(ty.size)
    k = ls.rank
    df_r = n - k
    rss = float(ls.resid @ ls.resid)
    # Stata fits the transformed model with ``hascons`` and a centred total sum of squares, so
    # mss = tss − rss can fall below zero (the transformed constant is not constant); it then
    # reports a model sum of squares of 0, F = 0 and a missing R².
    tss = float(ty @ ty) - (n * float(ty.mean()) ** 2 if cons else 0.0)
    mss = tss - rss
    r2 = mss / tss if mss >= 0 else np.nan
    mss = max(mss, 0.0)
    sigma2 = rss / df_r
    clusters = None if vce.clusters is None else vce.clusters[mask]
    if clusters is not None and corc:
        clusters = clusters[~starts]
    sample = Sample.linear(np.ones(ty.size, dtype=bool), None, clusters)
    scalars: dict[str, float] = {"N": n, "df_m": float(k - (1 if cons else 0)), "df_r": df_r}
    macros = {"cmd": "prais", "depvar": depvar, "title": "Prais-Winsten AR(1) regression",
              "tranmeth": "corc" if corc else "prais",
              "method": "twostep" if twostep else "iterated", "rhotype": rhotype,
              "predict": "prais_p"}
    cov = covariance(ls.bread, tX, ls.resid, sample, vce, cons=False, sigma2=sigma2,
                     df_resid=df_r, conventional="ols")
    cov.post(scalars, macros)
    df_m = scalars["df_m"]
    full_starts = starts[~starts] if corc else starts
    scalars.update(
        F=(mss / df_m) / sigma2 if df_m else np.nan, r2=r2,
        rmse=float(np.sqrt(sigma2)), mss=mss, rss=rss,
        r2_a=1.0 - (1.0 - r2) * (n - (1 if cons else 0)) / df_r,
        ll=gaussian_ll(rss, n), N_gaps=float(n_gaps), tol=TOLERANCE,
        max_ic=float(MAX_ITERATIONS), ic=float(iterations),
        dw=_dw(ls.resid, full_starts), dw_0=_dw(e0, starts), rho=rho, rank=float(k),
    )
    return Estimation(cmd="prais", depvar=depvar, names=(*names, "_cons") if cons else names,
                      b=ls.coef, V=cov.V, omitted=ls.omitted, scalars=scalars, macros=macros,
                      df_r=cov.t_df(df_r), sample=mask)
