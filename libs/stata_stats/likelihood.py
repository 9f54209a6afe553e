"""Log likelihoods of the single-index ML models (logit, probit, poisson) and Stata's Newton.

Each family gives, per observation, the log likelihood and its first and second derivatives
with respect to the index ``xb``; :func:`newton` maximises with Stata's ``ml`` rules: start
from the constant-only fit, Newton steps with step halving, and convergence declared when
``g'H⁻¹g < 1e-5`` together with a relative change in ll below 1e-7 or in b below 1e-6.
The iterate at which that happens is the one Stata reports, so its numbers are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import special, stats

from libs.stata_stats.errors import CONVERGENCE_NOT_ACHIEVED, StatsError
from libs.stata_stats.estimation import FloatArray

NR_TOLERANCE = 1e-5
LL_TOLERANCE = 1e-7
COEF_TOLERANCE = 1e-6
MAX_ITERATIONS = 300
MAX_HALVINGS = 50


class Family(Protocol):
    """Per-observation log likelihood and its derivatives in the index."""

    name: str

    def loglik(self, y: FloatArray, xb: FloatArray) -> FloatArray: ...

    def derivatives(self, y: FloatArray, xb: FloatArray) -> tuple[FloatArray, FloatArray]: ...

    def start(self, ybar: float) -> float: ...

    def mean(self, xb: FloatArray) -> FloatArray: ...

    def mean_derivatives(self, xb: FloatArray) -> tuple[FloatArray, FloatArray]: ...


class Logit:
    """``Pr(y=1) = 1/(1+exp(-xb))``."""

    name = "logit"

    def loglik(self, y: FloatArray, xb: FloatArray) -> FloatArray:
        return np.asarray(-np.logaddexp(0.0, np.where(y > 0, -xb, xb)), dtype=np.float64)

    def derivatives(self, y: FloatArray, xb: FloatArray) -> tuple[FloatArray, FloatArray]:
        p = special.expit(xb)
        return (y > 0) - p, -p * (1.0 - p)

    def start(self, ybar: float) -> float:
        return float(np.log(ybar / (1.0 - ybar)))

    def mean(self, xb: FloatArray) -> FloatArray:
        return np.asarray(special.expit(xb), dtype=np.float64)

    def mean_derivatives(self, xb: FloatArray) -> tuple[FloatArray, FloatArray]:
        p = special.expit(xb)
        f = p * (1.0 - p)
        return f, f * (1.0 - 2.0 * p)


class Probit:
    """``Pr(y=1) = Φ(xb)``."""

    name = "probit"

    def loglik(self, y: FloatArray, xb: FloatArray) -> FloatArray:
        q = np.where(y > 0, 1.0, -1.0)
        return np.asarray(special.log_ndtr(q * xb), dtype=np.float64)

    def derivatives(self, y: FloatArray, xb: FloatArray) -> tuple[FloatArray, FloatArray]:
        q = np.where(y > 0, 1.0, -1.0)
        # inverse Mills ratio computed on the log scale: stable far into the tails
        lam = q * np.exp(stats.norm.logpdf(xb) - special.log_ndtr(q * xb))
        return lam, -lam * (lam + xb)

    def start(self, ybar: float) -> float:
        return float(stats.norm.ppf(ybar))

    def mean(self, xb: FloatArray) -> FloatArray:
        return np.asarray(special.ndtr(xb), dtype=np.float64)

    def mean_derivatives(self, xb: FloatArray) -> tuple[FloatArray, FloatArray]:
        f = stats.norm.pdf(xb)
        return f, -xb * f


class Poisson:
    """``E(y) = exp(xb)``; the index includes any offset."""

    name = "poisson"

    def loglik(self, y: FloatArray, xb: FloatArray) -> FloatArray:
        return np.asarray(y * xb - np.exp(xb) - special.gammaln(y + 1.0), dtype=np.float64)

    def derivatives(self, y: FloatArray, xb: FloatArray) -> tuple[FloatArray, FloatArray]:
        mu = np.exp(xb)
        return y - mu, -mu

    def start(self, ybar: float) -> float:
        return float(np.log(ybar))

    def mean(self, xb: FloatArray) -> FloatArray:
        return np.asarray(np.exp(xb), dtype=np.float64)

    def mean_derivatives(self, xb: FloatArray) -> tuple[FloatArray, FloatArray]:
        mu = np.exp(xb)
        return mu, mu


@dataclass(frozen=True, kw_only=True)
class MLFit:
    """Maximum of the likelihood: coefficients, ``-H⁻¹``, the ll path and convergence."""

    coef: FloatArray  #: the coefficients at the maximum
    neg_hessian_inv: FloatArray  #: ``(-H)⁻¹`` there: the observed-information VCE
    ll: float  #: the log likelihood there
    iterations: tuple[float, ...]  #: ll at each iteration, as Stata's iteration log shows it
    converged: bool


def newton(
    family: Family,
    y: FloatArray,
    X: FloatArray,
    w: FloatArray,
    start: FloatArray,
    offset: FloatArray | None = None,
) -> MLFit:
    """Maximise ``Σ w·ll(y, Xb + offset)`` from ``start`` as Stata's ``ml`` does."""
    off = offset if offset is not None else 0.0

    def value(beta: FloatArray) -> float:
        return float(w @ family.loglik(y, X @ beta + off))

    def derivatives(beta: FloatArray) -> tuple[FloatArray, FloatArray]:
        d1, d2 = family.derivatives(y, X @ beta + off)
        return X.T @ (w * d1), (X * (-w * d2)[:, None]).T @ X

    return maximize(value, derivatives, start)


def maximize(
    value: Callable[[FloatArray], float],
    derivatives: Callable[[FloatArray], tuple[FloatArray, FloatArray]],
    start: FloatArray,
) -> MLFit:
    """Stata's ``ml`` Newton–Raphson: ``value(b)`` is the log likelihood, ``derivatives(b)``
    its gradient and minus its Hessian; steps are halved until ll does not fall, and
    convergence is ``g'(-H)⁻¹g < 1e-5`` with a relative ll change below 1e-7 or a b change
    below 1e-6 (the iterate Stata reports)."""
    b = start.copy()
    ll = value(b)
    path = [ll]
    prev_b = b.copy()
    prev_ll = ll
    for iteration in range(MAX_ITERATIONS):
        grad, neg_h = derivatives(b)
        try:
            step = np.linalg.solve(neg_h, grad)
        except np.linalg.LinAlgError:
            step = grad
        concave = bool(np.all(np.isfinite(step))) and float(grad @ step) >= 0
        if not concave:
            # ml's "(not concave)" iterations: a gradient step instead of Newton's
            step = grad / max(float(np.abs(grad).max()), 1.0)
        nr = abs(float(grad @ step))
        if concave and iteration > 0 and nr < NR_TOLERANCE:
            ll_change = abs(ll - prev_ll) / (abs(prev_ll) + 1e-300)
            b_change = float(np.max(np.abs(b - prev_b) / (np.abs(b) + 1.0)))
            if ll_change < LL_TOLERANCE or b_change < COEF_TOLERANCE:
                return MLFit(
                    coef=b,
                    neg_hessian_inv=np.linalg.inv(neg_h),
                    ll=ll,
                    iterations=tuple(path),
                    converged=True,
                )
        prev_b, prev_ll = b, ll
        trial = b + step
        new_ll = value(trial)
        halvings = 0
        while not new_ll >= ll and halvings < MAX_HALVINGS:
            step = step / 2.0
            trial = b + step
            new_ll = value(trial)
            halvings += 1
        b, ll = trial, new_ll
        path.append(ll)
    raise StatsError(CONVERGENCE_NOT_ACHIEVED, "convergence not achieved")


def numeric_jacobian(fn: Callable[[FloatArray], FloatArray], b: FloatArray,
                     step: float = 1e-5) -> FloatArray:
    """d fn/d b by central differences (steps relative to |bⱼ|, at least ``step``)."""
    k = b.size
    out = np.empty((np.size(fn(b)), k))
    for j in range(k):
        h = step * max(abs(float(b[j])), 1.0)
        up, down = b.copy(), b.copy()
        up[j] += h
        down[j] -= h
        out[:, j] = (fn(up) - fn(down)) / (2.0 * h)
    return out


def numeric_hessian(gradient: Callable[[FloatArray], FloatArray], b: FloatArray) -> FloatArray:
    """Minus the Hessian by central differences of an analytic gradient (symmetrised)."""
    out = -numeric_jacobian(gradient, b)
    return (out + out.T) / 2.0
