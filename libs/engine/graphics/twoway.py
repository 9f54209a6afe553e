"""``twoway``: reading the command line and building the graph.

Grammar (Stata's [G-2] graph twoway)::

    twoway (plot) (plot) ... [if] [in] [, twoway_options]
    twoway plot || plot || ... [|| , twoway_options]
    plot := plottype varlist [if] [in] [weight] [, options]
          | function [y =] exp [if] [in] [, options]

``if``/``in`` after the parenthesised plots apply to every plot. Graph-wide options (titles,
axes, legend, ``by()``, ``name()`` ...) may be given with any plot; the rightmost wins.
"""

from __future__ import annotations

import re

import numpy as np

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.graphics import options as opts
from libs.engine.graphics.data import Mask, by_groups, by_note, title_of
from libs.engine.graphics.decor import GRAPH_WORDS, GraphRequest, decorate
from libs.engine.graphics.gallery import keep
from libs.engine.graphics.model import Graph, Panel
from libs.engine.graphics.plots import layers
from libs.engine.graphics.request import PLOT_TYPES, PlotRequest, read_plot_options
from libs.engine.session import Session
from libs.engine.syntax import Spec

_PLOT = Spec("varlist(numeric) [if] [in] [fweight aweight pweight iweight] [, *]")
_TAIL = Spec("[if] [in] [, *]")
#: Up to this many distinct y labels make the y title ("Price/Fitted values"); more leave
#: it to the legend.
_JOINED_TITLES = 3
_FUNCTION = re.compile(r"^(?:(?P<lhs>[A-Za-z_]\w*)\s*=(?!=))?\s*(?P<exp>.*)$", re.DOTALL)


def split_bars(text: str) -> list[str]:
    """Split at top-level ``||``."""
    flags = textscan.top_level(text)
    parts, start, i = [], 0, 0
    while i < len(text) - 1:
        if text[i : i + 2] == "||" and flags[i] and flags[i + 1]:
            parts.append(text[start:i])
            start = i = i + 2
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _groups(segment: str) -> tuple[list[str], str]:
    """``(a) (b) if x, o`` → (["a", "b"], "if x, o"); a bare plot is one group; a segment
    that starts with a comma holds options only."""
    text = segment.strip()
    if text.startswith(","):
        return [], text
    if not text.startswith("("):
        return ([text] if text else []), ""
    found = []
    while text.startswith("("):
        end = _closing(text)
        found.append(text[1:end])
        text = text[end + 1 :].strip()
    return found, text


def _closing(text: str) -> int:
    """Index of the parenthesis closing the one ``text`` starts with (quotes respected)."""
    depth, compound, quoted, i = 0, 0, False, 0
    while i < len(text):
        pair = text[i : i + 2]
        if not quoted and pair == '`"':
            compound, i = compound + 1, i + 2
            continue
        if compound and pair == "\"'":
            compound, i = compound - 1, i + 2
            continue
        ch = text[i]
        if not compound and ch == '"':
            quoted = not quoted
        elif not compound and not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
            if depth == 0:
                return i
        i += 1
    raise StataError(198, "unmatched parenthesis in twoway")


def parse(session: Session, text: str, graph: GraphRequest,
          ignored: list[str]) -> list[PlotRequest]:
    """The plots of a twoway command line; graph-wide options go into ``graph``."""
    plots: list[tuple[str, Mask | None]] = []
    everywhere = np.ones(session.data.n, dtype=np.bool_)
    for segment in split_bars(text):
        found, tail = _groups(segment)
        plots += [(plot, None) for plot in found]
        if tail.strip():
            args = _TAIL.parse(tail, session)
            everywhere &= args.touse(session)
            _sort_options(session, args.rest_options, graph, None, ignored)
    requests = []
    style_index = 1
    for text_of_plot, _ in plots:
        request = _plot(session, text_of_plot, graph, ignored)
        request.style_index = style_index
        style_index += max(len(request.varnames) - 1, 1) if request.kind in (
            "scatter", "line", "connected", "area", "bar", "spike", "dropline") else 1
        requests.append(request)
    if not requests:
        raise StataError(198, "twoway: no plot specified")
    for request in requests:
        request.rows = request.rows & everywhere
    return requests


def _plot(session: Session, text: str, graph: GraphRequest, ignored: list[str]) -> PlotRequest:
    word, _, rest = text.strip().partition(" ")
    kind = opts.match(word.split(",")[0], PLOT_TYPES)
    if kind is None:
        raise StataError(198, f"{word} is not a twoway plot type")
    if kind == "function":
        comma = textscan.find_top(rest, ",")
        body, options = (rest, "") if comma < 0 else (rest[:comma], rest[comma:])
        args = _TAIL.parse(options, session)
        for word in ("if", "in"):
            pos = textscan.find_word(body, word)
            if pos >= 0:
                _TAIL.parse(body[pos:], session)
                body = body[:pos]
        m = _FUNCTION.match(body.strip())
        if m is None or not m.group("exp").strip():
            raise StataError(198, "function: an expression in x is required")
        request = PlotRequest(kind=kind, varnames=[], rows=np.ones(session.data.n, bool),
                              expression=m.group("exp").strip(), lhs=m.group("lhs") or "")
    else:
        args = _PLOT.parse(rest, session)
        request = PlotRequest(kind=kind, varnames=args.varlist, rows=args.touse(session),
                              weight=args.weight)
    _sort_options(session, args.rest_options, graph, request, ignored)
    return request


def _sort_options(session: Session, text: str, graph: GraphRequest,
                  request: PlotRequest | None, ignored: list[str]) -> None:
    """Graph-wide options to ``graph``; the rest are the plot's (or ignored)."""
    collected = opts.collect(text, GRAPH_WORDS)
    graph.read(session, collected.known)
    rest = opts.as_text(collected.rest)
    if request is not None:
        read_plot_options(request, rest, ignored)
    elif rest:
        ignored += [name for name, _ in collected.rest]


def build(session: Session, requests: list[PlotRequest], graph: GraphRequest,
          ignored: list[str]) -> Graph:
    """The graph of ``requests``: one panel, or one per ``by()`` group."""
    rows = np.zeros(session.data.n, dtype=np.bool_)
    for request in requests:
        rows |= request.rows
    groups = [("", rows)] if graph.by is None else by_groups(session, graph.by, rows)
    if not groups:
        raise StataError(2000, "no observations")
    panels = []
    for title, group in groups:
        panel = Panel(title=title)
        for request in requests:
            panel.layers += layers(session, request, request.rows & group)
        panels.append(panel)
    if not any(layer.x for panel in panels for layer in panel.layers):
        raise StataError(2000, "no observations")
    result = Graph(panels=panels, scheme=graph.scheme or session.settings.scheme)
    _default_titles(session, result, requests)
    if graph.by is not None:
        result.note = [by_note(session, graph.by)]
        result.cols = graph.by.cols
    decorate(result, graph.decor, ignored)
    return result


def _default_titles(session: Session, graph: Graph, requests: list[PlotRequest]) -> None:
    """x title: the first plot's x variable; y title: the keyed layers' labels joined by
    "/" (Stata's "Price/Fitted values"), unless there are many."""
    first = requests[0]
    if first.kind == "function":
        graph.x.title = "x"
    elif first.kind in ("histogram", "kdensity"):
        graph.x.title = title_of(session, first.varnames[0])
    elif first.varnames:
        graph.x.title = title_of(session, first.varnames[-1])
    labels = list(dict.fromkeys(layer.label for layer in graph.panels[0].layers
                                if layer.keyed and layer.label))
    graph.y.title = "/".join(labels) if len(labels) <= _JOINED_TITLES else ""
    if first.kind in ("histogram", "kdensity") and len(requests) == 1:
        graph.y.title = "Density" if first.kind == "kdensity" else labels[0]


def draw(session: Session, text: str, command_line: str) -> Graph:
    """Run a twoway command line: build its graph and keep (and draw) it."""
    request = GraphRequest()
    ignored: list[str] = []
    plots = parse(session, text, request, ignored)
    graph = build(session, plots, request, ignored)
    graph.command = command_line
    keep(session, graph, request, ignored)
    return graph
