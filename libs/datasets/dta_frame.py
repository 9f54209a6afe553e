"""The observations of a format 118/119 .dta as a DataFrame, read with numpy.

The same values as ``pandas.read_stata(convert_categoricals=False, convert_missing=False)``
(storage dtypes kept, integers with missing values widened to float64, missing and ``.a``-``.z``
as NaN, %td and %tc as datetimes), but text comes back categorical: pandas decodes every cell,
this decodes each distinct value once (text columns repeat). Files it does not cover (other
date units, strL, dates beyond pandas' range) return None and go to pandas.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.engine.dta_reader import columns_by_block, read_data_block
from libs.engine.errors import StataError
from libs.engine.fixed_bytes import factorize_fixed

_NUMERIC = {65526: "f8", 65527: "f4", 65528: "i4", 65529: "i2", 65530: "i1"}
#: Stata's non-missing range per storage type (pandas' ``StataParser.VALID_RANGE``): values
#: outside it are missing codes.
_VALID = {
    "i1": (-127, 100),
    "i2": (-32767, 32740),
    "i4": (-2147483647, 2147483620),
    "f4": tuple(np.frombuffer(b"\xff\xff\x7f\xfe\xff\xff\x7f\x7e", "<f4")),
    "f8": tuple(np.frombuffer(b"\xff" * 6 + b"\xef\xff" + b"\xff" * 6 + b"\xdf\x7f", "<f8")),
}
_STR_MAX = 2045
_EPOCH_DAYS = np.datetime64("1960-01-01", "D").astype(np.int64)
#: Beyond these (days / milliseconds from 1960) pandas' own conversion decides.
_DATE_LIMITS = {"D": 1e9, "ms": 1e16}


def read_frame(path_bytes: bytes, formats: list[str], max_rows: int | None) -> pd.DataFrame | None:
    """The data of the .dta in ``path_bytes`` (columns 0..k-1), or None when not covered.

    ``formats`` are the variables' display formats (dates are converted by format).
    """
    try:
        block = read_data_block(path_bytes)
    except (StataError, ValueError, IndexError):
        return None
    if block.release not in (118, 119) or len(block.types) != len(formats):
        return None
    rows = block.rows[:max_rows] if max_rows is not None else block.rows
    numbers = columns_by_block(rows, {i: np.dtype(_NUMERIC[t]).newbyteorder("=")
                                      for i, t in enumerate(block.types) if t in _NUMERIC})
    columns: dict[int, object] = {}
    for i, (t, fmt) in enumerate(zip(block.types, formats, strict=True)):
        if t in _NUMERIC:
            column = _numbers(numbers[i], _NUMERIC[t], fmt)
        elif t <= _STR_MAX:
            column = _texts(rows[f"v{i}"])
        else:
            return None
        if column is None:
            return None
        columns[i] = column
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))


def _numbers(values: npt.NDArray[np.generic], code: str, fmt: str) -> object:
    """``values`` (a column in native byte order, changed in place) with missing codes as NaN,
    dates as datetimes."""
    low, high = _VALID[code]
    missing = (values < low) | (values > high)
    if missing.any():
        if values.dtype.kind == "i":
            values = values.astype(np.float64)
        values[missing] = np.nan
    if fmt.startswith(("%tc", "tc")):
        return _dates(values, "ms")
    if fmt.startswith(("%td", "td", "%d", "d")):
        return _dates(values, "D")
    if fmt.startswith(("%tC", "%tw", "%tm", "%tq", "%th", "%ty")):
        return None  # other units: pandas converts them
    return values


def _dates(values: npt.NDArray[np.generic], unit: str) -> pd.Series | None:
    """Stata's elapsed dates (days or milliseconds from 1960) as datetimes, NaN as NaT."""
    if values.dtype.kind == "f" and np.nanmax(np.abs(values), initial=0.0) > _DATE_LIMITS[unit]:
        return None
    shift = np.timedelta64(_EPOCH_DAYS, "D").astype(f"m8[{unit}]")
    return pd.Series(values.astype(f"M8[{unit}]") + shift)


def _texts(raw: npt.NDArray[np.generic]) -> pd.Categorical:
    """Text up to the first NUL, UTF-8 (Latin-1 for a value that is not), as codes over the
    distinct values."""
    codes, distinct = factorize_fixed(raw.astype(np.bytes_, copy=False))
    texts = [_decode(b) for b in distinct.tolist()]
    # Values that differ only past a NUL read as the same text.
    remap, categories = pd.factorize(pd.Index(texts, dtype="str"))
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def _decode(value: bytes) -> str:
    value = value.partition(b"\0")[0]
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")
