"""``heckman``: the sample-selection model, by maximum likelihood or Heckman's two-step
estimator ([R] heckman).

y = xβ + u is seen when zγ + v > 0, (u, v) normal with sd(u) = σ, sd(v) = 1, corr ρ.

- ML: ln L = Σ_selected {ln Φ((zγ + ρe)/√(1−ρ²)) − e²/2 − ln(√(2π)σ)} + Σ_unselected ln Φ(−zγ),
  e = (y − xβ)/σ, estimated in athrho = atanh ρ and lnsigma (``/:athrho``, ``/:lnsigma``);
  Newton–Raphson (analytic scores, numerical Hessian) from the two-step estimates. The model
  test is Wald on the outcome's slopes; ``e(chi2_c)`` is the LR test of ρ = 0 against the
  probit plus the normal regression of the selected rows.
- twostep: probit of selection on z; OLS of y on x and the inverse Mills ratio λ = φ(zγ)/Φ(zγ)
  over the selected rows; σ² = e'e/n + β_λ²·mean(δ), δ = λ(λ + zγ), ρ = β_λ/σ (held to ±1);
  the outcome block of the variance is σ²(X*'X*)⁻¹[X*'(I − ρ²Δ)X* + ρ²(X*'ΔZ)V_γ(Z'ΔX*)]
  (X*'X*)⁻¹ (Heckman 1979; Greene), X* = [x, λ], Δ = diag(δ); the selection block is the
  probit's; the blocks' covariances are zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy import stats as st

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import MLFit, Probit, maximize, newton, numeric_jacobian
from libs.stata_stats.sample import Sample
from libs.stata_stats.vce import VceRequest, covariance
from libs.stata_stats.wald import wald_statistic


def _mills(index: FloatArray) -> FloatArray:
    """φ(a)/Φ(a), stable far in the lower tail."""
    return np.asarray(np.exp(st.norm.logpdf(index) - special.log_ndtr(index)), dtype=np.float64)


@dataclass(frozen=True)
class _Likelihood:
    y: FloatArray  #: outcome (any value where not selected)
    s: np.ndarray  #: selected rows
    X: FloatArray
    Z: FloatArray

    def _parts(self, theta: FloatArray) -> tuple[FloatArray, ...]:
        kx, kz = self.X.shape[1], self.Z.shape[1]
        beta, gamma = theta[:kx], theta[kx:kx + kz]
        rho, sigma = np.tanh(theta[-2]), np.exp(theta[-1])
        zg = self.Z @ gamma
        e = np.where(self.s, (self.y - self.X @ beta) / sigma, 0.0)
        r = np.sqrt(1.0 - rho * rho)
        a = np.where(self.s, (zg + rho * e) / r, -zg)
        return zg, e, a, np.asarray(rho), np.asarray(sigma), np.asarray(r)

    def rows(self, theta: FloatArray) -> FloatArray:
        _, e, a, _, sigma, _ = self._parts(theta)
        normal = -0.5 * e * e - np.log(sigma) - 0.5 * np.log(2.0 * np.pi)
        return np.asarray(special.log_ndtr(a) + np.where(self.s, normal, 0.0), dtype=np.float64)

    def scores(self, theta: FloatArray) -> FloatArray:
        zg, e, a, rho, sigma, r = self._parts(theta)
        lam = _mills(a)
        sel = self.s.astype(np.float64)
        d_beta = sel * (e - lam * rho / r) / sigma
        d_gamma = np.where(self.s, lam / r, -lam)
        d_athrho = sel * lam * (e + rho * zg) / r
        d_lnsigma = sel * (e * e - 1.0 - lam * rho * e / r)
        return np.column_stack([self.X * d_beta[:, None], self.Z * d_gamma[:, None],
                                d_athrho, d_lnsigma])

    def value(self, theta: FloatArray) -> float:
        with np.errstate(invalid="ignore", over="ignore"):
            return float(self.rows(theta).sum())

    def derivatives(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        grad = self.scores(theta).sum(axis=0)
        hess = numeric_jacobian(lambda th: self.scores(th).sum(axis=0), theta)
        return grad, -(hess + hess.T) / 2.0


@dataclass(frozen=True, kw_only=True)
class HeckmanFit:
    """The estimates, the iteration log and the first-step probit's log likelihood."""

    estimation: Estimation
    iterations: tuple[float, ...]


@dataclass(frozen=True)
class _TwoStep:
    gamma: FloatArray
    probit: MLFit
    coef: FloatArray  #: outcome coefficients then β_λ
    V_outcome: FloatArray
    sigma: float
    rho: float
    mills: FloatArray  #: λ of the selected rows


def _two_step(y: FloatArray, s: np.ndarray, X: FloatArray, Z: FloatArray) -> _TwoStep:
    probit = newton(Probit(), s.astype(np.float64), Z, np.ones(s.size), np.zeros(Z.shape[1]))
    gamma = probit.coef
    zg = Z[s] @ gamma
    lam = _mills(zg)
    Xs = np.column_stack([X[s], lam])
    XtX_inv = np.linalg.inv(Xs.T @ Xs)
    coef = XtX_inv @ Xs.T @ y[s]
    resid = y[s] - Xs @ coef
    n = int(s.sum())
    delta = lam * (lam + zg)
    sigma = float(np.sqrt(resid @ resid / n + coef[-1] ** 2 * delta.mean()))
    rho = float(np.clip(coef[-1] / sigma, -1.0, 1.0))
    middle = Xs.T @ (Xs * (1.0 - rho * rho * delta)[:, None])
    cross = Xs.T @ (Z[s] * delta[:, None])
    middle += rho * rho * cross @ probit.neg_hessian_inv @ cross.T
    V = sigma * sigma * XtX_inv @ middle @ XtX_inv
    return _TwoStep(gamma, probit, coef, V, sigma, rho, lam)


def fit_heckman(y: FloatArray, s: np.ndarray, X: FloatArray, Z: FloatArray,
                x_names: tuple[str, ...], z_names: tuple[str, ...], *, depvar: str,
                twostep: bool = False, vce: VceRequest | None = None,
                cons: bool = True) -> HeckmanFit:
    """Stata's ``heckman depvar x, select(s = z) [twostep vce()]``; X and Z carry their
    constant columns (named ``_cons``, last) already; ``cons``: X has one."""
    vce = vce or VceRequest(kind="oim")
    n, n_sel = s.size, int(s.sum())
    if n_sel <= X.shape[1] + 1 or n - n_sel < 1:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    two = _two_step(y, s, X, Z)
    kx, kz = X.shape[1], Z.shape[1]
    names = (*(f"{depvar}:{v}" for v in x_names), *(f"select:{v}" for v in z_names))
    scalars: dict[str, float] = {"N": float(n), "N_selected": float(n_sel),
                                 "N_nonselected": float(n - n_sel), "k_eq": 3.0 if twostep
                                 else 4.0}
    macros = {"cmd": "heckman", "depvar": f"{depvar} select", "title": "Heckman selection "
              "model" + (" -- two-step estimates" if twostep else ""), "predict": "heckma_p",
              "method": "twostep" if twostep else "ml"}
    if twostep:
        b = np.r_[two.coef[:kx], two.gamma, two.coef[-1]]
        V = np.zeros((b.size, b.size))
        outcome = np.r_[np.arange(kx), b.size - 1]
        V[np.ix_(outcome, outcome)] = two.V_outcome
        V[kx:kx + kz, kx:kx + kz] = two.probit.neg_hessian_inv
        names = (*names, "/mills:lambda")
        scalars.update({"rho": two.rho, "sigma": two.sigma, "lambda": float(two.coef[-1]),
                        "selambda": float(np.sqrt(two.V_outcome[-1, -1]))})
        macros.update(vce="conventional", chi2type="Wald")
        iterations: tuple[float, ...] = two.probit.iterations
    else:
        model = _Likelihood(np.nan_to_num(y), s, X, Z)
        start = np.r_[two.coef[:kx], two.gamma, np.arctanh(np.clip(two.rho, -0.9, 0.9)),
                      np.log(two.sigma)]
        fit = maximize(model.value, model.derivatives, start)
        sample = Sample.likelihood(np.ones(n, dtype=bool), None, vce.clusters)
        cov = covariance(fit.neg_hessian_inv, model.scores(fit.coef), np.ones(n), sample, vce,
                         cons=False, sigma2=1.0, df_resid=n - 1.0, conventional="oim")
        b, V = fit.coef, cov.V
        names = (*names, "/:athrho", "/:lnsigma")
        rho, sigma = float(np.tanh(b[-2])), float(np.exp(b[-1]))
        # the delta method for rho, sigma and lambda = rho·sigma
        jac = np.array([[1.0 - rho * rho, 0.0], [0.0, sigma],
                        [(1.0 - rho * rho) * sigma, rho * sigma]])
        aux = jac @ V[-2:, -2:] @ jac.T
        ols = np.linalg.lstsq(X[s], y[s], rcond=None)[0]  # the independent-equations fit
        resid = y[s] - X[s] @ ols
        ll_reg = -0.5 * n_sel * (np.log(2.0 * np.pi * resid @ resid / n_sel) + 1.0)
        chi2_c = 2.0 * (fit.ll - (two.probit.ll + ll_reg))
        scalars.update({"ll": fit.ll, "rho": rho, "sigma": sigma, "lambda": rho * sigma,
                        "selambda": float(np.sqrt(aux[2, 2])), "chi2_c": float(chi2_c),
                        "p_c": float(st.chi2.sf(chi2_c, 1)), "k_aux": 2.0,
                        "converged": 1.0, "ic": float(len(fit.iterations) - 1)})
        cov.post(scalars, macros)
        macros.update(chi2type="Wald", vcetype=macros.get("vcetype", "") or "",
                      crittype="log pseudolikelihood" if cov.robust else "log likelihood")
        iterations = fit.iterations
    tested = np.arange(kx - 1 if cons else kx)
    chi2, df_m = wald_statistic(b, V, tested, (False,) * b.size)
    scalars.update({"chi2": float(chi2), "df_m": float(df_m), "rank": float(b.size),
                    "p": float(st.chi2.sf(chi2, df_m)) if df_m else np.nan, "k": float(b.size)})
    est = Estimation(cmd="heckman", depvar=depvar, names=names, b=b, V=V,
                     omitted=(False,) * b.size, scalars=scalars, macros=macros, df_r=None)
    return HeckmanFit(estimation=est, iterations=iterations)
