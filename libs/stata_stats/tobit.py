"""``tobit``: linear regression of a censored outcome.

Stata's model (Stata 15 and later): ``y* = xb + e``, ``e ~ N(0, σ²)``; rows with y ≤ ``ll()``
are left-censored, rows with y ≥ ``ul()`` right-censored (a bare ``ll``/``ul`` means the sample
minimum/maximum of y). ``e(b)`` holds ``model:x … model:_cons /:var(e.y)`` — the variance σ²,
with its variance by the delta method from the ln σ the likelihood is maximised in. The table
reports t statistics on ``e(df_r)`` = N − (slopes) degrees of freedom, the model test is LR
against the constant-only tobit (an F test of the slopes with a sandwich VCE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from libs.stata_stats.errors import INVALID_SYNTAX, NO_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import fit as least_squares
from libs.stata_stats.likelihood import MLFit, maximize, numeric_hessian
from libs.stata_stats.mlmodel import ml_covariance, ml_sample, regressors
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest
from libs.stata_stats.wald import wald_statistic


@dataclass(frozen=True, kw_only=True)
class TobitFit:
    """The estimates with what ``tobit`` prints besides the table."""

    estimation: Estimation
    notes: tuple[str, ...]
    iterations: tuple[float, ...]


@dataclass(frozen=True)
class _Likelihood:
    """The censored-normal log likelihood (θ = b, ln σ) of one design."""

    y: FloatArray
    design: FloatArray
    w: FloatArray
    lower: float
    upper: float

    def _parts(self, theta: FloatArray) -> tuple[FloatArray, float, NDArray[np.bool_],
                                                 NDArray[np.bool_]]:
        xb = self.design @ theta[:-1]
        sigma = float(np.exp(theta[-1]))
        left = self.y <= self.lower
        right = self.y >= self.upper
        return xb, sigma, left, right

    def rows(self, theta: FloatArray) -> FloatArray:
        xb, sigma, left, right = self._parts(theta)
        z = (self.y - xb) / sigma
        out = stats.norm.logpdf(z) - np.log(sigma)
        out = np.where(left, special.log_ndtr((self.lower - xb) / sigma), out)
        out = np.where(right, special.log_ndtr((xb - self.upper) / sigma), out)
        return np.asarray(out, dtype=np.float64)

    def value(self, theta: FloatArray) -> float:
        return float(self.w @ self.rows(theta))

    def scores(self, theta: FloatArray) -> FloatArray:
        xb, sigma, left, right = self._parts(theta)
        z = (self.y - xb) / sigma
        d_xb = z / sigma
        d_ln = z**2 - 1.0
        for mask, c, sign in ((left, (self.lower - xb) / sigma, -1.0),
                              (right, (xb - self.upper) / sigma, 1.0)):
            with np.errstate(invalid="ignore"):  # c is ±inf on the rows not censored
                mills = np.exp(stats.norm.logpdf(c) - special.log_ndtr(c))
            d_xb = np.where(mask, sign * mills / sigma, d_xb)
            d_ln = np.where(mask, -mills * c, d_ln)
        return np.column_stack([self.design * d_xb[:, None], d_ln])

    def gradient(self, theta: FloatArray) -> FloatArray:
        return np.asarray(self.w @ self.scores(theta), dtype=np.float64)

    def derivatives(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        return self.gradient(theta), numeric_hessian(self.gradient, theta)

    def fit(self) -> MLFit:
        ls = least_squares(self.y, self.design, self.w, cons=False)
        sd = np.sqrt(float(self.w @ ls.resid**2) / self.w.sum())
        return maximize(self.value, self.derivatives, np.append(ls.coef, np.log(sd)))


def tobit_limits(y: FloatArray, ll: float | None, ul: float | None,
                 ll_min: bool, ul_max: bool) -> tuple[float, float]:
    """The censoring limits: ``ll(#)``/``ul(#)``, or the sample min/max for a bare option."""
    lower = float(np.min(y)) if ll_min else (-np.inf if ll is None else ll)
    upper = float(np.max(y)) if ul_max else (np.inf if ul is None else ul)
    if not np.isfinite(lower) and not np.isfinite(upper):
        raise StatsError(INVALID_SYNTAX, "must specify censoring point")
    return lower, upper


def fit_tobit(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
              ll: float | None = None, ul: float | None = None, ll_min: bool = False,
              ul_max: bool = False, cons: bool = True, weights: Weights | None = None,
              vce: VceRequest | None = None,
              preomitted: tuple[bool, ...] | None = None) -> TobitFit:
    """Stata's ``tobit depvar indepvars [weight], ll[(#)] ul[(#)] [vce() noconstant]``."""
    ms = ml_sample(y, X, weights, vce)
    vce, sample, mask, ys, Xs = ms.vce, ms.sample, ms.mask, ms.y, ms.X
    w = sample.w
    lower, upper = tobit_limits(ys, ll, ul, ll_min, ul_max)
    n_lc = float(w[ys <= lower].sum()) if sample.weights is None or \
        sample.weights.kind == "fweight" else float(np.sum(ys <= lower))
    n_rc = float(w[ys >= upper].sum()) if sample.weights is None or \
        sample.weights.kind == "fweight" else float(np.sum(ys >= upper))
    if n_lc + n_rc >= sample.n_obs:
        raise StatsError(NO_OBSERVATIONS, "no uncensored observations")
    reg = regressors(Xs, w, names, preomitted, centered=cons)
    design = Xs[:, reg.keep]
    if cons:
        design = np.column_stack([design, np.ones(len(ys))])
    full = _Likelihood(ys, design, w, lower, upper)
    ml = full.fit()
    ll_0 = _Likelihood(ys, np.ones((len(ys), 1)), w, lower, upper).fit().ll if cons else np.nan
    cov = ml_covariance(ml, full.scores(ml.coef), sample, vce)
    sigma2 = float(np.exp(2.0 * ml.coef[-1]))
    jac = np.ones(ml.coef.size)
    jac[-1] = 2.0 * sigma2  # d σ²/d ln σ
    k = X.shape[1]
    width = k + (1 if cons else 0)
    idx = np.append(np.append(reg.keep, k) if cons else reg.keep, width)
    b = np.zeros(width + 1)
    b[idx] = np.append(ml.coef[:-1], sigma2)
    V = np.zeros((width + 1, width + 1))
    V[np.ix_(idx, idx)] = cov.V * np.outer(jac, jac)
    omitted = (*reg.omitted, *((False,) if cons else ()), False)
    df_m = int(reg.keep.size)
    df_r = sample.n_obs - df_m
    scalars: dict[str, float] = {
        "N": sample.n_obs, "N_unc": sample.n_obs - n_lc - n_rc, "N_lc": n_lc, "N_rc": n_rc,
        "ll": ml.ll, "ll_0": ll_0, "df_m": float(df_m), "df_r": df_r,
    }
    if np.isfinite(lower):
        scalars["llopt"] = lower
    if np.isfinite(upper):
        scalars["ulopt"] = upper
    macros = {"cmd": "tobit", "depvar": depvar, "title": "Tobit regression"}
    cov.post(scalars, macros)
    if vce.is_robust:
        stat, q = wald_statistic(b, V, np.arange(k), omitted)
        scalars["F"] = stat / q if q else np.nan
        scalars["p"] = float(stats.f.sf(scalars["F"], q, df_r)) if q else np.nan
    else:
        chi2 = 2.0 * (ml.ll - ll_0)
        scalars["chi2"] = chi2
        scalars["p"] = float(stats.chi2.sf(chi2, df_m)) if df_m else np.nan
        macros["chi2type"] = "LR"
    scalars.update(
        r2_p=1.0 - ml.ll / ll_0,
        k=float(width + 1),
        k_eq=2.0,
        k_aux=1.0,
        rank=float(idx.size),
        ic=float(len(ml.iterations) - 1),
        converged=1.0,
    )
    terms = (*names, "_cons") if cons else names
    all_names = (*(f"model:{n}" for n in terms), f"/:var(e.{depvar})")
    est = Estimation(cmd="tobit", depvar=depvar, names=all_names, b=b, V=V, omitted=omitted,
                     scalars=scalars, macros=macros, df_r=df_r, sample=mask)
    return TobitFit(estimation=est, notes=reg.notes, iterations=ml.iterations)
