"""Stata storage types for columns, and the values cast to fit them.

Integers get the smallest of byte/int/long whose range holds them (Stata's own ranges, which
stop short of the machine limits because the top values encode missing); whole numbers read
as floats (CSV columns with gaps) are integers too. Integers past 2^53 would lose digits as
doubles, so they are kept as text (18-digit IDs). Strings become str1..str2045 by UTF-8 bytes,
strL beyond. Dates are %td, timestamps %tc.
"""

from __future__ import annotations

import msgspec
import numpy as np
import pandas as pd

from libs.datasets.report import Kind, Notice
from libs.engine.storage_types import INT_RANGE, string_type_for

_NULLABLE = {"byte": "Int8", "int": "Int16", "long": "Int32"}
#: The pandas dtype ``store_column`` gives each numeric storage type.
NUMERIC_DTYPES = {**_NULLABLE, "float": "float32", "double": "float64"}
_EXACT_DOUBLE = 2**53
#: Rows checked for a fraction before the whole column is.
_HEAD = 4096
#: numpy dtypes a source may declare (DTA) -> the Stata type they came from.
SOURCE_TYPES = {
    "int8": "byte",
    "int16": "int",
    "int32": "long",
    "float": "float",
    "float32": "float",
    "double": "double",
    "float64": "double",
}


class Stored(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A column's Stata storage type, display format (dates) and missing count."""

    storage: str
    format: str | None
    missing: int


def store_column(
    values: pd.Series,
    kind: Kind,
    name: str,
    declared: str | None = None,
    date_unit: str | None = None,
) -> tuple[pd.Series, Stored, list[Notice]]:
    """Cast ``values`` for the Stata writer.

    ``declared`` keeps a source's storage type and ``date_unit`` its date unit ("tm", ...)
    instead of inferring them.
    """
    missing = int(values.isna().sum())
    if kind in (Kind.DATE, Kind.DATETIME):
        fmt = f"%{date_unit or ('td' if kind is Kind.DATE else 'tc')}"
        dates = pd.to_datetime(values)
        return dates, Stored(storage="double", format=fmt, missing=missing), []
    if kind is Kind.NUMERIC:
        return _store_number(values, name, declared, missing)
    return _store_text(values, missing)


def _store_text(values: pd.Series, missing: int) -> tuple[pd.Series, Stored, list[Notice]]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _store_coded_text(values, missing)
    text = values.astype("str").where(values.notna(), "")
    # Survey text repeats: measure each distinct value once.
    storage = string_type_for(pd.unique(text.to_numpy(dtype=object)))
    return text, Stored(storage=storage, format=None, missing=missing), []


def _store_coded_text(values: pd.Series, missing: int) -> tuple[pd.Series, Stored, list[Notice]]:
    """Text held as codes over distinct values stays so (the writer encodes each distinct
    value once); a missing cell becomes the empty string, as in Stata."""
    codes = values.cat.codes.to_numpy()
    categories = values.cat.categories.astype("str")
    if missing:
        if "" not in categories:
            categories = categories.append(pd.Index([""], dtype=categories.dtype))
        codes = np.where(codes < 0, categories.get_loc(""), codes)
    text = pd.Series(pd.Categorical.from_codes(codes, categories), index=values.index)
    # The width comes from the values some row holds, as for text kept cell by cell.
    used = np.bincount(codes, minlength=len(categories)) > 0
    storage = string_type_for(categories.to_numpy(dtype=object)[used])
    return text, Stored(storage=storage, format=None, missing=missing), []


def _store_number(
    values: pd.Series, name: str, declared: str | None, missing: int
) -> tuple[pd.Series, Stored, list[Notice]]:
    notices: list[Notice] = []
    if pd.api.types.is_bool_dtype(values):
        values = values.astype("Int8")
    numbers = pd.to_numeric(values)
    floats = numbers.to_numpy(dtype="float64", na_value=np.nan)
    infinite = np.isinf(floats)
    if infinite.any():
        notices.append(
            Notice(
                code="INFINITE_AS_MISSING",
                column=name,
                message=f"{int(infinite.sum())} infinite values set to missing.",
            )
        )
        numbers = numbers.where(~infinite)
        floats = np.where(infinite, np.nan, floats)
        missing += int(infinite.sum())
    storage = SOURCE_TYPES.get(declared or "") or _numeric_type(numbers, floats)
    if storage in _NULLABLE:
        return (
            _nullable(floats, storage, values.index),
            Stored(storage=storage, format=None, missing=missing),
            notices,
        )
    if storage == "text":
        notices.append(
            Notice(
                code="LARGE_INTEGER_AS_TEXT",
                column=name,
                message="Integers beyond 2^53 kept as text to keep every digit.",
            )
        )
        text, stored, _ = _store_text(
            numbers.astype("Int64").astype("str").where(numbers.notna()), missing
        )
        return text, stored, notices
    dtype = NUMERIC_DTYPES[storage]  # float or double here
    return (
        pd.Series(floats.astype(dtype), index=values.index),
        Stored(storage=storage, format=None, missing=missing),
        notices,
    )


def _nullable(floats: np.ndarray, storage: str, index: pd.Index) -> pd.Series:
    """Whole numbers (NaN where missing) as the nullable integer type of ``storage``, built
    from the values and the missing mask (``astype`` checks every value's cast again)."""
    mask = np.isnan(floats)
    data = np.where(mask, 0, floats) if mask.any() else floats
    array = pd.arrays.IntegerArray(data.astype(_NULLABLE[storage].lower()), mask)
    return pd.Series(array, index=index)


def _whole(floats: np.ndarray) -> bool:
    """Whether every value of ``floats`` that is not NaN is a whole number."""
    return bool(np.all((np.floor(floats) == floats) | np.isnan(floats)))


def _numeric_type(numbers: pd.Series, floats: np.ndarray) -> str:
    if isinstance(numbers.dtype, np.dtype) and numbers.dtype.kind in "iu":
        # Plain integers: no missing values, whole by type.
        if not len(numbers):
            return "byte"
        low, high = float(numbers.min()), float(numbers.max())
    else:
        whole = pd.api.types.is_integer_dtype(numbers)
        # Most fractional columns show a fraction in their first rows: no full-column pass.
        if not whole and not _whole(floats[:_HEAD]):
            return "double"
        present = floats[~np.isnan(floats)]
        if present.size == 0:
            return "byte"
        if not (whole or _whole(present)):
            return "double"
        low, high = float(present.min()), float(present.max())
    for stype, (lo, hi) in INT_RANGE.items():
        if lo <= low and high <= hi:
            return stype
    if pd.api.types.is_integer_dtype(numbers) and max(abs(low), abs(high)) > _EXACT_DOUBLE:
        return "text"
    return "double"
