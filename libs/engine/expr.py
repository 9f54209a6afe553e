"""Expression parser: Stata expression text → a small AST, evaluated by ``evaluator``.

Operator precedence (tightest first), as Stata documents it: ``!``/``~``, ``^`` (left to right),
unary ``-``, ``*`` ``/``, ``+`` ``-``, relational (``== != ~= < > <= >=``), ``&``, ``|``.
Names resolve at evaluation time (variable, abbreviation, then scalar), so parsing needs no data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from libs.engine import missing
from libs.engine.errors import StataError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<miss>\.[a-z]?(?![\w.]))
  | (?P<ts>(?:[LFDS]\d*)+\.(?=[A-Za-z_]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<cstr>`"(?:(?!"').)*"')
  | (?P<str>"[^"]*")
  | (?P<op>==|!=|~=|<=|>=|[-+*/^<>&|!~()\[\],=])
  | (?P<raw>[#:.@%$;{}`'])
    """,
    re.VERBOSE | re.DOTALL,
)
_TS_PART = re.compile(r"([LFDS])(\d*)")

@dataclass(frozen=True, slots=True)
class Num:
    """A numeric literal (missing literals included)."""

    value: float


@dataclass(frozen=True, slots=True)
class Str:
    """A string literal."""

    value: str


@dataclass(frozen=True, slots=True)
class Var:
    """A name: variable (possibly abbreviated), or scalar; ``ts`` are time-series operators."""

    name: str
    ts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Sub:
    """An explicit subscript ``name[exp]`` (1-based; within the by-group under ``by``), or
    with ``column`` the element ``name[row, column]`` of a matrix."""

    name: str
    index: object
    column: object | None = None


@dataclass(frozen=True, slots=True)
class Unary:
    """``-x`` or ``!x``."""

    op: str
    operand: object


@dataclass(frozen=True, slots=True)
class Binary:
    """``a op b``."""

    op: str
    left: object
    right: object


@dataclass(frozen=True, slots=True)
class Call:
    """A function call ``f(args)``."""

    name: str
    args: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Result:
    """``r(name)``, ``e(name)``, ``s(name)``, ``c(name)``."""

    cls: str
    name: str


@dataclass(frozen=True, slots=True)
class Coef:
    """``_b[name]`` or ``_se[name]`` (``eq:name`` or ``[eq]_b[name]`` for equations)."""

    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class Special:
    """``_n``, ``_N``, ``_pi``, ``_rc``."""

    name: str


_PREC = {"|": 1, "&": 2, "==": 3, "!=": 3, "~=": 3, "<": 3, ">": 3, "<=": 3, ">=": 3}
_PREC.update({"+": 4, "-": 4, "*": 5, "/": 5, "^": 7})
_UNARY_MINUS, _NOT = 6, 8
_SPECIAL = frozenset({"_n", "_N", "_pi", "_rc"})
_DATE_LITERALS = frozenset({"td", "tm", "tq", "th", "tw", "ty", "tc"})
#: functions whose first argument names an object (a matrix, a scalar) instead of a value
_NAME_FIRST_FUNCS = frozenset({"el", "rowsof", "colsof", "scalar"})


def tokenize(text: str) -> list[tuple[str, str]]:
    """Split expression text into (kind, text) tokens; r(198) on a stray character."""
    return [(kind, tok) for kind, tok, _ in tokenize_positions(text)]


def tokenize_positions(text: str) -> list[tuple[str, str, int]]:
    """Tokens with the offset just past each one."""
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise StataError(198, f"{text[pos:]} invalid name")
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append((kind, m.group(), m.end()))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, op: str) -> None:
        kind, tok = self.take()
        if tok != op or kind not in ("op",):
            raise StataError(198, f"'{op}' expected" if tok else "unexpected end of expression")

    def parse(self, bp: int = 0) -> object:
        left = self.prefix()
        while True:
            kind, tok = self.peek()
            if kind != "op" or tok not in _PREC or _PREC[tok] <= bp:
                if kind == "op" and tok == "=":
                    raise StataError(198, "= invalid (use == for equality)")
                return left
            self.take()
            left = Binary("!=" if tok == "~=" else tok, left, self.parse(_PREC[tok]))

    def prefix(self) -> object:
        kind, tok = self.take()
        if kind == "num":
            return Num(float(tok))
        if kind == "miss":
            value = missing.parse(tok)
            assert value is not None
            return Num(value)
        if kind == "str":
            return Str(tok[1:-1])
        if kind == "cstr":
            return Str(tok[2:-2])
        if kind == "op" and tok == "(":
            inner = self.parse()
            self.expect(")")
            return inner
        if kind == "op" and tok == "-":
            return Unary("-", self.parse(_UNARY_MINUS))
        if kind == "op" and tok == "+":
            return self.parse(_UNARY_MINUS)
        if kind == "op" and tok in ("!", "~"):
            return Unary("!", self.parse(_NOT))
        if kind == "op" and tok == "[":  # [eq]_b[name]
            eq = self.raw_until("]")
            _, which = self.take()
            coef = self.bracketed(which)
            assert isinstance(coef, Coef)
            return Coef(coef.kind, f"{eq}:{coef.name}")
        if kind == "ts":
            ops = tuple((m.group(1), int(m.group(2) or 1)) for m in _TS_PART.finditer(tok[:-1]))
            _, name = self.take()
            return Var(name, ops)
        if kind == "name":
            return self.name(tok)
        raise StataError(198, "invalid syntax" if tok else "expression expected")

    def name(self, tok: str) -> object:
        kind, nxt = self.peek()
        if tok in ("_b", "_coef", "_se") and nxt == "[":
            return self.bracketed(tok)
        if tok in _SPECIAL:
            return Special(tok)
        if nxt == "(" and kind == "op":
            self.take()
            if tok in ("r", "e", "s", "c"):
                return Result(tok, self.raw_until(")").strip())
            if tok in _DATE_LITERALS:  # td(01jan2020): the argument is literal text
                return Call(tok, (Str(self.raw_until(")").strip()),))
            if tok in _NAME_FIRST_FUNCS:  # el(e(b), 1, 2), scalar(x): the first is a name
                return self.name_first_call(tok)
            args: list[object] = []
            if self.peek()[1] != ")":
                args.append(self.parse())
                while self.peek()[1] == ",":
                    self.take()
                    args.append(self.parse())
            self.expect(")")
            return Call(tok, tuple(args))
        if nxt == "[" and kind == "op":
            self.take()
            index = self.parse()
            column = None
            if self.peek()[1] == ",":  # M[i, j]: a matrix element
                self.take()
                column = self.parse()
            self.expect("]")
            return Sub(tok, index, column)
        return Var(tok)

    def name_first_call(self, name: str) -> Call:
        parts: list[str] = []
        depth = 0
        while True:
            kind, tok = self.take()
            if kind == "end":
                raise StataError(198, "')' expected")
            if depth == 0 and tok in (",", ")"):
                break
            depth += tok in ("(", "[")
            depth -= tok in (")", "]")
            parts.append(tok)
        args: list[object] = [Str("".join(parts))]
        while tok == ",":
            args.append(self.parse())
            _, tok = self.take()
        if tok != ")":
            raise StataError(198, "')' expected")
        return Call(name, tuple(args))

    def bracketed(self, which: str) -> Coef:
        self.expect("[")
        return Coef("_b" if which == "_coef" else which, self.raw_until("]").strip())

    def raw_until(self, close: str) -> str:
        """Collect raw token text up to ``close`` (for r(name), _b[1.foreign#c.x])."""
        parts: list[str] = []
        while True:
            kind, tok = self.take()
            if kind == "end":
                raise StataError(198, f"'{close}' expected")
            if tok == close:
                return "".join(parts)
            parts.append(tok)


def parse_prefix(text: str) -> tuple[object, int]:
    """Parse the longest expression at the start of ``text``; return it and its length."""
    parser = _Parser(text)
    node = parser.parse()
    ends = tokenize_positions(text)
    return node, ends[parser.i - 1][2] if parser.i else 0


def parse(text: str) -> object:
    """Parse an expression; r(198) on invalid syntax."""
    parser = _Parser(text)
    if not parser.toks:
        raise StataError(198, "invalid syntax")
    node = parser.parse()
    if parser.i != len(parser.toks):
        raise StataError(198, f"{parser.peek()[1]} invalid")
    return node


def subscripted(node: object) -> set[str]:
    """Names used with an explicit subscript (``x[_n-1]``) or a time-series operator."""
    if isinstance(node, Sub):
        names = {node.name} if node.column is None else set()  # M[i, j] is no variable
        return names | subscripted(node.index) | subscripted(node.column)
    if isinstance(node, Var):
        return {node.name} if node.ts else set()
    if isinstance(node, Unary):
        return subscripted(node.operand)
    if isinstance(node, Binary):
        return subscripted(node.left) | subscripted(node.right)
    if isinstance(node, Call):
        return set().union(*(subscripted(a) for a in node.args)) if node.args else set()
    return set()
