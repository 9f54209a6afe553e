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

from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import gaussian_ll
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest, covariance, vce_for_weights
from libs.stata_stats.wald import wald_statistic
from libs.stata_stats.within import within_fit


def areg(y: FloatArray, X: FloatArray, names: tuple[str, ...], absorb: NDArray[np.generic], *,
         depvar: str, absvar: str, weights: Weights | None = None, vce: VceRequest | None = None,
         preomitted: tuple[bool, ...] | None = None) -> Estimation:
    """Stata's ``areg depvar indepvars [weight], absorb(absvar) [vce()]``."""
    vce = vce_for_weights(vce or VceRequest(), weights)
    wf = within_fit(y, X, absorb, weights, vce, preomitted)
    ls, n_obs, df_r = wf.ls, wf.sample.n_obs, wf.df_resid
    rss, tss = wf.rss, wf.tss
    sigma2 = rss / df_r
    scalars: dict[str, float] = {"N": n_obs}
    macros = {
        "cmd": "areg",
        "depvar": depvar,
        "absvar": absvar,
        "title": "Linear regression, absorbing indicators",
    }
    # the absorbed levels count as parameters in the small-sample factors, as regress with
    # the indicators written out would count them
    cov = covariance(ls.bread, wf.Xt, ls.resid, wf.sample, vce, cons=True, sigma2=sigma2,
                     df_resid=df_r, conventional="ols")
    cov.post(scalars, macros)
    V, t_df = cov.V, cov.t_df(df_r)
    stat, q = wald_statistic(ls.coef, V, np.arange(len(names)), ls.omitted)
    r2 = 1.0 - rss / tss
    scalars.update(
        df_m=float(q),
        df_r=t_df,
        df_a=float(wf.panel.groups - 1),
        F=stat / q if q else np.nan,
        r2=r2,
        r2_a=1.0 - (1.0 - r2) * (n_obs - 1) / df_r,
        rss=rss,
        mss=tss - rss,
        rmse=float(np.sqrt(sigma2)),
        F_absorb=wf.effects_f(sigma2, preomitted),
        ll=gaussian_ll(rss, n_obs),
        ll_0=gaussian_ll(tss, n_obs),
        rank=float(ls.rank),
    )
    scalars["p"] = float(stats.f.sf(scalars["F"], q, t_df)) if q else np.nan
    return Estimation(cmd="areg", depvar=depvar, names=(*names, "_cons"), b=ls.coef, V=V,
                      omitted=ls.omitted, scalars=scalars, macros=macros, df_r=t_df,
                      sample=wf.sample.mask)
