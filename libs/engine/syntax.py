"""The shared command-line parser, driven by a Stata-style syntax declaration.

A command declares its syntax the way Stata's ``syntax`` command does, e.g.::

    "[varlist(numeric fv ts)] [if] [in] [fweight aweight] [, DETail SEParator(integer 5)]"

``Spec.parse(text, session)`` turns the command's argument text into :class:`Args`.  Capitals
in an option name give its minimum abbreviation (``DETail`` accepts ``det``..``detail``);
``noCONStant`` is the negatable form.  The same machinery serves the ``syntax`` command of
user programs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from libs.engine import textscan, varlist
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.macros import strip_quotes
from libs.engine.session import Session
from libs.engine.varlist import Term

_WEIGHTS = {"fweight": "fweight", "fw": "fweight", "frequency": "fweight",
            "aweight": "aweight", "aw": "aweight", "cellsize": "aweight",
            "pweight": "pweight", "pw": "pweight", "iweight": "iweight", "iw": "iweight"}
_MAIN = re.compile(r"^(?P<kind>[A-Za-z]+)(?:\((?P<mods>[^)]*)\))?(?P<slash>/)?$")


@dataclass(frozen=True)
class OptionSpec:
    """One declared option."""

    name: str  #: full lower-case name
    min_len: int  #: minimum abbreviation length
    kind: str  #: flag, string, integer, real, varlist, varname, numlist, name, namelist, passthru
    default: Any = None
    negatable: bool = False  #: declared as ``noNAME``: the name itself starts with "no"


@dataclass
class Args:
    """A parsed command line."""

    raw: str
    varlist: list[str] = field(default_factory=list)
    terms: list[Term] | None = None  #: factor-variable/time-series terms (fv/ts varlists)
    anything: str = ""
    exp: str | None = None  #: text after ``=``
    if_exp: str | None = None
    in_range: tuple[int, int] | None = None  #: 0-based [start, stop)
    using: str | None = None
    weight: tuple[str, str] | None = None  #: (fweight|aweight|pweight|iweight, expression)
    options: dict[str, Any] = field(default_factory=dict)
    rest_options: str = ""  #: what ``*`` in the option list collected

    def opt(self, name: str, default: Any = None) -> Any:
        """Value of option ``name`` (its full name), ``default`` when not given."""
        return self.options.get(name, default)

    def touse(self, session: Session) -> npt.NDArray[np.bool_]:
        """Observations selected by ``if`` and ``in`` (and the current by-group)."""
        n = session.data.n
        mask = np.ones(n, dtype=np.bool_)
        if self.in_range is not None:
            mask[:] = False
            mask[self.in_range[0] : self.in_range[1]] = True
        if self.if_exp is not None:
            mask &= Evaluator(session, session.by).condition(self.if_exp)
        if session.by_mask is not None:
            mask &= session.by_mask
        return mask


class Spec:
    """A compiled syntax declaration."""

    def __init__(self, declaration: str) -> None:
        self.declaration = declaration
        main, _, opts = declaration.partition(",")
        self.main: list[tuple[str, bool, str, bool]] = []  # (kind, optional, modifiers, slash)
        self.weights: list[str] = []
        for tok in re.findall(r"\[[^\]]*\]?|[^\s\[(]+(?:\([^)]*\))?/?", main):
            optional = tok.startswith("[")
            body = tok.strip("[] ").replace("=/", "").lstrip("=")
            if not body:
                continue
            words = body.split()
            if words[0] in _WEIGHTS:
                self.weights.extend(_WEIGHTS[w] for w in words)
                continue
            m = _MAIN.match(body.replace(" ", "\x00") if "(" not in body else body)
            if m is None:
                raise ValueError(f"bad syntax element {tok!r}")
            self.main.append((m["kind"], optional, m["mods"] or "", bool(m["slash"])))
        # brackets among the options only mark them optional: required ones are checked by
        # the command itself
        flat = opts.replace("[", " ").replace("]", " ")
        self.options = [_option(o) for o in textscan.split_top(flat)]
        self.star = any(o.name == "*" for o in self.options)

    def parse(self, text: str, session: Session) -> Args:
        """Parse a command's argument ``text``; Stata's error codes on bad input."""
        main, comma, opt_text = _split_options(text)
        args = Args(raw=text)
        main = self._qualifiers(main, args, session)
        self._leading(main.strip(), args, session)
        self._options(opt_text if comma else "", args, session)
        return args

    # -- qualifiers ----------------------------------------------------------------------------
    def _qualifiers(self, text: str, args: Args, session: Session) -> str:
        kinds = {k for k, *_ in self.main}
        bracket = _find_weight(text)
        if bracket is not None and not text[bracket[0] + 1 : bracket[1] - 1].strip():
            # ``[]``: no weight, as ado-files write ``[`weight'`exp']`` when none was given
            text = text[: bracket[0]] + " " + text[bracket[1] :]
            bracket = None
        if bracket is not None:
            start, end = bracket
            if not self.weights:
                raise StataError(101, "weights not allowed")
            wtype, _, wexp = text[start + 1 : end - 1].partition("=")
            kind = _WEIGHTS.get(wtype.strip().lower(), "")
            if kind not in self.weights:
                raise StataError(101, f"{wtype.strip()} not allowed")
            args.weight = (kind, wexp.strip())
            text = text[:start] + " " + text[end:]
        pos = textscan.find_word(text, "using")
        if pos >= 0:
            if "using" not in kinds:
                raise StataError(101, "using not allowed")
            rest = text[pos + 5 :].strip()
            parts = textscan.split_top(rest)
            args.using = strip_quotes(parts[0]) if parts else None
            text = text[:pos] + " " + " ".join(parts[1:])
        elif any(k == "using" and not opt for k, opt, _, _ in self.main):
            raise StataError(100, "using required")
        pos_in = textscan.find_word(text, "in")
        pos_if = textscan.find_word(text, "if")
        if pos_in >= 0:
            if "in" not in kinds:
                raise StataError(101, "in not allowed")
            end = pos_if if pos_if > pos_in else len(text)
            args.in_range = parse_range(text[pos_in + 2 : end].strip(), session.data.n)
            text = text[:pos_in] + " " + text[end:]
            pos_if = textscan.find_word(text, "if")
        if pos_if >= 0:
            if "if" not in kinds:
                raise StataError(101, "if not allowed")
            args.if_exp = text[pos_if + 2 :].strip()
            if not args.if_exp:
                raise StataError(198, "invalid syntax")
            text = text[:pos_if]
        return text

    def _leading(self, text: str, args: Args, session: Session) -> None:
        for kind, optional, _mods, _ in self.main:
            if kind in ("if", "in", "using"):
                continue
            if kind == "exp":
                pos = textscan.find_top(text, "=")
                if pos >= 0 and not text[pos:].startswith("=="):
                    args.exp = text[pos + 1 :].strip()
                    text = text[:pos].strip()
                elif not optional:
                    raise StataError(198, "= expected")
        leading = [e for e in self.main if e[0] not in ("if", "in", "using", "exp")]
        if not leading:
            if text:
                raise StataError(198, f"{text.split()[0]} not allowed" if text else "")
            return
        kind, optional, mods, _ = leading[0]
        if not text:
            if not optional and "default=none" not in mods:
                raise StataError(100, f"{kind} required")
            if kind == "varlist" and "default=none" not in mods:
                args.varlist = session.data.varnames
            return
        args.anything = text
        abbrev = session.settings.varabbrev
        if kind in ("varlist", "varname"):
            if "fv" in mods.split() or "ts" in mods.split():
                args.terms = varlist.parse_terms(session.data, text, abbrev=abbrev)
                args.varlist = list(dict.fromkeys(v for t in args.terms for v in t.varnames))
            else:
                args.varlist = varlist.expand(session.data, text, abbrev=abbrev)
            _check_varlist(args.varlist, kind, mods, session)
        elif kind in ("newvarlist", "newvarname"):
            args.varlist = varlist.new_names(session.data, text)
            if kind == "newvarname" and len(args.varlist) != 1:
                raise StataError(103 if args.varlist else 102, "too many variables specified")
        elif kind in ("namelist", "name"):
            args.varlist = text.split()
            if kind == "name" and len(args.varlist) != 1:
                raise StataError(198, "invalid name")

    def _options(self, text: str, args: Args, session: Session) -> None:
        rest: list[str] = []
        for tok in textscan.split_top(text):
            name, paren, value = tok.partition("(")
            value = value[:-1] if paren and value.endswith(")") else value
            spec = self._match(name.lower())
            if spec is None:
                if self.star:
                    rest.append(tok)
                    continue
                raise StataError(198, f"option {name} not allowed")
            if spec.kind == "flag":
                if paren:
                    raise StataError(198, f"option {name} incorrectly specified")
                args.options[spec.name] = True
            elif spec.kind == "passthru":
                args.options[spec.name] = tok
            else:
                if not paren:
                    raise StataError(198, f"option {spec.name}() incorrectly specified")
                args.options[spec.name] = convert_option(spec, value, session)
        for spec in self.options:
            if spec.name not in args.options and spec.default is not None:
                args.options[spec.name] = spec.default
        args.rest_options = " ".join(rest)

    def option(self, typed: str) -> OptionSpec | None:
        """The declared option ``typed`` (any case) abbreviates, or None (``*`` not counted)."""
        return self._match(typed.lower())

    def _match(self, typed: str) -> OptionSpec | None:
        """The declared option ``typed`` abbreviates (at least its minimum length)."""
        for spec in self.options:
            if spec.name != "*" and spec.name.startswith(typed) and len(typed) >= spec.min_len:
                return spec
        return None


def _option(decl: str) -> OptionSpec:
    if decl == "*":
        return OptionSpec(name="*", min_len=1, kind="flag")
    name, paren, inner = decl.partition("(")
    upper = len(name) - len(name.lstrip("abcdefghijklmnopqrstuvwxyz"))  # leading 'no'
    caps = re.match(r"^([a-z]*)([A-Z0-9_]*)", name)
    assert caps is not None
    min_len = len(caps.group(1)) + len(caps.group(2)) if caps.group(2) else len(name)
    if upper == 2 and name[:2] == "no" and caps.group(2):
        min_len = 2 + len(caps.group(2))
    kind = "flag"
    default: int | float | str | None = None
    if paren:
        parts = inner.rstrip(")").split()
        kind = parts[0] if parts else "string"
        if len(parts) > 1 and kind in ("integer", "real"):
            default = int(parts[1]) if kind == "integer" else float(parts[1])
        elif len(parts) > 1 and kind == "string" and parts[1] != "asis":
            default = " ".join(parts[1:])
    return OptionSpec(name=name.lower(), min_len=min_len, kind=kind, default=default,
                      negatable=name.startswith("no") and bool(caps.group(2)))


def convert_option(spec: OptionSpec, value: str, session: Session) -> Any:
    """Convert an option's argument text per its declared kind."""
    value = value.strip()
    if spec.kind == "string":
        return strip_quotes(value)
    if spec.kind in ("integer", "real"):
        try:
            number = float(value)
        except ValueError:
            raise StataError(7, f"'{value}' found where number expected") from None
        if spec.kind == "integer":
            if number != int(number):
                raise StataError(198, f"option {spec.name}() must be an integer")
            return int(number)
        return number
    if spec.kind in ("varlist", "varname"):
        names = varlist.expand(session.data, value, abbrev=session.settings.varabbrev)
        if spec.kind == "varname" and len(names) != 1:
            raise StataError(103, "too many variables specified")
        return names if spec.kind == "varlist" else names[0]
    if spec.kind == "numlist":
        return parse_numlist(value)
    if spec.kind in ("name", "namelist"):
        return value.split() if spec.kind == "namelist" else value
    return value


def _check_varlist(names: list[str], kind: str, mods: str, session: Session) -> None:
    words = mods.replace("=", " = ").split()
    if kind == "varname" and len(names) != 1:
        raise StataError(103 if names else 102, "too many variables specified")
    if "numeric" in words or "string" in words:
        want_string = "string" in words
        for name in names:
            if session.data.var(name).is_string != want_string:
                raise StataError(109, "string variables not allowed" if not want_string else
                                 "numeric variables not allowed")
    m = re.search(r"min=(\d+)", mods)
    if m and len(names) < int(m.group(1)):
        raise StataError(102, "too few variables specified")
    m = re.search(r"max=(\d+)", mods)
    if m and len(names) > int(m.group(1)):
        raise StataError(103, "too many variables specified")


def _split_options(text: str) -> tuple[str, bool, str]:
    pos = textscan.find_top(text, ",")
    if pos < 0:
        return text, False, ""
    return text[:pos], True, text[pos + 1 :].strip()


def _find_weight(text: str) -> tuple[int, int] | None:
    flags = textscan.top_level(text)
    for i, ch in enumerate(text):
        if ch == "[" and flags[i] is False and (i == 0 or flags[i - 1] or text[i - 1].isspace()):
            end = text.find("]", i)
            if end > 0 and ("=" in text[i:end] or not text[i + 1 : end].strip()):
                return i, end + 1
    return None


def parse_range(text: str, n: int) -> tuple[int, int]:
    """``in`` range: ``#``, ``#/#``, ``f``, ``l``, negatives from the end → 0-based [lo, hi)."""

    def one(tok: str) -> int:
        tok = tok.strip().lower()
        if tok in ("f", "first"):
            return 1
        if tok in ("l", "last"):
            return n
        try:
            k = int(float(tok))
        except ValueError:
            raise StataError(198, f"'{tok}' invalid obs no") from None
        return n + k + 1 if k < 0 else k

    lo_s, slash, hi_s = text.partition("/")
    lo = one(lo_s)
    hi = one(hi_s) if slash else lo
    if lo < 1 or hi > n or lo > hi:
        raise StataError(198, "Obs. nos. out of range")
    return lo - 1, hi


def parse_numlist(text: str) -> list[float]:
    """A numlist: ``1 2 3``, ``1/5``, ``0(5)20``, ``10(-2)0``, ``1 3/5``; r(121) if invalid."""
    out: list[float] = []
    for tok in re.sub(r"\s*([/()])\s*", r"\1", text.strip()).split():
        m = re.match(r"^(-?[\d.]+)(?:/(-?[\d.]+)|\((-?[\d.]+)\)(-?[\d.]+))?$", tok)
        if m is None:
            raise StataError(121, "invalid numlist")
        start = float(m.group(1))
        if m.group(2) is not None:
            stop, step = float(m.group(2)), 1.0 if float(m.group(2)) >= start else -1.0
        elif m.group(3) is not None:
            step, stop = float(m.group(3)), float(m.group(4))
            if step == 0:
                raise StataError(121, "invalid numlist")
        else:
            out.append(start)
            continue
        count = int(np.floor((stop - start) / step + 1e-9)) + 1
        out.extend(start + i * step for i in range(max(count, 0)))
    return out
