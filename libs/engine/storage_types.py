"""Storage types: how values are stored, so results match Stata's float/integer rounding.

Numeric variables live in float64 arrays whatever their type; the type decides the values a
column may hold (float: float32-rounded; byte/int/long: integers in range).  Strings are object
arrays of ``str`` with ``""`` as missing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from libs.engine.missing import FloatArray

#: Integer types: (min, max) of non-missing values, as Stata defines them.
INT_RANGE: dict[str, tuple[float, float]] = {
    "byte": (-127.0, 100.0),
    "int": (-32767.0, 32740.0),
    "long": (-2147483647.0, 2147483620.0),
}
NUMERIC_TYPES = ("byte", "int", "long", "float", "double")
FLOAT32_MAX = 1.70141173319e38  # Stata's largest float
STR_MAX = 2045


def is_string_type(stype: str) -> bool:
    """Whether ``stype`` is str# or strL."""
    return stype.startswith("str")


def is_valid_type(stype: str) -> bool:
    """Whether ``stype`` names a storage type (str1..str2045, strL, or numeric)."""
    if stype in NUMERIC_TYPES or stype == "strL":
        return True
    return stype.startswith("str") and stype[3:].isdigit() and 1 <= int(stype[3:]) <= STR_MAX


def string_type_for(values: npt.NDArray[np.object_]) -> str:
    """The narrowest str# holding ``values`` (strL beyond 2045 bytes)."""
    width = max((len(v.encode()) for v in values), default=1) if len(values) else 1
    width = max(width, 1)
    return f"str{width}" if width <= STR_MAX else "strL"


def store(values: FloatArray, stype: str) -> FloatArray:
    """Coerce numeric ``values`` to what a ``stype`` column holds (a new or the same array)."""
    if stype == "double":
        return values
    if stype == "float":
        with np.errstate(over="ignore", invalid="ignore"):
            out = values.astype(np.float32).astype(np.float64)
        too_big = np.abs(values) > FLOAT32_MAX
        if too_big.any():
            out[too_big] = np.nan
        return out
    lo, hi = INT_RANGE[stype]
    with np.errstate(invalid="ignore"):
        out = np.trunc(values)
        bad = (out < lo) | (out > hi)
    if bad.any():
        out[bad] = np.nan
    nan = np.isnan(values)
    if nan.any():
        out[nan] = values[nan]  # keep extended-missing payloads
    return out


def fits(values: FloatArray, stype: str) -> bool:
    """Whether every value of ``values`` is held exactly by ``stype``."""
    if stype == "double":
        return True
    finite = values[~np.isnan(values)]
    if stype == "float":
        return bool(np.array_equal(finite.astype(np.float32).astype(np.float64), finite))
    lo, hi = INT_RANGE[stype]
    return bool(((finite == np.trunc(finite)) & (finite >= lo) & (finite <= hi)).all())


def promote(current: str, values: FloatArray) -> str:
    """The type ``replace`` promotes numeric ``current`` to so ``values`` fit (Stata's rule).

    Integer types widen to int/long for integers, to float (byte, int) or double (long) for
    fractions; float and double are never promoted.
    """
    if current in ("float", "double") or fits(values, current):
        return current
    finite = values[~np.isnan(values)]
    if bool((finite == np.trunc(finite)).all()):
        for t in ("int", "long"):
            if NUMERIC_TYPES.index(t) > NUMERIC_TYPES.index(current) and fits(finite, t):
                return t
        return "double"
    return "double" if current == "long" else "float"


def compact_type(values: FloatArray) -> str:
    """The most compact numeric type holding ``values`` exactly (compress/destring/encode)."""
    for t in NUMERIC_TYPES:
        if fits(values, t):
            return t
    return "double"


def default_format(stype: str) -> str:
    """Stata's display format for a new variable of ``stype``."""
    if is_string_type(stype):
        width = stype[3:]
        return "%9s" if stype == "strL" else f"%{width}s"
    return {"byte": "%8.0g", "int": "%8.0g", "long": "%12.0g", "float": "%9.0g"}.get(
        stype, "%10.0g"
    )
