"""The result of an estimation command, shaped like Stata's ``e()``.

Every estimator in this package returns an :class:`Estimation`: the full coefficient vector
``b`` and covariance ``V`` in Stata's column order (omitted and base terms kept, with zero
coefficient and zero variance, exactly as ``e(b)``/``e(V)`` hold them), the ``e()`` scalars
and macros under Stata's names, and ``table()`` giving ``r(table)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FloatArray = NDArray[np.float64]

#: Row names of Stata's ``r(table)`` after an estimation command.
TABLE_ROWS = ("b", "se", "t", "pvalue", "ll", "ul", "df", "crit", "eform")


@dataclass(frozen=True, kw_only=True)
class Estimation:
    """What an estimation command leaves in ``e()``.

    ``names`` are Stata's column names of ``e(b)`` (``price``, ``1.foreign``, ``o.x``,
    ``_cons``); ``omitted[j]`` is true for base and omitted terms. ``scalars`` and ``macros``
    carry ``e(N)``, ``e(r2)``, ``e(vce)``... under Stata's names. ``df_r`` is ``None`` when the
    command reports z statistics (large-sample) instead of t.
    """

    cmd: str
    depvar: str
    names: tuple[str, ...]
    b: FloatArray
    V: FloatArray
    omitted: tuple[bool, ...]
    scalars: dict[str, float]
    macros: dict[str, str]
    df_r: float | None
    sample: NDArray[np.bool_] | None = None
    extra: dict[str, FloatArray] = field(default_factory=dict)

    @property
    def se(self) -> FloatArray:
        """Standard errors, ``_se[]`` (zero for omitted terms, as in Stata)."""
        return np.sqrt(np.clip(np.diag(self.V), 0.0, None))

    def table(self, level: float = 95.0) -> FloatArray:
        """``r(table)``: 9 rows (:data:`TABLE_ROWS`) by one column per coefficient.

        Omitted terms get missing (NaN) statistics, as Stata shows them.
        """
        return coefficient_table(self.b, self.V, self.df_r, self.omitted, level)


def coefficient_table(
    b: FloatArray,
    V: FloatArray,
    df_r: float | None,
    omitted: tuple[bool, ...],
    level: float = 95.0,
) -> FloatArray:
    """Stata's ``r(table)`` for estimates ``b`` with covariance ``V``.

    t statistics with ``df_r`` degrees of freedom, or z statistics when ``df_r`` is None.
    """
    se = np.sqrt(np.clip(np.diag(V), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = b / se
    # A zero standard error (a perfect fit) leaves t and its p missing, as Stata's b/se is
    # missing; the interval is the point.
    stat[~np.isfinite(stat)] = np.nan
    alpha = (100.0 - level) / 200.0
    if df_r is None:
        crit = float(stats.norm.isf(alpha))
        p = 2.0 * stats.norm.sf(np.abs(stat))
        df = np.nan
    else:
        crit = float(stats.t.isf(alpha, df_r))
        p = 2.0 * stats.t.sf(np.abs(stat), df_r)
        df = float(df_r)
    out = np.vstack(
        [
            b,
            se,
            stat,
            p,
            b - crit * se,
            b + crit * se,
            np.full_like(b, df),
            np.full_like(b, crit),
            np.zeros_like(b),
        ]
    )
    mask = np.asarray(omitted, dtype=bool)
    out[1:6, mask] = np.nan
    return out


def stat_type(est: Estimation) -> str:
    """``t`` when the estimates are reported with t statistics, else ``z``."""
    return "z" if est.df_r is None else "t"
