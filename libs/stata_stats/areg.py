"""``areg, absorb()``: regression with one absorbed categorical factor.

The coefficients and conventional VCE are those of ``xtreg, fe`` (grand-mean ``_cons``);
the difference is that areg counts the absorbed indicators as estimated parameters in its
small-sample factors, exactly as ``regress`` with the indicators written out would:
robust = HC0·N/(N−K−G), cluster = CRV·Gc/(Gc−1)·(N−1)/(N−K−G), with K the slopes and G the
absorbed levels. R² is that of the regression with the indicators; F_absorb tests them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import fit, gaussian_ll
from libs.stata_stats.panel import panel_of, within_fit
from libs.stata_stats.sample import Sample, Weights, estimation_mask
from libs.stata_stats.vce import VceRequest, covariance, vce_for_weights
from libs.stata_stats.wald import wald_statistic


def areg(
    y: FloatArray,
    X: FloatArray,
    names: tuple[str, ...],
    absorb: NDArray[np.generic],
    *,
    depvar: str,
    absvar: str,
    weights: Weights | None = None,
    vce: VceRequest | None = None,
    preomitted: tuple[bool, ...] | None = None,
) -> Estimation:
    """Stata's ``areg depvar indepvars [weight], absorb(absvar) [vce()]``."""
    vce = vce_for_weights(vce or VceRequest(), weights)
    mask = estimation_mask(y, X, weights, absorb, vce.clusters)
    sample = Sample.linear(mask, weights, vce.clusters)
    w, n_obs = sample.w, sample.n_obs
    ys, Xs = y[mask], X[mask]
    p = panel_of(absorb, sample)
    wf = within_fit(ys, Xs, p, preomitted)
    ls, Xt = wf.ls, wf.Xt
    k = ls.rank - 1
    df_r = n_obs - k - p.groups
    if df_r <= 0:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    rss = float(w @ ls.resid**2)
    tss = float(w @ (ys - (w @ ys) / w.sum()) ** 2)
    scalars: dict[str, float] = {"N": n_obs}
    macros = {
        "cmd": "areg",
        "depvar": depvar,
        "absvar": absvar,
        "title": "Linear regression, absorbing indicators",
    }
    # the absorbed levels count as parameters in the small-sample factors, as regress with
    # the indicators written out would count them
    cov = covariance(ls.bread, Xt, ls.resid, sample, vce, cons=True, sigma2=rss / df_r,
                     df_resid=df_r, conventional="ols")
    cov.post(scalars, macros)
    V, t_df = cov.V, cov.t_df(df_r)
    stat, q = wald_statistic(ls.coef, V, np.arange(len(names)), ls.omitted)
    sigma2 = rss / df_r
    r2 = 1.0 - rss / tss
    pooled = fit(ys, Xs, sample.fit_weights, cons=True, preomitted=preomitted)
    rss_pooled = float(w @ pooled.resid**2)
    scalars.update(
        df_m=float(q),
        df_r=t_df,
        df_a=float(p.groups - 1),
        F=stat / q if q else np.nan,
        r2=r2,
        r2_a=1.0 - (1.0 - r2) * (n_obs - 1) / df_r,
        rss=rss,
        mss=tss - rss,
        rmse=float(np.sqrt(sigma2)),
        F_absorb=((rss_pooled - rss) / (p.groups - 1)) / sigma2 if p.groups > 1 else np.nan,
        ll=gaussian_ll(rss, n_obs),
        ll_0=gaussian_ll(tss, n_obs),
        rank=float(ls.rank),
    )
    scalars["p"] = float(stats.f.sf(scalars["F"], q, t_df)) if q else np.nan
    return Estimation(
        cmd="areg",
        depvar=depvar,
        names=(*names, "_cons"),
        b=ls.coef,
        V=V,
        omitted=ls.omitted,
        scalars=scalars,
        macros=macros,
        df_r=t_df,
        sample=mask,
    )
