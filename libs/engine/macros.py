"""Macro expansion: the pass Stata makes over each command line before parsing it.

Expands `` `name' `` (locals), ``$name`` / ``${name}`` (globals), nested references (innermost
first; substituted text is not rescanned), `` `=exp' `` (inline expressions), `` `:fn ...' ``
(extended functions), `` `macval(name)' ``, `` `++i' `` / `` `i--' `` and stored results
`` `r(mean)' ``, `` `e(N)' ``, `` `c(pwd)' ``, `` `s(x)' ``.  Compound quotes `` `"..."' `` are
left alone.  What a name resolves to is asked of a :class:`MacroEnv`.
"""

from __future__ import annotations

import re
from typing import Protocol

from libs.engine.errors import StataError

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_STORED = re.compile(r"^([resc])\((\w+)\)$")  #: `r(mean)', `e(N)', `c(pwd)', `s(x)'


class MacroEnv(Protocol):
    """What macro expansion needs from the session."""

    def get_local(self, name: str) -> str:
        """Value of local ``name`` in the current scope ('' when undefined)."""

    def set_local(self, name: str, value: str) -> None:
        """Assign local ``name`` in the current scope."""

    def get_global(self, name: str) -> str:
        """Value of global ``name`` ('' when undefined)."""

    def inline_expression(self, text: str) -> str:
        """Evaluate `` `=exp' `` and return it as macro text."""

    def extended_function(self, text: str) -> str:
        """Evaluate `` `:fn args' `` and return its result."""

    def stored_result(self, cls: str, name: str) -> str:
        """`` `r(name)' `` (``cls`` r, e, s or c) as macro text: a scalar's value, a macro's
        text, ``matrix`` for a matrix, '' when undefined."""


def expand(text: str, env: MacroEnv) -> str:
    """Return ``text`` with every macro reference replaced by its value."""
    if "`" not in text and "$" not in text:
        return text
    out, _ = _expand(text, 0, env, inside=False)
    return out


def _expand(text: str, i: int, env: MacroEnv, *, inside: bool) -> tuple[str, int]:
    """Expand from ``i``; when ``inside`` a `` ` ``, stop after the closing quote."""
    out: list[str] = []
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "`" and text.startswith('`"', i):
            out.append('`"')
            i += 2
        elif ch == "`":
            inner, i = _expand(text, i + 1, env, inside=True)
            out.append(_resolve_local(inner, env))
        elif ch == "'" and inside:
            return "".join(out), i + 1
        elif ch == "$" and i + 1 < n and text[i + 1] == "{":
            end = text.find("}", i + 2)
            if end < 0:
                raise StataError(198, "invalid syntax: unmatched ${")
            name, _ = _expand(text[i + 2 : end], 0, env, inside=False)
            out.append(env.get_global(name.strip()))
            i = end + 1
        elif ch == "$" and i + 1 < n and (text[i + 1].isalpha() or text[i + 1] == "_"):
            j = i + 1
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            out.append(env.get_global(text[i + 1 : j]))
            i = j
        else:
            out.append(ch)
            i += 1
    if inside:
        raise StataError(198, "invalid syntax: unmatched quote in macro reference")
    return "".join(out), i


def _resolve_local(inner: str, env: MacroEnv) -> str:
    """Value of the reference whose (already expanded) body is ``inner``."""
    if inner.startswith("="):
        return env.inline_expression(inner[1:])
    if inner.startswith(":"):
        return env.extended_function(inner[1:].strip())
    if inner.startswith("macval(") and inner.endswith(")"):
        return env.get_local(inner[7:-1].strip())
    stored = _STORED.match(inner)
    if stored:
        return env.stored_result(stored.group(1), stored.group(2))
    for op, delta in (("++", 1), ("--", -1)):
        if inner.startswith(op) or inner.endswith(op):
            name = inner.strip("+-")
            value = str(int(float(env.get_local(name) or "0")) + delta)
            if inner.startswith(op):
                env.set_local(name, value)
                return value
            old = env.get_local(name)
            env.set_local(name, value)
            return old
    return env.get_local(inner)


def split_words(text: str) -> list[str]:
    """Split macro text into Stata words: blanks separate, quotes group and are stripped."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text.startswith('`"', i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith('`"', j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("\"'", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            words.append(text[i + 2 : j - 2] if not depth else text[i + 2 :])
            i = j
        elif text[i] == '"':
            j = text.find('"', i + 1)
            j = n if j < 0 else j
            words.append(text[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace():
                j += 1
            words.append(text[i:j])
            i = j
    return words


def quote_word(word: str) -> str:
    """Quote ``word`` for a macro list when it holds blanks (as Stata's list functions do)."""
    if not word or any(c.isspace() for c in word):
        return f'`"{word}"\'' if '"' in word else f'"{word}"'
    return word


def strip_quotes(text: str) -> str:
    """Remove one level of enclosing ``"..."`` or `` `"..."' `` from ``text``."""
    t = text.strip()
    if t.startswith('`"') and t.endswith("\"'"):
        return t[2:-2]
    if len(t) >= 2 and t[0] == '"' and t[-1] == '"':
        return t[1:-1]
    return t
