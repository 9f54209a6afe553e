"""What a column of text really holds: numbers (with thousands separators), dates, or text.

Readers hand over columns of strings that their own parsers left as text; this module decides,
column by column, on a sample first and then on every value, and never guesses when two
readings fit: "1,234" is 1234 in a comma-delimited file (the field had to be quoted), 1.234 in
a semicolon-delimited one, and left as text otherwise; "03/04/2020" is a date only when some
value shows which of day and month comes first.
"""

from __future__ import annotations

import re
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.datasets.report import Kind, Notice

#: Cell texts read as missing, case-sensitive as written (docs/inputs.md).
NA_TOKENS = ["", ".", "NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null", "None"]


class NumberStyle(StrEnum):
    """Decimal convention of a column of numbers."""

    #: 1,234,567.89 (also 1 234 567.89 and 1'234'567.89)
    DOT = "dot"
    #: 1.234.567,89 (also 1 234 567,89)
    COMMA = "comma"


_SPACES = " \u00a0\u202f"
_DOT_STYLE = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
    rf"|\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d{{1,3}}(?:[{_SPACES}']\d{{3}})+(?:\.\d+)?)"
)
_COMMA_STYLE = re.compile(
    rf"[+-]?(?:\d+|\d*,\d+|\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?:,\d+)?)"
)
_LEADING_ZERO = re.compile(r"[+-]?0\d+")
_DATE_SHAPE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_TIMES = ["", " %H:%M", " %H:%M:%S"]
#: (day-first, month-first) pairs: when both read every value the column stays text.
_DMY_MDY = [
    ("%d/%m/%Y", "%m/%d/%Y"),
    ("%d-%m-%Y", "%m-%d-%Y"),
    ("%d.%m.%Y", None),
    ("%Y/%m/%d", None),
]
_SAMPLE = 1000


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a number in either decimal convention."""
    text = text.strip()
    return bool(_DOT_STYLE.fullmatch(text) or _COMMA_STYLE.fullmatch(text))


def is_date(text: str) -> bool:
    """Whether ``text`` has the shape of a date or timestamp."""
    return bool(_DATE_SHAPE.fullmatch(text.strip()))


def infer_column(
    values: pd.Series, name: str, prefer: NumberStyle | None
) -> tuple[pd.Series, Kind, list[Notice]]:
    """Convert a column of strings (missing as NA) to numbers or datetimes where it fits.

    ``prefer`` breaks ties between decimal conventions (from the file's delimiter); without
    it an ambiguous column stays text with an ``AMBIGUOUS_NUMBER`` notice.
    """
    # The first 2 * _SAMPLE present values, from the top rows when they hold enough (dropping
    # the missing cells of a whole column costs ~0.1 s per million rows).
    head = values.iloc[: 8 * _SAMPLE].dropna()
    if len(head) < 2 * _SAMPLE:
        head = values.dropna()
    head = head.iloc[: 2 * _SAMPLE].astype(str).str.strip()
    sample = [v for v in head.tolist() if v][:_SAMPLE]
    if not sample:
        return values, Kind.STRING, []
    if any(_LEADING_ZERO.fullmatch(v) for v in sample):
        return values, Kind.STRING, []  # codes such as 00501 must keep their zeros
    shaped_as_date = all(_DATE_SHAPE.fullmatch(v) for v in sample)
    if not shaped_as_date and not all(is_number(v) for v in sample):
        return values, Kind.STRING, []  # plain text: no full scan (~0.3 s per 1M cells)
    # Columns repeat (dates, codes): check and convert each distinct value once, then spread
    # the results over the rows (code -1 is a missing cell).
    codes, uniques = _factorize(values)
    distinct = pd.Series(uniques, dtype=object).astype(str).str.strip()
    present = distinct[distinct != ""]
    found = _infer_numbers(distinct, present, sample, name, prefer)
    if found is None and shaped_as_date:
        found = _infer_dates(distinct, present, sample, name)
    if found is None:
        return values, Kind.STRING, []
    converted, kind, notices = found
    if kind is Kind.STRING:
        return values, kind, notices
    return _spread(converted, codes, values.index), kind, notices


def _factorize(values: pd.Series) -> tuple[npt.NDArray[np.intp], npt.ArrayLike]:
    """Each row's index into the distinct values (-1 when missing), and those values; a
    categorical column (CSV text parsed to codes) already holds both."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.intp), values.cat.categories.to_numpy()
    codes, uniques = pd.factorize(values)
    return codes, uniques


def _spread(converted: pd.Series, codes: npt.NDArray[np.intp], index: pd.Index) -> pd.Series:
    """Per-row values from per-distinct-value ``converted``; missing where ``codes`` is -1."""
    spread = converted.take(np.maximum(codes, 0)).set_axis(index)
    return spread.where(codes >= 0) if bool((codes < 0).any()) else spread


def _infer_numbers(
    distinct: pd.Series,
    present: pd.Series,
    sample: list[str],
    name: str,
    prefer: NumberStyle | None,
) -> tuple[pd.Series, Kind, list[Notice]] | None:
    styles = [
        style
        for style, rx in ((NumberStyle.DOT, _DOT_STYLE), (NumberStyle.COMMA, _COMMA_STYLE))
        if all(rx.fullmatch(v) for v in sample)
    ]
    if not styles:
        return None
    notices: list[Notice] = []
    if len(styles) == 2:
        if not any("," in v for v in sample):
            styles = [NumberStyle.DOT]
        elif prefer is not None:
            styles = [prefer]
        else:
            return (
                distinct,
                Kind.STRING,
                [
                    Notice(
                        code="AMBIGUOUS_NUMBER",
                        message=f"Values such as {next(v for v in sample if ',' in v)!r} could "
                        "use ',' as thousands or as decimal separator; kept as text.",
                        column=name,
                    )
                ],
            )
    style = styles[0]
    rx = _DOT_STYLE if style is NumberStyle.DOT else _COMMA_STYLE
    if not present.str.fullmatch(rx.pattern).all():
        return None
    cleaned = distinct
    if style is NumberStyle.DOT:
        cleaned = cleaned.str.replace(rf"[,{_SPACES}']", "", regex=True)
    else:
        cleaned = cleaned.str.replace(rf"[.{_SPACES}]", "", regex=True).str.replace(",", ".")
    converted = pd.to_numeric(cleaned, errors="coerce")
    if any(sep in v for v in sample for sep in ",'" + _SPACES) or style is NumberStyle.COMMA:
        notices.append(
            Notice(
                code="NUMBER_SEPARATORS",
                message=f"Read as numbers written {style.value}-decimal "
                f"({'1,234.5' if style is NumberStyle.DOT else '1.234,5'}).",
                column=name,
            )
        )
    return converted, Kind.NUMERIC, notices


def _infer_dates(
    distinct: pd.Series, present: pd.Series, sample: list[str], name: str
) -> tuple[pd.Series, Kind, list[Notice]] | None:
    fmt = _pick_date_format(sample)
    if fmt is None:
        ambiguous = any(
            _parses(sample, day + t) and month is not None and _parses(sample, month + t)
            for day, month in _DMY_MDY
            for t in _TIMES
        )
        if not ambiguous:
            return None
        return (
            distinct,
            Kind.STRING,
            [
                Notice(
                    code="AMBIGUOUS_DATE",
                    message=f"Dates such as {sample[0]!r} could be day-first or month-first; "
                    "kept as text.",
                    column=name,
                )
            ],
        )
    try:
        parsed = pd.to_datetime(present, format=fmt, errors="coerce")
    except (ValueError, TypeError):
        return None
    if parsed.isna().any():
        return None
    notices: list[Notice] = []
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        notices.append(
            Notice(code="TIMEZONE_DROPPED", message="Timestamps converted to UTC.", column=name)
        )
    full = pd.Series(pd.NaT, index=distinct.index, dtype=parsed.dtype)
    full.loc[parsed.index] = parsed
    has_time = any(":" in v for v in sample) and bool((parsed != parsed.dt.normalize()).any())
    return full, (Kind.DATETIME if has_time else Kind.DATE), notices


def _pick_date_format(sample: list[str]) -> str | None:
    if all(re.match(r"\d{4}-\d{1,2}-\d{1,2}", v) for v in sample) and _parses(sample, "ISO8601"):
        return "ISO8601"
    for day, month in _DMY_MDY:
        for t in _TIMES:
            day_ok = _parses(sample, day + t)
            month_ok = month is not None and _parses(sample, month + t)
            if day_ok != month_ok:
                return day + t if day_ok else f"{month}{t}"
    return None


def _parses(sample: list[str], fmt: str) -> bool:
    try:
        parsed = pd.to_datetime(pd.Series(sample), format=fmt, errors="coerce")
    except (ValueError, TypeError):
        return False
    return not bool(parsed.isna().any())
