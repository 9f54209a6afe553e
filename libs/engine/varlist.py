"""Varlists: names, abbreviations, wildcards, ranges, and factor-variable/time-series terms.

``expand`` resolves a plain varlist against the dataset; ``parse_terms`` turns a varlist with
factor-variable and time-series operators (``i.``, ``ib2.``, ``c.``, ``#``, ``##``, ``L.``,
``L(1/3).``, ``i.(a b)``) into a flat list of :class:`Term`; ``estimation.design`` expands terms
into design columns.  ``##`` and operator ranges are expanded here, levels are not (they need
the data).
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from dataclasses import dataclass, replace

from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.textscan import split_top

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
_OPS = re.compile(
    r"^(?P<fv>i|c|o|ibn|b?\d+|ib\d+|ib\((?:\d+|first|last|freq)\)|i\([\d\s/]+\)|\d+b|b)?"
    r"(?P<ts>(?:[LFDS](?:\d+|\(\d+/\d+\))?)*)$",
    re.IGNORECASE,
)


def is_name(text: str) -> bool:
    """Whether ``text`` is a valid Stata name."""
    return bool(_NAME.match(text))


def resolve(ds: Dataset, name: str, *, abbrev: bool = True) -> str:
    """The variable a (possibly abbreviated) ``name`` means; r(111) if none or ambiguous."""
    if name in ds.vars:
        return name
    if abbrev and is_name(name):
        hits = [v for v in ds.vars if v.startswith(name)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise StataError(111, f"{name} ambiguous abbreviation")
    raise StataError(111, f"variable {name} not found")


def abbreviate(name: str, width: int) -> str:
    """Stata's ``abbrev(name, width)``: names longer than ``width`` keep their first
    ``width - 2`` characters, a ``~`` and their last (``displa~t``); ``width`` is at least 5,
    and at least 8 for a name with a period (``1.foreign``)."""
    width = max(width, 8 if "." in name else 5)
    return name if len(name) <= width else name[: width - 2] + "~" + name[-1]


def expand(ds: Dataset, text: str, *, abbrev: bool = True) -> list[str]:
    """Expand a plain varlist (abbreviations, ``*``/``?``/``~``, ``a-c``, ``_all``), in order."""
    names: list[str] = []
    tokens = text.replace(" - ", "-").replace(" -", "-").replace("- ", "-").split()
    for tok in tokens:
        if tok in ("_all", "*"):
            names.extend(ds.vars)
        elif any(c in tok for c in "*?~"):
            pattern = tok.replace("~", "*")
            hits = [v for v in ds.vars if fnmatch.fnmatchcase(v, pattern)]
            if not hits or ("~" in tok and len(hits) > 1):
                raise StataError(111, f"variable {tok} not found" if not hits else
                                 f"{tok} ambiguous abbreviation")
            names.extend(hits)
        elif "-" in tok:
            first, _, last = tok.partition("-")
            order = list(ds.vars)
            lo, hi = order.index(resolve(ds, first, abbrev=abbrev)), order.index(
                resolve(ds, last, abbrev=abbrev))
            if hi < lo:
                raise StataError(198, f"{tok}: variables out of order")
            names.extend(order[lo : hi + 1])
        else:
            names.append(resolve(ds, tok, abbrev=abbrev))
    return names


def new_names(ds: Dataset, text: str) -> list[str]:
    """Validate a newvarlist: valid names, none existing (r(110)), no repeats (r(198))."""
    names = text.split()
    for name in names:
        if not is_name(name):
            raise StataError(198, f"{name} invalid name")
        if name in ds.vars:
            raise StataError(110, f"variable {name} already defined")
    if len(set(names)) != len(names):
        raise StataError(198, "repeated variable name")
    return names


@dataclass(frozen=True)
class Factor:
    """One variable inside a term, with its operators."""

    var: str
    factor: bool  #: i. (categorical) vs c./plain (continuous)
    base: str | None = None  #: ib#.: a level, "first", "last", "freq", or "none" (ibn.)
    levels: tuple[int, ...] | None = None  #: i(1 2). or 2. restricts the levels
    omit: bool = False  #: o. (omitted)
    ts: tuple[tuple[str, int], ...] = ()  #: time-series operators, e.g. (("L", 2), ("D", 1))

    @property
    def label(self) -> str:
        """Stata's spelling of this factor without levels (``i.x``, ``c.x``, ``L2D.x``)."""
        ts = "".join(op if k == 1 else f"{op}{k}" for op, k in self.ts)
        prefix = ts or ("i" if self.factor else "c")
        return f"{prefix}.{self.var}"


@dataclass(frozen=True)
class Term:
    """A product of factors: ``x``, ``i.g``, ``c.x#i.g``, ``L.y``."""

    factors: tuple[Factor, ...]

    @property
    def varnames(self) -> list[str]:
        """Variables the term uses (for sample marking)."""
        return [f.var for f in self.factors]

    @property
    def is_plain(self) -> bool:
        """Whether the term is a plain continuous variable (no operators)."""
        f = self.factors[0]
        return len(self.factors) == 1 and not f.factor and not f.ts


def parse_terms(ds: Dataset, text: str, *, abbrev: bool = True) -> list[Term]:
    """Parse a factor-variable / time-series varlist into terms (``##`` and ranges expanded)."""
    terms: list[Term] = []
    for token in split_top(text):  # keeps op.(a b) groups together
        if "#" not in token:
            terms.extend(Term((f,)) for f in _factors(ds, token, abbrev, in_interaction=False))
            continue
        chains = [_interact(part, ds, abbrev) for part in token.split("##")]
        # a##b##c: every non-empty subset of the sides, main effects first; a term that
        # repeats one already expanded is dropped (c.x##c.x is c.x c.x#c.x, as in Stata)
        seen: set[tuple[Factor, ...]] = set()
        for size in range(1, len(chains) + 1) if len(chains) > 1 else (1,):
            for combo in itertools.combinations(chains, size):
                for picks in itertools.product(*combo):
                    factors = tuple(f for pick in picks for f in pick)
                    if factors not in seen:
                        seen.add(factors)
                        terms.append(Term(factors))
    return terms


def _interact(part: str, ds: Dataset, abbrev: bool) -> list[tuple[Factor, ...]]:
    """``a#b`` within one side of ``##``: the cartesian product of each side's factors."""
    sides = [_factors(ds, p, abbrev, in_interaction=True) for p in part.split("#")]
    return [tuple(p) for p in itertools.product(*sides)]


def _factors(ds: Dataset, token: str, abbrev: bool, *, in_interaction: bool) -> list[Factor]:
    """One ``ops.var`` (or ``ops.(a b)``) → factors, expanding ts ranges like ``L(1/3)``."""
    ops_text, dot, rest = token.rpartition(".") if not token.endswith(")") else (
        token[: token.index(".(")], ".", token[token.index(".(") + 1 :])
    if not dot:
        ops_text, rest = "", token
    if ops_text and "." in ops_text:  # L.D.x or i.L.x: merge operator chains
        ops_text = ops_text.replace(".", "")
    m = _OPS.match(ops_text)
    if m is None:
        raise StataError(198, f"{token}: invalid factor-variable or time-series operator")
    names = expand(ds, rest[1:-1] if rest.startswith("(") else rest, abbrev=abbrev)
    base = _base(m.group("fv") or "")
    fv = (m.group("fv") or "").lower()
    is_factor = (bool(fv) and not fv.startswith("c") and fv != "o") or (in_interaction and not fv
                                                                      and not m.group("ts"))
    template = Factor("", is_factor, base=base[0], levels=base[1], omit=fv == "o")
    out: list[Factor] = []
    for ts in _ts_chains(m.group("ts") or ""):
        out.extend(replace(template, var=name, ts=ts) for name in names)
    return out


def _base(fv: str) -> tuple[str | None, tuple[int, ...] | None]:
    """Base and level restriction from the factor prefix (``ib2``, ``ibn``, ``i(1 3)``, ``2``)."""
    low = fv.lower()
    if low.startswith("ib(") or (low.startswith("ib") and low[2:].isdigit()):
        return low[2:].strip("()"), None
    if low == "ibn":
        return "none", None
    if low.startswith("i("):
        return None, tuple(_numbers(low[2:-1]))
    digits = low.rstrip("b").lstrip("b")
    if digits.isdigit():
        return (digits if "b" in low else None), (int(digits),)
    return None, None


def _numbers(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split():
        if "/" in part:
            a, b = part.split("/")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def _ts_chains(ts: str) -> list[tuple[tuple[str, int], ...]]:
    """``L(1/3)D`` → [((L,1),(D,1)), ((L,2),(D,1)), ((L,3),(D,1))]."""
    parts = re.findall(r"([LFDS])(\d+|\(\d+/\d+\))?", ts.upper())
    options: list[list[tuple[str, int]]] = []
    for op, arg in parts:
        if arg.startswith("("):
            lo, hi = (int(v) for v in arg[1:-1].split("/"))
            options.append([(op, k) for k in range(lo, hi + 1)])
        else:
            options.append([(op, int(arg or 1))])
    return [tuple((op, k) for op, k in chain if k != 0) for chain in itertools.product(*options)]
