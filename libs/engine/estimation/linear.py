"""Linear expressions in coefficients, as ``test`` and ``lincom`` accept them.

``x1 - x2``, ``2*x1 + 0.5*_b[1.g] = 1``, ``x1 = x2``: each side is a sum of terms
``[number *] name`` or ``name [* number]`` or a number; names are ``e(b)`` column names or
``_b[name]``. The result is a weight vector over ``e(b)`` and a constant.
"""

from __future__ import annotations

import re

import numpy as np

from libs.engine.errors import StataError
from libs.engine.missing import FloatArray
from libs.engine.results import find_column

_NUMBER = re.compile(r"^\d*\.?\d+(?:[eE][+-]?\d+)?$")
_EQUATION = re.compile(r"^\[([^\]]+)\](.+)$")


def _column(names: tuple[str, ...], name: str) -> int:
    name = name.strip()
    if name.startswith("_b[") and name.endswith("]"):
        name = name[3:-1].strip()
    equation = _EQUATION.match(name)  # [eq]x and [eq]_b[x] name eq:x
    if equation:
        name = f"{equation.group(1).strip()}:{equation.group(2).strip()}"
        if name.partition(":")[2].startswith("_b["):
            eq, _, rest = name.partition(":")
            name = f"{eq}:{rest[3:-1].strip()}"
    if name in names:
        return names.index(name)
    try:  # 1.psi for 1b.psi, L.D.x for LD.x, as _b[] finds them
        return find_column(names, name)
    except ValueError:
        raise StataError(111, f"{name} not found") from None


def _tokens(text: str) -> list[str]:
    """Operators ``+ - *`` and operands (numbers with exponents kept whole, names)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "+-*":
            out.append(ch)
            i += 1
        else:
            j = i
            while j < len(text) and (
                (text[j] not in "+-*" and not text[j].isspace())
                or (
                    text[j - 1 : j + 1].lower() in ("e+", "e-")
                    and _NUMBER.match(text[i : j - 1] + "1")
                )
            ):
                j += 1
            out.append(text[i:j])
            i = j
    return out


def side(names: tuple[str, ...], text: str) -> tuple[FloatArray, float]:
    """Coefficient weights and constant of one side of an equation."""
    weights = np.zeros(len(names))
    constant = 0.0
    sign, factor, name = 1.0, 1.0, ""

    def flush() -> None:
        nonlocal constant
        if name:
            weights[_column(names, name)] += sign * factor
        else:
            constant += sign * factor

    pending = False
    for tok in _tokens(text):
        if tok in "+-":
            if pending:
                flush()
            sign, factor, name, pending = (-1.0 if tok == "-" else 1.0), 1.0, "", False
        elif tok == "*":
            continue
        elif _NUMBER.match(tok):
            factor *= float(tok)
            pending = True
        else:
            if name:
                raise StataError(198, "not a linear expression")
            name, pending = tok, True
    if pending:
        flush()
    return weights, constant


def constraint(names: tuple[str, ...], text: str) -> tuple[FloatArray, float]:
    """``lhs = rhs`` (or ``lhs``, meaning ``= 0``) as ``R·b = r``."""
    lhs, eq, rhs = text.partition("=")
    wl, cl = side(names, lhs)
    if not eq:
        return wl, -cl
    wr, cr = side(names, rhs)
    return wl - wr, cr - cl
