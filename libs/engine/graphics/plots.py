"""The layers of each twoway plot type, computed from the data rows a plot uses.

A :class:`PlotRequest` is one parsed plot (``scatter y x if ..., mcolor(red)``); ``layers``
turns it into :class:`Layer` records for one set of rows (one ``by()`` panel). Points with a
missing coordinate are left out, as Stata leaves them out.
"""

from __future__ import annotations

import numpy as np

from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.graphics import fits
from libs.engine.graphics import options as opts
from libs.engine.graphics.data import FloatArray, Mask, names, numeric, title_of, value_text
from libs.engine.graphics.density import density_layers, histogram_layers
from libs.engine.graphics.model import Layer, Style
from libs.engine.graphics.request import PlotRequest
from libs.engine.session import Session
from libs.stata_stats import lpoly
from libs.stata_stats.errors import StatsError
from libs.stata_stats.kernel_density import kernel_named


def layers(session: Session, request: PlotRequest, rows: Mask) -> list[Layer]:
    """The layers ``request`` draws from ``rows``."""
    kind = request.kind
    try:
        if kind == "function":
            return [_function(session, request)]
        if kind in ("histogram", "kdensity"):
            x = numeric(session, request.varnames[0])
            builder = histogram_layers if kind == "histogram" else density_layers
            return builder(session, request, x, rows, _weights(session, request))
        if kind in ("lfit", "qfit", "lfitci", "qfitci", "lpoly", "lowess"):
            return _smooth(session, request, rows)
        if kind.startswith("r"):
            return [_range(session, request, rows)]
        return _paired(session, request, rows)
    except StatsError as err:
        raise StataError(err.code, err.message) from err


def _paired(session: Session, request: PlotRequest, rows: Mask) -> list[Layer]:
    """scatter/line/connected/area/bar/spike/dropline: y1 [y2 ...] x."""
    if len(request.varnames) < 2:
        raise StataError(102, "too few variables specified")
    *ys, xname = request.varnames
    x = numeric(session, xname)
    labels = _marker_labels(session, request)
    out = []
    for k, yname in enumerate(ys):
        y = numeric(session, yname)
        keep = rows & np.isfinite(x) & np.isfinite(y)
        index = np.flatnonzero(keep)
        if request.options.get("sort") is not None:
            index = index[np.argsort(x[index], kind="stable")]
        horizontal = request.options.get("horizontal") is not None
        out.append(Layer(
            kind=request.kind, x=x[index].tolist(), y=y[index].tolist(),
            label=title_of(session, yname), style=request.style(request.style_index + k, k),
            horizontal=horizontal and request.kind in ("bar", "spike", "dropline", "area"),
            bar_width=_optional(request, "barwidth"), base=_optional(request, "base"),
            marker_labels=[labels[i] for i in index] if labels else []))
    return out


def _range(session: Session, request: PlotRequest, rows: Mask) -> Layer:
    """rarea/rbar/rcap/rcapsym/rspike/rline/rconnected/rscatter: y1 y2 x."""
    if len(request.varnames) != 3:
        raise StataError(102 if len(request.varnames) < 3 else 103,
                         f"{request.kind} needs y1 y2 x")
    y1, y2, x = (numeric(session, name) for name in request.varnames)
    keep = rows & np.isfinite(y1) & np.isfinite(y2) & np.isfinite(x)
    index = np.flatnonzero(keep)
    if request.options.get("sort") is not None or request.kind in ("rarea", "rline",
                                                                    "rconnected"):
        index = index[np.argsort(x[index], kind="stable")]
    label = f"{title_of(session, request.varnames[0])}/{title_of(session, request.varnames[1])}"
    return Layer(kind="rcap" if request.kind == "rcapsym" else request.kind,
                 x=x[index].tolist(), y=y1[index].tolist(), y2=y2[index].tolist(),
                 label=label, style=request.style(request.style_index),
                 horizontal=request.options.get("horizontal") is not None,
                 bar_width=_optional(request, "barwidth"))


def _smooth(session: Session, request: PlotRequest, rows: Mask) -> list[Layer]:
    """lfit, qfit, lfitci, qfitci, lpoly, lowess: y x."""
    if len(request.varnames) != 2:
        raise StataError(102 if len(request.varnames) < 2 else 103,
                         f"{request.kind} needs y x")
    y, x = (numeric(session, name) for name in request.varnames)
    w = _weights(session, request)
    keep = rows & np.isfinite(y) & np.isfinite(x)
    if w is not None:
        keep &= np.isfinite(w[1])
    if not keep.any():
        raise StataError(2000, "no observations")
    xs, ys = x[keep], y[keep]
    style = request.style(request.style_index)
    if request.kind == "lowess":
        grid, smooth = fits.lowess(xs, ys, request.number("bwidth", 0.8))
        label = f"lowess {' '.join(request.varnames)}"
        return [Layer(kind="line", x=grid.tolist(), y=smooth.tolist(), label=label,
                      style=style)]
    if request.kind == "lpoly":
        degree = int(request.number("degree", 0))
        kernel = _kernel(request)
        bandwidth = request.options.get("bwidth")
        weights = None if w is None else w[1][keep]
        h = (opts.number(bandwidth, "bwidth") if bandwidth is not None else
             lpoly.rule_of_thumb(xs, ys, degree, kernel, weights))
        grid = _grid(request, xs, 50)
        smooth = lpoly.smooth(xs, ys, grid, h, degree, kernel, weights)
        finite = np.isfinite(smooth)
        return [Layer(kind="line", x=grid[finite].tolist(), y=smooth[finite].tolist(),
                      label="lpoly smooth", style=style)]
    degree = 2 if request.kind.startswith("q") else 1
    fit = fits.polynomial_fit(xs, ys, degree, None if w is None else w[1][keep],
                              "" if w is None else w[0])
    grid = _grid(request, xs, 100 if request.kind != "lfit" else 3)
    line = Layer(kind="line", x=grid.tolist(), y=fit.at(grid).tolist(), label="Fitted values",
                 style=style)
    if not request.kind.endswith("ci"):
        return [line]
    level = request.number("level", 95.0)
    lower, upper = fit.band(grid, level, forecast=request.options.get("stdf") is not None)
    band_style = Style(fcolor=(request.options.get("acolor") or "bluishgray").strip(),
                       lcolor=(request.options.get("alcolor") or "").strip(), pstyle=0)
    band = Layer(kind="rarea", x=grid.tolist(), y=lower.tolist(), y2=upper.tolist(),
                 label=f"{level:g}% CI", style=band_style)
    if (colour := request.options.get("clcolor")) is not None:
        line.style.lcolor = colour.strip()
    return [band, line]


def _function(session: Session, request: PlotRequest) -> Layer:
    """``function [y =] f(x), range(a b) n(#)``: f evaluated at n points of the range."""
    lower, upper = 0.0, 1.0
    if (given := request.options.get("range")) is not None:
        words = given.split()
        if len(words) == 1 and words[0].isidentifier():
            values = numeric(session, words[0])
            lower, upper = float(np.nanmin(values)), float(np.nanmax(values))
        else:
            bounds = opts.numbers(given, "range")
            if len(bounds) != 2:
                raise StataError(198, "option range() requires two numbers")
            lower, upper = bounds
    n = int(request.number("n", 300))
    if n < 2:
        raise StataError(198, "option n() must be at least 2")
    grid = np.linspace(lower, upper, n)
    values = _evaluate_at(session, request.expression, grid)
    keep = np.isfinite(values)
    horizontal = request.options.get("horizontal") is not None
    xs, ys = (values[keep], grid[keep]) if horizontal else (grid[keep], values[keep])
    return Layer(kind="line", x=xs.tolist(), y=ys.tolist(), label=request.lhs or "y",
                 style=request.style(request.style_index))


def _evaluate_at(session: Session, expression: str, grid: FloatArray) -> FloatArray:
    """``expression`` with ``x`` running over ``grid`` (the data are set aside meanwhile)."""
    saved = session.data
    scratch = Dataset()
    scratch.set_obs(grid.size)
    scratch.add("x", grid, "double")
    session.data = scratch
    try:
        return Evaluator(session).numeric(expression)
    finally:
        session.data = saved


def _grid(request: PlotRequest, xs: FloatArray, n_default: int) -> FloatArray:
    lower, upper = float(xs.min()), float(xs.max())
    if (given := request.options.get("range")) is not None:
        bounds = opts.numbers(given, "range")
        if len(bounds) == 2:
            lower, upper = bounds
    n = int(request.number("n", n_default))
    return np.linspace(lower, upper, max(n, 2))


def _weights(session: Session, request: PlotRequest) -> tuple[str, FloatArray] | None:
    if request.weight is None:
        return None
    kind, expression = request.weight
    return kind, Evaluator(session).numeric(expression)


def _kernel(request: PlotRequest) -> str:
    given = request.options.get("kernel")
    return "epanechnikov" if given is None else kernel_named(given)


def _optional(request: PlotRequest, name: str) -> float | None:
    value = request.options.get(name)
    return None if value is None else opts.number(value, name)


def _marker_labels(session: Session, request: PlotRequest) -> list[str]:
    given = request.options.get("mlabel")
    if not given:
        return []
    name = names(session, given)[0]
    col = session.data.cols[name]
    if col.dtype == np.object_:
        return [str(v) for v in col]
    return [value_text(session, name, float(v)) for v in col]
