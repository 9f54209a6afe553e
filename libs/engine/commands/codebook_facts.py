"""What codebook.ado measures of one variable over the selected observations, and its line
builder: counts of distinct and missing values (its ``CntUniq``), the units (``Units``), the
value tabulation (``FullTab``) and the observations it shows as examples.

Shared by the full report (``codebook.py``), the dates (``codebook_dates.py``) and
``codebook, compact`` (``codebook_compact.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from libs.engine import missing
from libs.engine.formats import DISPLAY_DEFAULT, format_number
from libs.engine.missing import FloatArray
from libs.engine.session import Session

#: codebook.ado's example positions: observation f + inc·wd of the sorted selection
EXAMPLE_POSITIONS = (0.2, 0.4, 0.6, 0.8)


def line(*parts: tuple[int | None, str]) -> str:
    """A display line from ``(column, text)`` pieces: ``_col(c)`` pads to column c (1-based;
    nothing when the line is already there or beyond), ``None`` continues where it is."""
    out = ""
    for col, text in parts:
        if col is not None and len(out) < col - 1:
            out = out.ljust(col - 1)
        out += text
    return out.rstrip()


def shown(value: float) -> str:
    """A number as ``display (exp)`` shows it: ``%10.0g`` without the padding."""
    return format_number(value, DISPLAY_DEFAULT).strip()


def comma(count: int) -> str:
    """``%10.0fc`` with the blanks removed, as ShowUniq's ``list retok`` leaves it."""
    return f"{count:,}"


@dataclass(frozen=True)
class Counts:
    """CntUniq's r(): observations, distinct nonmissing/missing values, missing counts."""

    ntouse: int
    uniq_nmv: int
    uniq_mv: int
    miss_sys: int
    miss_ext: int


def numeric_counts(x: FloatArray) -> Counts:
    """CntUniq of a numeric variable's selected values (``.`` and ``.a``–``.z`` apart)."""
    codes = missing.codes(x)
    nonmiss = x[codes < 0]
    return Counts(ntouse=len(x), uniq_nmv=len(np.unique(nonmiss)),
                  uniq_mv=len(np.unique(codes[codes >= 0])),
                  miss_sys=int((codes == 0).sum()), miss_ext=int((codes > 0).sum()))


def string_counts(s: npt.NDArray[np.object_]) -> Counts:
    """CntUniq of a string variable: ``""`` is its one missing value."""
    empty = s == ""
    return Counts(ntouse=len(s), uniq_nmv=len(set(s[~empty].tolist())),
                  uniq_mv=int(bool(empty.any())), miss_sys=int(empty.sum()), miss_ext=0)


def _stata_round(x: FloatArray, p: float) -> FloatArray:
    with np.errstate(all="ignore"):
        out: FloatArray = np.sign(x) * np.floor(np.abs(x) / p + 0.5) * p
    return out


def _holds(x: FloatArray, p: float) -> bool:
    """``assert float(v) == float(round(v, p))`` over the nonmissing values."""
    return bool(np.all(x.astype(np.float32) == _stata_round(x, p).astype(np.float32)))


@dataclass(frozen=True)
class Units:
    """The ado's ``Units``: the unit and the range rounded to it (missing if all missing)."""

    units: float
    min: float
    max: float


def units(x: FloatArray) -> Units:
    """Units of the selected values ``x``: the largest power of ten every nonmissing value
    is a multiple of (after float rounding); 1 for a constant; missing for a lone 0 (the
    ado's search multiplies the unit by ten until it overflows to missing).

    The ado tests constancy as ``r(Var) == 0``: one nonmissing value has a missing variance
    and goes through the search; identical values have variance 0 here exactly."""
    v = x[~np.isnan(x)]
    if len(v) == 0:
        return Units(units=math.nan, min=math.nan, max=math.nan)
    lo, hi = float(v.min()), float(v.max())
    if len(v) > 1 and lo == hi:
        return Units(units=1.0, min=lo, max=hi)
    p = 1.0
    if _holds(v, 1.0):
        while _holds(v, p * 10):
            p *= 10
        if math.isinf(p * 10):  # a lone 0 holds until p overflows to missing, as in Stata
            return Units(units=math.nan, min=math.nan, max=math.nan)
    else:
        while not _holds(v, p) and p > 1e-300:
            p /= 10
    return Units(units=p, min=float(_stata_round(np.array([lo]), p)[0]),
                 max=float(_stata_round(np.array([hi]), p)[0]))


def numeric_frequencies(x: FloatArray) -> list[tuple[float, int]]:
    """Distinct values in Stata's order (numbers, then ``.``, ``.a``…) with their counts."""
    _, first, count = np.unique(missing.order_key(x), return_index=True, return_counts=True)
    return [(float(x[i]), int(c)) for i, c in zip(first, count, strict=True)]


def string_frequencies(s: npt.NDArray[np.object_]) -> list[tuple[str, int]]:
    """Distinct strings in Stata's (bytewise) order with their counts."""
    counts: dict[str, int] = {}
    for value in s.tolist():
        counts[value] = counts.get(value, 0) + 1
    return sorted(counts.items(), key=lambda kv: kv[0].encode())


def example_ranks(wd: int, n_out: int) -> list[int | None]:
    """The ado's examples after ``sort touse v``: observations ``f + inc·wd`` (f the
    observations outside the selection, wd those in it; the subscript truncated) for inc =
    .2 .4 .6 .8, as 0-based ranks within the sorted selection (None before it)."""
    ranks: list[int | None] = []
    for inc in EXAMPLE_POSITIONS:
        k = math.trunc(n_out + inc * wd) - n_out - 1
        ranks.append(k if 0 <= k < wd else None)
    return ranks


def numeric_examples(x: FloatArray, n_out: int) -> list[float]:
    """The four example values of the selected numbers ``x`` (missing before the selection)."""
    ordered = x[np.argsort(missing.order_key(x), kind="stable")]
    return [math.nan if k is None else float(ordered[k]) for k in example_ranks(len(x), n_out)]


def string_examples(s: npt.NDArray[np.object_], n_out: int) -> list[str]:
    """The four example values of the selected strings ``s``."""
    ordered = sorted(s.tolist(), key=lambda v: str(v).encode())
    return ["" if k is None else str(ordered[k]) for k in example_ranks(len(s), n_out)]


def label_text(session: Session, lbl: str, value: float) -> str:
    """``local s : label lbl value``: the label's text, or the value as text if unlabelled."""
    text = session.data.value_labels.get(lbl, {}).get(missing.label_key(value))
    return text if text is not None else shown(value)
