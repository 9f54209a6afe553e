"""Unit-root tests: ``dfuller`` (augmented Dickey–Fuller) and ``pperron`` (Phillips–Perron).

Stata's definitions (dfuller.ado, pperron.ado):

- The test regression is ``regress`` of ``D.y`` (dfuller) or ``y`` (pperron) on ``L.y``, the
  lagged differences ``L(1/p)D.y`` (dfuller), a trend ``t − min(t)`` (``trend``) and a
  constant (unless ``noconstant``). ``Z(t)`` is the t ratio of ``L.y``.
- Critical values are interpolated linearly in N in Fuller's (1976) table (rows N = 25, 50,
  100, 250, 500, ∞; the first row for N ≤ 25, the last for N > 500). With ``drift`` they are
  Student t quantiles on the regression's residual df, and the p-value is its lower tail.
- The p-value is MacKinnon's (1994) approximation Φ(γ₀ + γ₁τ + γ₂τ² + γ₃τ³) for the constant
  and constant-plus-trend cases (none without a constant).
- pperron: with residuals u, T obs, s = root MSE and σ̂ the se of ρ̂, the Newey–West
  long-run variance λ² = γ₀ + 2Σⱼ(1 − j/(L+1))γⱼ (γⱼ = Σuₜuₜ₋ⱼ/T, default L =
  int(4(T/100)^(2/9))) corrects ``Z(rho) = T(ρ̂−1) − (Tσ̂/s)²(λ²−γ₀)/2`` and
  ``Z(t) = √(γ₀/λ²)(ρ̂−1)/σ̂ − (λ²−γ₀)(Tσ̂/s)/(2λ)``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from libs.stata_stats.errors import INSUFFICIENT_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.ols import regress

#: The deterministic terms of the test regression, as dfuller.ado numbers its cases.
NOCONSTANT, CONSTANT, DRIFT, TREND = 1, 2, 3, 4

_SIZES = (25.0, 50.0, 100.0, 250.0, 500.0)
_CASES = {"noconstant": NOCONSTANT, "constant": CONSTANT, "trend": TREND}
Table = tuple[tuple[float, ...], ...]


def _fuller_tables() -> tuple[dict[int, Table], dict[int, Table]]:
    """Fuller's (1976) tables 8.5.2 (τ) and 8.5.1 (N(ρ̂ − 1)), read from the CSV beside this
    module: for each case, the 1%, 5% and 10% rows by N = 25, 50, 100, 250, 500, ∞."""
    rows: dict[tuple[str, int], list[tuple[float, ...]]] = {}
    text = Path(__file__).with_name("fuller_critical_values.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    for record in csv.DictReader(lines):
        values = tuple(float(record[k]) for k in ("n25", "n50", "n100", "n250", "n500", "inf"))
        rows.setdefault((record["statistic"], _CASES[record["case"]]), []).append(values)
    tau = {case: tuple(v) for (stat, case), v in rows.items() if stat == "tau"}
    rho = {case: tuple(v) for (stat, case), v in rows.items() if stat == "rho"}
    return tau, rho


_TAU, _RHO = _fuller_tables()
#: MacKinnon (1994, table 3), one-regressor case: (τ below which p = 0, τ above which p = 1,
#: γ₀..γ₃) for the small-τ and large-τ branches, split at τ = −1.61 (constant) / −2.89 (trend).
_MACKINNON = {
    CONSTANT: (-1.61, (-18.83, np.inf, (2.1659, 1.4412, 0.038269, 0.0)),
               (-np.inf, 2.74, (1.7339, 0.93202, -0.12745, -0.010368))),
    TREND: (-2.89, (-16.18, np.inf, (3.2512, 1.6047, 0.049588, 0.0)),
            (-np.inf, 0.70, (2.5261, 0.61654, -0.37956, -0.060285))),
}


def interpolated(table: Table, n: float) -> tuple[float, float, float]:
    """Critical values at sample size ``n`` by linear interpolation in a Fuller table."""
    out = []
    for row in table:
        if n <= _SIZES[0]:
            out.append(row[0])
        elif n > _SIZES[-1]:
            out.append(row[-1])
        else:
            out.append(float(np.interp(n, _SIZES, row[:5])))
    return out[0], out[1], out[2]


def mackinnon_p(case: int, tau: float) -> float:
    """MacKinnon's (1994) approximate p-value of ``tau`` (NaN for the no-constant case)."""
    if case not in _MACKINNON:
        return np.nan
    split, small, large = _MACKINNON[case]
    low, high, g = small if tau <= split else large
    if tau < low:
        return 0.0
    if tau > high:
        return 1.0
    return float(stats.norm.cdf(g[0] + g[1] * tau + g[2] * tau**2 + g[3] * tau**3))


@dataclass(frozen=True, kw_only=True)
class UnitRootTest:
    """What dfuller/pperron print and leave in ``r()``."""

    zt: float  #: ``r(Zt)``
    n: int  #: ``r(N)``
    lags: int  #: ``r(lags)``
    crit: tuple[float, float, float]  #: ``r(cv1)`` ``r(cv5)`` ``r(cv10)`` of Z(t)
    p: float  #: ``r(p)`` (NaN when Stata reports none)
    regression: Estimation  #: the test regression (shown by ``regress``)
    zrho: float = np.nan  #: ``r(Zrho)`` (pperron)
    crit_rho: tuple[float, float, float] = (np.nan, np.nan, np.nan)


def _case_of(noconstant: bool, trend: bool, drift: bool) -> int:
    if drift and (noconstant or trend):
        raise StatsError(198, "cannot specify drift if constant is excluded" if noconstant
                         else "cannot specify drift if time trend is included")
    if noconstant and trend:
        raise StatsError(198, "cannot choose trend if constant is excluded")
    return NOCONSTANT if noconstant else TREND if trend else DRIFT if drift else CONSTANT


def _design(columns: list[tuple[str, FloatArray]]) -> tuple[FloatArray, tuple[str, ...]]:
    return np.column_stack([c for _, c in columns]), tuple(n for n, _ in columns)


def dfuller(dy: FloatArray, lagged: FloatArray, diffs: list[FloatArray],
            trend: FloatArray | None, *, var: str, noconstant: bool = False,
            drift: bool = False) -> UnitRootTest:
    """``dfuller var [, noconstant trend drift lags(p)]`` on the sample rows: ``dy`` = D.var,
    ``lagged`` = L.var, ``diffs`` = LD.var … LpD.var, ``trend`` = t − min(t) or None."""
    case = _case_of(noconstant, trend is not None, drift)
    columns = [(f"L.{var}", lagged)]
    columns += [(f"L{j}D.{var}" if j > 1 else f"LD.{var}", d) for j, d in enumerate(diffs, 1)]
    if trend is not None:
        columns.append(("_trend", trend))
    X, names = _design(columns)
    est = _regress(dy, X, names, f"D.{var}", noconstant)
    zt = float(est.b[0] / est.se[0])
    n = int(est.scalars["N"])
    df_r = float(est.scalars["df_r"])
    if case == DRIFT:
        crit = tuple(float(stats.t.ppf(q, df_r)) for q in (0.01, 0.05, 0.10))
        p = float(stats.t.cdf(zt, df_r))
    else:
        crit = interpolated(_TAU[case], n)
        p = mackinnon_p(case, zt)
    return UnitRootTest(zt=zt, n=n, lags=len(diffs), crit=(crit[0], crit[1], crit[2]), p=p,
                        regression=est)


def pperron(y: FloatArray, lagged: FloatArray, trend: FloatArray | None, *, var: str,
            noconstant: bool = False, lags: int | None = None) -> UnitRootTest:
    """``pperron var [, noconstant trend lags(L)]`` on the sample rows (``y``, ``lagged`` =
    L.var, ``trend`` = t − min(t) or None); ``lags`` None is Stata's int(4(T/100)^(2/9))."""
    case = _case_of(noconstant, trend is not None, False)
    columns = [(f"L.{var}", lagged)]
    if trend is not None:
        columns.append(("_trend", trend))
    X, names = _design(columns)
    est = _regress(y, X, names, var, noconstant)
    mask = est.sample if est.sample is not None else np.ones(len(y), dtype=bool)
    n = int(est.scalars["N"])
    rho, sig = float(est.b[0]), float(est.se[0])
    s = float(est.scalars["rmse"])
    X_used = X[mask]
    design = X_used if noconstant else np.column_stack([X_used, np.ones(n)])
    u = y[mask] - design @ est.b
    if lags is None:
        lags = int(4 * (n / 100) ** (2 / 9))
    gamma0 = float(u @ u) / n
    lam = gamma0
    for j in range(1, lags + 1):
        lam += 2 * (1 - j / (lags + 1)) * float(u[j:] @ u[:-j]) / n
    ratio = n * sig / s
    zrho = n * (rho - 1) - ratio**2 * (lam - gamma0) / 2
    zt = (rho - 1) / sig * np.sqrt(gamma0 / lam) - 0.5 * (lam - gamma0) * ratio / np.sqrt(lam)
    return UnitRootTest(zt=float(zt), zrho=float(zrho), n=n, lags=lags,
                        crit=interpolated(_TAU[case], n), crit_rho=interpolated(_RHO[case], n),
                        p=mackinnon_p(case, float(zt)), regression=est)


def _regress(y: FloatArray, X: FloatArray, names: tuple[str, ...], depvar: str,
             noconstant: bool) -> Estimation:
    if int(np.sum(np.isfinite(y) & np.isfinite(X).all(axis=1))) <= X.shape[1] + 1:
        raise StatsError(INSUFFICIENT_OBSERVATIONS, "insufficient observations")
    return regress(y, X, names, depvar=depvar, cons=not noconstant)
