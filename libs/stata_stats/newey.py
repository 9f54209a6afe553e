"""``newey``: least squares with Newey–West (HAC) standard errors.

Stata's definitions ([TS] newey, Methods and formulas): the coefficients are OLS; with
residuals e, regressors x (constant included) and m = ``lag()``,

    Ω = Σₜ eₜ²xₜxₜ' + Σₗ₌₁..ₘ (1 − l/(m+1)) Σₜ eₜeₜ₋ₗ (xₜxₜ₋ₗ' + xₜ₋ₗxₜ')
    V = N/(N−k) · (X'X)⁻¹ Ω (X'X)⁻¹

where tₜ₋ₗ is the observation l periods earlier in the same panel (pairs across a gap or a
panel boundary do not enter). ``lag(0)`` is the White estimator with the N/(N−k) factor.
The model test is F = W/q on (q, N−k).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import design_with_constant, fit
from libs.stata_stats.sample import estimation_mask
from libs.stata_stats.wald import wald_statistic


def earlier_rows(time: FloatArray, panel: FloatArray | None, periods: float) -> NDArray[np.intp]:
    """For each row, the row ``periods`` time units earlier in the same panel, or −1."""
    keys = [time] if panel is None else [panel, time]
    index = pd.MultiIndex.from_arrays(keys) if panel is not None else pd.Index(time)
    wanted = [time - periods] if panel is None else [panel, time - periods]
    target = pd.MultiIndex.from_arrays(wanted) if panel is not None else pd.Index(wanted[0])
    return np.asarray(index.get_indexer(target), dtype=np.intp)


def hac_meat(scores: FloatArray, time: FloatArray, panel: FloatArray | None, lag: int,
             delta: float = 1.0) -> FloatArray:
    """Σ sₜsₜ' plus the Bartlett-weighted cross products of scores ``l`` periods apart."""
    middle = scores.T @ scores
    for lag_l in range(1, lag + 1):
        prev = earlier_rows(time, panel, lag_l * delta)
        have = prev >= 0
        cross = scores[have].T @ scores[prev[have]]
        middle += (1.0 - lag_l / (lag + 1.0)) * (cross + cross.T)
    return middle


def newey(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str, lag: int,
          time: FloatArray | None, panel: FloatArray | None = None, delta: float = 1.0,
          cons: bool = True, preomitted: tuple[bool, ...] | None = None) -> Estimation:
    """Stata's ``newey depvar indepvars, lag(#) [noconstant]`` (``time``/``panel``: the
    ``tsset`` variables of every row; needed when ``lag`` > 0)."""
    mask = estimation_mask(y, X, None)
    ys, Xs = y[mask], X[mask]
    ls = fit(ys, Xs, None, cons=cons, preomitted=preomitted)
    n, k = int(mask.sum()), ls.rank
    if n <= k:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    design = design_with_constant(Xs, cons)
    scores = design * ls.resid[:, None]
    if lag > 0:
        assert time is not None
        middle = hac_meat(scores, time[mask], None if panel is None else panel[mask], lag,
                          delta)
    else:
        middle = scores.T @ scores
    V = ls.bread @ middle @ ls.bread * n / (n - k)
    V = (V + V.T) / 2.0
    df_r = float(n - k)
    df_m = k - (1 if cons else 0)
    stat, q = wald_statistic(ls.coef, V, np.arange(len(names)), ls.omitted)
    F = stat / q if q else np.nan
    scalars = {"N": float(n), "df_m": float(df_m), "df_r": df_r, "F": F, "lag": float(lag),
               "rank": float(k)}
    macros = {"cmd": "newey", "depvar": depvar, "vcetype": "Newey-West",
              "title": "Regression with Newey-West standard errors",
              "predict": "newey_p", "estat_cmd": "newey_estat"}
    return Estimation(cmd="newey", depvar=depvar, names=(*names, "_cons") if cons else names,
                      b=ls.coef, V=V, omitted=ls.omitted, scalars=scalars, macros=macros,
                      df_r=df_r, sample=mask)
