"""Drawing a :class:`Graph` with matplotlib, in the look of Stata's schemes (s2color by
default): titles above, the plot region with nice axis labels, the legend and notes below.

matplotlib is imported here only, and this module is imported only when a graph is drawn or
exported (``libs.engine.graphics.gallery``), so a do-file without graphs never loads it.
Figures are bare :class:`~matplotlib.figure.Figure` objects printed through Agg (no pyplot
state); PNG, SVG and PDF carry no timestamps, so drawing the same graph twice gives the same
bytes.
"""

from __future__ import annotations

import io
import math
from typing import Literal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import FixedLocator, FuncFormatter

from libs.engine.formats import format_number
from libs.engine.graphics import marks, schemes
from libs.engine.graphics.model import Axis, Graph, Panel
from libs.fonts import missing_glyphs_allowed, use_in_matplotlib

matplotlib.use("Agg")

#: Export formats by file suffix, as matplotlib names them.
FORMATS = {"png": "png", "svg": "svg", "pdf": "pdf", "eps": "eps", "ps": "ps", "tif": "tiff",
           "tiff": "tiff", "jpg": "jpeg", "jpeg": "jpeg"}
#: Pixels per inch of a PNG without width()/height(): Stata's 5.5 × 4 in graph is 825 × 600.
DPI = 150
_TITLE_PT, _SUBTITLE_PT, _TEXT_PT, _SMALL_PT = 13.0, 10.5, 9.0, 7.5
_INK = (0.0, 0.0, 0.0)
_GRID = (0.87, 0.89, 0.91)
_NO_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "Producer": None, "Creator": None},
                "eps": {"Creator": None}, "ps": {"Creator": None}}


def figure(graph: Graph) -> Figure:
    """The matplotlib figure of ``graph``."""
    use_in_matplotlib()
    fig = Figure(figsize=(graph.xsize, graph.ysize), layout="constrained")
    with missing_glyphs_allowed():
        _draw(fig, graph)
    return fig


def render(graph: Graph, fmt: str, *, width: int | None = None,
           height: int | None = None) -> bytes:
    """``graph`` as the bytes of a ``fmt`` file (a key of :data:`FORMATS`); ``width`` or
    ``height`` in pixels set the resolution of raster formats."""
    fig = figure(graph)
    dpi = float(DPI)
    if width is not None:
        dpi = width / graph.xsize
    elif height is not None:
        dpi = height / graph.ysize
    buffer = io.BytesIO()
    kind = FORMATS[fmt]
    with missing_glyphs_allowed():
        fig.savefig(buffer, format=kind, dpi=dpi, facecolor=fig.get_facecolor(),
                    metadata=_NO_METADATA.get(kind))
    return buffer.getvalue()


def _draw(fig: Figure | SubFigure, graph: Graph) -> None:
    scheme = schemes.scheme(graph.scheme)
    background = marks.colour(graph.graph_color or scheme.graph_color, (1.0, 1.0, 1.0))
    fig.set_facecolor(background)
    fig = _footer(fig, graph, background)
    _heading(fig, graph)
    if graph.family == "combine":
        _combine(fig, graph)
        return
    panels = graph.panels or [Panel()]
    cols = graph.cols or (1 if len(panels) == 1 else math.ceil(math.sqrt(len(panels))))
    rows = math.ceil(len(panels) / cols)
    grid = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    plot_colour = marks.colour(graph.plot_color or scheme.plot_color, (1.0, 1.0, 1.0))
    for index, ax in enumerate(grid.flat):
        if index >= len(panels):
            ax.set_visible(False)
            continue
        ax.set_facecolor(plot_colour)
        _panel(ax, panels[index], scheme)
        if len(panels) > 1:
            ax.set_title(panels[index].title, fontsize=_SMALL_PT + 0.5, pad=3,
                         backgroundcolor=marks.colour("bluishgray", _GRID))
    first = grid.flat[0]
    xs, ys = _extent(panels, "x"), _extent(panels, "y")
    horizontal = any(layer.horizontal for p in panels for layer in p.layers
                     if layer.kind in ("bar", "box"))
    _axis(first, graph.x, xs, "x", scheme)
    _axis(first, graph.y, ys, "y", scheme)
    if len(panels) > 1:
        fig.supxlabel(graph.x.title, fontsize=_TEXT_PT)
        fig.supylabel(graph.y.title, fontsize=_TEXT_PT)
    else:
        first.set_xlabel(graph.x.title, fontsize=_TEXT_PT)
        first.set_ylabel(graph.y.title, fontsize=_TEXT_PT)
    for ax in grid.flat[: len(panels)]:
        _grid_lines(ax, graph, scheme, horizontal)
    if graph.shows_legend():
        _legend(fig, graph, scheme)


def _heading(fig: Figure | SubFigure, graph: Graph) -> None:
    if graph.title or graph.subtitle:
        text = "\n".join(graph.title + graph.subtitle)
        fig.suptitle(text, fontsize=_TITLE_PT if graph.title else _SUBTITLE_PT, color=_INK)


def _footer(fig: Figure | SubFigure, graph: Graph, background: schemes.RGB
            ) -> Figure | SubFigure:
    """Put the note and caption in a strip along the bottom; return the region above it."""
    lines = graph.note + graph.caption
    if not lines:
        return fig
    share = min((0.17 * len(lines) + 0.12) / graph.ysize, 0.35)
    body, strip = fig.subfigures(2, 1, height_ratios=[1 - share, share], squeeze=False).flat
    for part in (body, strip):
        part.set_facecolor(background)
    strip.text(0.01, 0.5, "\n".join(lines), fontsize=_SMALL_PT, ha="left", va="center",
               color=_INK)
    result: Figure | SubFigure = body
    return result


def _panel(ax: Axes, panel: Panel, scheme: schemes.Scheme) -> None:
    for position, layer in enumerate(panel.layers, start=1):
        marks.draw(ax, layer, scheme, position)
    for line in panel.xlines:
        marks.reference(ax, line, True, scheme)
    for line in panel.ylines:
        marks.reference(ax, line, False, scheme)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=_SMALL_PT + 0.5, length=3, color=_INK)


def _extent(panels: list[Panel], which: str) -> tuple[float, float] | None:
    """The data range of every layer along ``which`` (bars and areas include their base)."""
    values: list[float] = []
    for panel in panels:
        for layer in panel.layers:
            flip = layer.horizontal and layer.kind not in ("scatter", "line", "connected")
            on_x = (which == "x") != flip
            if layer.kind == "box":
                half = (layer.bar_width or 0.5) / 2 + 0.25
                for box in layer.boxes:
                    values += ([box.position - half, box.position + half] if on_x
                               else [box.lower, box.upper, *box.outside])
                continue
            if on_x:
                values += layer.x
                if layer.bar_width and layer.kind in ("bar", "rbar") and layer.x:
                    values += [min(layer.x) - layer.bar_width / 2,
                               max(layer.x) + layer.bar_width / 2]
            else:
                values += layer.y + layer.y2
                if layer.kind in ("bar", "area", "spike", "dropline") and layer.y:
                    values.append(layer.base or 0.0)
    finite = [v for v in values if math.isfinite(v)]
    return (min(finite), max(finite)) if finite else None


def nice_ticks(lower: float, upper: float, count: int = 5) -> list[float]:
    """Stata-like axis labels: the smallest step of 1, 2 or 5 × 10ᵏ giving at most
    ``count`` intervals, from round(lower/step) to round(upper/step) steps."""
    if not (math.isfinite(lower) and math.isfinite(upper)):
        return []
    if upper == lower:
        return [lower]
    span = upper - lower
    exponent = math.floor(math.log10(span / max(count, 1)))
    for power in (exponent - 1, exponent, exponent + 1, exponent + 2):
        for mantissa in (1, 2, 5):
            step = mantissa * 10.0**power
            if span / step <= count:
                first, last = round(lower / step), round(upper / step)
                return [round(k * step, 12) for k in range(first, last + 1)]
    return [lower, upper]


def _axis(ax: Axes, spec: Axis, extent: tuple[float, float] | None, which: str,
          scheme: schemes.Scheme) -> None:
    """Limits, label positions, texts and angle of one axis (shared by every panel)."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    if spec.off:
        axis.set_visible(False)
    if spec.log:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    lower, upper = extent if extent is not None else (0.0, 1.0)
    if spec.ticks is not None:
        ticks = list(spec.ticks)
    elif spec.log:
        ticks = []
    else:
        ticks = nice_ticks(lower, upper, spec.count or 5)
    bounds = [lower, upper, *ticks]
    if spec.lower is not None:
        bounds.append(spec.lower)
    if spec.upper is not None:
        bounds.append(spec.upper)
    low, high = min(bounds), max(bounds)
    pad = (high - low) * 0.03 if high > low else 0.5
    limits = (low - pad, high + pad) if not spec.log else (low, high)
    if spec.reverse:
        limits = (limits[1], limits[0])
    (ax.set_xlim if which == "x" else ax.set_ylim)(*limits)
    if ticks:
        axis.set_major_locator(FixedLocator(ticks))
        texts = dict(zip(ticks, spec.tick_labels, strict=False)) if spec.tick_labels else {}
        fmt = spec.format or "%9.0g"
        axis.set_major_formatter(FuncFormatter(
            lambda value, _pos: texts.get(value) or format_number(value, fmt).strip()))
    angle = spec.angle if spec.angle is not None else (
        scheme.ylabel_angle if which == "y" else 0.0)
    for label in axis.get_ticklabels():
        label.set_rotation(angle)
        if which == "y" and angle == 90:
            label.set_verticalalignment("center")
        if which == "x" and 0 < angle < 90:
            label.set_horizontalalignment("right")


def _grid_lines(ax: Axes, graph: Graph, scheme: schemes.Scheme, horizontal: bool) -> None:
    ygrid = graph.y.grid if graph.y.grid is not None else scheme.ygrid and not horizontal
    xgrid = graph.x.grid if graph.x.grid is not None else scheme.ygrid and horizontal
    ax.set_axisbelow(True)
    if ygrid:
        ax.yaxis.grid(True, color=_GRID, linewidth=0.8)
    if xgrid:
        ax.xaxis.grid(True, color=_GRID, linewidth=0.8)


def _legend(fig: Figure | SubFigure, graph: Graph, scheme: schemes.Scheme) -> None:
    keyed = graph.keys()
    layers = graph.panels[0].layers
    positions = {id(layer): index for index, layer in enumerate(layers, start=1)}
    order = graph.legend.order or list(range(1, len(keyed) + 1))
    handles, texts = [], []
    for number in order:
        if not 1 <= number <= len(keyed):
            continue
        layer = keyed[number - 1]
        handles.append(marks.key(layer, scheme, positions[id(layer)]))
        texts.append(graph.legend.labels.get(number, layer.label))
    if not handles:
        return
    cols = graph.legend.cols or (math.ceil(len(handles) / graph.legend.rows)
                                 if graph.legend.rows else min(2, len(handles)))
    where = _LEGEND_PLACES.get(graph.legend.position or 6, "outside lower center")
    fig.legend(handles, texts, loc=where, ncols=max(cols, 1), fontsize=_SMALL_PT + 0.5,
               frameon=True, edgecolor=_INK, fancybox=False, facecolor=(1.0, 1.0, 1.0))


#: Where the legend goes by clock position (Stata's position()); 6, below, by default.
_LEGEND_PLACES: dict[int, Literal["outside upper center", "outside right center",
                                  "outside left center", "outside upper right",
                                  "outside upper left", "outside lower center"]] = {
    12: "outside upper center", 3: "outside right center", 9: "outside left center",
    1: "outside upper right", 11: "outside upper left"}


def _combine(fig: Figure | SubFigure, graph: Graph) -> None:
    parts = graph.parts
    cols = graph.cols or math.ceil(math.sqrt(len(parts)))
    rows = math.ceil(len(parts) / cols)
    subs = fig.subfigures(rows, cols, squeeze=False)
    for index, sub in enumerate(subs.flat):
        if index < len(parts):
            _draw(sub, parts[index])
        else:
            sub.set_facecolor(fig.get_facecolor())
