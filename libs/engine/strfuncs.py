"""String functions (vectorised over object arrays; scalars stay scalars)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from libs.engine import formats
from libs.engine.functions import FUNCTIONS
from libs.engine.values import Value, as_number, as_text, elementwise

if TYPE_CHECKING:
    from libs.engine.evaluator import Evaluator


def _register(names: tuple[str, ...], lo: int, hi: int, numeric: bool, text_args: int,
              fn: Callable[..., object]) -> None:
    def call(ev: Evaluator, a: list[Value]) -> Value:
        checked = [(as_text(v) if i < text_args else as_number(v)) for i, v in enumerate(a)]
        return elementwise(fn, checked, numeric=numeric)

    for name in names:
        FUNCTIONS[name] = (call, lo, hi)


def _substr(s: str, start: float, length: float = np.nan) -> str:
    if np.isnan(start):
        return ""
    n = len(s)
    i = int(start)
    i = n + i if i < 0 else i - 1
    if i < 0 or i >= n:
        return ""
    if np.isnan(length):
        return s[i:]
    return s[i : i + max(int(length), 0)]


def _subinstr(s: str, old: str, new: str, count: float) -> str:
    return s.replace(old, new) if np.isnan(count) else s.replace(old, new, int(count))


def _subinword(s: str, old: str, new: str, count: float) -> str:
    pattern = re.compile(rf"(?<!\S){re.escape(old)}(?!\S)")
    return pattern.sub(new, s, count=0 if np.isnan(count) else int(count))


def _word(s: str, k: float) -> str:
    words = s.split()
    i = int(k)
    i = len(words) + i if i < 0 else i - 1
    return words[i] if 0 <= i < len(words) else ""


def _real(s: str) -> float:
    try:
        return float(s.strip()) if s.strip() not in ("", ".") else np.nan
    except ValueError:
        return np.nan


def _proper(s: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: m.group().capitalize(), s)


def _strtoname(s: str) -> str:
    name = re.sub(r"\W", "_", s)
    return ("_" + name if name[:1].isdigit() or not name else name)[:32]


_register(("strlen", "length", "ustrlen", "udstrlen"), 1, 1, True, 1,
          len)
_register(("substr", "usubstr", "substrb"), 2, 3, False, 1, _substr)
_register(("strupper", "upper", "ustrupper"), 1, 1, False, 1, str.upper)
_register(("strlower", "lower", "ustrlower"), 1, 1, False, 1, str.lower)
_register(("strtrim", "trim", "ustrtrim"), 1, 1, False, 1, lambda s: s.strip(" "))
_register(("strltrim", "ltrim", "ustrltrim"), 1, 1, False, 1, lambda s: s.lstrip(" "))
_register(("strrtrim", "rtrim", "ustrrtrim"), 1, 1, False, 1, lambda s: s.rstrip(" "))
_register(("stritrim", "itrim"), 1, 1, False, 1, lambda s: re.sub(r" +", " ", s))
_register(("strproper", "proper", "ustrtitle"), 1, 1, False, 1, _proper)
_register(("strreverse", "reverse", "ustrreverse"), 1, 1, False, 1, lambda s: s[::-1])
_register(("subinstr", "usubinstr"), 4, 4, False, 3, _subinstr)
_register(("subinword",), 4, 4, False, 3, _subinword)
_register(("strpos", "ustrpos", "index"), 2, 2, True, 2, lambda s, t: s.find(t) + 1)
_register(("strrpos", "ustrrpos"), 2, 2, True, 2, lambda s, t: s.rfind(t) + 1)
_register(("word",), 2, 2, False, 1, _word)
_register(("wordcount", "ustrwordcount"), 1, 1, True, 1, lambda s: len(s.split()))
_register(("real",), 1, 1, True, 1, _real)
_register(("strmatch",), 2, 2, True, 2, lambda s, p: fnmatch.fnmatchcase(s, p))
_register(("strtoname", "ustrtoname"), 1, 2, False, 1, _strtoname)
_register(("ustrregexra",), 3, 4, False, 3, lambda s, p, r, *_: re.sub(p, r, s))
_register(("ustrregexrf",), 3, 4, False, 3, lambda s, p, r, *_: re.sub(p, r, s, count=1))
_register(("ustrregexm",), 2, 3, True, 2, lambda s, p, *_: re.search(p, s) is not None)
_register(("regexr",), 3, 3, False, 3, lambda s, p, r: re.sub(p, r, s, count=1))
_register(("abbrev",), 2, 2, False, 1, lambda s, k: s if len(s) <= int(k) else s[: int(k) - 1]
          + "~")
_register(("strdup",), 2, 2, False, 1, lambda s, k: s * int(k))


def _string(ev: Evaluator, a: list[Value]) -> Value:
    """string(x[, fmt]) / strofreal: a number as text (``%9.0g`` unless a format is given)."""
    fmt = str(as_text(a[1])) if len(a) > 1 else "%9.0g"
    x = as_number(a[0])
    if np.ndim(x) and fmt == "%9.0g":
        return _string_default(np.asarray(x, dtype=np.float64))
    return elementwise(lambda v: formats.format_number(float(v), fmt).strip(), [x], numeric=False)


def _string_default(x: np.ndarray) -> np.ndarray:
    """string(x) over an array: integers that fit %9.0g vectorised, the rest one by one."""
    with np.errstate(invalid="ignore"):
        simple = np.isfinite(x) & (x == np.trunc(x)) & (np.abs(x) < 1e8)
    out = np.empty(len(x), dtype=np.object_)
    out[simple] = x[simple].astype(np.int64).astype(str).astype(np.object_)
    rest = np.flatnonzero(~simple)
    for i in rest:
        out[i] = formats.format_number(float(x[i]), "%9.0g").strip()
    return out


for _name in ("string", "strofreal"):
    FUNCTIONS[_name] = (_string, 1, 2)


def _char(ev: Evaluator, a: list[Value]) -> Value:
    return elementwise(lambda k: chr(int(k)) if 0 < k < 0x110000 else "", [as_number(a[0])],
                       numeric=False)


FUNCTIONS["char"] = (_char, 1, 1)
FUNCTIONS["uchar"] = (_char, 1, 1)


def _regexm(ev: Evaluator, a: list[Value]) -> Value:
    """regexm(s, re): match, remembering the groups for regexs(n) per observation."""
    s, pattern = as_text(a[0]), str(as_text(a[1]))
    compiled = re.compile(pattern)
    values = [s] if isinstance(s, str) else list(s)
    groups: list[list[str]] = []
    hits = []
    for v in values:
        m = compiled.search(v)
        hits.append(m is not None)
        groups.append([m.group(0), *(g or "" for g in m.groups())] if m else [])
    ev.session.regex_groups = groups
    out = np.array(hits, dtype=np.float64)
    return np.float64(out[0]) if isinstance(s, str) else out


def _regexs(ev: Evaluator, a: list[Value]) -> Value:
    k = int(as_number(a[0])) if np.ndim(a[0]) == 0 else 0
    groups = ev.session.regex_groups
    texts = [g[k] if k < len(g) else "" for g in groups]
    if ev.scalar or (len(texts) == 1 and ev.n != 1):
        return texts[ev.row if ev.scalar and ev.row < len(texts) else 0] if texts else ""
    return np.array(texts if len(texts) == ev.n else [""] * ev.n, dtype=np.object_)


FUNCTIONS["regexm"] = (_regexm, 2, 2)
FUNCTIONS["regexs"] = (_regexs, 1, 1)
