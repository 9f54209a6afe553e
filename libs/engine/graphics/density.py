"""Histogram bars and kernel-density lines as twoway layers (``twoway histogram``,
``twoway kdensity``, and the ``histogram`` command's bars with its ``normal`` and
``kdensity`` overlays)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from libs.engine.errors import StataError
from libs.engine.graphics import options as opts
from libs.engine.graphics.data import FloatArray, Mask, title_of
from libs.engine.graphics.model import Layer, Style
from libs.engine.graphics.request import PlotRequest
from libs.engine.session import Session
from libs.stata_stats import histogram as hist
from libs.stata_stats.kernel_density import kdensity, kernel_named
from libs.stata_stats.sample import Weights

Weighting = tuple[str, FloatArray] | None


def scale_of(request: PlotRequest) -> str:
    """density (the default), fraction, frequency or percent; r(198) if several."""
    chosen = [name for name in hist.SCALES if name in request.options]
    if len(chosen) > 1:
        raise StataError(198, f"options {' '.join(chosen)} may not be combined")
    return chosen[0] if chosen else "density"


def bins_of(request: PlotRequest, x: FloatArray, rows: Mask, weights: Weighting) -> hist.Bins:
    """The bins of ``x`` over ``rows`` as ``bin()``, ``width()``, ``start()``, ``discrete``
    ask (fweights count)."""
    freq = _frequencies(weights)
    count = request.options.get("bin")
    width = request.options.get("width")
    start = request.options.get("start")
    return hist.bins(
        x[rows], None if freq is None else freq[rows],
        bin_count=None if count is None else int(opts.number(count, "bin")),
        width=None if width is None else opts.number(width, "width"),
        start=None if start is None else opts.number(start, "start"),
        discrete="discrete" in request.options)


def histogram_layers(session: Session, request: PlotRequest, x: FloatArray, rows: Mask,
                     weights: Weighting) -> list[Layer]:
    """The bars (bins from the whole plot, heights from ``rows``) and any overlays."""
    spec = bins_of(request, x, request.rows & np.isfinite(x), weights)
    scale = scale_of(request)
    freq = _frequencies(weights)
    selected = rows & np.isfinite(x)
    freqs = hist.counts(x[selected], spec, None if freq is None else freq[selected])
    n = float(freqs.sum())
    heights = hist.heights(freqs, spec, scale, n=n if n else 1.0)
    style = request.style(request.style_index)
    bars = Layer(kind="bar", x=spec.centres.tolist(), y=heights.tolist(),
                 label=hist.SCALES[scale], style=style, bar_width=spec.width, base=0.0,
                 horizontal="horizontal" in request.options)
    out = [bars]
    factor = {"density": 1.0, "fraction": spec.width, "frequency": spec.width * n,
              "percent": spec.width * 100}[scale]
    grid = np.linspace(spec.lower, spec.lower + spec.width * spec.count, 300)
    values = x[selected]
    if "normal" in request.options and values.size > 1:
        mean, sd = float(values.mean()), float(values.std(ddof=1))
        curve = stats.norm.pdf(grid, mean, sd) * factor
        out.append(Layer(kind="line", x=grid.tolist(), y=curve.tolist(), label="Normal density",
                         style=Style(pstyle=request.style_index + 1)))
    if "kdensity" in request.options and values.size > 1:
        estimate = kdensity(values, n=300, at=grid)
        out.append(Layer(kind="line", x=grid.tolist(), y=(estimate.density * factor).tolist(),
                         label="Kernel density estimate",
                         style=Style(pstyle=request.style_index + 2)))
    return out


def density_layers(session: Session, request: PlotRequest, x: FloatArray, rows: Mask,
                   weights: Weighting) -> list[Layer]:
    """``twoway kdensity x [, bwidth() kernel() n() range()]``: the estimate as a line."""
    selected = rows & np.isfinite(x)
    if weights is not None:
        selected &= np.isfinite(weights[1])
    if not selected.any():
        raise StataError(2000, "no observations")
    given = request.options.get("bwidth")
    kernel = request.options.get("kernel")
    n = int(request.number("n", 300))
    at = None
    if (span := request.options.get("range")) is not None:
        bounds = opts.numbers(span, "range")
        if len(bounds) == 2:
            at = np.linspace(bounds[0], bounds[1], max(n, 2))
    estimate = kdensity(
        x[selected], weights=None if weights is None else Weights(
            kind=weights[0], values=weights[1][selected]),
        bandwidth=None if given is None else opts.number(given, "bwidth"),
        kernel_name="epanechnikov" if kernel is None else kernel_named(kernel), n=n, at=at)
    return [Layer(kind="line", x=estimate.at.tolist(), y=estimate.density.tolist(),
                  label=f"kdensity {title_of(session, request.varnames[0])}",
                  style=request.style(request.style_index))]


def _frequencies(weights: Weighting) -> FloatArray | None:
    if weights is None:
        return None
    if weights[0] != "fweight":
        raise StataError(101, f"{weights[0]} not allowed")
    return weights[1]
