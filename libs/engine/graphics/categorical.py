"""``graph bar``/``graph hbar`` and ``graph box``/``graph hbox``: a statistic (or a box) of
each y variable in each category of the ``over()`` variables.

Statistics: mean (the default), median, p1–p99, sum, rawsum, count, percent, min, max, sd,
iqr; weights as ``collapse`` applies them. Categories are the ``over()`` combinations present,
in sorted order (missing values left out unless ``missing``). Boxes: median and quartiles by
Stata's percentile definition, whiskers to the adjacent values (the most extreme values within
1.5 IQR of the quartiles), the values beyond as points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.graphics import options as opts
from libs.engine.graphics.data import FloatArray, Mask, cells, names, numeric, title_of
from libs.engine.graphics.decor import GraphRequest, decorate
from libs.engine.graphics.model import Box, Graph, Layer, Panel, Style
from libs.engine.percentile import percentile
from libs.engine.session import Session

CATEGORY_WORDS = opts.words("OVER ASYvars STACK PERCENTages CW BLABel BARGap OUTERgap "
                            "MISSing noFILL YVAROPTions BAR BOX LINTensity MEDtype MEDLine "
                            "MEDMarker CWHiskers ALSize noOUTsides MARKer NOLABel LEGend")
_STATS = ("mean", "median", "sum", "rawsum", "count", "percent", "max", "min", "sd", "iqr")
_OVER_WORDS = opts.words("SORT DEScending RELabel LABel GAP TOTal AXis")


@dataclass
class Over:
    """One ``over(varname, sort() descending relabel())``."""

    name: str
    sort: str = ""
    descending: bool = False
    relabel: dict[int, str] = field(default_factory=dict)


def yvars(session: Session, text: str) -> list[tuple[str, str]]:
    """``(mean) price mpg (median) weight`` → [(mean, price), (mean, mpg), (median, weight)]."""
    stat = "mean"
    out: list[tuple[str, str]] = []
    for token in textscan.split_top(text):
        if token.startswith("("):
            stat = token.strip("() ").lower()
            if stat not in _STATS and not (stat[:1] == "p" and stat[1:].isdigit()
                                           and 1 <= int(stat[1:]) <= 99):
                raise StataError(198, f"({stat}) is not a statistic graph bar knows")
            continue
        out += [(stat, name) for name in names(session, token)]
    return out


def over_request(session: Session, value: str) -> Over:
    """Read ``over(varname [, sort() descending relabel(1 "a" ...)])``."""
    head, tail = opts.head_and_tail(value)
    found = names(session, head)
    if len(found) != 1:
        raise StataError(103 if found else 102, "over(): one variable expected")
    over = Over(found[0])
    for name, arg in opts.split(tail):
        word = opts.match(name, _OVER_WORDS)
        if word == "sort":
            over.sort = (arg or "").strip()
        elif word == "descending":
            over.descending = True
        elif word == "relabel" and arg:
            parts = textscan.split_top(arg)
            for number, text in zip(parts[::2], parts[1::2], strict=False):
                over.relabel[int(opts.number(number, "relabel"))] = opts.texts(text)[0]
    return over


def statistic(stat: str, x: FloatArray, w: FloatArray | None, kind: str, total: float) -> float:
    """One bar's height: ``stat`` of the non-missing values of ``x``."""
    keep = np.isfinite(x) if w is None else np.isfinite(x) & np.isfinite(w)
    x = x[keep]
    weights = None if w is None else w[keep]
    if stat in ("count", "percent"):
        count = float(weights.sum()) if weights is not None and kind == "fweight" else x.size
        return 100 * count / total if stat == "percent" else count
    if x.size == 0:
        return float("nan")
    if stat == "mean":
        return float(np.average(x, weights=weights))
    if stat in ("sum", "rawsum"):
        return float(x @ weights) if weights is not None and stat == "sum" else float(x.sum())
    if stat in ("max", "min"):
        return float(x.max() if stat == "max" else x.min())
    if stat == "sd":
        return float(np.std(x, ddof=1)) if x.size > 1 else float("nan")
    if stat == "iqr":
        return percentile(x, 75, weights) - percentile(x, 25, weights)
    level = 50.0 if stat == "median" else float(stat[1:])
    return percentile(x, level, weights)


def box(x: FloatArray, w: FloatArray | None, position: float) -> Box:
    """The box of ``x``: quartiles, median, adjacent values and outside values."""
    keep = np.isfinite(x)
    values = x[keep]
    weights = None if w is None else w[keep]
    q1, med, q3 = (percentile(values, p, weights) for p in (25, 50, 75))
    reach = 1.5 * (q3 - q1)
    inside = values[(values >= q1 - reach) & (values <= q3 + reach)]
    lower = float(inside.min()) if inside.size else q1
    upper = float(inside.max()) if inside.size else q3
    outside = values[(values < lower) | (values > upper)]
    return Box(position=position, q1=q1, median=med, q3=q3, lower=lower, upper=upper,
               outside=sorted(float(v) for v in outside))


def categories(session: Session, overs: list[Over], rows: Mask,
               missing: bool) -> list[tuple[str, Mask]]:
    """The ``over()`` cells present among ``rows``: (label, mask) in sorted order."""
    if not overs:
        return [("", rows)]
    found = cells(session, [o.name for o in overs], rows, missing=missing, joiner="\n")
    if overs[0].relabel and len(overs) == 1:
        found = [(overs[0].relabel.get(k, label), mask)
                 for k, (label, mask) in enumerate(found, start=1)]
    return found


@dataclass
class Chart:
    """A parsed ``graph bar|hbar|box|hbox`` command."""

    kind: str  #: bar or box
    horizontal: bool
    series: list[tuple[str, str]]  #: (stat, variable)
    rows: Mask
    weight: tuple[str, FloatArray] | None = None
    overs: list[Over] = field(default_factory=list)
    asyvars: bool = False
    stack: bool = False
    missing: bool = False
    bar_labels: bool = False


def build(session: Session, chart: Chart, request: GraphRequest, ignored: list[str]) -> Graph:
    """The bar or box chart of ``chart``."""
    overs = chart.overs
    series_overs = overs[:1] if chart.asyvars and overs else []
    cells = categories(session, overs[1:] if series_overs else overs, chart.rows, chart.missing)
    splits = (categories(session, series_overs, chart.rows, chart.missing) if series_overs
              else [("", chart.rows)])
    if not any(mask.any() for _, mask in cells):
        raise StataError(2000, "no observations")
    w = None if chart.weight is None else chart.weight[1]
    kind = "" if chart.weight is None else chart.weight[0]
    series = chart.series or [("percent", "")]
    keys = [(stat, var, split_label, split_mask) for stat, var in series
            for split_label, split_mask in splits]
    total = float(chart.rows.sum()) if w is None or kind != "fweight" else float(
        w[chart.rows].sum())
    width, gap = (1.0, 0.67) if not chart.stack else (1.0, 0.5)
    per = 1 if chart.stack or (chart.kind == "box" and len(keys) == 1) else len(keys)
    centres = [c * (per + gap) + (per - 1) / 2 for c in range(len(cells))]
    layers, bottoms = [], np.zeros(len(cells))
    for index, (stat, var, split_label, split_mask) in enumerate(keys):
        x = numeric(session, var) if var else np.ones(session.data.n)
        offset = 0.0 if per == 1 else index - (per - 1) / 2
        positions = [centre + offset for centre in centres]
        masks = [cell & split_mask for _, cell in cells]
        label = split_label or (f"{stat} of {var}" if var else "percent")
        style = Style(pstyle=index + 1)
        if chart.kind == "box":
            boxes = [box(x[m], None if w is None else w[m], p)
                     for m, p in zip(masks, positions, strict=True) if np.isfinite(x[m]).any()]
            layers.append(Layer(kind="box", boxes=boxes, label=split_label or title_of(
                session, var), style=style, horizontal=chart.horizontal, bar_width=0.6 * width))
            continue
        heights = np.array([statistic(stat, x[m], None if w is None else w[m], kind, total)
                            for m in masks])
        shown = [f"{h:.4g}" for h in heights] if chart.bar_labels else []
        if chart.stack:
            layers.append(Layer(kind="rbar", x=positions, y=bottoms.tolist(),
                                y2=(bottoms + np.nan_to_num(heights)).tolist(), label=label,
                                style=style, horizontal=chart.horizontal, bar_width=width))
            bottoms = bottoms + np.nan_to_num(heights)
        else:
            layers.append(Layer(kind="bar", x=positions, y=heights.tolist(), label=label,
                                style=style, horizontal=chart.horizontal, bar_width=width * 0.95,
                                base=0.0, marker_labels=shown))
    graph = Graph(family=chart.kind, panels=[Panel(layers=layers)],
                  scheme=request.scheme or session.settings.scheme)
    graph.x.ticks = centres
    graph.x.tick_labels = [label for label, _ in cells]
    if len(keys) == 1:
        graph.y.title = layers[0].label
        graph.legend.show = False
    if not overs:
        graph.x.ticks, graph.x.tick_labels = [], []
    graph.x.grid = False
    decorate(graph, request.decor, ignored)
    if chart.horizontal:
        graph.x, graph.y = graph.y, graph.x
        graph.y.reverse = not graph.y.reverse
        graph.y.angle = 0.0 if graph.y.angle is None else graph.y.angle
    return graph
