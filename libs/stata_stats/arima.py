"""``arima``: regression with ARMA (and multiplicative seasonal ARMA) errors by exact maximum
likelihood, as Stata estimates it.

Model ([TS] arima): ``yₜ = xₜβ + μₜ``, ``φ(L)Φ(Lˢ)μₜ = θ(L)Θ(Lˢ)εₜ``, ``εₜ ~ N(0, σ²)``;
``arima(p,d,q)`` and ``sarima(P,D,Q,s)`` difference y and x before. The likelihood is the
Kalman filter's (:mod:`libs.stata_stats.kalman`, stationary start unless ``diffuse``). The
default VCE is the outer product of the per-observation scores (``opg``), ``oim`` the inverse
of minus the Hessian, ``robust`` the sandwich of the two. ``e(b)`` is
``depvar:x … depvar:_cons ARMA:L.ar … ARMA:L.ma … ARMA12:L.ar … sigma:_cons``; the Wald test
of the header covers every coefficient but the constant and σ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.kalman import loglik_terms
from libs.stata_stats.likelihood import numeric_jacobian
from libs.stata_stats.wald import wald_statistic

VCE_TYPES = ("opg", "oim", "robust")
_FLOOR = -1e10


@dataclass(frozen=True, kw_only=True)
class ArmaSpec:
    """The lags of the ARMA error: nonseasonal ``ar``/``ma`` lags, and the seasonal ones
    (multiples of ``season``) of ``mar``/``mma``."""

    ar: tuple[int, ...] = ()
    ma: tuple[int, ...] = ()
    mar: tuple[int, ...] = ()
    mma: tuple[int, ...] = ()
    season: int = 0

    @property
    def count(self) -> int:
        """The number of ARMA coefficients."""
        return len(self.ar) + len(self.ma) + len(self.mar) + len(self.mma)

    def names(self) -> tuple[str, ...]:
        """Stata's ``e(b)`` names of the ARMA coefficients."""
        out = [f"ARMA:{_lag(k)}.ar" for k in self.ar] + [f"ARMA:{_lag(k)}.ma" for k in self.ma]
        eq = f"ARMA{self.season}"
        out += [f"{eq}:{_lag(k)}.ar" for k in self.mar]
        out += [f"{eq}:{_lag(k)}.ma" for k in self.mma]
        return tuple(out)

    def polynomials(self, coef: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The expanded φ and θ coefficients of the product polynomials."""
        i = 0
        parts = []
        for lags, scale in ((self.ar, 1), (self.ma, 1), (self.mar, self.season),
                            (self.mma, self.season)):
            parts.append(_poly(lags, coef[i : i + len(lags)], scale))
            i += len(lags)
        ar = np.convolve(_ar_form(parts[0]), _ar_form(parts[2]))
        ma = np.convolve(np.r_[1.0, parts[1]], np.r_[1.0, parts[3]])
        return -ar[1:], ma[1:]


def _lag(k: int) -> str:
    return "L" if k == 1 else f"L{k}"


def _poly(lags: tuple[int, ...], values: FloatArray, scale: int) -> FloatArray:
    out = np.zeros(max(lags, default=0) * scale)
    for lag, value in zip(lags, values, strict=True):
        out[lag * scale - 1] = value
    return out


def _ar_form(coef: FloatArray) -> FloatArray:
    return np.concatenate([[1.0], -coef])


@dataclass(frozen=True, kw_only=True)
class ArimaFit:
    """The estimates with the iteration log."""

    estimation: Estimation
    iterations: tuple[float, ...]


class _Model:
    """The log likelihood of θ = (β, ARMA coefficients, ln σ) on the filtered sample."""

    def __init__(self, y: FloatArray, X: FloatArray, spec: ArmaSpec, diffuse: bool) -> None:
        self.y, self.X, self.spec, self.diffuse = y, X, spec, diffuse
        self.k = X.shape[1]

    def terms(self, theta: FloatArray) -> FloatArray:
        beta = theta[: self.k]
        arma = theta[self.k : self.k + self.spec.count]
        phi, ma = self.spec.polynomials(arma)
        u = self.y - self.X @ beta
        terms = loglik_terms(u, phi, ma, float(np.exp(2.0 * theta[-1])), diffuse=self.diffuse)
        # outside the stationary region: a finite floor, so differences stay numbers
        return np.where(np.isfinite(terms), terms, _FLOOR)

    def value(self, theta: FloatArray) -> float:
        return float(np.sum(self.terms(theta)))


def fit_arima(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
              eqname: str, spec: ArmaSpec, cons: bool = True, vce: str = "opg",
              diffuse: bool = False) -> ArimaFit:
    """Stata's ``arima`` on the rows of a complete time grid (``y`` NaN where absent; the
    first and last rows are in the sample); ``X`` without the constant."""
    if vce not in VCE_TYPES:
        raise StatsError(INVALID_SYNTAX, f"vcetype '{vce}' not allowed")
    design = np.column_stack([X, np.ones(y.size)]) if cons else X
    used = np.isfinite(y) & np.isfinite(design).all(axis=1)
    n = int(used.sum())
    if n <= design.shape[1] + spec.count + 1:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    yy = np.where(used, y, np.nan)
    XX = np.where(used[:, None], design, 0.0)
    model = _Model(yy, XX, spec, diffuse)
    start = _start(yy[used], design[used], spec)
    if diffuse:
        # from the stationary fit, as Stata starts from conditional estimates: the diffuse
        # likelihood has spurious maxima where an MA coefficient hides a state from the data
        start, _ = _maximize(_Model(yy, XX, spec, False), start)
    theta, path = _maximize(model, start)
    terms = model.terms(theta)
    ll = float(np.sum(terms))
    scores = numeric_jacobian(model.terms, theta)[used]
    outer = scores.T @ scores
    if vce == "opg":
        V = np.linalg.inv(outer)
    else:
        bread = np.linalg.inv(-_hessian(model, theta))
        # the semirobust sandwich carries Stata's N/(N−1)
        V = bread if vce == "oim" else bread @ outer @ bread * n / (n - 1)
    sigma = float(np.exp(theta[-1]))
    jac = np.ones(theta.size)
    jac[-1] = sigma  # d σ / d ln σ
    b = theta.copy()
    b[-1] = sigma
    V = V * np.outer(jac, jac)
    terms_names = (*names, "_cons") if cons else names
    all_names = (*(f"{eqname}:{t}" for t in terms_names), *spec.names(), "sigma:_cons")
    k_tested = design.shape[1] - (1 if cons else 0)
    tested = np.r_[np.arange(k_tested), design.shape[1] + np.arange(spec.count)]
    omitted = (False,) * b.size
    chi2, df = wald_statistic(b, V, tested.astype(np.intp), omitted) if tested.size else (
        np.nan, 0)
    scalars: dict[str, float] = {
        "N": float(n), "ll": ll, "k": float(b.size), "k_eq": float(2 + bool(spec.mar or
                                                                            spec.mma)),
        "k_dv": 1.0, "df_m": float(df), "chi2": float(chi2),
        "p": float(stats.chi2.sf(chi2, df)) if df else np.nan, "sigma": sigma,
        "ar_max": float(max(spec.ar, default=0)), "ma_max": float(max(spec.ma, default=0)),
        "ic": float(len(path) - 1), "rank": float(b.size), "converged": 1.0,
    }
    macros = {"cmd": "arima", "depvar": depvar, "title": "ARIMA regression",
              "vce": vce, "chi2type": "Wald", "ma": " ".join(map(str, spec.ma)),
              "ar": " ".join(map(str, spec.ar)), "cond": "", "predict": "arima_p",
              "estat_cmd": "arima_estat", "tmins": "", "tmaxs": ""}
    if vce == "opg":
        macros["vcetype"] = "OPG"
    elif vce == "robust":
        macros["vcetype"] = "Semirobust"
    if spec.season:
        macros["mar"] = " ".join(str(k * spec.season) for k in spec.mar)
        macros["mma"] = " ".join(str(k * spec.season) for k in spec.mma)
    est = Estimation(cmd="arima", depvar=depvar, names=all_names, b=b, V=V, omitted=omitted,
                     scalars=scalars, macros=macros, df_r=None, sample=used)
    return ArimaFit(estimation=est, iterations=tuple(path))


def _start(y: FloatArray, design: FloatArray, spec: ArmaSpec) -> FloatArray:
    """OLS for β, zero ARMA coefficients, and the OLS residual sd for σ."""
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    sd = float(np.sqrt(resid @ resid / y.size)) or 1.0
    return np.concatenate([beta, np.zeros(spec.count), [np.log(sd)]])


def _gradient(fn: Callable[[FloatArray], float], theta: FloatArray) -> FloatArray:
    out: FloatArray = numeric_jacobian(lambda t: np.array([fn(t)]), theta)[0]
    return out


def _hessian(model: _Model, theta: FloatArray) -> FloatArray:
    """The Hessian of the log likelihood by central differences of its gradient."""
    hess = numeric_jacobian(lambda t: _gradient(model.value, t), theta)
    return (hess + hess.T) / 2.0


def _maximize(model: _Model, start: FloatArray) -> tuple[FloatArray, list[float]]:
    """BFGS from the start, then up to three Newton steps on the numerical Hessian, until
    the scaled gradient g'H⁻¹g is below 1e-10: the maximum itself (Stata's ``ml`` stops
    earlier, at g'H⁻¹g < 1e-5, so its estimates differ in the sixth digit)."""
    path = [model.value(start)]

    def objective(theta: FloatArray) -> float:
        return -model.value(theta)

    def record(theta: FloatArray) -> None:
        path.append(model.value(theta))

    result = optimize.minimize(objective, start, method="BFGS",
                               jac=lambda t: -_gradient(model.value, t),
                               callback=record, options={"gtol": 1e-7, "maxiter": 500})
    theta: NDArray[np.float64] = np.asarray(result.x, dtype=np.float64)
    for _ in range(3):
        grad = _gradient(model.value, theta)
        try:
            step = np.linalg.solve(-_hessian(model, theta), grad)
        except np.linalg.LinAlgError:
            break
        trial = theta + step
        if not model.value(trial) >= model.value(theta) - 1e-12:
            break
        theta = trial
        path.append(model.value(theta))
        if abs(float(grad @ step)) < 1e-10:
            break
    if model.value(theta) <= _FLOOR:
        raise StatsError(430, "convergence not achieved")
    return theta, path
