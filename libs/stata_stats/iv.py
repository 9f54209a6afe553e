"""``ivregress 2sls|liml|gmm``: instrumental variables with Stata's small/large-sample variants.

Stata's definitions: the residuals are the structural ``y − Xb`` (not second-stage ones);
with ``small``: σ² = rss/(N−K), robust = HC0·N/(N−K), cluster = CRV·G/(G−1)·(N−1)/(N−K), t and
F; without ``small``: σ² = rss/N, HC0, CRV without any factor, z and chi2. Endogenous regressors
come first in ``e(b)``, then the exogenous ones, then ``_cons``.

- 2SLS and LIML are k-class estimators, ``b = [X'(I − κM_Z)X]⁻¹X'(I − κM_Z)y`` (κ = 1 for
  2SLS; LIML's κ is the smallest eigenvalue of (W'M_Z W)⁻¹(W'M_X W), W = [y, endogenous]);
  the sandwich keeps that bread with the scores ``P_Z X · u``.
- GMM: two-step efficient from 2SLS (``igmm`` iterates), weight ``W = S⁻¹`` with
  S = Σuᵢ²zᵢzᵢ'/N (``wmatrix(robust)``, the default), cluster sums, or σ²Z'Z/N
  (``unadjusted``); the VCE (``vce()``, by default the ``wmatrix`` type) is
  N(X'ZWZ'X)⁻¹X'ZWSWZ'X(X'ZWZ'X)⁻¹ with S at the final residuals, times N/(N−K) (or the
  cluster factor) with ``small``; Hansen's J = N·ḡ'Wḡ with the estimation weight.
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
from libs.stata_stats.sample import Sample, Weights, estimation_mask
from libs.stata_stats.vce import VceRequest, covariance, sum_by_group, vce_for_weights
from libs.stata_stats.wald import wald_statistic

#: ``ivregress`` estimators and their titles (``e(title)``).
TITLES = {
    "2sls": "Instrumental variables 2SLS regression",
    "liml": "Instrumental variables LIML regression",
    "gmm": "Instrumental variables GMM regression",
}


def ivregress(y: FloatArray, endog: FloatArray, exog: FloatArray, excluded: FloatArray, *,
              depvar: str, endog_names: tuple[str, ...], exog_names: tuple[str, ...],
              inst_names: tuple[str, ...], method: str = "2sls", cons: bool = True,
              small: bool = False, vce: VceRequest | None = None,
              wmatrix: VceRequest | None = None,
              igmm: bool = False,
              weights: Weights | None = None) -> tuple[Estimation, list[Estimation]]:
    """Stata's ``ivregress 2sls|liml|gmm y exog (endog = excluded), [small vce() wmatrix()]``.

    Returns the estimates and the first-stage regressions (``first`` option), one per
    endogenous regressor, as ``regress`` fits of it on all instruments.

    Weights (2SLS and LIML) enter as in ``regress``: the k-class estimator on √w-scaled rows,
    aweights/pweights rescaled to sum to N, fweights counted in N, pweights imply robust.
    """
    if weights is not None and method == "gmm":
        raise StatsError(INVALID_SYNTAX, "weights not allowed with ivregress gmm in the "
                                         "embedded engine")
    if method not in TITLES:
        raise StatsError(INVALID_SYNTAX, f"estimator {method} not allowed")
    if method == "gmm":
        wmatrix = wmatrix or (vce if vce is not None and vce.is_robust else
                              VceRequest(kind="robust"))
        vce = vce or wmatrix
    vce = vce_for_weights(vce or VceRequest(kind="unadjusted"), weights)
    if vce.kind not in ("unadjusted", "ols", "conventional", "robust", "cluster"):
        raise StatsError(INVALID_SYNTAX, f"vce({vce.kind}) not allowed")
    clusters = vce.clusters if vce.clusters is not None else (
        wmatrix.clusters if wmatrix is not None else None)
    mask = estimation_mask(y, np.column_stack([endog, exog, excluded]), weights, clusters)
    sample = Sample.linear(mask, weights, vce.clusters)
    n = sample.n_obs
    ones = [np.ones(int(mask.sum()))] if cons else []
    X = np.column_stack([endog[mask], exog[mask], *ones])
    Z = np.column_stack([exog[mask], *ones, excluded[mask]])
    z_keep = ~np.asarray(collinear_terms(_centered_cross(Z, cons, exog.shape[1]),
                                         (False,) * Z.shape[1]), dtype=bool)
    x_omit = collinear_terms(_centered_cross(X, cons, X.shape[1] - 1), (False,) * X.shape[1])
    keep = ~np.asarray(x_omit, dtype=bool)
    if int(z_keep.sum()) < int(keep.sum()):
        raise StatsError(
            481,
            "equation not identified; must have at least as many instruments "
            "not in the regression as there are instrumented variables",
        )
    Xk, Zk, ys = X[:, keep], Z[:, z_keep], y[mask]
    k = int(keep.sum())
    if n - k <= 0:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    df_small = (n - k) if small else None
    scalars: dict[str, float] = {"N": n}
    macros = {
        "cmd": "ivregress",
        "estimator": method,
        "depvar": depvar,
        "title": TITLES[method],
        "instd": " ".join(endog_names),
        "insts": " ".join(exog_names + inst_names),
    }
    if method == "gmm":
        assert wmatrix is not None
        coef_k, Vk, extra, weight = _gmm(ys, Xk, Zk, sample, vce, wmatrix, small, igmm)
        cov_kind = vce.kind
        macros["wmatrix"] = wmatrix.kind if wmatrix.kind != "cluster" else \
            f"cluster {wmatrix.clustvar}"
        scalars.update(extra)
    else:
        root = np.sqrt(sample.w)[:, None]  # weighted k-class = unweighted on √w-scaled rows
        Xw, Zw, yw = Xk * root, Zk * root, ys * root[:, 0]
        kappa = _liml_kappa(yw, endog[mask] * root, Zw, X[:, endog.shape[1]:] * root) \
            if method == "liml" else 1.0
        # k-class: b = [X'(I − κM_Z)X]⁻¹ X'(I − κM_Z)y; 2SLS is κ = 1
        zf = cho_factor(Zw.T @ Zw)
        xhat = Zk @ cho_solve(zf, Zw.T @ Xw)
        xt = (1.0 - kappa) * Xw + kappa * xhat * root
        bread_k = np.linalg.inv(xt.T @ Xw)
        bread_k = (bread_k + bread_k.T) / 2
        coef_k = bread_k @ (xt.T @ yw)
        resid = ys - Xk @ coef_k
        rss = float(sample.w @ resid**2)
        # the scores are the projected regressors times the structural residuals (Stata's
        # LIML sandwich keeps the k-class bread but these 2SLS scores)
        cov = covariance(bread_k, xhat, resid, sample, vce, cons=False,
                         sigma2=rss / (df_small or n), df_resid=df_small,
                         conventional="unadjusted")
        Vk, cov_kind = cov.V, cov.kind
        scalars["kappa"] = kappa
    resid = ys - Xk @ coef_k
    macros["vce"] = cov_kind
    if vce.is_robust:
        macros["vcetype"] = "Robust"
    if vce.clusters is not None:
        scalars["N_clust"] = float(sample.clusters.count if sample.clusters else 0)
        macros["clustvar"] = vce.clustvar
    df_r = None
    if small:
        df_r = float(sample.clusters.count - 1) if sample.clusters else float(n - k)
    rss = float(sample.w @ resid**2)
    ybar = float(sample.w @ ys / sample.w.sum()) if cons else 0.0
    tss = float(sample.w @ (ys - ybar) ** 2)
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
    )
    if method == "2sls":
        scalars["kappa"] = 1.0
    if small:
        assert df_r is not None
        scalars.update(F=ratio(stat, q), df_r=df_r, p=float(stats.f.sf(ratio(stat, q), q, df_r)))
        macros["small"] = "small"
    else:
        scalars.update(chi2=stat, p=float(stats.chi2.sf(stat, q)))
    names = (*endog_names, *exog_names, *(("_cons",) if cons else ()))
    extra_out: dict[str, FloatArray] = {}
    if method == "gmm":
        # e(W) over the instruments in Stata's order: exogenous, _cons, excluded
        extra_out["W"] = weight
        macros["W_names"] = " ".join(
            n for n, kept in zip((*exog_names, *(("_cons",) if cons else ()), *inst_names),
                                 z_keep, strict=True) if kept)
    est = Estimation(cmd="ivregress", depvar=depvar, names=names, b=b, V=V, omitted=omitted,
                     scalars=scalars, macros=macros, df_r=df_r, sample=mask, extra=extra_out)
    first = [
        regress(
            endog[mask, j],
            np.column_stack([exog[mask], excluded[mask]]),
            exog_names + inst_names,
            depvar=endog_names[j],
            cons=cons,
            weights=None if weights is None else Weights(kind=weights.kind,
                                                         values=weights.values[mask]),
        )
        for j in range(endog.shape[1])
    ]
    return est, first


def _liml_kappa(y: FloatArray, endog: FloatArray, Z: FloatArray, exog: FloatArray) -> float:
    """LIML's κ: the smallest eigenvalue of (W'M_Z W)⁻¹(W'M_X W), W = [y, endogenous],
    M_Z and M_X the residual makers of all instruments and of the exogenous regressors."""
    W = np.column_stack([y, endog])

    def resid(A: FloatArray) -> FloatArray:
        if A.shape[1] == 0:
            return W
        return W - A @ np.linalg.lstsq(A, W, rcond=None)[0]

    wz, wx = resid(Z), resid(exog)
    eig = np.linalg.eigvals(np.linalg.solve(wz.T @ wz, wx.T @ wx))
    return float(np.min(eig.real))


def _gmm(y: FloatArray, X: FloatArray, Z: FloatArray, sample: Sample, vce: VceRequest,
         wmatrix: VceRequest, small: bool,
         igmm: bool) -> tuple[FloatArray, FloatArray, dict[str, float], FloatArray]:
    """Two-step (or iterated) efficient GMM from 2SLS; Stata's weight matrix is the inverse
    of S = Σ uᵢ²zᵢzᵢ'/N (robust), of cluster sums (cluster) or σ²Z'Z/N (unadjusted)."""
    n = float(len(y))
    codes = sample.clusters.codes if sample.clusters is not None else None
    g = sample.clusters.count if sample.clusters is not None else 0

    def s_matrix(u: FloatArray, kind: str) -> FloatArray:
        if kind == "cluster":
            sums = sum_by_group(Z * u[:, None], codes, g) if codes is not None else Z * u[:, None]
            return np.asarray(sums.T @ sums / n, dtype=np.float64)
        if kind == "robust":
            zu = Z * u[:, None]
            return np.asarray(zu.T @ zu / n, dtype=np.float64)
        return np.asarray(float(u @ u) / n * (Z.T @ Z) / n, dtype=np.float64)

    def estimate(W: FloatArray) -> FloatArray:
        xz = X.T @ Z
        return np.asarray(np.linalg.solve(xz @ W @ xz.T, xz @ W @ (Z.T @ y)), dtype=np.float64)

    W = np.linalg.inv(Z.T @ Z / n)
    coef = estimate(W)
    iterations = 1
    while True:
        W = np.linalg.inv(s_matrix(y - X @ coef, wmatrix.kind))
        new = estimate(W)
        iterations += 1
        done = not igmm or float(np.max(np.abs(new - coef) / (np.abs(coef) + 1.0))) < 1e-6
        coef = new
        if done or iterations > 16000:
            break
    u = y - X @ coef
    xz = X.T @ Z
    S = s_matrix(u, vce.kind)
    bread = np.linalg.inv(xz @ W @ xz.T)
    V = n * bread @ (xz @ W @ S @ W @ xz.T) @ bread
    if small:
        k = X.shape[1]
        V *= (g / (g - 1) * (n - 1) / (n - k)) if vce.kind == "cluster" else n / (n - k)
    gbar = Z.T @ u / n
    J = float(n * gbar @ W @ gbar)
    info = {"J": J, "J_df": float(Z.shape[1] - X.shape[1]), "iterations": float(iterations - 1)}
    return coef, (V + V.T) / 2, info, W


def _centered_cross(A: FloatArray, cons: bool, at: int) -> FloatArray:
    """Cross products for the collinearity check with the constant (column ``at``) kept
    ahead of every other column: the others are centered and the constant's entry is N."""
    if not cons:
        return A.T @ A
    body = A - A.mean(axis=0)
    out = body.T @ body
    out[at, :] = 0.0
    out[:, at] = 0.0
    out[at, at] = float(A.shape[0])
    return out
