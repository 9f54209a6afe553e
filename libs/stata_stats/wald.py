"""Wald tests and linear combinations after estimation: ``test`` and ``lincom``.

``test`` drops constraints on omitted terms and linearly dependent constraints (Stata's
"constraint k dropped"), then reports F = W/q on (q, df_r) after t-based estimators and
chi2(q) = W after z-based ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.arithmetic import ratio
from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray

#: Relative eigenvalue below which a constraint is taken as dependent on the others.
RANK_TOLERANCE = 1e-12


@dataclass(frozen=True, kw_only=True)
class WaldTest:
    """``r()`` of ``test``: ``F`` with ``df``/``df_r``, or ``chi2`` with ``df``; and ``p``."""

    stat: float
    df: int
    df_r: float | None
    p: float
    dropped: tuple[int, ...]

    def r(self) -> dict[str, float]:
        """Stata's ``r()`` scalars."""
        if self.df_r is None:
            return {"chi2": self.stat, "df": float(self.df), "p": self.p}
        return {"F": self.stat, "df": float(self.df), "df_r": self.df_r, "p": self.p}


@dataclass(frozen=True, kw_only=True)
class LinearCombination:
    """``r()`` of ``lincom``: estimate, se, t or z, p, ci, df."""

    estimate: float
    se: float
    stat: float
    p: float
    lb: float
    ub: float
    df: float | None

    def r(self) -> dict[str, float]:
        """Stata's ``r()`` scalars (``r(t)`` or ``r(z)`` as the estimator reports)."""
        out = {
            "estimate": self.estimate,
            "se": self.se,
            "p": self.p,
            "lb": self.lb,
            "ub": self.ub,
        }
        if self.df is None:
            out["z"] = self.stat
        else:
            out["t"] = self.stat
            out["df"] = self.df
        return out


def wald_statistic(
    b: FloatArray, V: FloatArray, index: np.ndarray, omitted: tuple[bool, ...]
) -> tuple[float, int]:
    """W = b_S' V_SS^- b_S over the non-omitted coefficients ``index``; returns (W, rank)."""
    keep = [int(j) for j in index if not omitted[int(j)]]
    R = np.zeros((len(keep), len(b)))
    for row, j in enumerate(keep):
        R[row, j] = 1.0
    stat, q, _ = _constrained_wald(b, V, R, np.zeros(len(keep)))
    return stat, q


def wald_test(est: Estimation, R: FloatArray, r: FloatArray | None = None) -> WaldTest:
    """Stata's ``test``: Wald test of ``R b = r`` using ``e(b)``, ``e(V)``."""
    R = np.atleast_2d(np.asarray(R, dtype=np.float64))
    rhs = np.zeros(R.shape[0]) if r is None else np.asarray(r, dtype=np.float64)
    omitted = np.asarray(est.omitted, dtype=bool)
    on_omitted = [i for i in range(R.shape[0]) if np.any(R[i, omitted] != 0)]
    rows = [i for i in range(R.shape[0]) if i not in on_omitted]
    if not rows:
        raise StatsError(INVALID_SYNTAX, "all constraints dropped")
    stat, q, dependent = _constrained_wald(est.b, est.V, R[rows], rhs[rows])
    dropped = tuple(sorted([*on_omitted, *(rows[i] for i in dependent)]))
    if est.df_r is None:
        return WaldTest(
            stat=stat, df=q, df_r=None, p=float(stats.chi2.sf(stat, q)), dropped=dropped
        )
    f = ratio(stat, q)
    return WaldTest(
        stat=f, df=q, df_r=est.df_r, p=float(stats.f.sf(f, q, est.df_r)), dropped=dropped
    )


def lincom(est: Estimation, c: FloatArray, level: float = 95.0) -> LinearCombination:
    """Stata's ``lincom``: ``c'b`` with its standard error, test against 0 and interval."""
    value = float(c @ est.b)
    se = float(np.sqrt(c @ est.V @ c))
    stat = ratio(value, se)
    alpha = (100.0 - level) / 200.0
    if est.df_r is None:
        crit = float(stats.norm.isf(alpha))
        p = float(2.0 * stats.norm.sf(abs(stat)))
    else:
        crit = float(stats.t.isf(alpha, est.df_r))
        p = float(2.0 * stats.t.sf(abs(stat), est.df_r))
    return LinearCombination(
        estimate=value,
        se=se,
        stat=stat,
        p=p,
        lb=value - crit * se,
        ub=value + crit * se,
        df=est.df_r,
    )


def _constrained_wald(
    b: FloatArray, V: FloatArray, R: FloatArray, r: FloatArray
) -> tuple[float, int, list[int]]:
    """W for ``R b = r``, dropping constraints dependent on earlier ones (in order)."""
    independent: list[int] = []
    dependent: list[int] = []
    for i in range(R.shape[0]):
        trial = R[[*independent, i]]
        cov = trial @ V @ trial.T
        eig = np.linalg.eigvalsh(cov)
        if eig.min() > RANK_TOLERANCE * max(float(eig.max()), 1e-300):
            independent.append(i)
        else:
            dependent.append(i)
    if not independent:
        return 0.0, 0, dependent
    Rk = R[independent]
    diff = Rk @ b - r[independent]
    stat = float(diff @ np.linalg.solve(Rk @ V @ Rk.T, diff))
    return stat, len(independent), dependent
