"""Stata's missing values on float64 arrays.

Every missing value is a NaN, so numpy/pandas code (the statistics in libs/stata_stats) treats
it as missing with no conversion.  The extended missing values ``.a``–``.z`` are NaNs whose
payload carries the letter (``code << 40``: bits that survive a float32 round trip); ``.`` is
the plain NaN.
Ordering follows Stata: every number < ``.`` < ``.a`` < ... < ``.z``; :func:`order_key` maps
values to finite floats that sort and compare that way.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_QNAN = np.uint64(0x7FF8000000000000)
_SHIFT = np.uint64(40)
_BASE = 2.0**1023  # Stata's "." as a double; keys of missing values start here

SYSMISS = float("nan")


def extended(code: int) -> float:
    """The float for ``.a`` (code 1) ... ``.z`` (code 26); code 0 is ``.``."""
    bits = np.array([_QNAN | (np.uint64(code) << _SHIFT)], dtype=np.uint64)
    return float(bits.view(np.float64)[0])


def codes(values: FloatArray) -> npt.NDArray[np.int8]:
    """Per element: -1 if not missing, 0 for ``.``, 1..26 for ``.a``..``.z``."""
    out = np.full(values.shape, -1, dtype=np.int8)
    nan = np.isnan(values)
    if nan.any():
        bits = values[nan].view(np.uint64)
        out[nan] = ((bits >> _SHIFT) & np.uint64(0x1F)).astype(np.int8)
    return out


def order_key(values: FloatArray) -> FloatArray:
    """Finite floats ordered as Stata orders numbers and missing values."""
    nan = np.isnan(values)
    if not nan.any():
        return values
    key = values.copy()
    key[nan] = _BASE * (1.0 + codes(values[nan]).astype(np.float64) / 32.0)
    return key


def canonical(values: FloatArray) -> FloatArray:
    """Arithmetic results: any missing becomes ``.`` (Stata: ``.a + 1`` is ``.``); inf too."""
    bad = ~np.isfinite(values)
    if bad.any():
        values = values.copy()
        values[bad] = np.nan
    return values


#: Value labels key missing values as .dta files store them: ``.`` is 2147483621, ``.a`` + 1 ...
LABEL_KEY_BASE = 2147483621.0


def label_key(value: float) -> float:
    """The value-label key of ``value`` (itself, or the .dta code of a missing value)."""
    if value == value:
        return value
    return LABEL_KEY_BASE + max(int(codes(np.array([value], dtype=np.float64))[0]), 0)


def label(value: float) -> str:
    """Display form of a missing value: ``.`` or ``.a``..``.z``."""
    code = int(codes(np.array([value], dtype=np.float64))[0])
    return "." if code <= 0 else "." + chr(ord("a") + code - 1)


def parse(text: str) -> float | None:
    """The value of a missing literal (``.``, ``.a``..``.z``), or None if ``text`` is not one."""
    if text == ".":
        return SYSMISS
    if len(text) == 2 and text[0] == "." and "a" <= text[1] <= "z":
        return extended(ord(text[1]) - ord("a") + 1)
    return None
