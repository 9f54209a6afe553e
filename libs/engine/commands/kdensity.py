"""``kdensity``: the kernel density estimate (libs/stata_stats/kernel_density.py), its
``generate()``d variables and ``r()``, and its graph."""

from __future__ import annotations

import numpy as np
from scipy import stats

from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.formats import format_number
from libs.engine.graphics.data import title_of
from libs.engine.graphics.decor import read_options
from libs.engine.graphics.gallery import publish
from libs.engine.graphics.model import Graph, Layer, Panel, Style
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.errors import StatsError
from libs.stata_stats.kernel_density import KERNELS, kdensity, kernel_named
from libs.stata_stats.sample import Weights

#: The kernels given as options of their own (the old syntax): every kernel's full name.
_OLD_KERNELS = tuple(KERNELS)


@command("kdensity", rclass=True,
         syntax="varname(numeric) [if] [in] [fweight aweight iweight] [, Generate(string) "
                "AT(varname) N(integer 50) Width(real 0) BWidth(real 0) noGRaph "
                "Kernel(string) BIweight COSine EPanechnikov GAUssian PARzen RECtangle "
                "TRIangle epan2 NORmal STUdent(integer 0) *]")
def kdensity_cmd(session: Session, args: Args) -> None:
    """``kdensity x [if] [in] [weight] [, kernel() bwidth() n() at() generate() normal
    nograph twoway_options]``."""
    name = args.varlist[0]
    kernel = _kernel(args)
    at_name = args.opt("at")
    n = int(args.opt("n", 50))
    if at_name and n != 50:
        raise StataError(198, "may not specify both the at() and n() options")
    width = float(args.opt("bwidth") or 0.0) or float(args.opt("width") or 0.0)
    if args.opt("bwidth") and args.opt("width"):
        raise StataError(198, "options width() and bwidth() may not be combined")
    if width < 0:
        raise StataError(198, "bandwidth must be positive")
    targets = _targets(session, args, at_name)
    if not at_name:
        n = 50 if n <= 1 else n
        if n > session.data.n:
            n = session.data.n
            session.log.out(f"(n() set to {n})")
    rows = args.touse(session)
    x = session.data.numeric(name)
    weights = None
    if args.weight is not None:
        values = Evaluator(session).numeric(args.weight[1])
        rows &= np.isfinite(values) & (values != 0)
        weights = Weights(kind=args.weight[0], values=values[rows & np.isfinite(x)])
    rows &= np.isfinite(x)
    if not rows.any():
        raise StataError(2000, "no observations")
    at = session.data.numeric(at_name) if at_name else None
    try:
        estimate = kdensity(x[rows], weights=weights, bandwidth=width or None,
                            kernel_name=kernel, n=n, at=at)
    except StatsError as err:
        raise StataError(err.code, err.message) from err
    _generate(session, targets, estimate.at, estimate.density, name, bool(at_name))
    session.r = Results(scalars={"bwidth": estimate.bandwidth, "n": float(estimate.n),
                                 "scale": estimate.scale}, macros={"kernel": kernel})
    if not args.opt("nograph"):
        _graph(session, args, estimate.at, estimate.density, x[rows], kernel,
               estimate.bandwidth, bool(at_name))


def _kernel(args: Args) -> str:
    old = [k for k in _OLD_KERNELS if args.opt(k)]
    given = args.opt("kernel")
    if given and old:
        raise StataError(198, "kernel(): old syntax may not be combined with new syntax")
    if len(old) > 1 or (given and len(given.split()) > 1):
        raise StataError(198, "only one kernel may be specified")
    if old:
        return old[0]
    try:
        return kernel_named(given) if given else "epanechnikov"
    except StatsError as err:
        raise StataError(err.code, err.message) from err


def _targets(session: Session, args: Args, at_name: str | None) -> list[str]:
    """The new variables of ``generate()``: (x, density), or (density) with ``at()``."""
    names = (args.opt("generate") or "").split()
    if not names:
        return []
    if (len(names) == 1 and not at_name) or len(names) > 2:
        raise StataError(198, "invalid syntax")
    for new in names:
        if new in session.data.vars:
            raise StataError(110, f"variable {new} already defined")
    return names


def _generate(session: Session, targets: list[str], at: np.ndarray, density: np.ndarray,
              name: str, given_at: bool) -> None:
    if not targets:
        return
    size = session.data.n
    label = f"density: {title_of(session, name)}"
    if given_at:
        session.data.add(targets[0], density, "double", label=label)
        return
    points = np.full(size, np.nan)
    values = np.full(size, np.nan)
    points[: at.size] = at[:size]
    values[: density.size] = density[:size]
    session.data.add(targets[0], points, "double", label=title_of(session, name))
    session.data.add(targets[1], values, "double", label=label)


def _graph(session: Session, args: Args, at: np.ndarray, density: np.ndarray, x: np.ndarray,
           kernel: str, bandwidth: float, given_at: bool) -> None:
    order = np.argsort(at, kind="stable")
    keep_points = np.isfinite(at[order]) & np.isfinite(density[order])
    xs, ys = at[order][keep_points], density[order][keep_points]
    layers = [Layer(kind="line", x=xs.tolist(), y=ys.tolist(),
                    label="Kernel density estimate", style=Style(pstyle=1))]
    if args.opt("normal") and x.size > 1:
        grid = np.linspace(xs.min(), xs.max(), 300)
        curve = stats.norm.pdf(grid, x.mean(), x.std(ddof=1))
        layers.append(Layer(kind="line", x=grid.tolist(), y=curve.tolist(),
                            label="Normal density", style=Style(pstyle=2)))
    rounded = round(bandwidth, 4)
    shown = (format_number(bandwidth, "%10.3e") if rounded == 0 else
             format_number(bandwidth, "%6.4f")).strip()
    graph = Graph(panels=[Panel(layers=layers)], title=["Kernel density estimate"],
                  note=[f"kernel = {kernel}, bandwidth = {shown}"],
                  scheme=session.settings.scheme)
    graph.x.title = title_of(session, args.varlist[0])
    graph.y.title = "Density"
    graph.legend.cols = 1
    request, rest = read_options(session, args.rest_options)
    ignored = [name for name, _ in rest] + (["student()"] if args.opt("student") else [])
    graph.command = f"kdensity {args.raw}"
    publish(session, graph, request, ignored)

