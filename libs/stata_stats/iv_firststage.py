"""First-stage diagnostics of an instrumental-variables fit: Stata's ``estat firststage``.

Per endogenous regressor (the definitions of [R] ivregress postestimation):

- R² and adjusted R² of its regression on every exogenous variable (included and excluded);
- the partial R² of the excluded instruments: the R² of the regressor's residual on the
  included exogenous variables, regressed on the instruments' residuals;
- the F test that the excluded instruments' coefficients are zero in that regression, with
  the estimation's VCE and ``regress``'s small-sample conventions (robust Wald/q on
  (q, N−k); clustered on (q, G−1));
- Shea's partial R² and its adjusted form 1 − (N−1)/(N−K)·(1 − R²), K the exogenous count;
- the Cragg–Donald minimum eigenvalue statistic (Stock and Yogo 2005), with their critical
  values for one endogenous regressor and one to five excluded instruments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.stata_stats.estimation import FloatArray
from libs.stata_stats.ols import regress
from libs.stata_stats.vce import VceRequest
from libs.stata_stats.wald import wald_test

#: Stock and Yogo (2005) critical values of the minimum eigenvalue statistic, one endogenous
#: regressor, by the number of excluded instruments: 2SLS relative bias (5, 10, 20, 30 %),
#: 2SLS size and LIML size of a nominal 5 % Wald test (10, 15, 20, 25 %).
STOCK_YOGO: dict[int, tuple[tuple[float, ...] | None, tuple[float, ...], tuple[float, ...]]] = {
    1: (None, (16.38, 8.96, 6.66, 5.53), (16.38, 8.96, 6.66, 5.53)),
    2: (None, (19.93, 11.59, 8.75, 7.25), (8.68, 5.33, 4.42, 3.92)),
    3: ((13.91, 9.08, 6.46, 5.39), (22.30, 12.83, 9.54, 7.80), (6.46, 4.36, 3.69, 3.32)),
    4: ((16.85, 10.27, 6.71, 5.34), (24.58, 13.96, 10.26, 8.31), (5.44, 3.87, 3.30, 2.98)),
    5: ((18.37, 10.83, 6.77, 5.25), (26.87, 15.09, 10.98, 8.84), (4.84, 3.56, 3.05, 2.77)),
}


@dataclass(frozen=True)
class FirstStageRow:
    """One endogenous regressor's first-stage summary."""

    r2: float
    r2_a: float
    partial_r2: float
    F: float
    df1: float
    df2: float
    p: float


@dataclass(frozen=True)
class FirstStage:
    """``estat firststage``'s numbers for every endogenous regressor."""

    rows: tuple[FirstStageRow, ...]
    shea: tuple[tuple[float, float], ...]  #: Shea's partial R² and its adjusted form
    mineig: float


def first_stage(endog: FloatArray, included: FloatArray, excluded: FloatArray, *,
                cons: bool, vce: VceRequest) -> FirstStage:
    """Diagnostics on the estimation sample: ``endog`` (N×m), the included exogenous
    regressors (N×k₁, no constant) and the excluded instruments (N×k₂)."""
    n = endog.shape[0]
    allexog = np.column_stack([included, excluded])
    names = tuple(f"z{j}" for j in range(allexog.shape[1]))
    k1 = included.shape[1]
    rows = []
    fitted = np.empty_like(endog)
    for i in range(endog.shape[1]):
        est = regress(endog[:, i], allexog, names, depvar="v", cons=cons, vce=vce)
        R = np.zeros((excluded.shape[1], len(est.b)))
        R[:, k1 : k1 + excluded.shape[1]] = np.eye(excluded.shape[1])
        test = wald_test(est, R)
        fitted[:, i] = fit_project(allexog, endog[:, i], cons)[0]
        rows.append(FirstStageRow(
            r2=est.scalars["r2"], r2_a=est.scalars["r2_a"],
            partial_r2=_partial_r2(endog[:, i], included, excluded, cons),
            F=test.stat, df1=float(test.df), df2=float(test.df_r or 0.0), p=test.p))
    shea = []
    for i in range(endog.shape[1]):
        others = np.delete(endog, i, axis=1)
        tilde = fit_project(np.column_stack([others, included]), endog[:, i], cons)[1]
        bar = fit_project(np.column_stack([np.delete(fitted, i, axis=1), included]),
                   fitted[:, i], cons)[1]
        r2 = r_squared(tilde, fit_project(bar[:, None], tilde, cons)[0], cons)
        shea.append((r2, 1.0 - (n - 1) / (n - allexog.shape[1]) * (1.0 - r2)))
    return FirstStage(rows=tuple(rows), shea=tuple(shea),
                      mineig=_cragg_donald(endog, included, excluded, cons))


def fit_project(X: FloatArray, y: FloatArray, cons: bool) -> tuple[FloatArray, FloatArray]:
    """Fitted values and residuals of the least-squares fit of ``y`` on ``X`` (+ constant)."""
    design = np.column_stack([X, np.ones(len(y))]) if cons else X
    if design.shape[1] == 0:
        return np.zeros_like(y), y
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    fitted = design @ coef
    return fitted, y - fitted


def r_squared(y: FloatArray, fitted: FloatArray, cons: bool) -> float:
    """R² of a fit (centred with a constant, as ``regress`` reports it)."""
    resid = y - fitted
    total = y - y.mean() if cons else y
    return 1.0 - float(resid @ resid) / float(total @ total)


def _partial_r2(v: FloatArray, included: FloatArray, excluded: FloatArray, cons: bool) -> float:
    """R² of M·v on M·Z₂, M the annihilator of the included exogenous variables."""
    mv = fit_project(included, v, cons)[1]
    mz = np.column_stack([fit_project(included, z, cons)[1] for z in excluded.T])
    return r_squared(mv, fit_project(mz, mv, cons)[0], cons)


def _cragg_donald(endog: FloatArray, included: FloatArray, excluded: FloatArray,
                  cons: bool) -> float:
    """Minimum eigenvalue of Σ^(−1/2)' Y⊥'P Y⊥ Σ^(−1/2) / k₂ (Stock and Yogo 2005): Y⊥ the
    endogenous regressors and P the projection on the instruments, both net of the included
    exogenous variables; Σ = Y⊥'M Y⊥ / (N − k₁ − k₂) from the full first stage."""
    n, k2 = endog.shape[0], excluded.shape[1]
    k1 = included.shape[1] + (1 if cons else 0)
    y_perp = np.column_stack([fit_project(included, y, cons)[1] for y in endog.T])
    z_perp = np.column_stack([fit_project(included, z, cons)[1] for z in excluded.T])
    coef = np.linalg.lstsq(z_perp, y_perp, rcond=None)[0]
    projected = z_perp @ coef
    resid = y_perp - projected
    sigma = resid.T @ resid / (n - k1 - k2)
    root = np.linalg.cholesky(np.linalg.inv(sigma))
    g = root.T @ (projected.T @ projected) @ root / k2
    return float(np.linalg.eigvalsh((g + g.T) / 2).min())
