"""``graph``: twoway, bar, hbar, box and hbox charts, and the graph-memory subcommands
export, save, use, display, combine, drop, dir, rename and close (libs/engine/graphics)."""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.graphics import categorical, gallery
from libs.engine.graphics import options as opts
from libs.engine.graphics.decor import GraphRequest, read_options
from libs.engine.graphics.model import Graph
from libs.engine.graphics.twoway import draw
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

_CHART = Spec("[anything] [if] [in] [fweight aweight pweight iweight] [, *]")
_EXPORT = Spec("anything [, as(string) name(string) replace width(integer 0) "
               "height(integer 0) *]")
_SAVE = Spec("anything [, replace asis]")
_USE = Spec("anything [, name(string) nodraw scheme(string) *]")
_DISPLAY = Spec("[anything] [, scheme(string) xsize(real 0) ysize(real 0) *]")
_COMBINE = Spec("anything [, *]")
_SUBCOMMANDS = opts.words("TWoway BAR HBAR BOX HBOX EXPort SAve USE DISplay COMBine DROP DIR "
                          "REName CLOSE QUERY SET DESCribe")


@command("graph", abbrev=2, syntax=None)
def graph(session: Session, args: Args) -> None:
    """``graph twoway|bar|hbar|box|hbox|export|save|use|display|combine|drop|dir|...``."""
    m = re.match(r"^\s*(\w*)(.*)$", args.raw, re.DOTALL)
    word, rest = (m.group(1), m.group(2).strip()) if m else ("", "")
    sub = opts.match(word, _SUBCOMMANDS) if word else None
    if sub is None:
        raise StataError(199, f"graph {word} is not supported by the embedded engine")
    if sub == "twoway":
        draw(session, rest, f"graph twoway {rest}")
    elif sub in ("bar", "hbar", "box", "hbox"):
        _chart(session, sub, rest)
    elif sub in _HANDLERS:
        _HANDLERS[sub](session, rest)
    # close, query and set change nothing the engine draws.


def _dir(session: Session, _text: str) -> None:
    for name in session.graphs.graphs:
        session.log.out(f"  {name}")


def _describe(session: Session, text: str) -> None:
    found = gallery.current(session, text.strip() or None)
    session.log.out(f"  {found.name}: {found.command}")


def _chart(session: Session, sub: str, text: str) -> None:
    args = _CHART.parse(text, session)
    request, rest = read_options(session, args.rest_options)
    ignored: list[str] = []
    chart = categorical.Chart(kind=sub.removeprefix("h"), horizontal=sub.startswith("h"),
                              series=categorical.yvars(session, args.anything),
                              rows=args.touse(session))
    if args.weight is not None:
        chart.weight = (args.weight[0], Evaluator(session).numeric(args.weight[1]))
    for name, arg in rest:
        word = opts.match(name, categorical.CATEGORY_WORDS)
        if word == "over" and arg is not None:
            chart.overs.append(categorical.over_request(session, arg))
        elif word in ("asyvars", "stack", "missing"):
            setattr(chart, word, True)
        elif word == "blabel" and arg and arg.split(",")[0].strip() in ("bar", "total"):
            chart.bar_labels = True
        else:
            ignored.append(f"{name}()" if arg is not None else name)
    if not chart.series and chart.kind == "box":
        raise StataError(100, "varlist required")
    built = categorical.build(session, chart, request, ignored)
    built.command = f"graph {sub} {text}"
    gallery.keep(session, built, request, ignored)


def _export(session: Session, text: str) -> None:
    args = _EXPORT.parse(text, session)
    width, height = args.opt("width"), args.opt("height")
    gallery.export(session, strip_quotes(args.anything.strip()), name=args.opt("name") or None,
                   fmt=args.opt("as") or None, replace=bool(args.opt("replace")),
                   width=width or None, height=height or None)


def _save(session: Session, text: str) -> None:
    args = _SAVE.parse(text, session)
    words = [strip_quotes(w) for w in textscan.split_top(args.anything)]
    if len(words) > 2 or not words:
        raise StataError(198, "graph save [graphname] filename")
    found = gallery.current(session, words[0] if len(words) == 2 else None)
    gallery.save(session, found, words[-1], replace=bool(args.opt("replace")))


def _use(session: Session, text: str) -> None:
    args = _USE.parse(text, session)
    loaded = gallery.load(session, strip_quotes(args.anything.strip()))
    request = GraphRequest(nodraw=bool(args.opt("nodraw")))
    head, tail = opts.head_and_tail(args.opt("name") or "")
    request.name = head.strip() or loaded.name
    request.replace = "replace" in tail.split() or request.name == loaded.name
    if args.opt("scheme"):
        loaded.scheme = args.opt("scheme")
    gallery.keep(session, loaded, request, [])


def _display(session: Session, text: str) -> None:
    args = _DISPLAY.parse(text, session)
    found = gallery.current(session, args.anything.strip() or None)
    shown = msgspec.structs.replace(
        found, scheme=args.opt("scheme") or found.scheme,
        xsize=args.opt("xsize") or found.xsize, ysize=args.opt("ysize") or found.ysize)
    gallery.show(session, shown)


def _combine(session: Session, text: str) -> None:
    args = _COMBINE.parse(text, session)
    parts = []
    for word in textscan.split_top(args.anything):
        name = strip_quotes(word)
        if name in session.graphs.graphs:
            parts.append(session.graphs.graphs[name])
        else:
            parts.append(gallery.load(session, name))
    request, rest = read_options(session, args.rest_options, "COLs ROWs")
    combined = Graph(family="combine", parts=parts,
                     scheme=session.settings.scheme, command=f"graph combine {text}")
    for name, arg in request.extra:
        if arg:
            count = int(opts.number(arg, name))
            combined.cols = count if name == "cols" else -(-len(parts) // count)
    gallery.publish(session, combined, request, [name for name, _ in rest])


def _drop(session: Session, text: str) -> None:
    memory = session.graphs
    wanted = text.split()
    if wanted == ["_all"]:
        memory.graphs.clear()
        memory.current = ""
        return
    for name in wanted:
        if name not in memory.graphs:
            raise StataError(111, f"graph {name} not found")
        del memory.graphs[name]
        if memory.current == name:
            memory.current = ""


def _rename(session: Session, text: str) -> None:
    words = text.replace(",", " ").split()
    memory = session.graphs
    if len(words) == 1:
        words = [memory.current, words[0]]
    if len(words) < 2:
        raise StataError(198, "graph rename [oldname] newname")
    old, new = words[0], words[1]
    if old not in memory.graphs:
        raise StataError(111, f"graph {old} not found")
    if new in memory.graphs and "replace" not in words[2:]:
        raise StataError(110, f"graph {new} already exists")
    moved = memory.graphs.pop(old)
    moved.name = new
    memory.graphs[new] = moved
    if memory.current == old:
        memory.current = new


#: The memory and file subcommands, by full name.
_HANDLERS: dict[str, Callable[[Session, str], None]] = {
    "export": _export, "save": _save, "use": _use, "display": _display, "combine": _combine,
    "drop": _drop, "dir": _dir, "rename": _rename, "describe": _describe}
