"""Display formats: ``%9.0g``, ``%9.2f``, ``%12.0gc``, ``%-18s``, ``%td`` ... as Stata prints.

``%w.0g`` keeps one column for the sign, so ``%9.0g`` shows at most 8 characters of a positive
number (``6165.257``) and ``display``'s default ``%10.0g`` shows ``.33333333``.
"""

from __future__ import annotations

import math
import re

from libs.engine import missing
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
        from libs.engine.datefuncs import format_date

        width, unit, detail = date.groups()
        text = missing.label(value) if math.isnan(value) else format_date(value, unit, detail)
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
        text = general(value, width - 1, comma=bool(comma))
    if left:
        return text.ljust(width)
    if zero and not math.isnan(value):
        return text.zfill(width)
    return text.rjust(width)


def general(value: float, room: int, *, comma: bool = False) -> str:
    """The ``g`` layout of ``value`` in at most ``room`` characters (excluding the sign)."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mag = abs(value)
    if mag == int(mag) and mag < 10 ** min(room, 17):
        text = f"{int(mag):,}" if comma else str(int(mag))
        if len(text) <= room:
            return sign + text
    if 1e-5 <= mag < 10 ** room:
        int_digits = len(str(int(mag))) if mag >= 1 else 0
        decimals = max(room - int_digits - 1, 0)
        text = f"{mag:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text.startswith("0."):
            text = text[1:]
        if text not in ("", "0") and len(text) <= room and int(mag) < 10 ** room:
            return sign + text
    digits = max(room - 6, 0)
    return sign + f"{mag:.{digits}e}"


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


def width_of(fmt: str) -> int:
    """Display width a format asks for (9 when it does not say)."""
    m = re.match(r"^%-?~?0?(\d+)", fmt)
    return int(m.group(1)) if m else 9


def display(value: float | str, fmt: str) -> str:
    """Display a number or a string with ``fmt``."""
    if isinstance(value, str):
        return format_string(value, fmt)
    return format_number(float(value), fmt)
