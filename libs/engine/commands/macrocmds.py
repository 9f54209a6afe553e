"""Macro and scalar commands: ``local``, ``global``, ``tempvar``/``tempname``/``tempfile``,
``macro drop``, ``scalar``, ``args``, ``syntax``."""

from __future__ import annotations

import re

from libs.engine import macros
from libs.engine.abbreviations import abbreviates
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.formats import macro_text
from libs.engine.macrofuncs import expression_text, extended
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.engine.values import is_string

#: A local's name may start with a digit (``local 0 `"`rest'"'`` before ``syntax``, ``local 1``);
#: a global's may not.
_DEF = re.compile(r"^\s*(\+\+|--)?([A-Za-z0-9_]+)(\+\+|--)?\s*(.*)$", re.DOTALL)


def define(session: Session, text: str, *, is_global: bool) -> None:
    """``local name [=exp | :fn | "text" | text]`` (and ``global``)."""
    m = _DEF.match(text)
    if m is None:
        raise StataError(198, "invalid syntax")
    pre, name, post, rest = m.groups()
    if is_global and name[0].isdigit():
        raise StataError(198, f"{name} invalid name")
    get = session.get_global if is_global else session.get_local
    put = session.globals.__setitem__ if is_global else session.set_local
    if pre or post:
        step = 1 if (pre or post) == "++" else -1
        put(name, str(int(float(get(name) or "0")) + step))
        return
    rest = rest.strip()
    if rest.startswith("=") and not rest.startswith("=="):
        put(name, expression_text(session, rest[1:]))
    elif rest.startswith(":"):
        put(name, extended(session, rest[1:].strip()))
    else:
        value = rest
        if value.startswith('`"') and value.endswith("\"'"):
            value = value[2:-2]
        elif len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]  # Stata strips the first and last quote, even of "a" "b"
        put(name, value)


@command("local", abbrev=3, syntax=None)
def local(session: Session, args: Args) -> None:
    """``local``."""
    define(session, args.raw, is_global=False)


@command("global", abbrev=2, syntax=None)
def global_(session: Session, args: Args) -> None:
    """``global``."""
    define(session, args.raw, is_global=True)


def _temp(session: Session, args: Args, kind: str) -> None:
    for name in args.raw.split():
        temp = session.tempname()
        if kind == "file":
            temp = str(session.path(f"{temp}.tmp"))
            session.temp_files.append(temp)
        session.set_local(name, temp)


@command("tempvar", syntax=None)
def tempvar(session: Session, args: Args) -> None:
    """``tempvar names``: names for temporary variables (dropped at the end of the run)."""
    _temp(session, args, "var")


@command("tempname", syntax=None)
def tempname(session: Session, args: Args) -> None:
    """``tempname names``."""
    _temp(session, args, "name")


@command("tempfile", syntax=None)
def tempfile(session: Session, args: Args) -> None:
    """``tempfile names``: paths inside the working directory, removed at the end."""
    _temp(session, args, "file")


@command("macro", abbrev=2, syntax=None)
def macro(session: Session, args: Args) -> None:
    """``macro drop names`` / ``macro list``."""
    words = args.raw.split()
    if words and words[0] == "drop":
        for name in words[1:]:
            if name in ("_all", "*"):
                session.globals.clear()
            elif name.startswith("_"):
                session.frame.locals.pop(name[1:], None)
            else:
                session.globals.pop(name, None)
    elif words and words[0] in ("list", "l", "li", "dir"):
        for name, value in session.globals.items():
            session.log.out(f"{name + ':':<13}{value}")
        for name, value in session.frame.locals.items():
            session.log.out(f"{'_' + name + ':':<13}{value}")
    else:
        raise StataError(198, "invalid syntax")


@command("scalar", abbrev=3, syntax=None)
def scalar(session: Session, args: Args) -> None:
    """``scalar [define] name = exp`` / ``scalar drop names`` / ``scalar list``."""
    text = args.raw.strip()
    if text.startswith("drop"):
        for name in text.split()[1:]:
            if name == "_all":
                session.scalars.clear()
            session.scalars.pop(name, None)
        return
    if text.startswith(("list", "dir")):
        for name, value in session.scalars.items():
            session.log.out(f"{name:>13} = {value}")
        return
    first, _, after = text.partition(" ")
    if abbreviates(first, "define", "define"):
        text = after
    name, eq, exp = text.partition("=")
    if not eq or not name.strip():
        raise StataError(198, "invalid syntax")
    value = Evaluator(session, scalar=True).evaluate(exp)
    session.scalars[name.strip()] = str(value) if is_string(value) else float(value)


@command("args", syntax=None)
def args_(session: Session, args: Args) -> None:
    """``args a b c``: name the positional arguments of the current program."""
    words = macros.split_words(session.get_local("0"))
    for k, name in enumerate(args.raw.split()):
        session.set_local(name, words[k] if k < len(words) else "")


#: The local macro each leading element of a ``syntax`` line fills ([P] syntax): every kind
#: of variable list goes to ``varlist`` (``syntax varname`` too), names to ``namelist``.
_RESULT_MACROS = {"varlist": "varlist", "varname": "varlist", "newvarlist": "varlist",
                  "newvarname": "varlist", "namelist": "namelist", "name": "namelist",
                  "anything": "anything"}


def _result_macro(kind: str, mods: str) -> str | None:
    """The local ``kind`` fills: its ``name=`` modifier (``anything(name=eqlist)``), else
    Stata's default; None for ``if``, ``in``, ``using`` and ``=exp``."""
    named = re.search(r"\bname\s*=\s*([A-Za-z_][A-Za-z0-9_]*)", mods)
    return named.group(1) if named and kind in _RESULT_MACROS else _RESULT_MACROS.get(kind)


def _cilevel(value: object, session: Session) -> str:
    """A ``Level(cilevel)`` option's macro: the level typed, checked as Stata checks it, else
    ``c(level)``."""
    if value is None:
        return macro_text(session.creturn("level"))
    try:
        level = float(str(value))
    except ValueError:
        raise StataError(198, "level() invalid") from None
    if not 10 <= level <= 99.99:
        raise StataError(198, "level() must be between 10 and 99.99 inclusive")
    return str(value).strip()


@command("syntax", syntax=None)
def syntax(session: Session, args: Args) -> None:
    """``syntax ...`` inside a program: parse local ``0`` and set ``varlist``, ``if``,
    ``in``, ``weight``/``exp``, ``using`` and one local per option, as Stata does."""
    spec = Spec(args.raw)
    parsed = spec.parse(session.get_local("0"), session)
    for kind, _optional, mods, _slash in spec.main:
        local = _result_macro(kind, mods)
        if local is not None:
            session.set_local(local, parsed.anything if kind == "anything"
                              else " ".join(parsed.varlist))
    session.set_local("if", f"if {parsed.if_exp}" if parsed.if_exp else "")
    in_text = ""
    if parsed.in_range is not None:
        in_text = f"in {parsed.in_range[0] + 1}/{parsed.in_range[1]}"
    session.set_local("in", in_text)
    session.set_local("using", parsed.using or "")
    session.set_local("exp", f"= {parsed.exp}" if parsed.exp else "")
    if parsed.weight:
        session.set_local("weight", parsed.weight[0])
        session.set_local("exp", f"= {parsed.weight[1]}")
    for opt in spec.options:
        if opt.name == "*":
            session.set_local("options", parsed.rest_options)
            continue
        value = parsed.options.get(opt.name)
        if opt.kind == "flag" and opt.negatable:
            # ``noCONStant``: the macro is `constant', holding "noconstant" when it is typed
            session.set_local(opt.name[2:], opt.name if value else "")
        elif opt.kind == "flag":
            session.set_local(opt.name, opt.name if value else "")
        elif opt.kind == "cilevel":
            session.set_local(opt.name, _cilevel(value, session))
        elif isinstance(value, list):
            session.set_local(opt.name, " ".join(str(v) for v in value))
        else:
            session.set_local(opt.name, "" if value is None else macro_text(value)
                              if not isinstance(value, str) else value)
