"""``tabulate``: one- and two-way frequency tables and their tests.

Two-way statistics as Stata stores them: ``r(chi2)`` Pearson, ``r(chi2_lr)`` likelihood ratio
(2ΣO·ln(O/E) over nonzero cells), ``r(CramersV)`` (signed (ad−bc)/√(r₁r₂c₁c₂) for 2×2 tables),
``r(p_exact)`` Fisher's exact test (sum of the probabilities of all tables with the observed
margins that are no more likely than the observed one) and, for 2×2, ``r(p1_exact)`` the
one-sided p in the direction of the observed association.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special, stats

from libs.stata_stats.errors import NO_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import FloatArray

#: Fisher's exact test enumerates tables; beyond this many it gives up as Stata would
#: ask for more memory (r(910) is Stata's code for that).
MAX_EXACT_TABLES = 500_000
EXACT_TOO_LARGE = 910


@dataclass(frozen=True, kw_only=True)
class OneWay:
    """Levels, frequencies, percents and cumulative percents; ``r(N)`` and ``r(r)``."""

    levels: tuple[object, ...]
    freq: FloatArray
    percent: FloatArray
    cum: FloatArray

    def r(self) -> dict[str, float]:
        """Stata's ``r()`` scalars."""
        return {"N": float(self.freq.sum()), "r": float(len(self.levels))}


@dataclass(frozen=True, kw_only=True)
class TwoWay:
    """The r×c table of counts, its row/column levels, and the requested statistics."""

    rows: tuple[object, ...]
    cols: tuple[object, ...]
    counts: FloatArray
    scalars: dict[str, float]

    def percents(self, kind: str) -> FloatArray:
        """Row, column or cell percentages (``row``/``column``/``cell`` options)."""
        c = self.counts
        if kind == "row":
            return np.asarray(100.0 * c / c.sum(axis=1, keepdims=True), dtype=np.float64)
        if kind == "column":
            return np.asarray(100.0 * c / c.sum(axis=0, keepdims=True), dtype=np.float64)
        return np.asarray(100.0 * c / c.sum(), dtype=np.float64)


def _coded(
    values: NDArray[np.generic], missing: bool
) -> tuple[NDArray[np.bool_], NDArray[np.intp], list[object]]:
    """Rows used, their level codes, and the sorted levels (missing last, with ``missing``)."""
    if values.dtype.kind == "f":
        finite = np.isfinite(values)
        uniq = np.unique(values[finite])
        codes = np.searchsorted(uniq, np.where(finite, values, uniq[0] if uniq.size else 0.0))
        levels: list[object] = [float(v) for v in uniq]
        if missing and not finite.all():
            codes = np.where(finite, codes, uniq.size)
            levels.append(np.nan)
            return np.ones(values.size, dtype=bool), codes.astype(np.intp), levels
        return finite, codes.astype(np.intp), levels
    text = np.asarray(values, dtype=object)
    ok = np.ones(text.size, dtype=bool) if missing else np.asarray(text != "", dtype=bool)
    codes, uniq = pd.factorize(pd.Series(text), sort=True)
    return ok, np.asarray(codes, dtype=np.intp), [str(v) for v in uniq]


def tabulate1(
    values: NDArray[np.generic], weights: FloatArray | None = None, missing: bool = False,
    sort: bool = False,
) -> OneWay:
    """``tabulate var [fweight] [, missing sort]`` (``sort``: most frequent level first)."""
    ok, codes, levels = _coded(values, missing)
    w = None if weights is None else weights[ok]
    freq = np.bincount(codes[ok], weights=w, minlength=len(levels)).astype(np.float64)
    present = freq > 0
    freq = freq[present]
    levels = [lv for lv, keep in zip(levels, present, strict=True) if keep]
    if sort:
        order = np.argsort(-freq, kind="stable")  # ties stay in level order
        freq, levels = freq[order], [levels[i] for i in order]
    pct = 100.0 * freq / freq.sum()
    return OneWay(levels=tuple(levels), freq=freq, percent=pct, cum=np.cumsum(pct))


def tabulate2(
    rows: NDArray[np.generic],
    cols: NDArray[np.generic],
    weights: FloatArray | None = None,
    *,
    missing: bool = False,
    exact: bool = False,
) -> TwoWay:
    """``tabulate r c [fweight] [, chi2 lrchi2 V exact missing]``: all statistics computed."""
    ok_r, codes_r, levels_r = _coded(rows, missing)
    ok_c, codes_c, levels_c = _coded(cols, missing)
    ok = ok_r & ok_c
    if not ok.any():
        raise StatsError(NO_OBSERVATIONS, "no observations")
    w = None if weights is None else weights[ok]
    cells = np.bincount(
        codes_r[ok] * len(levels_c) + codes_c[ok],
        weights=w,
        minlength=len(levels_r) * len(levels_c),
    )
    counts = cells.reshape(len(levels_r), len(levels_c)).astype(np.float64)
    keep_r, keep_c = counts.sum(axis=1) > 0, counts.sum(axis=0) > 0
    counts = counts[np.ix_(keep_r, keep_c)]
    levels_r = [lv for lv, k in zip(levels_r, keep_r, strict=True) if k]
    levels_c = [lv for lv, k in zip(levels_c, keep_c, strict=True) if k]
    scalars = {"N": float(counts.sum()), "r": float(counts.shape[0]), "c": float(counts.shape[1])}
    scalars.update(association(counts))
    if exact:
        scalars.update(fisher_exact(counts))
    return TwoWay(rows=tuple(levels_r), cols=tuple(levels_c), counts=counts, scalars=scalars)


def association(counts: FloatArray) -> dict[str, float]:
    """Pearson and likelihood-ratio chi2 with p-values, and Cramér's V."""
    n = counts.sum()
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / n
    df = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    nz = counts > 0
    lr = float(2.0 * (counts[nz] * np.log(counts[nz] / expected[nz])).sum())
    if counts.shape == (2, 2):
        (a, b), (c, d) = counts
        v = (a * d - b * c) / np.sqrt((a + b) * (c + d) * (a + c) * (b + d))
    else:
        v = np.sqrt(chi2 / (n * (min(counts.shape) - 1)))
    return {
        "chi2": chi2,
        "p": float(stats.chi2.sf(chi2, df)),
        "chi2_lr": lr,
        "p_lr": float(stats.chi2.sf(lr, df)),
        "CramersV": float(v),
    }


def _log_prob(table: FloatArray, row_sums: FloatArray, col_sums: FloatArray, n: float) -> float:
    """log P(table | margins) under independence (multivariate hypergeometric)."""
    return float(
        special.gammaln(row_sums + 1).sum()
        + special.gammaln(col_sums + 1).sum()
        - special.gammaln(n + 1)
        - special.gammaln(table + 1).sum()
    )


def fisher_exact(counts: FloatArray) -> dict[str, float]:
    """Fisher's exact test for an r×c table of integer counts (complete enumeration)."""
    table = np.rint(counts).astype(np.int64)
    row_sums, col_sums = table.sum(axis=1), table.sum(axis=0)
    n = float(table.sum())
    rs, cs = row_sums.astype(float), col_sums.astype(float)
    observed = _log_prob(table.astype(float), rs, cs, n)
    tolerance = 1e-7
    total = 0.0
    for visited, candidate in enumerate(_tables(row_sums, col_sums), start=1):
        if visited > MAX_EXACT_TABLES:
            raise StatsError(EXACT_TOO_LARGE, "exact test needs too many tables; omit exact")
        lp = _log_prob(candidate, rs, cs, n)
        if lp <= observed + tolerance:
            total += np.exp(lp)
    out = {"p_exact": min(1.0, total)}
    if table.shape == (2, 2):
        a = table[0, 0]
        dist = stats.hypergeom(int(n), int(row_sums[0]), int(col_sums[0]))
        expected_a = row_sums[0] * col_sums[0] / n
        out["p1_exact"] = float(dist.sf(a - 1) if a >= expected_a else dist.cdf(a))
    return out


def _tables(row_sums: NDArray[np.int64], col_sums: NDArray[np.int64]) -> Iterator[FloatArray]:
    """Every table with the given margins, filled row by row."""
    r = len(row_sums)

    def rows_for(total: int, caps: NDArray[np.int64]) -> Iterator[tuple[int, ...]]:
        if len(caps) == 1:
            if total <= caps[0]:
                yield (total,)
            return
        rest_cap = int(caps[1:].sum())
        for v in range(max(0, total - rest_cap), min(total, int(caps[0])) + 1):
            for tail in rows_for(total - v, caps[1:]):
                yield (v, *tail)

    def fill(
        i: int, remaining: NDArray[np.int64], acc: list[tuple[int, ...]]
    ) -> Iterator[FloatArray]:
        if i == r - 1:
            yield np.array([*acc, tuple(remaining)], dtype=float)
            return
        for row in rows_for(int(row_sums[i]), remaining):
            yield from fill(i + 1, remaining - np.array(row), [*acc, row])

    yield from fill(0, col_sums.copy(), [])
