"""``xtreg, fe`` and ``xtreg, re``: linear models with panel effects.

Stata's definitions (checked against Stata's output shipped with linearmodels):

- fe: OLS of ``y − ȳᵢ + ȳ`` on ``x − x̄ᵢ + x̄`` and a constant (the constant is the grand-mean
  intercept); σₑ² = rss/(N−G−K); cluster/robust (robust means clustered on the panel) use
  G/(G−1)·(N−1)/(N−K−1) with K+1 counting ``_cons`` but not the absorbed effects, because
  the effects are nested within the clusters.
- re: Swamy–Arora. σₑ² from the within fit (N − G − its rank), σᵤ² = rss_b/(G − rank_b) −
  σₑ²/T̄ with T̄ the harmonic mean of the group sizes; GLS on ``y − θᵢȳᵢ`` with
  θᵢ = 1 − √(σₑ²/(Tᵢσᵤ² + σₑ²)); z tests. Time-invariant regressors stay in the between
  and GLS regressions.
- r2_w / r2_b / r2_o are squared correlations of within, between and overall predictions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from libs.stata_stats.arithmetic import ratio
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import fit, gaussian_ll
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest, covariance
from libs.stata_stats.wald import wald_statistic
from libs.stata_stats.within import Panel, within_fit


def _corr(a: FloatArray, b: FloatArray) -> float:
    """Pearson correlation; missing when either side does not vary (a perfect fit)."""
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _corr2(a: FloatArray, b: FloatArray) -> float:
    return _corr(a, b) ** 2


def _group_stats(p: Panel) -> dict[str, float]:
    return {
        "N_g": float(p.groups),
        "g_min": float(p.sizes.min()),
        "g_max": float(p.sizes.max()),
        "g_avg": float(p.sizes.mean()),
        "Tbar": float(p.groups / np.sum(1.0 / p.sizes)),
    }


def _panel_vce(vce: VceRequest | None, groups: NDArray[np.generic], ivar: str) -> VceRequest:
    """``vce(robust)`` after ``xtreg`` means clustered on the panel variable."""
    vce = vce or VceRequest()
    if vce.kind == "robust":
        return VceRequest(kind="cluster", clusters=groups, clustvar=ivar)
    return vce


def xtreg_fe(y: FloatArray, X: FloatArray, names: tuple[str, ...], groups: NDArray[np.generic], *,
             depvar: str, ivar: str, weights: Weights | None = None, vce: VceRequest | None = None,
             preomitted: tuple[bool, ...] | None = None) -> Estimation:
    """Stata's ``xtreg depvar indepvars, fe [vce()]``."""
    vce = _panel_vce(vce, groups, ivar)
    wf = within_fit(y, X, groups, weights, vce, preomitted)
    sample, p, ls, yt, ys = wf.sample, wf.panel, wf.ls, wf.yt, wf.ys
    w, n_obs, k, df_resid, rss = sample.w, sample.n_obs, wf.k, wf.df_resid, wf.rss
    sigma_e2 = rss / df_resid
    # fe reports the plain average group size as Tbar; re the harmonic mean it uses
    scalars: dict[str, float] = {"N": n_obs, **_group_stats(p), "Tbar": float(p.sizes.mean())}
    macros = {
        "cmd": "xtreg",
        "depvar": depvar,
        "model": "fe",
        "ivar": ivar,
        "title": "Fixed-effects (within) regression",
    }
    slopes = np.arange(len(names))
    # the effects are nested within the clusters, so the factor counts _cons but not them
    cov = covariance(ls.bread, wf.Xt, ls.resid, sample, vce, cons=True, sigma2=sigma_e2,
                     df_resid=n_obs - k - 1, conventional="conventional")
    cov.post(scalars, macros)
    V, df_r = cov.V, cov.t_df(df_resid)
    rmse_df = n_obs - k - 1 if vce.is_robust else df_resid
    stat, q = wald_statistic(ls.coef, V, slopes, ls.omitted)
    b = ls.coef[: len(names)]
    xb = wf.Xs @ b
    u = wf.ybar_g - wf.xbar_g @ b - ls.coef[-1]
    u_obs = u[p.codes]
    sigma_u = float(np.std(u, ddof=1))
    wtss = float(w @ (yt - (w @ yt) / w.sum()) ** 2)
    r2_w = 1.0 - rss / wtss
    scalars.update(
        df_m=float(k if vce.is_robust else k + p.groups - 1),
        df_r=df_r,
        df_a=float(p.groups - 1),
        df_b=float(k),
        F=stat / q if q else np.nan,
        rss=rss,
        mss=wtss - rss,
        tss=wf.tss,
        r2=r2_w,
        r2_w=r2_w,
        r2_b=_corr2(wf.ybar_g, wf.xbar_g @ b),
        r2_o=_corr2(ys, xb),
        r2_a=1.0 - (1.0 - r2_w) * (n_obs - 1) / rmse_df,
        rmse=float(np.sqrt(rss / rmse_df)),
        sigma_e=float(np.sqrt(sigma_e2)),
        sigma_u=sigma_u,
        sigma=float(np.sqrt(sigma_u**2 + sigma_e2)),
        rho=ratio(sigma_u**2, sigma_u**2 + sigma_e2),
        corr=_corr(u_obs, xb),
        ll=gaussian_ll(rss, n_obs),
        ll_0=gaussian_ll(wtss, n_obs),
        rank=float(ls.rank),
    )
    if not vce.is_robust:
        scalars["F_f"] = wf.effects_f(sigma_e2, preomitted)
    scalars["p"] = float(stats.f.sf(scalars["F"], q, df_r)) if q else np.nan
    return Estimation(cmd="xtreg", depvar=depvar, names=(*names, "_cons"), b=ls.coef, V=V,
                      omitted=ls.omitted, scalars=scalars, macros=macros, df_r=df_r,
                      sample=sample.mask)


def xtreg_re(y: FloatArray, X: FloatArray, names: tuple[str, ...], groups: NDArray[np.generic], *,
             depvar: str, ivar: str, vce: VceRequest | None = None,
             preomitted: tuple[bool, ...] | None = None) -> Estimation:
    """Stata's ``xtreg depvar indepvars, re [vce()]`` (Swamy–Arora GLS).

    Regressors constant within panels (schooling in a wage panel) drop out of the within
    regression only: σₑ² has N − G − rank(within) degrees of freedom, while the between and
    GLS regressions keep them, as Stata's (and plm's) random-effects estimator does."""
    vce = _panel_vce(vce, groups, ivar)
    pre = preomitted if preomitted is not None else (False,) * len(names)
    wf = within_fit(y, X, groups, None, vce, pre)
    sample, p, yt, Xt, ys, Xs = wf.sample, wf.panel, wf.yt, wf.Xt, wf.ys, wf.Xs
    n_obs = sample.n_obs
    sigma_e2 = wf.rss / wf.df_resid
    ybar_g, xbar_g = wf.ybar_g, wf.xbar_g
    between = fit(ybar_g, xbar_g, None, cons=True, preomitted=pre)
    rss_b = float(between.resid @ between.resid)
    tbar = p.groups / np.sum(1.0 / p.sizes)
    sigma_u2 = max(rss_b / (p.groups - between.rank) - sigma_e2 / tbar, 0.0)
    theta = 1.0 - np.sqrt(sigma_e2 / (p.sizes * sigma_u2 + sigma_e2))
    th = theta[p.codes]
    ystar = ys - th * ybar_g[p.codes]
    design = np.column_stack([Xs - th[:, None] * xbar_g[p.codes], 1.0 - th])
    gls = fit(ystar, design, None, cons=False, preomitted=(*pre, False))
    rss = float(gls.resid @ gls.resid)
    df_resid = n_obs - gls.rank  # the rank counts _cons
    scalars: dict[str, float] = {"N": n_obs, **_group_stats(p)}
    macros = {
        "cmd": "xtreg",
        "depvar": depvar,
        "model": "re",
        "ivar": ivar,
        "title": "Random-effects GLS regression",
        "chi2type": "Wald",
    }
    cov = covariance(gls.bread, design, gls.resid, sample, vce, cons=False,
                     sigma2=rss / df_resid, df_resid=df_resid, conventional="conventional")
    cov.post(scalars, macros)
    V = cov.V
    b = gls.coef[: len(names)]
    chi2, q = wald_statistic(gls.coef, V, np.arange(len(names)), gls.omitted)
    scalars.update(
        df_m=float(q),
        chi2=chi2,
        p=float(stats.chi2.sf(chi2, q)) if q else np.nan,
        r2_w=_corr2(yt, Xt @ b),
        r2_b=_corr2(ybar_g, xbar_g @ b),
        r2_o=_corr2(ys, Xs @ b),
        rmse=float(np.sqrt(rss / df_resid)),
        sigma_e=float(np.sqrt(sigma_e2)),
        sigma_u=float(np.sqrt(sigma_u2)),
        sigma=float(np.sqrt(sigma_u2 + sigma_e2)),
        rho=ratio(sigma_u2, sigma_u2 + sigma_e2),
        rank=float(gls.rank),
    )
    if np.ptp(p.sizes) == 0:
        scalars["theta"] = float(theta[0])
    return Estimation(cmd="xtreg", depvar=depvar, names=(*names, "_cons"), b=gls.coef, V=V,
                      omitted=gls.omitted, scalars=scalars, macros=macros, df_r=None,
                      sample=sample.mask, extra={"theta": theta})
