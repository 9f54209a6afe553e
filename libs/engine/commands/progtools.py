"""Programming helpers templates' programs use: ``tokenize``, ``gettoken``, ``unab``,
``marksample``/``markout``/``mark``, ``ds``, ``clonevar``, ``expand``."""

from __future__ import annotations

import re

import numpy as np

from libs.engine import macros, varlist
from libs.engine.dataset import Column
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec


def _parse_chars(opts: str) -> str:
    m = re.search(r'parse\(\s*"([^"]*)"\s*\)', opts)
    return m.group(1) if m else " "


def _split_on(text: str, chars: str) -> list[str]:
    """Tokens of ``text``: blanks separate, each parse character is a token of its own."""
    if chars == " ":
        return macros.split_words(text)
    out: list[str] = []
    for word in macros.split_words(text):
        out.extend(t for t in re.split(f"([{re.escape(chars.replace(' ', ''))}])", word) if t)
    return out


@command("tokenize", abbrev=5, syntax=None)
def tokenize(session: Session, args: Args) -> None:
    """``tokenize [string] [, parse("chars")]``: locals 1, 2, ... (earlier ones cleared)."""
    body, _, opts = args.raw.partition(", parse(") if ", parse(" in args.raw else (
        args.raw, "", "")
    words = _split_on(macros.strip_quotes(body), _parse_chars("parse(" + opts) if opts else " ")
    locals_ = session.frame.locals
    for key in [k for k in locals_ if k.isdigit() and k != "0"]:
        del locals_[key]
    for k, word in enumerate(words, start=1):
        session.set_local(str(k), word)


_MACNAME = r"((?:\((?:local|global)\)\s*)?\w+)"
_GETTOKEN = re.compile(rf"^\s*{_MACNAME}\s*{_MACNAME}?\s*:\s*{_MACNAME}\s*(,.*)?$")


def _first_token(text: str, chars: str, *, quotes: bool) -> tuple[str, str]:
    """Split the first token off ``text`` the way ``gettoken`` does."""
    body = text.lstrip(" ")
    if not body:
        return "", ""
    if body.startswith(('"', '`"')):
        compound = body.startswith('`"')
        close = _quote_end(body) if compound else body.find('"', 1) + 1 or len(body)
        inner = body[2 : close - 2] if compound else body[1 : close - 1]
        return (body[:close] if quotes else inner), body[close:]
    # Only the parsing characters separate: with parse(",") a token runs to the comma,
    # blanks and all (`gettoken data 0 : 0, parse(",")` takes "auto if x > 1" whole).
    stops = set(chars)
    if body[0] in stops:
        return body[0], body[1:]
    end = next((k for k, ch in enumerate(body) if ch in stops), len(body))
    return body[:end], body[end:]


def _quote_end(text: str) -> int:
    depth, k = 0, 0
    while k < len(text):
        if text.startswith('`"', k):
            depth, k = depth + 1, k + 2
        elif text.startswith("\"'", k):
            depth, k = depth - 1, k + 2
            if not depth:
                return k
        else:
            k += 1
    return len(text)


def _macro(session: Session, spec: str) -> tuple[bool, str]:
    return "(global)" in spec, spec.split(")")[-1].strip()


@command("gettoken", syntax=None)
def gettoken(session: Session, args: Args) -> None:
    """``gettoken first [rest] : macname [, parse("chars") quotes]``."""
    m = _GETTOKEN.match(args.raw)
    if m is None:
        raise StataError(198, "invalid syntax")
    is_global, source = _macro(session, m.group(3))
    text = session.get_global(source) if is_global else session.get_local(source)
    opts = m.group(4) or ""
    token, rest = _first_token(text, _parse_chars(opts), quotes="quotes" in opts)
    for spec, value in ((m.group(1), token), (m.group(2), rest)):
        if spec:
            glob, name = _macro(session, spec)
            if glob:
                session.globals[name] = value
            else:
                session.set_local(name, value)


@command("unab", syntax=None)
def unab(session: Session, args: Args) -> None:
    """``unab lmacname : varlist [, min() max()]``: the expanded variable names."""
    name, colon, rest = args.raw.partition(":")
    if not colon:
        raise StataError(198, "invalid syntax")
    names = varlist.expand(session.data, rest.split(",")[0],
                           abbrev=session.settings.varabbrev)
    session.set_local(name.strip(), " ".join(names))


@command("mark", syntax="newvarname [if] [in] [fweight aweight pweight iweight] [, ZEROweight]")
def mark(session: Session, args: Args) -> None:
    """``mark newvar [if] [in]``: 1 for selected observations, else 0."""
    session.data.add(args.varlist[0], args.touse(session).astype(np.float64), "byte")


@command("markout", syntax="varname [anything] [, STRok SYSmissok]")
def markout(session: Session, args: Args) -> None:
    """``markout marker varlist``: set the marker to 0 where any variable is missing."""
    ds = session.data
    marker = args.varlist[0]
    names = args.anything.split()[1:]
    names = varlist.expand(ds, " ".join(names)) if names else []
    keep = ds.numeric(marker) != 0
    for name in names:
        col = ds.cols[name]
        keep &= ~((col == "") if col.dtype == np.object_ else np.isnan(col))
    ds.set(marker, keep.astype(np.float64))


@command("marksample", syntax="name [, NOVarlist STRok ZEROweight noBY]")
def marksample(session: Session, args: Args) -> None:
    """``marksample touse``: inside a program after ``syntax``: if/in, weights, varlist."""
    name = session.tempname()
    session.set_local(args.varlist[0], name)
    text = f"{session.get_local('if')} {session.get_local('in')}".strip()
    spec = Spec("[if] [in]")
    touse = spec.parse(text, session).touse(session)
    if session.by_program is not None and session.by_program[1] == len(session.frames):
        touse &= session.by_program[0]  # called by `by` as byable(recall): this group only
    if not args.opt("novarlist"):
        for var in session.get_local("varlist").split():
            col = session.data.cols[varlist.resolve(session.data, var)]
            if col.dtype == np.object_:
                if not args.opt("strok"):
                    touse &= col != ""
            else:
                touse &= ~np.isnan(col)
    weight_exp = session.get_local("exp")
    if session.get_local("weight") and weight_exp.startswith("="):
        w = Evaluator(session).numeric(weight_exp[1:])
        touse &= ~np.isnan(w) & (w != 0 if not args.opt("zeroweight") else True)
    session.data.add(name, touse.astype(np.float64), "byte")


@command("clonevar", syntax="newvarname =exp [if] [in]")
def clonevar(session: Session, args: Args) -> None:
    """``clonevar new = old [if] [in]``: copy with the type, format and labels of ``old``."""
    ds = session.data
    assert args.exp is not None
    source = varlist.resolve(ds, args.exp.strip(), abbrev=session.settings.varabbrev)
    var = ds.vars[source]
    touse = args.touse(session)
    col = ds.cols[source]
    values: Column = np.where(touse, col, "" if var.is_string else np.nan).astype(  # type: ignore[assignment]
        col.dtype)
    ds.add(args.varlist[0], values, var.stype, label=var.label, fmt=var.format)
    ds.vars[args.varlist[0]].value_label = var.value_label


@command("expand", syntax="anything [if] [in] [, GENerate(name)]")
def expand(session: Session, args: Args) -> None:
    """``expand exp [if] [in]``: observation i appears exp_i times (new copies at the end)."""
    ds = session.data
    counts = np.floor(Evaluator(session).numeric(args.anything))
    counts = np.where(args.touse(session) & ~np.isnan(counts), np.maximum(counts, 1), 1)
    extra = np.repeat(np.arange(ds.n), (counts - 1).astype(np.intp))
    order = np.concatenate([np.arange(ds.n), extra])
    ds.take(order)
    if args.opt("generate"):
        ds.add(args.opt("generate"), (np.arange(ds.n) >= ds.n - len(extra)).astype(np.float64),
               "byte")
    session.log.out(f"({len(extra):,} observation{'s' if len(extra) != 1 else ''} created)")


@command("ds", syntax="[varlist] [, HAS(string) NOT Alpha]", rclass=True)
def ds_(session: Session, args: Args) -> None:
    """``ds [varlist] [, has(type numeric|string) not]``: list names; r(varlist)."""
    ds = session.data
    names = args.varlist
    has = (args.opt("has") or "").split()
    if has and has[0] == "type":
        want = has[1] if len(has) > 1 else "numeric"
        names = [n for n in names if (ds.vars[n].is_string if want == "string" else
                                      not ds.vars[n].is_string if want == "numeric" else
                                      ds.vars[n].stype == want)]
    if args.opt("not"):
        names = [n for n in ds.varnames if n not in names]
    session.log.out("  ".join(names))
    session.r.macros["varlist"] = " ".join(names)
