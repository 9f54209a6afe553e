"""Display formats: ``%9.0g``, ``%9.2f``, ``%12.0gc``, ``%-18s``, ``%td`` ... as Stata prints.

``%w.0g`` sets two of its w positions aside for a sign and a decimal point (W. Gould on
Statalist, 2003), so ``%9.0g`` shows 7 digits (``6165.257``) and ``display``'s default
``%10.0g`` shows 8 (``.33333333``). ``%w.dg`` with d > 0 shows d significant digits, yet never
rounds the integer part away (``%9.2g`` shows 4.52394e-3 as ``.0045`` and 6165.257 as
``6165``; ``%9.4g`` shows 314.159 as ``314.2``), within the same w − 2 positions.
"""

from __future__ import annotations

import math
import re

import numpy as np

from libs.engine import missing
from libs.engine.calendar import format_date
from libs.engine.errors import StataError

_FMT = re.compile(r"^%(-)?(0)?(\d+)?(?:\.(\d+))?([gfe])(c)?$")
_STR = re.compile(r"^%(-|~)?(\d+)s$")
_DATE = re.compile(r"^%-?(\d*)t([cCdwmqhy])(.*)$")
DISPLAY_DEFAULT = "%10.0g"


def is_valid(fmt: str) -> bool:
    """Whether ``fmt`` is a format this engine can display."""
    return bool(_FMT.match(fmt) or _STR.match(fmt) or _DATE.match(fmt) or fmt == "%s")


def format_number(value: float, fmt: str = "%9.0g") -> str:
    """``value`` displayed with numeric format ``fmt`` (padded to its width)."""
    date = _DATE.match(fmt)
    if date:
        width, unit, detail = date.groups()
        try:
            text = missing.label(value) if math.isnan(value) else format_date(value, unit, detail)
        except (OverflowError, ValueError):  # beyond the calendar: show the number itself
            text = general(value, int(width or 9))
        return text.ljust(int(width)) if fmt.startswith("%-") and width else text.rjust(
            int(width or 0))
    m = _FMT.match(fmt)
    if m is None:
        raise StataError(120, f"invalid %format {fmt}")
    left, zero, width_s, dec_s, kind, comma = m.groups()
    width = int(width_s or 9)
    dec = int(dec_s or 0)
    if math.isnan(value):
        text = missing.label(value)
    elif kind == "f":
        text = f"{value:,.{dec}f}" if comma else f"{value:.{dec}f}"
    elif kind == "e":
        text = f"{value:.{dec}e}"
    else:
        text = general(value, width, comma=bool(comma), digits=dec)
    if left:
        return text.ljust(width)
    if zero and not math.isnan(value):
        return text.zfill(width)
    return text.rjust(width)


def general(value: float, width: int, *, comma: bool = False, digits: int = 0) -> str:
    """The ``%{width}.{digits}g`` text of ``value`` (unpadded), following Stata's rule: two of
    the ``width`` positions are set aside for a sign and a decimal point, the rest hold digits
    (and commas); with ``digits`` 0, fixed notation unless %e shows more significant digits or
    the integer part does not fit; otherwise see :func:`_significant`."""
    if value == 0:
        return "0"
    if digits:
        return _significant(value, width, digits, comma=comma)
    room = max(width - 2, 1)
    sign = "-" if value < 0 else ""
    mag = abs(value)
    exp_decimals = max(width - 7, 0)
    exponent = f"{mag:.{exp_decimals}e}"
    fixed = _fixed(mag, room, comma=comma)
    if fixed is None and comma:
        fixed = _fixed(mag, room, comma=False)
    if fixed is not None:
        shown = fixed.replace(",", "").replace(".", "").lstrip("0")
        exact = len(fixed.split(".")[1]) < room - _int_digits(fixed) if "." in fixed else True
        if exact or len(shown) >= exp_decimals + 1:
            return sign + fixed
    return sign + exponent


def _significant(value: float, width: int, digits: int, *, comma: bool) -> str:
    """``%w.dg`` with d > 0: ``digits`` significant digits, but every digit of the integer part
    (``%9.2g`` shows 6165.257 as ``6165``); fewer decimals when the w − 2 positions for digits
    run out; %e with d − 1 decimals when the integer part or the leading zeros do not fit."""
    room = max(width - 2, 1)
    sign = "-" if value < 0 else ""
    mag = abs(value)
    exponent = math.floor(math.log10(mag))
    if float(f"{mag:.{digits - 1}e}") >= 10.0 ** (exponent + 1):  # 9.99 rounds up to 10
        exponent += 1
    int_digits = max(exponent + 1, 0)
    leading_zeros = max(-exponent - 1, 0)
    grouped = int_digits + (int_digits - 1) // 3 if comma else int_digits
    if grouped <= room and leading_zeros + digits <= room:
        decimals = min(max(digits - 1 - exponent, 0), room - int_digits)
        text = f"{mag:,.{decimals}f}" if comma else f"{mag:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return sign + (text[1:] if text.startswith("0.") else text)
    return sign + f"{mag:.{min(digits - 1, max(width - 7, 0))}e}"


def _int_digits(text: str) -> int:
    head = text.split(".")[0].replace(",", "")
    return len(head)


def _fixed(mag: float, room: int, *, comma: bool) -> str | None:
    """Fixed notation with as many decimals as the room allows; None if the integer part
    (with commas when asked) does not fit."""
    int_digits = len(f"{int(mag):,}" if comma else str(int(mag))) if mag >= 1 else 0
    if int_digits > room:
        return None
    decimals = room - int_digits
    text = f"{mag:,.{decimals}f}" if comma else f"{mag:.{decimals}f}"
    if _int_digits(text) > room or (mag < 1 and not text.startswith("0.") and decimals):
        return None if int_digits + 1 > room else _fixed_rounded(mag, room, comma)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("0."):
        text = text[1:]
    return None if text in ("", "0") else text  # a nonzero value that rounds away: use %e


def _fixed_rounded(mag: float, room: int, comma: bool) -> str | None:
    """Rounding pushed the integer part up a digit (9.99.. -> 10.0): one decimal fewer."""
    int_digits = len(str(round(mag)))
    if int_digits > room:
        return None
    decimals = room - int_digits
    text = f"{mag:,.{decimals}f}" if comma else f"{mag:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_string(value: str, fmt: str) -> str:
    """``value`` displayed with string format ``fmt`` (``%18s`` right, ``%-18s`` left)."""
    m = _STR.match(fmt)
    if m is None:
        return value
    width = int(m.group(2))
    if m.group(1) == "-":
        return value.ljust(width)
    if m.group(1) == "~":
        return value.center(width)
    return value.rjust(width)


def display(value: float | str, fmt: str) -> str:
    """Display a number or a string with ``fmt``."""
    if isinstance(value, str):
        return format_string(value, fmt)
    return format_number(float(value), fmt)


def macro_text(value: object) -> str:
    """A value as macro text: ``%18.0g`` without padding (``.25``, ``.3333333333333333``)."""
    if isinstance(value, str):
        return value
    arr = np.asarray(value)
    if arr.dtype == np.object_:
        return str(arr.flat[0]) if arr.size else ""
    number = float(arr.flat[0]) if arr.size else float("nan")
    if math.isnan(number):
        return missing.label(number)
    return general(number, 18)  # Stata stores `local x = exp` as %18.0g
