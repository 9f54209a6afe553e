"""Twoway graphs: ``twoway``, ``scatter``, ``line`` and ``histogram`` (libs/engine/graphics)."""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.formats import format_number
from libs.engine.graphics import options as opts
from libs.engine.graphics.decor import read_options
from libs.engine.graphics.density import bins_of
from libs.engine.graphics.gallery import keep
from libs.engine.graphics.request import PlotRequest, read_plot_options
from libs.engine.graphics.twoway import build, draw
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats.errors import StatsError


@command("twoway", abbrev=2, syntax=None)
def twoway(session: Session, args: Args) -> None:
    """``twoway plot [|| plot ...] [, options]`` and ``twoway (plot) (plot) ...``."""
    draw(session, args.raw, f"twoway {args.raw}")


@command("scatter", abbrev=2, syntax=None)
def scatter(session: Session, args: Args) -> None:
    """``scatter y [y ...] x [if] [in] [, options]`` (= ``twoway scatter``)."""
    draw(session, f"scatter {args.raw}", f"scatter {args.raw}")


@command("line", syntax=None)
def line(session: Session, args: Args) -> None:
    """``line y [y ...] x [if] [in] [, options]`` (= ``twoway line``)."""
    draw(session, f"line {args.raw}", f"line {args.raw}")


_HISTOGRAM = Spec("varname(numeric) [if] [in] [fweight] [, *]")


@command("histogram", abbrev=4, syntax=None)
def histogram(session: Session, args: Args) -> None:
    """``histogram x [if] [in] [fw] [, bin() width() start() discrete density fraction
    frequency percent normal kdensity by() twoway_options]``."""
    parsed = _HISTOGRAM.parse(args.raw, session)
    request = PlotRequest(kind="histogram", varnames=parsed.varlist,
                          rows=parsed.touse(session), weight=parsed.weight)
    graph_request, rest = read_options(session, parsed.rest_options)
    ignored: list[str] = []
    read_plot_options(request, opts.as_text(rest), ignored)
    x = session.data.numeric(parsed.varlist[0])
    weights = None
    if parsed.weight is not None:
        weights = (parsed.weight[0], Evaluator(session).numeric(parsed.weight[1]))
    try:
        spec = bins_of(request, x, request.rows & np.isfinite(x), weights)
    except StatsError as err:
        raise StataError(err.code, err.message) from err
    start, width = _shown(spec.start), _shown(spec.width)
    if "discrete" in request.options:
        session.log.out(f"(start={start}, width={width})")
    else:
        session.log.out(f"(bin={spec.count}, start={start}, width={width})")
    graph = build(session, [request], graph_request, ignored)
    if graph.legend.show is None:
        graph.legend.show = False
    graph.command = f"histogram {args.raw}"
    keep(session, graph, graph_request, ignored)


def _shown(value: float) -> str:
    """A number as ``display`` shows it."""
    return format_number(value, "%10.0g").strip()
