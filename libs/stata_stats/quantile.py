"""``qreg``: quantile regression with Stata's density (sparsity) estimators.

The coefficients minimise ``Σ ρ_τ(y − xb)`` (a linear programme; the solution is a vertex
through k observations, recomputed exactly from them). Stata's variance:

- ``vce(iid)`` (the default): ``τ(1−τ)·ŝ²·(X'X)⁻¹`` with the sparsity ŝ = 1/f̂ estimated by
  ``fitted`` (default: x̄'(b(τ+h) − b(τ−h))/2h from the regressions at τ ± h), ``residual``
  (the difference quotient of the residuals' empirical quantiles at τ ± h) or
  ``kernel(k)`` (f̂ = Σ K(rᵢ/c)/(n·c), c = min(sd(r), IQR(r)/1.34)·(Φ⁻¹(τ+h) − Φ⁻¹(τ−h)));
- ``vce(robust)``: ``τ(1−τ)·(X'FX)⁻¹X'X(X'FX)⁻¹`` with per-row densities fᵢ from the same
  method (``fitted``: 2h / xᵢ'(b(τ+h) − b(τ−h)); ``kernel``: K(rᵢ/c)/c);
- the bandwidth h is Hall–Sheather (default), Bofinger or Chamberlain at α = 0.05.

t statistics on N − k degrees of freedom; pseudo R² = 1 − Σρ(residuals)/Σρ(y − q_τ(y)).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import design_with_constant
from libs.stata_stats.mlmodel import Regressors, regressors
from libs.stata_stats.sample import Sample, estimation_mask
from libs.stata_stats.wald import wald_statistic

_SQRT5 = np.sqrt(5.0)

#: Stata's kernels (``kdensity``'s definitions), by name.
KERNELS: dict[str, Callable[[FloatArray], FloatArray]] = {
    "epanechnikov": lambda u: np.where(np.abs(u) < _SQRT5, 0.75 * (1 - u**2 / 5) / _SQRT5, 0.0),
    "epan2": lambda u: np.where(np.abs(u) < 1, 0.75 * (1 - u**2), 0.0),
    "biweight": lambda u: np.where(np.abs(u) < 1, 15 / 16 * (1 - u**2) ** 2, 0.0),
    "cosine": lambda u: np.where(np.abs(u) < 0.5, 1 + np.cos(2 * np.pi * u), 0.0),
    "gaussian": lambda u: np.asarray(stats.norm.pdf(u), dtype=np.float64),
    "parzen": lambda u: np.where(
        np.abs(u) <= 0.5, 4 / 3 - 8 * u**2 + 8 * np.abs(u) ** 3,
        np.where(np.abs(u) <= 1, 8 * (1 - np.abs(u)) ** 3 / 3, 0.0)),
    "rectangle": lambda u: np.where(np.abs(u) < 1, 0.5, 0.0),
    "triangle": lambda u: np.where(np.abs(u) < 1, 1 - np.abs(u), 0.0),
}


def bandwidth(method: str, q: float, n: float, alpha: float = 0.05) -> float:
    """h of ``hsheather``, ``bofinger`` or ``chamberlain`` (on the quantile scale)."""
    z = stats.norm.ppf(q)
    pdf = stats.norm.pdf(z)
    crit = stats.norm.ppf(1 - alpha / 2)
    if method == "hsheather":
        return float(n ** (-1 / 3) * crit ** (2 / 3)
                     * (1.5 * pdf**2 / (2 * z**2 + 1)) ** (1 / 3))
    if method == "bofinger":
        return float(n ** (-0.2) * (4.5 * pdf**4 / (2 * z**2 + 1) ** 2) ** 0.2)
    if method == "chamberlain":
        return float(crit * np.sqrt(q * (1 - q) / n))
    raise StatsError(INVALID_SYNTAX, f"bandwidth method {method} not allowed")


def order_quantile(values: FloatArray, q: float) -> float:
    """The τ-quantile that minimises Σρ_τ(v − c): the ⌈nτ⌉-th order statistic."""
    ordered = np.sort(values)
    return float(ordered[max(int(np.ceil(len(ordered) * q - 1e-12)) - 1, 0)])


def _interquartile_range(values: FloatArray) -> float:
    """p75 − p25 with Stata's percentile definition (mean of neighbours on an exact tie)."""
    p75, p25 = np.percentile(values, [75, 25], method="averaged_inverted_cdf")
    return float(p75 - p25)


def quantile_fit(y: FloatArray, X: FloatArray, q: float) -> FloatArray:
    """The τ = ``q`` regression quantile: a vertex solution of the LP, made exact."""
    # The dual LP (Koenker 2005, §6.2): max y'a s.t. X'a = (1−τ)X'1, 0 ≤ a ≤ 1; the
    # coefficients are the multipliers of its k equality constraints. It has k rows instead
    # of the primal's n, which makes it fast enough to refit in bootstrap replications.
    k = X.shape[1]
    res = optimize.linprog(-y, A_eq=X.T, b_eq=(1 - q) * X.sum(axis=0), bounds=(0.0, 1.0),
                           method="highs-ds")
    if res.status != 0:
        raise StatsError(430, "convergence not achieved")
    b = -np.asarray(res.eqlin.marginals, dtype=np.float64)
    basis = np.argsort(np.abs(y - X @ b))[:k]
    try:
        exact = np.linalg.solve(X[basis], y[basis])
    except np.linalg.LinAlgError:
        return b
    def loss(beta: FloatArray) -> float:
        return check_loss(y - X @ beta, q)

    return exact if loss(exact) <= loss(b) + 1e-9 * max(1.0, abs(loss(b))) else b


def check_loss(residuals: FloatArray, q: float) -> float:
    """Koenker's check function summed: Σ r·(q − 1[r < 0])."""
    return float(np.sum(residuals * (q - (residuals < 0))))


def quantile_design(y: FloatArray, X: FloatArray, names: tuple[str, ...],
                    preomitted: tuple[bool, ...] | None
                    ) -> tuple[NDArray[np.bool_], FloatArray, FloatArray, Regressors]:
    """The estimation sample (rows with no missing value), its ``y``, the design of the kept
    regressors with a constant, and the regressors kept (Stata's ``_rmcoll``)."""
    mask = estimation_mask(y, X, None)
    sample = Sample.likelihood(mask, None, None)
    ys, Xs = y[mask], X[mask]
    reg = regressors(Xs, sample.w, names, preomitted)
    return mask, ys, design_with_constant(Xs[:, reg.keep], True), reg


def fit_qreg(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
             quantile: float = 0.5, robust: bool = False, denmethod: str = "fitted",
             bwmethod: str = "hsheather", kernel: str = "epanechnikov",
             preomitted: tuple[bool, ...] | None = None) -> Estimation:
    """Stata's ``qreg depvar indepvars [, quantile(#) vce(iid|robust [, denmethod bwidth])]``."""
    q = quantile / 100.0 if quantile >= 1 else quantile
    if not 0 < q < 1:
        raise StatsError(INVALID_SYNTAX, "quantile() must be between 0 and 1")
    if kernel not in KERNELS:
        raise StatsError(INVALID_SYNTAX, f"kernel {kernel} not allowed")
    mask, ys, D, reg = quantile_design(y, X, names, preomitted)
    n, p = D.shape
    coef = quantile_fit(ys, D, q)
    resid = ys - D @ coef
    h = bandwidth(bwmethod, q, n)
    if q - h <= 0 or q + h >= 1:
        raise StatsError(INVALID_SYNTAX, "bandwidth out of range; choose another bwidth()")
    xtx_inv = np.linalg.inv(D.T @ D)
    scalars: dict[str, float] = {"N": float(n), "q": q, "bwidth": h}
    if denmethod == "kernel":
        spread = min(float(np.std(resid, ddof=1)),
                     _interquartile_range(resid) / 1.34)
        c = spread * float(stats.norm.ppf(q + h) - stats.norm.ppf(q - h))
        dens = KERNELS[kernel](resid / c) / c
        scalars["kbwidth"] = c
    elif denmethod == "fitted":
        spread_b = quantile_fit(ys, D, q + h) - quantile_fit(ys, D, q - h)
        with np.errstate(divide="ignore"):
            dens = np.maximum(0.0, 2 * h / (D @ spread_b))
        dens[~np.isfinite(dens)] = 0.0
        mean_density = 2 * h / float(D.mean(axis=0) @ spread_b)
    elif denmethod == "residual":
        hi, lo = order_quantile(resid, q + h), order_quantile(resid, q - h)
        mean_density = 2 * h / (hi - lo)
        dens = np.full(n, mean_density)
    else:
        raise StatsError(INVALID_SYNTAX, f"density method {denmethod} not allowed")
    f_r = float(dens.mean()) if denmethod == "kernel" else mean_density
    if robust:
        bread = np.linalg.inv((D * dens[:, None]).T @ D)
        Vk = q * (1 - q) * bread @ (D.T @ D) @ bread
    else:
        Vk = q * (1 - q) / f_r**2 * xtx_inv
    k = X.shape[1]
    idx = np.append(reg.keep, k)
    b = np.zeros(k + 1)
    b[idx] = coef
    V = np.zeros((k + 1, k + 1))
    V[np.ix_(idx, idx)] = (Vk + Vk.T) / 2
    omitted = (*reg.omitted, False)
    q_v = order_quantile(ys, q)
    # Stata's criterion is Σ|rᵢ|·2τ (rᵢ > 0) or 2(1−τ): twice the check function
    sum_adev = 2.0 * float(np.sum(resid * (q - (resid < 0))))
    dev = ys - q_v
    sum_rdev = 2.0 * float(np.sum(dev * (q - (dev < 0))))
    df_r = float(n - p)
    stat, df_m = wald_statistic(b, V, np.arange(k), omitted)
    scalars.update(
        df_m=float(df_m), df_r=df_r, f_r=f_r, sparsity=1.0 / f_r, q_v=q_v,
        sum_adev=sum_adev, sum_rdev=sum_rdev, r2_p=1.0 - sum_adev / sum_rdev,
        rank=float(p), convcode=0.0,
        F=stat / df_m if df_m else np.nan,
    )
    title = "Median regression" if q == 0.5 else f"{q:g}".removeprefix("0") + " Quantile regression"
    macros = {"cmd": "qreg", "depvar": depvar, "vce": "robust" if robust else "iid",
              "denmethod": denmethod, "bwmethod": bwmethod, "title": title}
    if denmethod == "kernel":
        macros["kernel"] = kernel
    if robust:
        macros["vcetype"] = "Robust"
    return Estimation(cmd="qreg", depvar=depvar, names=(*names, "_cons"), b=b, V=V,
                      omitted=omitted, scalars=scalars, macros=macros, df_r=df_r, sample=mask)
