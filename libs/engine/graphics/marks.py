"""Drawing one layer on matplotlib axes: its style resolved against the scheme, then the
marks of its kind (markers, lines, areas, bars, spikes, caps, boxes). Imported only by
:mod:`libs.engine.graphics.draw`, which loads matplotlib lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from libs.engine.graphics import schemes
from libs.engine.graphics.model import Layer, RefLine, Style
from libs.engine.graphics.schemes import RGB, Scheme

_MONO_SYMBOLS = ("O", "D", "T", "S", "Oh", "Dh", "Th", "Sh")
_MONO_PATTERNS = ("solid", "dash", "shortdash", "dash_dot", "longdash", "dot")
_DEFAULT_MARKER_SIZE = 5.0
_DEFAULT_LINE_WIDTH = 1.3
#: Layer kinds drawn with a marker by default.
_MARKED = frozenset({"scatter", "connected", "rscatter", "rconnected", "dropline"})
_FILLED = frozenset({"area", "bar", "rarea", "rbar", "box"})


@dataclass(frozen=True)
class Look:
    """A layer's resolved appearance."""

    marker: str
    filled: bool
    marker_size: float
    marker_color: RGB
    line_color: RGB
    fill_color: RGB
    line_style: Any
    line_width: float
    alpha: float


def colour(text: str, fallback: RGB) -> RGB:
    """A Stata colour (or one matplotlib knows) as RGB; ``fallback`` when neither does."""
    if not text:
        return fallback
    found = schemes.rgb(text)
    if found is not None:
        return found
    try:
        r, g, b = to_rgb(text.strip().strip('"'))
    except ValueError:
        return fallback
    return (r, g, b)


def look(style: Style, scheme: Scheme, position: int) -> Look:
    """Resolve ``style`` for the layer drawn with plot style p``position``."""
    index = (style.pstyle or position) - 1
    base = colour(scheme.palette[index % len(scheme.palette)], (0.1, 0.28, 0.44))
    given = colour(style.color, base) if style.color else base
    symbol = style.msymbol or (_MONO_SYMBOLS[index % len(_MONO_SYMBOLS)] if scheme.mono else "O")
    found = schemes.marker(symbol) or ("o", True, 1.0)
    pattern = style.lpattern or (_MONO_PATTERNS[index % len(_MONO_PATTERNS)]
                                 if scheme.mono else "solid")
    size = schemes.marker_size(style.msize) if style.msize else None
    width = schemes.line_width(style.lwidth) if style.lwidth else None
    fill = colour(style.fcolor, given)
    alpha = schemes.opacity(style.fcolor or style.color) if (style.fcolor or style.color) else 1
    return Look(
        marker=found[0], filled=found[1],
        marker_size=(size if size is not None else _DEFAULT_MARKER_SIZE) * found[2],
        marker_color=colour(style.mcolor, given), line_color=colour(style.lcolor, given),
        fill_color=fill, line_style=schemes.line_pattern(pattern) or "-",
        line_width=width if width is not None else _DEFAULT_LINE_WIDTH, alpha=alpha)


def draw(ax: Axes, layer: Layer, scheme: Scheme, position: int) -> None:
    """Draw ``layer`` on ``ax``."""
    lk = look(layer.style, scheme, position)
    x, y, y2 = (np.asarray(v, dtype=np.float64) for v in (layer.x, layer.y, layer.y2))
    kind = layer.kind
    if kind == "box":
        _boxes(ax, layer, lk)
        return
    if kind in ("scatter", "line", "connected"):
        _line(ax, x, y, lk, marker=kind != "line", line=kind != "scatter")
    elif kind == "area":
        _fill(ax, x, np.full(x.size, layer.base or 0.0), y, lk, layer.horizontal)
    elif kind == "rarea":
        _fill(ax, x, y, y2, lk, layer.horizontal)
    elif kind in ("bar", "rbar"):
        _bars(ax, x, y, y2 if kind == "rbar" else None, layer, lk)
    elif kind in ("spike", "dropline"):
        _spikes(ax, x, np.full(x.size, layer.base or 0.0), y, lk, layer.horizontal,
                marker=kind == "dropline")
    elif kind in ("rspike", "rcap"):
        _spikes(ax, x, y, y2, lk, layer.horizontal, marker=False, caps=kind == "rcap")
    elif kind in ("rline", "rconnected", "rscatter"):
        for ends in (y, y2):
            _line(ax, x, ends, lk, marker=kind != "rline", line=kind != "rscatter")
    if layer.marker_labels:
        at = zip(y, x, strict=True) if layer.horizontal else zip(x, y, strict=True)
        for (xi, yi), text in list(zip(at, layer.marker_labels, strict=False))[:2000]:
            ax.annotate(text, (xi, yi), xytext=(3, 2), textcoords="offset points",
                        fontsize=6.5, color=(0.0, 0.0, 0.0) if kind == "bar" else
                        lk.marker_color)


def key(layer: Layer, scheme: Scheme, position: int) -> Any:
    """A legend handle that looks like ``layer``."""
    lk = look(layer.style, scheme, position)
    if layer.kind in _FILLED:
        edge = lk.line_color if layer.style.lcolor else _darker(lk.fill_color)
        return Patch(facecolor=lk.fill_color, edgecolor=edge, alpha=lk.alpha)
    marked = layer.kind in _MARKED
    return Line2D([], [], color=lk.line_color,
                  linestyle=lk.line_style if layer.kind not in ("scatter", "rscatter") else "None",
                  linewidth=lk.line_width, marker=lk.marker if marked else "",
                  markersize=lk.marker_size, markerfacecolor=lk.marker_color if lk.filled
                  else "none", markeredgecolor=lk.marker_color)


def reference(ax: Axes, line: RefLine, vertical: bool, scheme: Scheme) -> None:
    """An ``xline()``/``yline()``."""
    style = line.style
    colour_ = colour(style.lcolor, (0.35, 0.35, 0.35))
    width = schemes.line_width(style.lwidth) if style.lwidth else 0.9
    pattern = schemes.line_pattern(style.lpattern) if style.lpattern else "-"
    draw_line = ax.axvline if vertical else ax.axhline
    draw_line(line.value, color=colour_, linewidth=width, linestyle=pattern, zorder=1.5)


def _line(ax: Axes, x: Any, y: Any, lk: Look, *, marker: bool, line: bool) -> None:
    ax.plot(x, y, linestyle=lk.line_style if line else "None",
            linewidth=lk.line_width, color=lk.line_color if line else lk.marker_color,
            marker=lk.marker if marker and lk.marker else "", markersize=lk.marker_size,
            markerfacecolor=lk.marker_color if lk.filled else "none",
            markeredgecolor=lk.marker_color, markeredgewidth=0.8, alpha=lk.alpha, zorder=3)


def _fill(ax: Axes, x: Any, lower: Any, upper: Any, lk: Look, horizontal: bool) -> None:
    if horizontal:
        ax.fill_betweenx(x, lower, upper, color=lk.fill_color, alpha=lk.alpha, linewidth=0,
                         zorder=2)
    else:
        ax.fill_between(x, lower, upper, color=lk.fill_color, alpha=lk.alpha, linewidth=0,
                        zorder=2)


def _bars(ax: Axes, x: Any, y: Any, y2: Any, layer: Layer, lk: Look) -> None:
    width = layer.bar_width if layer.bar_width is not None else 1.0
    bottom = y if y2 is not None else np.full(len(x), layer.base or 0.0)
    top = y2 if y2 is not None else y
    edge = lk.line_color if layer.style.lcolor else _darker(lk.fill_color)
    if layer.horizontal:
        ax.barh(x, top - bottom, height=width, left=bottom, color=lk.fill_color,
                edgecolor=edge, linewidth=0.6, alpha=lk.alpha, zorder=2)
    else:
        ax.bar(x, top - bottom, width=width, bottom=bottom, color=lk.fill_color,
               edgecolor=edge, linewidth=0.6, alpha=lk.alpha, zorder=2)


def _spikes(ax: Axes, x: Any, lower: Any, upper: Any, lk: Look, horizontal: bool, *,
            marker: bool, caps: bool = False) -> None:
    lines = ax.hlines if horizontal else ax.vlines
    lines(x, lower, upper, colors=[lk.line_color], linewidths=lk.line_width,
          linestyles=lk.line_style, zorder=2.5)
    if caps and len(x):
        span = float(np.ptp(x)) if len(x) > 1 else 1.0
        half = max(span, 1e-12) * 0.012
        ends = ax.vlines if horizontal else ax.hlines
        for edge in (lower, upper):
            ends(edge, np.asarray(x) - half, np.asarray(x) + half, colors=[lk.line_color],
                 linewidths=lk.line_width, zorder=2.5)
    if marker:
        points = (upper, x) if horizontal else (x, upper)
        _line(ax, *points, lk, marker=True, line=False)


def _boxes(ax: Axes, layer: Layer, lk: Look) -> None:
    stats = [{"med": b.median, "q1": b.q1, "q3": b.q3, "whislo": b.lower, "whishi": b.upper,
              "fliers": b.outside} for b in layer.boxes]
    ax.bxp(stats, positions=[b.position for b in layer.boxes],
           widths=layer.bar_width or 0.5, orientation="horizontal" if layer.horizontal
           else "vertical", patch_artist=True, showfliers=True, manage_ticks=False,
           boxprops={"facecolor": lk.fill_color, "edgecolor": _darker(lk.fill_color)},
           medianprops={"color": (1.0, 1.0, 1.0), "linewidth": 1.4},
           whiskerprops={"color": lk.line_color}, capprops={"color": lk.line_color},
           flierprops={"marker": "o", "markerfacecolor": "none",
                       "markeredgecolor": lk.marker_color, "markersize": 4})


def _darker(rgb: RGB) -> RGB:
    r, g, b = rgb
    return (r * 0.6, g * 0.6, b * 0.6)
