"""``var``: vector autoregression by equation-wise OLS, with Stata's stored results.

Stata's definitions ([TS] var, Methods and formulas), T observations, K equations, m
coefficients per equation (K·p lags, the exogenous variables and the constant):

- Σ̂ = E'E/T (``dfk``: E'E/(T − m)); ``e(V)`` = Σ̂ ⊗ (X'X)⁻¹; z statistics (t on T − m with
  ``small``).
- ll = −T/2·(K ln 2π + ln|Σ̂_ml| + K), with or without ``dfk``.
- AIC = −2ll/T + 2t/T, SBIC = −2ll/T + t·ln T/T, HQIC = −2ll/T + 2t·ln ln T/T (t = K·m);
  ``lutstats``: ln|Σ̂_ml| + 2pK²/T, + pK²·ln T/T, + 2pK²·ln ln T/T;
  FPE = |Σ̂_ml|·((T + m)/(T − m))^K.
- Per equation: RMSE = √(e'e/(T − m)), R² = 1 − e'e/Σ(y − ȳ)² (uncentered without a
  constant), the equation's log likelihood −T/2·(ln 2π + ln(e'e/T) + 1), and the Wald χ² of
  every coefficient but the constant, with its own (X'X)⁻¹·e'e/T (F on (m − 1, T − m) with
  ``small``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray


@dataclass(frozen=True, kw_only=True)
class VarFit:
    """A fitted VAR: the estimation and what ``irf``/``varsoc``/``vargranger`` need."""

    estimation: Estimation
    sigma: FloatArray  #: ``e(Sigma)`` (dfk-adjusted with ``dfk``)
    sigma_ml: FloatArray  #: E'E/T
    coef: FloatArray  #: K × m coefficients, columns as ``names`` of each equation
    xtx_inv: FloatArray  #: (X'X)⁻¹ of the common regressors
    equations: tuple[dict[str, float], ...]  #: per equation: k, rmse, r2, chi2/F, p, ll


def _info(ll: float, T: float, params: float) -> tuple[float, float, float]:
    """AIC, HQIC and SBIC as ``var`` reports them (without ``lutstats``)."""
    base = -2.0 * ll / T
    return (base + 2.0 * params / T, base + 2.0 * params * np.log(np.log(T)) / T,
            base + params * np.log(T) / T)


def lutkepohl_info(det_ml: float, T: float, lags: int, K: int) -> tuple[float, float, float]:
    """Lütkepohl's AIC, HQIC and SBIC (``lutstats``)."""
    base = np.log(det_ml)
    k2 = lags * K * K
    return (base + 2.0 * k2 / T, base + 2.0 * k2 * np.log(np.log(T)) / T,
            base + k2 * np.log(T) / T)


def fit_var(Y: FloatArray, X: FloatArray, depvars: tuple[str, ...], regressors: tuple[str, ...],
            *, lags: int, cons: bool = True, dfk: bool = False, small: bool = False,
            lutstats: bool = False) -> VarFit:
    """VAR of the columns of ``Y`` (T × K) on ``X`` (T × m − 1: the lags and exogenous
    variables, named ``regressors``; the constant is added unless ``cons`` is False)."""
    T, K = Y.shape
    design = np.column_stack([X, np.ones(T)]) if cons else X
    m = design.shape[1]
    if m >= T:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    xtx_inv = np.linalg.inv(design.T @ design)
    coef = (xtx_inv @ design.T @ Y).T  # K × m
    E = Y - design @ coef.T
    sigma_ml = E.T @ E / T
    sigma = E.T @ E / (T - m) if dfk else sigma_ml
    det_ml = float(np.linalg.det(sigma_ml))
    ll = -T / 2 * (K * np.log(2 * np.pi) + np.log(det_ml) + K)
    V = np.kron(sigma, xtx_inv)
    names = tuple(f"{eq}:{term}" for eq in depvars for term in
                  (*regressors, *(("_cons",) if cons else ())))
    equations = tuple(_equation(Y[:, i], E[:, i], design, xtx_inv, cons, small, T, m)
                      for i in range(K))
    n_params = float(K * m)
    aic, hqic, sbic = lutkepohl_info(det_ml, T, lags, K) if lutstats else _info(ll, T, n_params)
    scalars: dict[str, float] = {
        "N": float(T), "k": n_params, "k_eq": float(K), "k_dv": float(K), "df_eq": float(m),
        "ll": ll, "aic": aic, "hqic": hqic, "sbic": sbic, "mlag": float(lags),
        "fpe": det_ml * ((T + m) / (T - m)) ** K, "detsig": float(np.linalg.det(sigma)),
        "detsig_ml": det_ml, "rank": n_params,
    }
    if small:
        scalars["df_r"] = float(T - m)
    for i, eq in enumerate(equations, 1):
        for key, value in eq.items():
            scalars[f"{key}_{i}"] = value
    macros = {"cmd": "var", "depvar": " ".join(depvars), "endog": " ".join(depvars),
              "eqnames": " ".join(depvars), "title": "Vector autoregression",
              "lags": " ".join(str(j) for j in range(1, lags + 1)),
              "predict": "var_p", "estat_cmd": "var_estat"}
    if small:
        macros["small"] = "small"
    if dfk:
        macros["dfk"] = "dfk"
    if lutstats:
        macros["lutstats"] = "lutstats"
    if not cons:
        macros["nocons"] = "nocons"
    est = Estimation(cmd="var", depvar=depvars[0], names=names, b=coef.reshape(-1), V=V,
                     omitted=(False,) * len(names), scalars=scalars, macros=macros,
                     df_r=float(T - m) if small else None)
    return VarFit(estimation=est, sigma=sigma, sigma_ml=sigma_ml, coef=coef, xtx_inv=xtx_inv,
                  equations=equations)


def _equation(y: FloatArray, e: FloatArray, design: FloatArray, xtx_inv: FloatArray,
              cons: bool, small: bool, T: float, m: int) -> dict[str, float]:
    rss = float(e @ e)
    tss = float(((y - y.mean()) ** 2).sum()) if cons else float(y @ y)
    b = xtx_inv @ design.T @ y
    tested = np.arange(m - 1) if cons else np.arange(m)
    df_m = tested.size
    out: dict[str, float] = {"k": float(m), "rmse": float(np.sqrt(rss / (T - m))),
                             "r2": 1.0 - rss / tss, "df_m": float(df_m),
                             "ll": float(-T / 2 * (np.log(2 * np.pi) + np.log(rss / T) + 1))}
    if df_m:
        Vi = xtx_inv[np.ix_(tested, tested)] * (rss / (T - m) if small else rss / T)
        wald = float(b[tested] @ np.linalg.solve(Vi, b[tested]))
        if small:
            out["F"] = wald / df_m
            out["p"] = float(stats.f.sf(wald / df_m, df_m, T - m))
        else:
            out["chi2"] = wald
            out["p"] = float(stats.chi2.sf(wald, df_m))
    out["obs"] = float(T)
    return out
