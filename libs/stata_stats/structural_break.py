"""A single structural break at an unknown date ([TS] estat sbsingle): the Wald and LR
statistics of a break at every candidate date, their supremum (Andrews 1993), average and
exponential (Andrews and Ploberger 1994) summaries, and Hansen's (1997) approximate asymptotic
p-values.

At candidate b the unrestricted regression adds, for each coefficient tested, its regressor
times the indicator of the second regime (observations b, b+1, ...). Wald is q·F of those
q terms from the unrestricted fit (s² = RSS_U/(N − k_U)), or β'V⁻¹β with the HC1 covariance
after ``regress, robust``; LR = N·ln(RSS_R/RSS_U). The p-value surfaces are Hansen's, by the
number of coefficients tested (1–40) and the trimming π0, linearly interpolated in π0 on the
grid .49, .47, …, .01, as Stata's ``pvalsup()``/``pvalavg()``/``pvalexp()`` and
strucchange's ``pvalue.Fstats`` evaluate them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
from scipy import special, stats

from libs.stata_stats.errors import StatsError
from libs.stata_stats.estimation import FloatArray

Summary = Literal["sup", "ave", "exp"]
_GRID_ROWS = 25  #: π0 = .49, .47, …, .01


@dataclass(frozen=True)
class BreakSequence:
    """The statistic of a break at each candidate date (positions ``first``.. in the sample)."""

    wald: FloatArray
    lr: FloatArray
    df: int
    first: int  #: 0-based sample position of the first candidate's second regime


def break_sequence(y: FloatArray, fixed: FloatArray, breaking: FloatArray, first: int,
                   last: int, *, robust: bool = False) -> BreakSequence:
    """Wald and LR statistics for second regimes starting at sample positions
    ``first..last`` (0-based, inclusive); ``fixed`` are the regressors whose coefficients
    do not break, ``breaking`` those tested (a constant is a column of ones)."""
    n = y.size
    base = np.column_stack([fixed, breaking])
    rss_r = _rss(y, base)
    q = breaking.shape[1]
    wald, lr = np.empty(last - first + 1), np.empty(last - first + 1)
    for j, b in enumerate(range(first, last + 1)):
        after = (np.arange(n) >= b).astype(np.float64)[:, None]
        X = np.column_stack([base, breaking * after])
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = y - X @ coef
        rss_u = float(resid @ resid)
        lr[j] = n * np.log(rss_r / rss_u)
        if not robust:
            wald[j] = (rss_r - rss_u) / (rss_u / (n - X.shape[1]))
            continue
        bread = np.linalg.pinv(X.T @ X)
        meat = (X * resid[:, None]).T @ (X * resid[:, None])
        V = bread @ meat @ bread * n / (n - X.shape[1])
        delta = coef[-q:]
        wald[j] = float(delta @ np.linalg.solve(V[-q:, -q:], delta))
    return BreakSequence(wald=wald, lr=lr, df=q, first=first)


def _rss(y: FloatArray, X: FloatArray) -> float:
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    return float(resid @ resid)


def summary(values: FloatArray, kind: Summary) -> float:
    """sup: the largest statistic; ave: their mean; exp: ln of the mean of exp(W/2)."""
    if kind == "sup":
        return float(values.max())
    if kind == "ave":
        return float(values.mean())
    return float(special.logsumexp(values / 2.0) - np.log(values.size))


@cache
def _surfaces() -> dict[tuple[str, int], FloatArray]:
    """(test, k) → the 25 × 5 rows (b0, b1, b2, b3, df) of Hansen's table."""
    text = Path(__file__).with_name("hansen_pvalues.csv").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    rows: dict[tuple[str, int], list[list[float]]] = {}
    for rec in csv.DictReader(io.StringIO(body)):
        rows.setdefault((rec["test"], int(rec["k"])), []).append(
            [float(rec[c]) for c in ("b0", "b1", "b2", "b3", "df")])
    return {key: np.array(value) for key, value in rows.items()}


def hansen_pvalue(kind: Summary, stat: float, k: int, pi0: float) -> float:
    """Hansen's (1997) approximate asymptotic p-value of a sup/ave/exp statistic with ``k``
    coefficients tested and trimming ``pi0`` (0 < π0 ≤ .5)."""
    if not 1 <= k <= 40:
        raise StatsError(198, "p-values are available for 1 to 40 tested coefficients")
    beta = _surfaces()[(kind, k)]
    index = beta[:, :4] @ stat ** np.arange(4)
    pp = stats.chi2.sf(np.maximum(index, 0.0), beta[:, 4])
    single = float(stats.chi2.sf(stat, k))  # π0 = .5: one candidate, a Chow test
    if pi0 == 0.5:
        return single
    if pi0 <= 0.01:
        return float(pp[-1])
    if pi0 >= 0.49:
        return float(((0.5 - pi0) * pp[0] + (pi0 - 0.49) * single) * 100.0)
    position = (0.51 - pi0) * 50.0  # 1-based row of the grid, fractional
    row = int(np.floor(position))
    weight = position - row
    return float((1.0 - weight) * pp[row - 1] + weight * pp[row])


def lambda_trim(left: float, right: float) -> float:
    """The symmetric π0 equivalent to trimming ``left`` and ``right`` (shares of the sample)
    through Andrews' λ = (1 − right)(1 − left)/(left·right): π0 = 1/(1 + √λ)."""
    lam = (1.0 - right) * (1.0 - left) / (left * right)
    return float(1.0 / (1.0 + np.sqrt(lam)))
