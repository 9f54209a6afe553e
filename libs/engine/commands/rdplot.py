"""``rdplot`` (SSC package rdrobust; Calonico, Cattaneo, Farrell and Titiunik): the
data-driven regression discontinuity plot.

``rdplot y x [if] [in] [, c() p() nbins(# [#]) binselect(es|espr|esmv|esmvpr|qs|qspr|qsmv|
qsmvpr) scale(# [#]) kernel() weights() h(# [#]) support(# #) masspoints(check|adjust|off)
ci(#) shade genvars hide graph_options()]`` prints the package's bin summary, posts
``e(N_l) e(N_r) e(c) e(J_star_l) e(J_star_r) e(coef_l) e(coef_r) e(binselect) e(eq_l)
e(eq_r)``, adds the ``rdplot_*`` variables with ``genvars`` and draws the bin means, the
two polynomial fits and a line at the cutoff (with ``ci()``: capped spikes, or shaded areas
with ``shade``) as the package's twoway call does.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial.polynomial import polyval

from libs.engine.errors import StataError
from libs.engine.estimation.request import stata_errors
from libs.engine.graphics import gallery
from libs.engine.graphics.decor import read_options
from libs.engine.graphics.model import Graph, Layer, Panel, RefLine, Style
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.rd_plot import BINSELECT, RdPlot, rdplot

_KERNELS = {"uni": "uniform", "uniform": "uniform", "tri": "triangular",
            "triangular": "triangular", "epa": "epanechnikov", "epanechnikov": "epanechnikov"}
_TYPES = {"es": "evenly spaced number of bins using spacings estimators.",
          "espr": "evenly spaced number of bins using polynomial regression.",
          "esmv": "evenly spaced mimicking variance number of bins using spacings estimators.",
          "esmvpr": "evenly spaced mimicking variance number of bins using polynomial "
                    "regression.",
          "qs": "quantile spaced number of bins using spacings estimators.",
          "qspr": "quantile spaced number of bins using polynomial regression.",
          "qsmv": "quantile spaced mimicking variance quantile spaced using spacings "
                  "estimators.",
          "qsmvpr": "quantile spaced mimicking variance number of bins using polynomial "
                    "regression."}
_GENVARS = ("id", "N", "min_bin", "max_bin", "mean_bin", "mean_x", "mean_y", "se_y", "ci_l",
            "ci_r", "hat_y")


def _pair(text: str | None, name: str) -> tuple[float, float] | None:
    words = (text or "").split()
    if not words:
        return None
    if len(words) > 2 or (name == "support" and len(words) != 2):
        raise StataError(125, f"{name}() accepts {'only' if name == 'support' else 'at most'}"
                              " two inputs")
    values = [float(w) for w in words]
    return (values[0], values[-1])


@command("rdplot", syntax="varlist(numeric min=2 max=2) [if] [in] [, c(real 0) p(integer 4) "
         "nbins(string) covs(string) covs_eval(string) covs_drop(string) binselect(string) "
         "scale(string) kernel(string) weights(varname) h(string) support(string) "
         "masspoints(string) genvars hide ci(real 0) shade graph_options(string) nochecks]")
def rdplot_command(session: Session, args: Args) -> None:
    """Binned means and global polynomial fits on each side of the cutoff."""
    if args.opt("covs"):
        raise StataError(198, "rdplot: covs() is not provided by the embedded engine")
    y_name, x_name = args.varlist
    ds = session.data
    binselect = (args.opt("binselect") or "esmv").lower()
    kernel = _KERNELS.get((args.opt("kernel") or "uni").lower())
    masspoints = (args.opt("masspoints") or "adjust").lower()
    if binselect not in BINSELECT or kernel is None or masspoints not in ("check", "adjust",
                                                                         "off"):
        raise StataError(198, "binselect(), kernel() or masspoints() incorrectly specified")
    touse = args.touse(session) & np.isfinite(ds.numeric(y_name)) & np.isfinite(
        ds.numeric(x_name))
    weights = None
    if args.opt("weights"):
        w = ds.numeric(args.opt("weights"))
        touse &= np.isfinite(w) & (w > 0)
        weights = w[touse]
    nbins = _pair(args.opt("nbins"), "nbins")
    p = int(args.opt("p", 4))
    if p < 0 or (nbins is not None and min(nbins) < 0):
        raise StataError(411, "p() and nbins() should be a positive integers")
    c = float(args.opt("c", 0.0))
    ci = float(args.opt("ci", 0.0))
    with stata_errors():
        res = rdplot(ds.numeric(y_name)[touse], ds.numeric(x_name)[touse], c=c, p=p,
                     binselect=binselect,
                     nbins=None if nbins is None or 0 in nbins else (int(nbins[0]),
                                                                     int(nbins[1])),
                     scale=_pair(args.opt("scale"), "scale") or (1.0, 1.0), kernel=kernel,
                     weights=weights, h=_pair(args.opt("h"), "h"),
                     support=_pair(args.opt("support"), "support"), masspoints=masspoints,
                     ci=ci)
    if res.binselect != binselect:
        session.log.out("Mass points detected in the running variable.")
    _post(session, res, c, p)
    _report(session, res, args, kernel, c, p)
    if args.opt("genvars"):
        _genvars(session, res, touse, ds.numeric(x_name)[touse], c)
    if not args.opt("hide"):
        _draw(session, res, args, c, p, ci)


def _equation(coef: np.ndarray, c: float) -> str:
    terms = [f"{coef[0]:.10g}*(x-{c:g})^0"] + [f"+ {v:.10g}*(x-{c:g})^{i}"
                                               for i, v in enumerate(coef[1:], start=1)]
    return "y = " + " ".join(terms)


def _post(session: Session, res: RdPlot, c: float, p: int) -> None:
    rows = [f"r{i}" for i in range(1, p + 2)]
    session.post_e(Results(
        scalars={"N_l": float(res.n[0]), "N_r": float(res.n[1]), "c": c,
                 "J_star_l": float(res.J[0]), "J_star_r": float(res.J[1])},
        macros={"binselect": res.binselect, "cmd": "rdplot", "eq_l": _equation(res.coef_l, c),
                "eq_r": _equation(res.coef_r, c)},
        matrices={"coef_l": Matrix(res.coef_l[:, None], rows, ["c1"]),
                  "coef_r": Matrix(res.coef_r[:, None], rows, ["c1"])}))


def _report(session: Session, res: RdPlot, args: Args, kernel: str, c: float,
            p: int) -> None:
    """The package's two summary tables."""
    bins = res.bins
    length = bins.max_bin - bins.min_bin
    side = [bins.id < 0, bins.id > 0]
    avg = [float(np.mean(length[s])) for s in side]
    med = [float(np.median(length[s])) for s in side]
    scale = [res.J[j] / res.J_imse[j] for j in range(2)]
    y_name, x_name = args.varlist
    given_scale = _pair(args.opt("scale"), "scale") or (1.0, 1.0)

    def row(label: str, left: float, right: float, fmt: str) -> str:
        return f"{label:>21} | {left:{fmt}}    {right:{fmt}}"

    kind = "RD plot with manually set number of bins." if args.opt("nbins") else \
        _TYPES[res.binselect]
    rule = "-" * 22 + "+" + "-" * 22
    session.log.lines([
        "", f"RD Plot with {kind}", "",
        f"{'Cutoff c = ' + format(c, 'g'):>21} | Left of c    Right of c"
        f"{'Number of obs  = ':>25}{res.n[0] + res.n[1]:>10}",
        f"{rule}{'Kernel         = ':>26}{kernel.capitalize():>10}",
        row("Number of obs", res.n[0], res.n[1], "9.0f"),
        row("Eff. Number of obs", res.n_h[0], res.n_h[1], "9.0f"),
        row("Order poly. fit (p)", p, p, "9.0f"),
        row("BW poly. fit (h)", res.h[0], res.h[1], "9.3f"),
        row("Number of bins scale", given_scale[0], given_scale[1], "9.3f"),
        "", f"Outcome: {y_name}. Running variable: {x_name}.", rule,
        f"{'':>21} | Left of c    Right of c", rule,
        row("Bins selected", res.J[0], res.J[1], "9.0f"),
        row("Average bin length", avg[0], avg[1], "9.3f"),
        row("Median bin length", med[0], med[1], "9.3f"), rule,
        row("IMSE-optimal bins", res.J_imse[0], res.J_imse[1], "9.0f"),
        row("Mimicking Var. bins", res.J_mv[0], res.J_mv[1], "9.0f"), rule,
        f"{'Rel. to IMSE-optimal:':<21} |",
        row("Implied scale", scale[0], scale[1], "9.3f"),
        row("WIMSE var. weight", 1 / (1 + scale[0] ** 3), 1 / (1 + scale[1] ** 3), "9.3f"),
        row("WIMSE bias weight", scale[0] ** 3 / (1 + scale[0] ** 3),
            scale[1] ** 3 / (1 + scale[1] ** 3), "9.3f"), rule, ""])


def _genvars(session: Session, res: RdPlot, touse: np.ndarray, x: np.ndarray,
             c: float) -> None:
    """``rdplot_*``: each observation's bin row, and ``rdplot_hat_y`` its fitted value."""
    ds = session.data
    for name in _GENVARS:
        if f"rdplot_{name}" in ds.varnames:
            raise StataError(110, f"variable rdplot_{name} already defined")
    bins = res.bins
    index = np.searchsorted(bins.id, res.obs_bin)
    columns = {"id": bins.id.astype(float), "N": bins.N, "min_bin": bins.min_bin,
               "max_bin": bins.max_bin, "mean_bin": bins.mean_bin, "mean_x": bins.mean_x,
               "mean_y": bins.mean_y, "se_y": bins.se_y, "ci_l": bins.ci_l,
               "ci_r": bins.ci_r,
               "hat_y": np.where(res.obs_bin < 0, polyval(x - c, res.coef_l),
                                 polyval(x - c, res.coef_r))}
    for name, values in columns.items():
        full = np.full(ds.n, np.nan)
        full[touse] = values if name == "hat_y" else values[index]
        ds.add(f"rdplot_{name}", full, "double")


def _draw(session: Session, res: RdPlot, args: Args, c: float, p: int, ci: float) -> None:
    request, rest = read_options(session, args.opt("graph_options") or "")
    bins = res.bins
    dots = Layer(kind="scatter", x=bins.mean_bin.tolist(), y=bins.mean_y.tolist(),
                 label="Sample average within bin", style=Style(mcolor="gs10", msize="small"))
    fit = Style(lcolor="black", lwidth="medthin", lpattern="solid")
    lines = [Layer(kind="line", x=res.curve_x[j].tolist(), y=res.curve_y[j].tolist(),
                   label=f"Polynomial fit of order {p}", style=fit) for j in range(2)]
    bands: list[Layer] = []
    if ci:
        ok = np.isfinite(bins.ci_l) & np.isfinite(bins.ci_r)
        if args.opt("shade"):
            bands = [Layer(kind="rarea", x=bins.mean_bin[ok & s].tolist(),
                           y=bins.ci_l[ok & s].tolist(), y2=bins.ci_r[ok & s].tolist(),
                           style=Style(color="gs11")) for s in (bins.id < 0, bins.id > 0)]
        else:
            bands = [Layer(kind="rcap", x=bins.mean_bin[ok].tolist(), y=bins.ci_l[ok].tolist(),
                           y2=bins.ci_r[ok].tolist(), style=Style(color="gs11"))]
    layers = [*bands, dots, *lines]
    graph = Graph(panels=[Panel(layers=layers, xlines=[RefLine(value=c, style=Style(
        lcolor="black", lwidth="medthin"))])], scheme=session.settings.scheme,
                  command=f"rdplot {args.raw}")
    if not args.opt("graph_options"):
        graph.title = ["Regression function fit"]
    graph.x.lower, graph.x.upper = res.x_range
    graph.legend.cols = 2
    graph.legend.order = [len(bands) + 1, len(bands) + 2]
    graph.legend.labels = {len(bands) + 1: "Sample average within bin",
                           len(bands) + 2: f"Polynomial fit of order {p}"}
    gallery.publish(session, graph, request, [name for name, _ in rest])
