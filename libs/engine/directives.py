"""Display directives: the text ``display`` shows for strings, expressions, ``%fmt``, ``_col()``,
``_skip()``, ``_newline``, ``_continue``, ``_dup()`` and ``as text/result/error``.

``render`` is shared by ``display``, the ``: display`` macro function and ``file write``.
"""

from __future__ import annotations

import re

import numpy as np

from libs.engine import expr, formats
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.session import Session
from libs.engine.values import is_string

_DIRECTIVE = re.compile(
    r"^(_n(?:ewline)?|_c(?:ontinue)?|_col(?:umn)?|_s(?:kip)?|_dup|_r(?:equest)?)\b(\(\s*\d*\s*\))?")
_STYLE = re.compile(r"^as\s+(text|txt|result|res|error|err|input|inp)\b|^in\s+\w+\b")
_STRING = re.compile(r'^(`"(?:(?!"\').)*"\'|"[^"]*")', re.DOTALL)
_FORMAT = re.compile(r"^%-?~?0?\d*(?:\.\d+)?(?:[gfe]c?|s|t[cCdwmqhy]\S*)")


def render(session: Session, text: str) -> str:
    """The text ``display`` shows for ``text`` (``_c`` is left to the caller via '\\x00')."""
    out: list[str] = []
    fmt: str | None = None
    rest = text.strip()
    while rest:
        m = _STYLE.match(rest)
        if m:
            rest = rest[m.end() :].lstrip()
            continue
        m = _DIRECTIVE.match(rest)
        if m:
            name, arg = m.group(1), (m.group(2) or "").strip("() ")
            count = int(arg) if arg else 1
            rest = rest[m.end() :].lstrip()
            if name.startswith("_n"):
                out.append("\n" * count)
            elif name.startswith("_c") and name in ("_c", "_continue"):
                out.append("\x00")
            elif name.startswith("_col"):
                line = "".join(out).rsplit("\n", 1)[-1]
                out.append(" " * max(count - 1 - len(line), 0))
            elif name.startswith("_s"):
                out.append(" " * count)
            elif name == "_dup":
                m2 = _STRING.match(rest)
                if m2 is None:
                    raise StataError(198, "invalid syntax")
                out.append(m2.group(1).strip('`"\'') * count)
                rest = rest[m2.end() :].lstrip()
            continue
        m = _FORMAT.match(rest)
        if m and rest.startswith("%"):
            fmt = m.group()
            rest = rest[m.end() :].lstrip()
            continue
        node, length = expr.parse_prefix(rest)
        rest = rest[length:].lstrip()
        value = Evaluator(session, scalar=True).evaluate(node)
        out.append(_show(value, fmt))
        fmt = None
    return "".join(out)


def _show(value: object, fmt: str | None) -> str:
    if is_string(value):
        text = str(np.asarray(value, dtype=object).flat[0])
        return formats.format_string(text, fmt) if fmt else text
    number = float(np.asarray(value, dtype=np.float64).flat[0])
    if fmt:
        return formats.format_number(number, fmt)
    return formats.format_number(number, formats.DISPLAY_DEFAULT).strip()
