"""The SMCL directives ``display`` output commonly carries, rendered as plain log text."""

from __future__ import annotations

import re

_DIRECTIVE = re.compile(r"\{(\w+)(?:\s+([^}:]*))?(?::([^{}]*))?\}")
_STYLES = {"txt", "text", "res", "result", "err", "error", "inp", "input", "sf", "it", "bf",
           "ul", "cmd", "hi", "reset", "com"}
_CHARS = {"|": "|", "-": "-", "+": "+", "TT": "-", "BT": "-", "LT": "|", "RT": "|",
          "TLC": "+", "TRC": "+", "BLC": "+", "BRC": "+"}


def to_text(text: str) -> str:
    """Render ``{hline 20}``, ``{col 10}``, ``{space 3}``, ``{bf:x}``, ``{c |}`` and the
    colour directives (dropped) as a Stata text log shows them."""
    if "{" not in text:
        return text
    out: list[str] = []
    pos = 0
    for m in _DIRECTIVE.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        name, arg, body = m.group(1), (m.group(2) or "").strip(), m.group(3)
        if name == "hline":
            out.append("-" * (int(arg) if arg.isdigit() else 79))
        elif name in ("col", "column"):
            line = "".join(out).rsplit("\n", 1)[-1]
            out.append(" " * max(int(arg or 1) - 1 - len(line), 0))
        elif name == "space":
            out.append(" " * int(arg or 1))
        elif name in ("c", "char"):
            out.append(_CHARS.get(arg, arg))
        elif name in ("break", "p_end", "newline"):
            out.append("\n" if name != "p_end" else "")
        elif name in _STYLES or name in ("p", "pstd", "phang", "pmore", "title", "dup"):
            if body is not None:
                out.append(body)
        else:
            out.append(m.group(0))
    out.append(text[pos:])
    return "".join(out)
