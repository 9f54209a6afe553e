"""``sureg``: Zellner's seemingly unrelated regression, two-step feasible GLS ([R] sureg), and
``reg3``'s three-stage least squares ([R] reg3) on the same machinery.

Each equation is fitted by OLS on the common sample (rows complete in every equation); the
cross-equation covariance is Σ̂ = E'E/N from those residuals (``e(Sigma)``). Then

    b = (Σᵢⱼ σⁱʲ Xᵢ'Xⱼ)⁻¹ Σᵢⱼ σⁱʲ Xᵢ'yⱼ,   V = (Σᵢⱼ σⁱʲ Xᵢ'Xⱼ)⁻¹,

with σⁱʲ the elements of Σ̂⁻¹; z statistics. Per equation: RMSE = √(RSS/N) and
R² = 1 − RSS/TSS from the GLS residuals, and the Wald χ² of its slopes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.errors import INVALID_SYNTAX, NO_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray


@dataclass(frozen=True, kw_only=True)
class Equation:
    """One equation: its dependent variable, regressors (named) and the constant flag."""

    depvar: str
    constant: bool = True
    y: FloatArray
    X: FloatArray
    names: tuple[str, ...]


def fit_sureg(equations: list[Equation], instruments: FloatArray | None = None) -> Estimation:
    """Stata's ``sureg (y1 x…) (y2 x…) …`` (two-step); with ``instruments`` (the system's
    exogenous variables, without the constant) ``reg3``'s three-stage least squares: each
    equation's regressors are replaced by their projections X̂ᵢ on the instruments and a
    constant, the first step is 2SLS, and the residuals are the structural y − Xb."""
    mask = np.ones(equations[0].y.size, dtype=bool)
    for eq in equations:
        mask &= np.isfinite(eq.y) & np.isfinite(eq.X).all(axis=1)
    if instruments is not None:
        mask &= np.isfinite(instruments).all(axis=1)
    n = int(mask.sum())
    if n == 0:
        raise StatsError(NO_OBSERVATIONS, "no observations")
    ys = [eq.y[mask] for eq in equations]
    Xs = [np.column_stack([eq.X[mask], np.ones(n)]) if eq.constant else eq.X[mask]
          for eq in equations]
    for eq, X in zip(equations, Xs, strict=True):
        if np.linalg.matrix_rank(X) < X.shape[1]:
            raise StatsError(INVALID_SYNTAX, f"equation {eq.depvar}: collinear regressors are "
                                             "not supported by sureg in the embedded engine")
    if instruments is None:
        fitted = Xs
    else:
        Z = np.column_stack([instruments[mask], np.ones(n)])
        fitted = [Z @ np.linalg.lstsq(Z, X, rcond=None)[0] for X in Xs]
    resid = np.column_stack([y - X @ np.linalg.lstsq(H, y, rcond=None)[0]
                             for y, X, H in zip(ys, Xs, fitted, strict=True)])
    sigma = resid.T @ resid / n
    inv = np.linalg.inv(sigma)
    m = len(equations)
    sizes = [X.shape[1] for X in Xs]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    A = np.zeros((starts[-1], starts[-1]))
    c = np.zeros(starts[-1])
    for i in range(m):
        for j in range(m):
            A[starts[i]:starts[i + 1], starts[j]:starts[j + 1]] = (
                inv[i, j] * fitted[i].T @ fitted[j])
            c[starts[i]:starts[i + 1]] += inv[i, j] * fitted[i].T @ ys[j]
    V = np.linalg.inv(A)
    b = V @ c
    V = (V + V.T) / 2
    scalars: dict[str, float] = {"N": float(n), "k_eq": float(m), "k": float(b.size)}
    names: list[str] = []
    for i, eq in enumerate(equations):
        block = slice(int(starts[i]), int(starts[i + 1]))
        e = ys[i] - Xs[i] @ b[block]
        rss = float(e @ e)
        tss = float(np.sum((ys[i] - ys[i].mean()) ** 2)) if eq.constant else float(ys[i] @ ys[i])
        slopes = np.arange(int(starts[i]), int(starts[i]) + len(eq.names))
        bs = b[slopes]
        chi2 = float(bs @ np.linalg.solve(V[np.ix_(slopes, slopes)], bs)) if bs.size else 0.0
        k = i + 1
        scalars.update({f"rss_{k}": rss, f"mss_{k}": tss - rss, f"r2_{k}": 1 - rss / tss,
                        f"rmse_{k}": float(np.sqrt(rss / n)), f"df_m{k}": float(bs.size),
                        f"chi2_{k}": chi2, f"p_{k}": float(stats.chi2.sf(chi2, bs.size))
                        if bs.size else np.nan})
        names += [f"{eq.depvar}:{name}" for name in eq.names]
        if eq.constant:
            names.append(f"{eq.depvar}:_cons")
    depvars = " ".join(eq.depvar for eq in equations)
    cmd = "sureg" if instruments is None else "reg3"
    macros = {"cmd": cmd, "depvar": depvars, "eqnames": depvars,
              "method": "sure" if instruments is None else "3sls",
              "title": "Seemingly unrelated regression" if instruments is None
              else "Three-stage least-squares regression", "properties": "b V"}
    return Estimation(cmd=cmd, depvar=depvars, names=tuple(names), b=b, V=V,
                      omitted=(False,) * b.size, scalars=scalars, macros=macros, df_r=None,
                      sample=mask, extra={"Sigma": sigma})
