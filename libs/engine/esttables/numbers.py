"""How estout writes one number: its format words and its significance stars.

estout (help estout, "numerical formats") takes Stata's ``%fmt``, a plain integer ``#`` for
``#`` decimal places (``%(#+9).#f``), ``g``/``%g`` for ``%9.0g``, and the automatic ``a#``
(``a`` = ``a3``): integers with no decimals; |x| < 1 with ``#`` significant decimals (up to 9
places, then ``%12.(#-1)e``); |x| >= 1 with at least ``#+1`` digits and one decimal, up to 9
digits before the point (then ``%12.0e``). Leading zeros are dropped unless ``lz`` (esttab
keeps them). A missing value shows as ``.``.
"""

from __future__ import annotations

import math
import re

from libs.engine.errors import StataError
from libs.engine.formats import format_number, is_valid

_AUTO = re.compile(r"^a(\d?)$")
_FIXED_DECIMALS = re.compile(r"^\d+$")


def resolve_format(fmt: str, value: float) -> str:
    """The Stata ``%fmt`` that format word ``fmt`` means for ``value``."""
    fmt = fmt.strip()
    auto = _AUTO.match(fmt)
    if auto:
        return _automatic(int(auto.group(1) or 3), value)
    if _FIXED_DECIMALS.match(fmt):
        return f"%{int(fmt) + 9}.{int(fmt)}f"
    if fmt in ("g", "%g"):
        return "%9.0g"
    if not fmt.startswith("%") or not is_valid(fmt):
        raise StataError(198, f"{fmt}: invalid format")
    return fmt


def _automatic(digits: int, value: float) -> str:
    if math.isnan(value):
        return "%9.0g"
    if value == int(value):
        return "%12.0f"
    if abs(value) < 1:
        zeros = -int(math.log10(abs(value - int(value))))
        decimals = max(1, digits + zeros)
        return f"%12.{decimals}f" if decimals <= 9 else f"%12.{min(9, digits - 1)}e"
    left = int(math.log10(abs(value)) + 1)
    return f"%12.{max(1, digits - left + 1)}f" if left <= 9 else "%12.0e"


def format_value(value: float, fmt: str, *, leading_zero: bool = True) -> str:
    """``value`` in format word ``fmt``, trimmed (estout pads cells itself)."""
    text = format_number(value, resolve_format(fmt, value)).strip()
    if not leading_zero and (text.startswith("0.") or text.startswith("-0.")):
        text = text.replace("0.", ".", 1)
    return text


def stars(p: float, levels: list[tuple[str, float]]) -> str:
    """The symbol of the smallest threshold ``p`` falls below (``levels`` in descending
    order of threshold: ``[("*", .05), ("**", .01), ("***", .001)]``); "" otherwise."""
    symbol = ""
    if not math.isnan(p) and 0.0 <= p <= 1.0:
        for sym, level in levels:
            if level <= p:
                break
            symbol = sym
    return symbol


def star_width(levels: list[tuple[str, float]]) -> int:
    """Width estout reserves for the stars: the longest symbol."""
    return max((len(sym) for sym, _ in levels), default=0)
