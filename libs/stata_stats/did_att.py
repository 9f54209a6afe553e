"""2x2 difference-in-differences with panel data: the estimators ``csdid`` (and ``drdid``)
apply to every group-time pair, each returning the ATT and its influence function.

Unit i has the change ΔY_i, treatment D_i, base-period covariates X_i (with a constant) and
weight w_i. ``reg`` is the outcome regression (Heckman, Ichimura and Todd 1997): ΔY on X among
controls, ATT = mean over the treated of ΔY - X'β. ``stdipw`` reweights controls by
p/(1-p) with a logit propensity score, normalised; ``ipw`` is Abadie's (2005) unnormalised
version. ``dripw`` combines both (Sant'Anna and Zhao 2020, doubly robust, logit and OLS);
``drimp`` is their improved estimator (inverse probability tilting and weighted least
squares), whose influence function has no estimation-effect terms. Influence functions are
scaled so that Var(ATT) = mean(IF²)/n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from libs.stata_stats.errors import StatsError

FloatArray = NDArray[np.float64]
METHODS = ("drimp", "dripw", "reg", "stdipw", "ipw")
_TRIM = 0.995  #: controls with a propensity score above this are dropped (trimming)


@dataclass(frozen=True)
class Att:
    """An ATT and the influence function of each unit of the 2x2 sample."""

    att: float
    influence: FloatArray


def _wls(y: FloatArray, X: FloatArray, w: FloatArray) -> FloatArray:
    XtW = X.T * w
    try:
        return np.asarray(np.linalg.solve(XtW @ X, XtW @ y))
    except np.linalg.LinAlgError:
        raise StatsError(459, "the outcome regression of the controls is singular "
                              "(collinear covariates)") from None


def logit(d: FloatArray, X: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Weighted logit by Newton's method: fitted probabilities and (X'WX/n)⁻¹ with
    W = w·p(1-p) — the propensity score of the ipw and dripw estimators."""
    beta = np.zeros(X.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(X @ beta)))
        H = (X.T * (w * p * (1 - p))) @ X
        step = np.linalg.solve(H, X.T @ (w * (d - p)))
        beta += step
        if np.max(np.abs(step)) < 1e-12:
            break
    p = 1 / (1 + np.exp(-(X @ beta)))
    H = (X.T * (w * p * (1 - p))) @ X / len(d)
    return p, np.linalg.inv(H)


def tilting(d: FloatArray, X: FloatArray, w: FloatArray) -> FloatArray:
    """Inverse probability tilting (Graham, Pinto and Egel 2012): γ with
    Σ w(1-D)exp(X'γ)X = Σ w D X, so the reweighted controls match the treated's covariate
    means; the propensity score is the logistic function of X'γ."""
    gamma = np.zeros(X.shape[1])
    for _ in range(200):
        e = np.exp(X @ gamma)
        grad = X.T @ (w * (d - (1 - d) * e))
        H = (X.T * (w * (1 - d) * e)) @ X
        step = np.linalg.solve(H, grad)
        gamma += step
        if np.max(np.abs(step)) < 1e-12:
            break
    return np.asarray(1 / (1 + np.exp(-(X @ gamma))))


def panel_att(dy: FloatArray, d: FloatArray, X: FloatArray, w: FloatArray,
              method: str) -> Att:
    """The 2x2 panel ATT of ``method`` with its influence function."""
    n = len(dy)
    if d.sum() == 0 or (1 - d).sum() == 0:
        raise StatsError(2000, "no treated or no control units in a 2x2 comparison")
    if method == "reg":
        beta = _wls(dy[d == 0], X[d == 0], w[d == 0])
        fit = X @ beta
        wt = w * d
        eta_t, eta_c = np.sum(wt * dy) / wt.sum(), np.sum(wt * fit) / wt.sum()
        w_ols = w * (1 - d)
        ols_if = ((w_ols * (dy - fit))[:, None] * X) @ np.linalg.inv((X.T * w_ols) @ X / n)
        inf_t = (wt * dy - wt * eta_t) / wt.mean()
        inf_c = (wt * fit - wt * eta_c + ols_if @ np.mean(wt[:, None] * X, axis=0)) / wt.mean()
        return Att(float(eta_t - eta_c), inf_t - inf_c)
    if method == "drimp":
        ps = tilting(d, X, w)
        ps = np.minimum(ps, 1 - 1e-6)
        odds = ps / (1 - ps)
        beta = _wls(dy[d == 0], X[d == 0], (w * odds)[d == 0])
        resid = dy - X @ beta
        wt, wc = w * d, w * odds * (1 - d)
        # tilting balances the constant: the reweighted controls sum to the treated
        att = np.sum((wt - wc) * resid) / wt.sum()
        return Att(float(att), np.asarray(((wt - wc) * resid - wt * att) / wt.mean()))
    ps, hess = logit(d, X, w)
    keep = np.where(d == 1, ps < 1.01, ps < _TRIM).astype(np.float64)
    ps = np.minimum(ps, 1 - 1e-6)
    ps_if = ((w * (d - ps))[:, None] * X) @ hess
    wt = keep * w * d
    wc = keep * w * ps * (1 - d) / (1 - ps)
    if method == "ipw":
        att_t, att_c = w * d * dy, w * ps * (1 - d) * dy / (1 - ps)
        mean_d = np.mean(w * d)
        att = (att_t.mean() - att_c.mean()) / mean_d
        lin = att_t - att_c - ps_if @ np.mean(att_c[:, None] * X, axis=0)
        return Att(float(att), (lin - w * d * att) / mean_d)
    if method == "stdipw":
        eta_t, eta_c = np.sum(wt * dy) / wt.sum(), np.sum(wc * dy) / wc.sum()
        inf_t = (wt * dy - wt * eta_t) / wt.mean()
        m2 = np.mean((wc * (dy - eta_c))[:, None] * X, axis=0)
        inf_c = (wc * dy - wc * eta_c + ps_if @ m2) / wc.mean()
        return Att(float(eta_t - eta_c), inf_t - inf_c)
    if method != "dripw":
        raise StatsError(198, f"method({method}) not allowed")
    beta = _wls(dy[d == 0], X[d == 0], w[d == 0])
    fit = X @ beta
    eta_t = np.sum(wt * (dy - fit)) / wt.sum()
    eta_c = np.sum(wc * (dy - fit)) / wc.sum()
    w_ols = w * (1 - d)
    ols_if = ((w_ols * (dy - fit))[:, None] * X) @ np.linalg.inv((X.T * w_ols) @ X / n)
    inf_t = (wt * (dy - fit) - wt * eta_t - ols_if @ np.mean(wt[:, None] * X, axis=0)) \
        / wt.mean()
    m2 = np.mean((wc * (dy - fit - eta_c))[:, None] * X, axis=0)
    inf_c = (wc * (dy - fit) - wc * eta_c + ps_if @ m2
             - ols_if @ np.mean(wc[:, None] * X, axis=0)) / wc.mean()
    return Att(float(eta_t - eta_c), inf_t - inf_c)
