"""Charts: a coefficient plot for the models, a bar chart for a frequency table, a histogram
for a single numeric column. Drawn on bare matplotlib ``Figure`` objects, which print
through Agg and share no pyplot state; the coefficient plot's figure and the renderers are
kept from one chart to the next (libs/reports/canvas.py).

Each chart is PNG bytes; the docx, pdf and html embed them and the ``png`` format writes
them to ``charts/<name>.png``. Drawing is deterministic (no timestamps in the PNG), so a
re-render writes the same bytes.
"""

from __future__ import annotations

import io
import weakref

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from PIL import Image

from libs.fonts import missing_glyphs_allowed, use_in_matplotlib
from libs.reports.bundle import Model, ResultBundle, Table
from libs.reports.canvas import Canvas, new_figure, reused_figure
from libs.reports.figures import Chart
from libs.reports.regtable import term_rows

#: Columns of a frequency table besides its category column (case-insensitive).
COUNT_COLUMNS = frozenset({"freq", "frequency", "count", "n", "percent", "share", "cum",
                           "cumulative", "cum_percent"})

#: Categories a bar chart shows at most; more would be unreadable.
MAX_BARS = 40

_DPI = 150
_COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c")

_cache: weakref.WeakKeyDictionary[ResultBundle, tuple[Chart, ...]] = (
    weakref.WeakKeyDictionary())


def charts(bundle: ResultBundle) -> tuple[Chart, ...]:
    """All charts of ``bundle`` (drawn once per bundle whatever the number of formats), then
    its figures."""
    drawn = _cache.get(bundle)
    if drawn is None:
        drawn = tuple(_draw_all(bundle))
        _cache[bundle] = drawn
    return drawn + bundle.figures


def chart_for_table(bundle: ResultBundle, table: Table) -> Chart | None:
    """The chart drawn from ``table``, if any."""
    return next((c for c in charts(bundle) if c.name == table.name), None)


def coefficient_chart(bundle: ResultBundle) -> Chart | None:
    """The coefficient plot, if the bundle has models."""
    return next((c for c in charts(bundle) if c.name == "coefplot"), None)


def _draw_all(bundle: ResultBundle) -> list[Chart]:
    with missing_glyphs_allowed():
        return _draw(bundle)


def _draw(bundle: ResultBundle) -> list[Chart]:
    use_in_matplotlib()
    drawn: list[Chart] = []
    if bundle.models:
        figure = _coefficient_plot(bundle.models)
        if figure is not None:
            drawn.append(Chart("coefplot", "Coefficients with confidence intervals",
                               _png(figure)))
    for table in bundle.tables:
        if table.kind not in ("table", "dataset"):
            continue
        figure = _distribution(table)
        if figure is not None:
            drawn.append(Chart(table.name, table.title, _png(figure)))
    return drawn


def _coefficient_plot(models: tuple[Model, ...]) -> Figure | None:
    rows = [row for row in term_rows(models) if not row.term.endswith("_cons")]
    if not rows:
        return None
    figure, axes = reused_figure(
        7.0, 1.2 + 0.42 * len(rows) * max(1, min(len(models), 3) / 2))
    step = 0.7 / max(len(models), 1)
    for index, model in enumerate(models):
        terms = {c.term: c for c in model.coefficients if not c.omitted}
        offset = ((len(models) - 1) / 2 - index) * step  # model (1) on top, as in the legend
        ys, xs, lows, highs = [], [], [], []
        for position, row in enumerate(rows):
            coef = terms.get(row.term)
            if coef is None:
                continue
            ys.append(len(rows) - 1 - position + offset)
            xs.append(coef.coef)
            lows.append(coef.coef - coef.ci_lo if coef.ci_lo is not None else 0.0)
            highs.append(coef.ci_hi - coef.coef if coef.ci_hi is not None else 0.0)
        colour = _COLOURS[index % len(_COLOURS)]
        axes.errorbar(xs, ys, xerr=[lows, highs], fmt="o", color=colour, capsize=3,
                      markersize=4, linewidth=1.2, label=f"({index + 1}) {model.title}")
    axes.axvline(0.0, color="#808080", linewidth=0.8, linestyle="--")
    axes.set_yticks(range(len(rows)), [row.label for row in reversed(rows)])
    axes.set_xlabel("Coefficient and confidence interval")
    if len(models) > 1:
        axes.legend(loc="best", fontsize="small", frameon=False)
    _tidy(axes)
    return figure


def _distribution(table: Table) -> Figure | None:
    frame = table.frame
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c].dtype)]
    counts = [c for c in numeric if str(c).lower() in COUNT_COLUMNS]
    # A frequency table: one category column, the rest counts or shares (tab's layout).
    if len(frame.columns) >= 2 and counts == list(frame.columns[1:]) and (
            0 < len(frame) <= MAX_BARS):
        category = frame.columns[0]
        figure, axes = new_figure(7.0, 3.6)
        labels = [str(v) for v in frame[category].tolist()]
        axes.bar(labels, frame[counts[0]].tolist(), color=_COLOURS[0])
        axes.set_xlabel(str(category))
        axes.set_ylabel(str(counts[0]))
        if len(labels) > 8:
            axes.tick_params(axis="x", labelrotation=45)
    elif len(frame.columns) == 1 and numeric and frame[numeric[0]].notna().sum() >= 10:
        figure, axes = new_figure(7.0, 3.6)
        axes.hist(frame[numeric[0]].dropna().to_numpy(), bins="auto", color=_COLOURS[0])
        axes.set_xlabel(str(numeric[0]))
        axes.set_ylabel("Frequency")
    else:
        return None
    axes.set_title(table.title)
    _tidy(axes)
    return figure


def _tidy(axes: matplotlib.axes.Axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    axes.set_axisbelow(True)


def _png(figure: Figure) -> bytes:
    """The figure drawn by Agg at _DPI as an RGB PNG: the pixels ``savefig`` gives (the
    layout is fitted at the figure's own dpi first, as ``savefig`` does), without its
    overhead, and without the alpha channel, which is opaque everywhere on these white
    figures and which the PDF would otherwise split into a soft mask."""
    canvas = figure.canvas
    assert isinstance(canvas, Canvas)
    figure.tight_layout()
    figure.set_dpi(_DPI)
    canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib leaves it unannotated
    buffer = io.BytesIO()
    # PIL writes no date or software metadata: a re-render gives the same bytes.
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(  # type: ignore[no-untyped-call]
        buffer, format="png", dpi=(_DPI, _DPI))
    return buffer.getvalue()
