"""Graphs of estimation results: ``rvfplot`` (residuals against fitted values after
``regress``) and ``coefplot`` (SSC, Jann: coefficients with confidence intervals of the
current or stored estimates)."""

from __future__ import annotations

import fnmatch

import numpy as np
from scipy import stats

from libs.engine import textscan
from libs.engine.commands.estimates_table import stored_estimation
from libs.engine.errors import StataError
from libs.engine.estimation.design import column_values
from libs.engine.estimation.post import estimation_from_e, is_omitted_name
from libs.engine.graphics import gallery
from libs.engine.graphics import options as opts
from libs.engine.graphics.decor import GraphRequest, read_options
from libs.engine.graphics.model import Graph, Layer, Panel, Style
from libs.engine.graphics.request import PlotRequest, read_plot_options
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.estimation import Estimation

#: Estimators whose residuals rvfplot draws.
_LINEAR = frozenset({"regress", "anova"})


def _options(session: Session, text: str) -> tuple[GraphRequest, PlotRequest,
                                                                    list[str]]:
    """Graph-wide options, plot (marker) options and the ignored rest of ``text``."""
    request, rest = read_options(session, text)
    ignored: list[str] = []
    plot = PlotRequest(kind="scatter", varnames=[], rows=np.ones(0, dtype=bool))
    read_plot_options(plot, opts.as_text(rest), ignored)
    return request, plot, ignored


@command("rvfplot", syntax="[, *]")
def rvfplot(session: Session, args: Args) -> None:
    """``rvfplot [, scatter_options twoway_options]``: residuals against fitted values."""
    est = estimation_from_e(session)
    if est.cmd not in _LINEAR:
        raise StataError(301, f"rvfplot is not available after {est.cmd or 'this command'}")
    fitted = np.column_stack([column_values(session, name) for name in est.names]) @ est.b
    residual = column_values(session, est.depvar) - fitted
    rows = np.ones(session.data.n, dtype=bool) if est.sample is None else est.sample.copy()
    rows &= np.isfinite(fitted) & np.isfinite(residual)
    request, plot, ignored = _options(session, args.rest_options)
    layer = Layer(kind="scatter", x=fitted[rows].tolist(), y=residual[rows].tolist(),
                  label="Residuals", style=plot.style(1))
    graph = Graph(panels=[Panel(layers=[layer])], scheme=session.settings.scheme,
                  command=f"rvfplot {args.raw}")
    graph.x.title, graph.y.title = "Fitted values", "Residuals"
    gallery.publish(session, graph, request, ignored)


@command("coefplot", syntax="[anything] [, DROP(string) KEEP(string) VERTical HORizontal "
         "Level(real 95) noCI OMITted BASElevels *]")
def coefplot(session: Session, args: Args) -> None:
    """``coefplot [name ...] [, keep() drop() vertical level() noci twoway_options]``."""
    names = _model_names(args.anything)
    request, plot, ignored = _options(session, args.rest_options)
    models = [(name, stored_estimation(session, name)) for name in names]
    rows = _terms(models, args)
    if not rows:
        raise StataError(111, "no coefficients found")
    vertical = bool(args.opt("vertical"))
    level = float(args.opt("level", 95.0))
    layers, keys = [], []
    width = 0.6 / max(len(models), 1)
    for m, (name, est) in enumerate(models):
        terms = {term: i for i, term in enumerate(est.names)}
        offset = ((len(models) - 1) / 2 - m) * width
        positions, points, lower, upper = [], [], [], []
        crit = (stats.t.ppf(0.5 + level / 200, est.df_r) if est.df_r else
                stats.norm.ppf(0.5 + level / 200))
        for k, term in enumerate(rows):
            if term not in terms:
                continue
            i = terms[term]
            se = float(np.sqrt(max(est.V[i, i], 0.0)))
            positions.append(len(rows) - k + offset)
            points.append(float(est.b[i]))
            lower.append(float(est.b[i]) - crit * se)
            upper.append(float(est.b[i]) + crit * se)
        style = plot.style(m + 1)
        if not args.opt("noci"):
            layers.append(Layer(kind="rspike", x=positions, y=lower, y2=upper, keyed=False,
                                horizontal=not vertical, style=Style(
                                    lcolor=style.lcolor or style.mcolor or style.color,
                                    pstyle=m + 1)))
        xs, ys = (positions, points) if vertical else (points, positions)
        keys.append(Layer(kind="scatter", x=xs, y=ys, label=name if name != "." else
                          est.depvar or "(current)", style=style))
    graph = Graph(panels=[Panel(layers=layers + keys)], scheme=session.settings.scheme,
                  command=f"coefplot {args.raw}")
    category = graph.x if vertical else graph.y
    category.ticks = [float(len(rows) - k) for k in range(len(rows))]
    category.tick_labels = rows
    category.angle = 0.0
    category.grid = False
    (graph.y if vertical else graph.x).grid = True
    graph.legend.show = len(models) > 1
    gallery.publish(session, graph, request, ignored)


def _model_names(text: str) -> list[str]:
    """``m1 m2``, ``(m1) (m2, label(x))`` or nothing (the current estimates, ``.``)."""
    found = []
    for token in textscan.split_top(text.replace("||", " ")):
        inner = token.strip("()").split(",")[0].strip() if token.startswith("(") else token
        found += inner.split() or ["."]
    return found or ["."]


def _terms(models: list[tuple[str, Estimation]], args: Args) -> list[str]:
    """The coefficients to show, in first-seen order, after keep()/drop()."""
    keep = (args.opt("keep") or "").split()
    drop = (args.opt("drop") or "").split()
    shown: list[str] = []
    for _, est in models:
        for term in est.names:
            if term in shown or (is_omitted_name(term) and not args.opt("omitted")
                                 and not args.opt("baselevels")):
                continue
            bare = term.rpartition(":")[2]
            if keep and not any(fnmatch.fnmatchcase(t, p) for p in keep for t in (term, bare)):
                continue
            if any(fnmatch.fnmatchcase(t, p) for p in drop for t in (term, bare)):
                continue
            shown.append(term)
    return shown
