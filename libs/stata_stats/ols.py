"""``regress``: linear regression with Stata's variance estimators and stored results.

Stata's definitions (checked against its output, see tests/stata_stats):

- ``vce(ols)``: ``σ² (X'WX)^-1`` with ``σ² = rss/(N−k)``.
- ``vce(robust)``: HC0 · N/(N−k); t with N−k df; F = Wald/q on (q, N−k).
- ``vce(cluster g)``: CRV · G/(G−1) · (N−1)/(N−k); t with G−1 df; F on (q, G−1).
- ``aweight``/``pweight`` are rescaled to sum to N; ``fweight`` counts replicated rows.
- ``r2_a`` and ``rmse`` always use N−k, also when clustering moves ``df_r`` to G−1.
"""

from __future__ import annotations

import numpy as np

from libs.stata_stats.arithmetic import ratio
from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import LeastSquares, fit, gaussian_ll
from libs.stata_stats.sample import Sample, Weights, estimation_mask, sample_rows
from libs.stata_stats.vce import VceRequest, covariance, vce_for_weights
from libs.stata_stats.wald import wald_statistic


def regress(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
            cons: bool = True, weights: Weights | None = None, vce: VceRequest | None = None,
            beta: bool = False, preomitted: tuple[bool, ...] | None = None) -> Estimation:
    """Stata's ``regress depvar indepvars [weight], [noconstant vce() beta]``.

    ``X`` holds the regressors without the constant, ``names`` their Stata names; rows with a
    missing value anywhere are left out (the mask is ``Estimation.sample``).
    """
    vce = vce_for_weights(vce or VceRequest(), weights)
    sample = Sample.linear(estimation_mask(y, X, weights, vce.clusters), weights, vce.clusters)
    w, n_obs = sample.w, sample.n_obs
    ys, Xs = sample_rows(sample.mask, y, X)
    ls = fit(ys, Xs, sample.fit_weights, cons=cons, preomitted=preomitted)
    k = ls.rank
    df_resid = n_obs - k
    if df_resid <= 0:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    rss = float(w @ ls.resid**2)
    if cons:
        mss = float(w @ (ls.fitted - ls.ybar) ** 2)
        tss = float(w @ (ys - ls.ybar) ** 2)
    else:
        mss = float(w @ ls.fitted**2)
        tss = float(w @ (ys - float(w @ ys) / w.sum()) ** 2)
    sigma2 = rss / df_resid
    df_m = k - (1 if cons else 0)
    scalars: dict[str, float] = {"N": n_obs, "df_m": float(df_m)}
    macros = {"cmd": "regress", "depvar": depvar, "title": "Linear regression", "model": "ols"}
    cov = covariance(ls.bread, Xs, ls.resid, sample, vce, cons=cons, sigma2=sigma2,
                     df_resid=df_resid, conventional="ols")
    cov.post(scalars, macros)
    V, df_r = cov.V, cov.t_df(df_resid)
    scalars["df_r"] = df_r
    slopes = np.arange(len(names))
    if df_m == 0:
        scalars["F"] = 0.0
    elif vce.is_robust:
        stat, q = wald_statistic(ls.coef, V, slopes, ls.omitted)
        scalars["F"] = stat / q if q == df_m and q <= df_r else np.nan
    else:
        scalars["F"] = ratio(mss / df_m, sigma2)
    r2 = mss / (mss + rss) if mss + rss > 0 else np.nan
    scalars.update(
        r2=r2,
        rmse=float(np.sqrt(sigma2)),
        mss=mss,
        rss=rss,
        r2_a=1.0 - (1.0 - r2) * ((n_obs - 1) if cons else n_obs) / df_resid,
        ll=gaussian_ll(rss, n_obs),
        ll_0=gaussian_ll(tss, n_obs),
        rank=float(k),
    )
    all_names = (*names, "_cons") if cons else names
    extra = {}
    if beta:
        extra["beta"] = _standardized(ls, Xs, ys, w, cons)
    return Estimation(cmd="regress", depvar=depvar, names=all_names, b=ls.coef, V=V,
                      omitted=ls.omitted, scalars=scalars, macros=macros, df_r=df_r,
                      sample=sample.mask, extra=extra)


def _standardized(
    ls: LeastSquares, Xs: FloatArray, ys: FloatArray, w: FloatArray, cons: bool
) -> FloatArray:
    """``beta`` option: coefficients times sd(x)/sd(y), with the estimation weights."""
    sw = w.sum()
    ybar = w @ ys / sw
    sd_y = np.sqrt(w @ (ys - ybar) ** 2 / (sw - 1))
    xbar = (w @ Xs) / sw
    sd_x = np.sqrt((w @ (Xs - xbar) ** 2) / (sw - 1))
    slopes = ls.coef[: Xs.shape[1]]
    out: FloatArray = slopes * sd_x / sd_y
    return np.append(out, np.nan) if cons else out
