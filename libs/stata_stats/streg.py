"""``streg``: parametric survival models — exponential and Weibull, in the proportional-hazards
(default) or accelerated-failure-time (``time``) metric.

Records are intervals (t0, t] with a failure indicator d (late entry conditions on survival to
t0). With λ = exp(xβ):

- exponential: ln L = Σ d·xβ − λ·(t − t0); the AFT coefficients are −β.
- Weibull: h(t) = p·λ·t^(p−1); ln L = Σ d·(xβ + ln p + (p−1)·ln t) − λ·(tᵖ − t0ᵖ), estimated
  in ln p (``/:ln_p``); the AFT coefficients are −β/p with the same ln p.

Newton–Raphson from the constant-only fit with Stata's ``ml`` rules; the model test is LR
against the constant-only model (Wald with a sandwich); ``vce(robust)``/cluster as every ML
command (N/(N−1), G/(G−1)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import MLFit, maximize, numeric_jacobian
from libs.stata_stats.mlmodel import model_test
from libs.stata_stats.sample import Sample
from libs.stata_stats.vce import VceRequest, covariance

DISTRIBUTIONS = ("exponential", "weibull")


@dataclass(frozen=True)
class _Likelihood:
    t0: FloatArray
    t: FloatArray
    d: FloatArray
    X: FloatArray  #: with the constant column last
    weibull: bool

    def rows(self, theta: FloatArray) -> FloatArray:
        k = self.X.shape[1]
        xb = self.X @ theta[:k]
        lam = np.exp(xb)
        if not self.weibull:
            return np.asarray(self.d * xb - lam * (self.t - self.t0), dtype=np.float64)
        ln_p = theta[k]
        p = np.exp(ln_p)
        with np.errstate(divide="ignore"):
            log_t = np.log(self.t)
        cum = self.t**p - np.where(self.t0 > 0, self.t0**p, 0.0)
        event = np.where(self.d > 0, xb + ln_p + (p - 1.0) * log_t, 0.0)
        return np.asarray(event - lam * cum, dtype=np.float64)

    def scores(self, theta: FloatArray) -> FloatArray:
        k = self.X.shape[1]
        lam = np.exp(self.X @ theta[:k])
        if not self.weibull:
            return np.asarray(self.X * (self.d - lam * (self.t - self.t0))[:, None],
                              dtype=np.float64)
        p = np.exp(theta[k])
        with np.errstate(divide="ignore", invalid="ignore"):
            log_t = np.log(self.t)
            log_t0 = np.where(self.t0 > 0, np.log(np.where(self.t0 > 0, self.t0, 1.0)), 0.0)
        cum = self.t**p - np.where(self.t0 > 0, self.t0**p, 0.0)
        d_cum = p * (self.t**p * log_t - np.where(self.t0 > 0, self.t0**p * log_t0, 0.0))
        d_xb = self.d - lam * cum
        d_lnp = np.where(self.d > 0, 1.0 + p * log_t, 0.0) - lam * d_cum
        return np.column_stack([self.X * d_xb[:, None], d_lnp])

    def value(self, theta: FloatArray) -> float:
        return float(self.rows(theta).sum())

    def derivatives(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        grad = self.scores(theta).sum(axis=0)
        hess = numeric_jacobian(lambda th: self.scores(th).sum(axis=0), theta)
        return grad, -(hess + hess.T) / 2.0

    def fit(self, start: FloatArray) -> MLFit:
        return maximize(self.value, self.derivatives, start)


@dataclass(frozen=True, kw_only=True)
class StregFit:
    """The estimates (in the metric asked for) and the iteration log."""

    estimation: Estimation
    iterations: tuple[float, ...]


def fit_streg(t0: FloatArray, t: FloatArray, d: FloatArray, X: FloatArray,
              names: tuple[str, ...], *, distribution: str, aft: bool = False,
              vce: VceRequest | None = None, cons: bool = True) -> StregFit:
    """Stata's ``streg indepvars, distribution(exponential|weibull) [time vce()]``."""
    if distribution not in DISTRIBUTIONS:
        raise StatsError(INVALID_SYNTAX, f"distribution({distribution}) not supported")
    vce = vce or VceRequest(kind="oim")
    weibull = distribution == "weibull"
    n = t.size
    design = np.column_stack([X, np.ones(n)]) if cons else X
    rate = float(d.sum() / (t - t0).sum())
    null = _Likelihood(t0, t, d, np.ones((n, 1)), weibull)
    null_fit = null.fit(np.r_[np.log(rate), [0.0] if weibull else []])
    model = _Likelihood(t0, t, d, design, weibull)
    start = np.zeros(design.shape[1] + (1 if weibull else 0))
    if cons:
        start[design.shape[1] - 1] = null_fit.coef[0]
    if weibull:
        start[-1] = null_fit.coef[-1]
    fit = model.fit(start)
    sample = Sample.likelihood(np.ones(n, dtype=bool), None, vce.clusters)
    cov = covariance(fit.neg_hessian_inv, model.scores(fit.coef), np.ones(n), sample, vce,
                     cons=False, sigma2=1.0, df_resid=n - 1.0, conventional="oim")
    b, V = fit.coef.copy(), cov.V
    k = design.shape[1]
    if aft:
        # AFT: β_AFT = −β_PH/p (exponential: p = 1), by the delta method
        p = float(np.exp(b[k])) if weibull else 1.0
        jac = np.eye(b.size)
        jac[:k, :k] = -np.eye(k) / p
        if weibull:
            jac[:k, k] = b[:k] / p
        b[:k] = -b[:k] / p
        V = jac @ V @ jac.T
    terms = (*names, "_cons") if cons else names
    all_names = tuple(f"_t:{term}" for term in terms) + (("/:ln_p",) if weibull else ())
    scalars: dict[str, float] = {"N": float(n), "N_sub": float(n), "N_fail": float(d.sum()),
                                 "risk": float((t - t0).sum()), "ll": fit.ll,
                                 "ll_0": null_fit.ll, "k_eq": 2.0 if weibull else 1.0,
                                 "k_aux": 1.0 if weibull else 0.0, "rank": float(b.size),
                                 "converged": 1.0, "ic": float(len(fit.iterations) - 1)}
    macros = {"cmd": "weibull" if weibull else "ereg", "cmd2": "streg", "depvar": "_t",
              "distribution": distribution, "frm2": "time" if aft else "hazard",
              "title": f"{'Weibull' if weibull else 'Exponential'} "
                       f"{'AFT' if aft else 'PH'} regression",
              "predict": "streg_p"}
    cov.post(scalars, macros)
    slopes: NDArray[np.intp] = np.arange(len(names))
    test = model_test(b, V, slopes, (False,) * b.size, vce.is_robust, fit.ll, null_fit.ll)
    scalars.update({key: float(v) for key, v in test.items() if key != "chi2type"})
    macros["chi2type"] = str(test["chi2type"])
    if weibull:
        scalars["aux_p"] = float(np.exp(b[k]))
    est = Estimation(cmd=macros["cmd"], depvar="_t", names=all_names, b=b, V=V,
                     omitted=(False,) * b.size, scalars=scalars, macros=macros, df_r=None)
    return StregFit(estimation=est, iterations=fit.iterations)
