"""String functions (vectorised over object arrays; scalars stay scalars)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable

import numpy as np

from libs.engine import formats
from libs.engine.functions.catalog import Context, Function, function
from libs.engine.values import Value, as_number, as_text, elementwise
from libs.engine.varlist import abbreviate


def _per_element(fn: Callable[..., object], *, numeric: bool, text_args: int) -> Function:
    """A function applying ``fn`` element by element: its first ``text_args`` arguments are
    strings, the others numbers; ``numeric`` says what it returns."""

    def call(ev: Context, a: list[Value]) -> Value:
        checked = [(as_text(v) if i < text_args else as_number(v)) for i, v in enumerate(a)]
        return elementwise(fn, checked, numeric=numeric)

    return call


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


function("strlen", "length", "ustrlen", "udstrlen", args=1)(
    _per_element(len, numeric=True, text_args=1))
function("substr", "usubstr", "substrb", args=(2, 3))(
    _per_element(_substr, numeric=False, text_args=1))
function("strupper", "upper", "ustrupper", args=1)(
    _per_element(str.upper, numeric=False, text_args=1))
function("strlower", "lower", "ustrlower", args=1)(
    _per_element(str.lower, numeric=False, text_args=1))
function("strtrim", "trim", "ustrtrim", args=1)(
    _per_element(lambda s: s.strip(" "), numeric=False, text_args=1))
function("strltrim", "ltrim", "ustrltrim", args=1)(
    _per_element(lambda s: s.lstrip(" "), numeric=False, text_args=1))
function("strrtrim", "rtrim", "ustrrtrim", args=1)(
    _per_element(lambda s: s.rstrip(" "), numeric=False, text_args=1))
function("stritrim", "itrim", args=1)(
    _per_element(lambda s: re.sub(r" +", " ", s), numeric=False, text_args=1))
function("strproper", "proper", "ustrtitle", args=1)(
    _per_element(_proper, numeric=False, text_args=1))
function("strreverse", "reverse", "ustrreverse", args=1)(
    _per_element(lambda s: s[::-1], numeric=False, text_args=1))
function("subinstr", "usubinstr", args=4)(
    _per_element(_subinstr, numeric=False, text_args=3))
function("subinword", args=4)(
    _per_element(_subinword, numeric=False, text_args=3))
function("strpos", "ustrpos", "index", args=2)(
    _per_element(lambda s, t: s.find(t) + 1, numeric=True, text_args=2))
function("strrpos", "ustrrpos", args=2)(
    _per_element(lambda s, t: s.rfind(t) + 1, numeric=True, text_args=2))
function("word", args=2)(
    _per_element(_word, numeric=False, text_args=1))
function("wordcount", "ustrwordcount", args=1)(
    _per_element(lambda s: len(s.split()), numeric=True, text_args=1))
function("real", args=1)(
    _per_element(_real, numeric=True, text_args=1))
function("strmatch", args=2)(
    _per_element(lambda s, p: fnmatch.fnmatchcase(s, p), numeric=True, text_args=2))
function("strtoname", "ustrtoname", args=(1, 2))(
    _per_element(_strtoname, numeric=False, text_args=1))
function("ustrregexra", args=(3, 4))(
    _per_element(lambda s, p, r, *_: re.sub(p, r, s), numeric=False, text_args=3))
function("ustrregexrf", args=(3, 4))(
    _per_element(lambda s, p, r, *_: re.sub(p, r, s, count=1), numeric=False, text_args=3))
function("ustrregexm", args=(2, 3))(
    _per_element(lambda s, p, *_: re.search(p, s) is not None, numeric=True, text_args=2))
function("regexr", args=3)(
    _per_element(lambda s, p, r: re.sub(p, r, s, count=1), numeric=False, text_args=3))
function("abbrev", args=2)(
    _per_element(lambda s, k: abbreviate(s, int(k)), numeric=False, text_args=1))
function("strdup", args=2)(
    _per_element(lambda s, k: s * int(k), numeric=False, text_args=1))


@function("string", "strofreal", args=(1, 2))
def _string(ev: Context, a: list[Value]) -> Value:
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


@function("char", "uchar")
def _char(ev: Context, a: list[Value]) -> Value:
    return elementwise(lambda k: chr(int(k)) if 0 < k < 0x110000 else "", [as_number(a[0])],
                       numeric=False)


@function("regexm", args=2)
def _regexm(ev: Context, a: list[Value]) -> Value:
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


@function("regexs")
def _regexs(ev: Context, a: list[Value]) -> Value:
    k = int(as_number(a[0])) if np.ndim(a[0]) == 0 else 0
    groups = ev.session.regex_groups
    texts = [g[k] if k < len(g) else "" for g in groups]
    if ev.scalar or (len(texts) == 1 and ev.n != 1):
        return texts[ev.row if ev.scalar and ev.row < len(texts) else 0] if texts else ""
    return np.array(texts if len(texts) == ev.n else [""] * ev.n, dtype=np.object_)
