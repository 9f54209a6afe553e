"""``ivregress 2sls``: two-stage least squares with Stata's small/large-sample variants.

Stata's definitions: the residuals are the structural ``y − Xb`` (not second-stage ones);
with ``small``: σ² = rss/(N−K), robust = HC0·N/(N−K), cluster = CRV·G/(G−1)·(N−1)/(N−K), t and
F; without ``small``: σ² = rss/N, HC0, CRV without any factor, z and chi2. Endogenous regressors
come first in ``e(b)``, then the exogenous ones, then ``_cons``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.linalg import cho_factor, cho_solve

from libs.stata_stats.arithmetic import ratio
from libs.stata_stats.collinear import collinear_terms
from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.ols import regress
from libs.stata_stats.sample import Sample, estimation_mask
from libs.stata_stats.vce import VceRequest, covariance
from libs.stata_stats.wald import wald_statistic


def ivregress_2sls(y: FloatArray, endog: FloatArray, exog: FloatArray, excluded: FloatArray, *,
                   depvar: str, endog_names: tuple[str, ...], exog_names: tuple[str, ...],
                   inst_names: tuple[str, ...], cons: bool = True, small: bool = False,
                   vce: VceRequest | None = None) -> tuple[Estimation, list[Estimation]]:
    """Stata's ``ivregress 2sls y exog (endog = excluded), [small vce()]``.

    Returns the 2SLS estimates and the first-stage regressions (``first`` option), one per
    endogenous regressor, as ``regress`` fits of it on all instruments.
    """
    vce = vce or VceRequest(kind="unadjusted")
    mask = estimation_mask(y, np.column_stack([endog, exog, excluded]), None, vce.clusters)
    sample = Sample.linear(mask, None, vce.clusters)
    n = sample.n_obs
    ones = [np.ones(int(n))] if cons else []
    X = np.column_stack([endog[mask], exog[mask], *ones])
    Z = np.column_stack([exog[mask], excluded[mask], *ones])
    z_omit = collinear_terms(_centered_cross(Z, cons), (False,) * Z.shape[1])
    Z = Z[:, ~np.asarray(z_omit, dtype=bool)]
    x_omit = collinear_terms(_centered_cross(X, cons), (False,) * X.shape[1])
    keep = ~np.asarray(x_omit, dtype=bool)
    if Z.shape[1] < int(keep.sum()):
        raise StatsError(
            481,
            "equation not identified; must have at least as many instruments "
            "not in the regression as there are instrumented variables",
        )
    Xk = X[:, keep]
    zf = cho_factor(Z.T @ Z)
    xhat = Z @ cho_solve(zf, Z.T @ Xk)
    bread_k = np.linalg.inv(xhat.T @ xhat)
    coef_k = bread_k @ (xhat.T @ y[mask])
    resid = y[mask] - Xk @ coef_k
    k = int(keep.sum())
    if n - k <= 0:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    rss = float(resid @ resid)
    ys = y[mask]
    tss = float(((ys - ys.mean()) ** 2).sum()) if cons else float(ys @ ys)
    scalars: dict[str, float] = {"N": n}
    macros = {
        "cmd": "ivregress",
        "estimator": "2sls",
        "depvar": depvar,
        "title": "Instrumental variables 2SLS regression",
        "instd": " ".join(endog_names),
        "insts": " ".join(exog_names + inst_names),
    }
    if vce.kind not in ("unadjusted", "ols", "conventional", "robust", "cluster"):
        raise StatsError(INVALID_SYNTAX, f"vce({vce.kind}) not allowed")
    # the scores are the projected regressors times the structural residuals
    cov = covariance(bread_k, xhat, resid, sample, vce, cons=False,
                     sigma2=rss / ((n - k) if small else n), df_resid=(n - k) if small else None,
                     conventional="unadjusted")
    cov.post(scalars, macros)
    Vk = cov.V
    df_r = cov.t_df(n - k) if small else None
    size = X.shape[1]
    b = np.zeros(size)
    b[keep] = coef_k
    V = np.zeros((size, size))
    V[np.ix_(keep, keep)] = Vk
    omitted = tuple(bool(o) for o in ~keep)
    n_slopes = size - (1 if cons else 0)
    stat, q = wald_statistic(b, V, np.arange(n_slopes), omitted)
    r2 = 1.0 - rss / tss
    scalars.update(
        df_m=float(q),
        r2=r2,
        r2_a=1.0 - (1.0 - r2) * ((n - 1) if cons else n) / (n - k),
        rss=rss,
        mss=tss - rss,
        rmse=float(np.sqrt(rss / ((n - k) if small else n))),
        rank=float(k),
        kappa=1.0,
    )
    if small:
        assert df_r is not None
        scalars.update(F=ratio(stat, q), df_r=df_r, p=float(stats.f.sf(ratio(stat, q), q, df_r)))
    else:
        scalars.update(chi2=stat, p=float(stats.chi2.sf(stat, q)))
    if small:
        macros["small"] = "small"
    names = (*endog_names, *exog_names, *(("_cons",) if cons else ()))
    est = Estimation(cmd="ivregress", depvar=depvar, names=names, b=b, V=V, omitted=omitted,
                     scalars=scalars, macros=macros, df_r=df_r, sample=mask)
    first = [
        regress(
            endog[mask, j],
            np.column_stack([exog[mask], excluded[mask]]),
            exog_names + inst_names,
            depvar=endog_names[j],
            cons=cons,
        )
        for j in range(endog.shape[1])
    ]
    return est, first


def _centered_cross(A: FloatArray, cons: bool) -> FloatArray:
    """Cross products for the collinearity check; the constant column (last) stays first."""
    if not cons:
        return A.T @ A
    body = A[:, :-1] - A[:, :-1].mean(axis=0)
    out = np.zeros((A.shape[1], A.shape[1]))
    out[:-1, :-1] = body.T @ body
    out[-1, -1] = float(A.shape[0])
    return out
