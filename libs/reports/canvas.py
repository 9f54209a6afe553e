"""Where the charts are drawn: a figure and Agg renderers kept from one chart to the next.

A fresh ``Figure(...).subplots()`` costs ~9 ms (the Axes builds its spines, axes, ticks and
their text), and its first layout ~7 ms more making tick objects; a fresh Agg renderer
measures every tick label and axis label again (matplotlib caches text metrics per renderer
only). Reports draw one coefficient plot per job, so a renderer process drawing job after
job repeats all of it. Here each thread keeps:

- one figure with one Axes for the coefficient plot, emptied before each chart: the artists
  the chart added removed; limits, subplot parameters, size and dpi set back to what a
  fresh figure has, and its data limits replaced by the next artist's (as ``Axes.clear``
  does). tests/reports/test_charts.py checks the PNGs are byte-identical to a fresh
  figure's, chart after chart;
- Agg renderers by pixel size and dpi (a few), shared by every figure it draws, so the
  text metrics of the labels and tick values met before are looked up, not measured.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

#: Renderers a thread keeps (one per figure height and dpi met recently; ~0.5-2 MB each).
MAX_RENDERERS = 8


class _Kept(threading.local):
    """What one thread keeps between charts."""

    def __init__(self) -> None:
        self.figure: Figure | None = None
        self.renderers: OrderedDict[tuple[int, int, float], RendererAgg] = OrderedDict()


_kept = _Kept()


class Canvas(FigureCanvasAgg):
    """An Agg canvas whose renderers come from the thread's kept ones."""

    def get_renderer(self) -> RendererAgg:
        """The thread's renderer for this figure's pixel size and dpi (made if new)."""
        width, height = self.get_width_height(physical=True)
        key = (width, height, float(self.figure.dpi))
        renderer = _kept.renderers.get(key)
        if renderer is None:
            renderer = RendererAgg(width, height, self.figure.dpi)  # type: ignore[no-untyped-call]
            _kept.renderers[key] = renderer
            while len(_kept.renderers) > MAX_RENDERERS:
                _kept.renderers.popitem(last=False)
        else:
            _kept.renderers.move_to_end(key)
        self.renderer = renderer
        return renderer


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A new figure of ``width`` × ``height`` inches with one Axes, drawn on a ``Canvas``."""
    figure = Figure(figsize=(width, height))
    Canvas(figure)
    return figure, figure.subplots()


def reused_figure(width: float, height: float) -> tuple[Figure, Axes]:
    """This thread's kept figure with its one Axes, emptied and sized ``width`` × ``height``
    inches: as :func:`new_figure` makes it, for a chart that only adds lines, collections,
    containers and a legend, and sets ticks, labels and grid (the coefficient plot)."""
    figure = _kept.figure
    if figure is None:
        figure, axes = new_figure(width, height)
        _kept.figure = figure
        return figure, axes
    (axes,) = figure.axes
    for container in list(axes.containers):
        container.remove()
    for artist in [*axes.lines, *axes.collections, *axes.patches, *axes.texts, *axes.images]:
        artist.remove()
    if axes.legend_ is not None:
        axes.legend_.remove()
    axes.ignore_existing_data_limits = True
    axes.set_xlim(0.0, 1.0, auto=True)
    axes.set_ylim(0.0, 1.0, auto=True)
    figure.set_layout_engine(None)
    figure.set_dpi(matplotlib.rcParams["figure.dpi"])
    figure.set_size_inches(width, height)
    rc = matplotlib.rcParams
    figure.subplots_adjust(
        left=rc["figure.subplot.left"], right=rc["figure.subplot.right"],
        bottom=rc["figure.subplot.bottom"], top=rc["figure.subplot.top"],
        wspace=rc["figure.subplot.wspace"], hspace=rc["figure.subplot.hspace"])
    return figure, axes
