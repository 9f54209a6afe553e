"""``zip`` and ``zinb``: zero-inflated Poisson and negative binomial (NB2) regression
([R] zip, [R] zinb).

An observation is a structural zero with probability p = F(zγ) (F logistic, the ``inflate()``
equation); otherwise its count follows the Poisson (or NB2, Var = μ(1 + αμ)) model with
μ = exp(xb + offset). So Pr(y = 0) = p + (1 − p)f(0) and Pr(y = k > 0) = (1 − p)f(k).

``e(b)`` holds ``depvar:x … depvar:_cons inflate:z … inflate:_cons`` and, for zinb,
``/:lnalpha``. The model test is LR against the model whose count equation has only its
constant (the inflation equation and α kept), ``e(ll_0)``; with a sandwich VCE it is Wald on
the count equation's slopes. The covariance is the observed information (numerical Hessian of
the analytic scores), or the sandwich of those scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from libs.stata_stats.discrete import fit_ml
from libs.stata_stats.errors import StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import MLFit, maximize, numeric_hessian
from libs.stata_stats.mlmodel import ml_covariance, ml_sample, model_test, regressors
from libs.stata_stats.negbin import nb2_loglik, nb2_scores
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest

TITLES = {"zip": "Zero-inflated Poisson regression",
          "zinb": "Zero-inflated negative binomial regression"}


@dataclass(frozen=True, kw_only=True)
class ZeroInflatedFit:
    """The estimates with what the command prints besides the table."""

    estimation: Estimation
    notes: tuple[str, ...]
    iterations: tuple[float, ...]


def _count_part(y: FloatArray, xb: FloatArray, lnalpha: float | None
                ) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """ln f(y), its derivative in xb and (NB2) in ln α."""
    if lnalpha is None:
        mu = np.exp(xb)
        return y * xb - mu - special.gammaln(y + 1.0), y - mu, None
    d_xb, d_ln = nb2_scores(y, xb, lnalpha)
    return nb2_loglik(y, xb, lnalpha), d_xb, d_ln


@dataclass(frozen=True)
class _Likelihood:
    """The zero-inflated log likelihood; θ = (b, γ[, ln α])."""

    y: FloatArray
    X: FloatArray  #: count design, constant last
    Z: FloatArray  #: inflation design, constant last
    offset: FloatArray
    w: FloatArray
    negbin: bool

    def _parts(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per-row log likelihood and scores (in xb, zγ, ln α)."""
        kx, kz = self.X.shape[1], self.Z.shape[1]
        xb = self.X @ theta[:kx] + self.offset
        zg = self.Z @ theta[kx:kx + kz]
        lnalpha = float(theta[-1]) if self.negbin else None
        log_p, log_q = -np.logaddexp(0.0, -zg), -np.logaddexp(0.0, zg)  # ln p, ln(1 − p)
        p = np.exp(log_p)
        log_f, d_xb, d_ln = _count_part(self.y, xb, lnalpha)
        zero = self.y == 0
        ll = np.where(zero, np.logaddexp(log_p, log_q + log_f), log_q + log_f)
        # share of Pr(y = 0) from the count part: (1 − p)f(0)/[p + (1 − p)f(0)]
        share = np.where(zero, np.exp(log_q + log_f - ll), 1.0)
        s_xb = share * d_xb
        s_zg = 1.0 - share - p  # d ln L/d zγ: p(1 − p)(1 − f(0))/L at zeros, −p elsewhere
        columns = [self.X * s_xb[:, None], self.Z * s_zg[:, None]]
        if d_ln is not None:
            columns.append((share * d_ln)[:, None])
        return ll, np.column_stack(columns)

    def value(self, theta: FloatArray) -> float:
        return float(self.w @ self._parts(theta)[0])

    def scores(self, theta: FloatArray) -> FloatArray:
        return self._parts(theta)[1]

    def gradient(self, theta: FloatArray) -> FloatArray:
        return np.asarray(self.w @ self.scores(theta), dtype=np.float64)

    def derivatives(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        return self.gradient(theta), numeric_hessian(self.gradient, theta)

    def fit(self, start: FloatArray) -> MLFit:
        """Quasi-Newton (BFGS) from ``start`` into the concave region, then ``ml``'s
        Newton–Raphson to Stata's convergence criteria (its iterations are the log)."""
        near = optimize.minimize(lambda t: -self.value(t), start,
                                 jac=lambda t: -self.gradient(t), method="BFGS",
                                 options={"gtol": 1e-6, "maxiter": 2000})
        return maximize(self.value, self.derivatives, np.asarray(near.x, dtype=np.float64))


def fit_zero_inflated(cmd: str, y: FloatArray, X: FloatArray, names: tuple[str, ...], *,
                      inflate: FloatArray, inflate_names: tuple[str, ...], depvar: str,
                      weights: Weights | None = None, vce: VceRequest | None = None,
                      offset: FloatArray | None = None,
                      preomitted: tuple[bool, ...] | None = None) -> ZeroInflatedFit:
    """Stata's ``zip|zinb depvar indepvars [weight], inflate(varlist|_cons) [exposure()
    offset() vce()]``; ``inflate`` holds the inflation regressors (no columns: ``_cons``)."""
    negbin = cmd == "zinb"
    ms = ml_sample(y, np.column_stack([X, inflate]), weights, vce, offset)
    vce, sample, mask, ys = ms.vce, ms.sample, ms.mask, ms.y
    if np.any(ys < 0) or np.any(ys != np.round(ys)):
        raise StatsError(459, f"{depvar} must be a nonnegative integer")
    if not np.any(ys == 0):
        raise StatsError(2000, f"{depvar} never equals zero; use "
                               f"{'nbreg' if negbin else 'poisson'}")
    w, n = sample.w, ys.size
    off = np.zeros(n) if offset is None else offset[mask]
    Xs, Zs = X[mask], inflate[mask]
    reg = regressors(Xs, w, names, preomitted)
    reg_z = regressors(Zs, w, inflate_names, None)
    ones = np.ones((n, 1))
    design = np.column_stack([Xs[:, reg.keep], ones])
    zdesign = np.column_stack([Zs[:, reg_z.keep], ones])
    aux = [0.0] if negbin else []
    poisson = fit_ml("poisson", ys, Xs[:, reg.keep], tuple(names[j] for j in reg.keep),
                     depvar=depvar, offset=None if offset is None else off).estimation
    excess = max(float(w @ (ys == 0)) / w.sum() - float(w @ np.exp(-np.exp(
        design @ poisson.b + off))) / w.sum(), 0.05)
    gamma0 = np.zeros(zdesign.shape[1])
    gamma0[-1] = np.log(excess / (1 - excess))
    null = _Likelihood(ys, ones, zdesign, off, w, negbin).fit(
        np.concatenate([[poisson.b[-1]], gamma0, aux]))
    full = _Likelihood(ys, design, zdesign, off, w, negbin)
    start = np.concatenate([poisson.b, null.coef[1:1 + gamma0.size], null.coef[1 + gamma0.size:]])
    ml = full.fit(start)
    if not ml.converged:
        raise StatsError(430, "convergence not achieved")
    cov = ml_covariance(ml, full.scores(ml.coef), sample, vce)
    kx, kz = X.shape[1], inflate.shape[1]
    size = kx + kz + 2 + len(aux)
    idx = np.concatenate([reg.keep, [kx], kx + 1 + reg_z.keep, [kx + 1 + kz],
                          [size - 1] if negbin else []]).astype(np.intp)
    b = np.zeros(size)
    b[idx] = ml.coef
    V = np.zeros((size, size))
    V[np.ix_(idx, idx)] = cov.V
    omitted = (*reg.omitted, False, *reg_z.omitted, False, *([False] if negbin else []))
    scalars: dict[str, float] = {"N": sample.n_obs, "N_zero": float(w @ (ys == 0)),
                                 "ll": ml.ll, "ll_0": null.ll}
    macros = {"cmd": cmd, "depvar": depvar, "title": TITLES[cmd], "inflate": "logit"}
    cov.post(scalars, macros)
    test = model_test(b, V, np.arange(kx), omitted, vce.is_robust, ml.ll, null.ll)
    macros["chi2type"] = str(test.pop("chi2type"))
    scalars.update({key: float(v) for key, v in test.items()})
    scalars.update(k=float(size), k_eq=3.0 if negbin else 2.0, rank=float(idx.size),
                   ic=float(len(ml.iterations) - 1), converged=1.0)
    all_names = (*(f"{depvar}:{v}" for v in names), f"{depvar}:_cons",
                 *(f"inflate:{v}" for v in inflate_names), "inflate:_cons")
    if negbin:
        scalars.update(alpha=float(np.exp(b[-1])), k_aux=1.0)
        all_names = (*all_names, "/:lnalpha")
    est = Estimation(cmd=cmd, depvar=depvar, names=all_names, b=b, V=V, omitted=omitted,
                     scalars=scalars, macros=macros, df_r=None, sample=mask)
    return ZeroInflatedFit(estimation=est, notes=(*reg.notes, *reg_z.notes),
                           iterations=ml.iterations)


def inflation_probability(zg: FloatArray) -> FloatArray:
    """p = F(zγ), the probability of a structural zero (``predict, pr`` after zip/zinb)."""
    return np.asarray(special.expit(zg), dtype=np.float64)


def expected_count(xb: FloatArray, zg: FloatArray) -> FloatArray:
    """E(y) = (1 − p)·exp(xb): ``predict, n`` (xb with the offset) or ``ir`` (without)."""
    return np.asarray((1.0 - inflation_probability(zg)) * np.exp(xb), dtype=np.float64)


def _count_cdf(k: FloatArray, mu: FloatArray, alpha: float | None) -> FloatArray:
    """Pr(count ≤ k) of the Poisson (alpha None) or NB2 part; 0 for k < 0."""
    if alpha is None:
        cdf = stats.poisson.cdf(k, mu)
    else:
        cdf = stats.nbinom.cdf(k, 1.0 / alpha, 1.0 / (1.0 + alpha * mu))
    return np.asarray(np.where(k < 0, 0.0, cdf), dtype=np.float64)


def range_probability(lo: FloatArray, hi: FloatArray, xb: FloatArray, zg: FloatArray,
                      alpha: float | None) -> FloatArray:
    """Pr(lo ≤ y ≤ hi) under the zero-inflated model (``predict, pr(a,b)``; ``pr(n)`` is
    lo = hi = n); hi = +∞ is allowed; the limits are whole numbers."""
    p = inflation_probability(zg)
    mu = np.exp(xb)
    below = np.where(lo > 0, p + (1.0 - p) * _count_cdf(lo - 1.0, mu, alpha), 0.0)
    finite = np.where(np.isinf(hi), 0.0, hi)
    upto = np.where(np.isinf(hi), 1.0, p + (1.0 - p) * _count_cdf(finite, mu, alpha))
    return np.asarray(np.maximum(upto - below, 0.0), dtype=np.float64)
