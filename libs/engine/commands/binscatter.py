"""``binscatter`` (the SSC command, built in): binned scatter plots with a fit line, after
residualising on ``controls()``/``absorb()`` (libs/engine/graphics/binned.py)."""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.graphics import gallery
from libs.engine.graphics.binned import bin_numbers, binned, residualised
from libs.engine.graphics.data import cells
from libs.engine.graphics.decor import read_options
from libs.engine.graphics.model import Graph, Layer, Panel, Style
from libs.engine.graphics.schemes import SCHEMES
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.errors import StatsError

#: binscatter's default colours: the s2color plot styles, in order.
_COLOURS = SCHEMES["s2color"].palette
_LINES = ("lfit", "qfit", "connect", "none")


@command("binscatter", syntax="varlist(min=2 numeric) [if] [in] [aweight fweight] [, "
         "by(varname) Nquantiles(integer 20) GENxq(name) discrete xq(varname) MEDians "
         "CONTROLs(varlist) absorb(varname) noAddmean LINEtype(string) reportreg "
         "COLors(string) MColors(string) LColors(string) Msymbols(string) "
         "savegraph(string) savedata(string) replace *]")
def binscatter(session: Session, args: Args) -> None:
    """``binscatter y [y2 ...] x [if] [in] [weight] [, nquantiles() controls() absorb()
    by() linetype() medians genxq() savegraph() twoway_options]``."""
    *ys, xname = args.varlist
    line = (args.opt("linetype") or "lfit").strip()
    if line == "noline":
        line = "none"
    if line not in _LINES:
        raise StataError(198, "linetype() must either be connect, lfit, qfit, or none")
    controls = args.opt("controls") or []
    absorb, by = args.opt("absorb"), args.opt("by")
    rows = args.touse(session)
    columns = [*args.varlist, *controls, *([absorb] if absorb else []), *([by] if by else [])]
    for name in columns:
        col = session.data.cols[name]
        rows &= (col != "") if col.dtype == np.object_ else np.isfinite(col.astype(float))
    w = None if args.weight is None else Evaluator(session).numeric(args.weight[1])
    if w is not None:
        rows &= np.isfinite(w) & (w > 0)
    if not rows.any():
        raise StataError(2000, "no observations")
    add_mean = not args.opt("noaddmean")
    weights = None if w is None else w[rows]
    X = np.column_stack([session.data.numeric(c)[rows] for c in controls]) if controls else None
    groups = session.data.numeric(absorb)[rows] if absorb else None

    def prepared(name: str) -> np.ndarray:
        values = session.data.numeric(name)[rows]
        if X is None and groups is None:
            return values
        return residualised(values, X, groups, weights, add_mean)

    x = prepared(xname)
    y_values = [prepared(name) for name in ys]
    splits = [("", np.ones(int(rows.sum()), dtype=bool))]
    if by:
        splits = [(f"{by}={label}", mask[rows]) for label, mask in
                  cells(session, [by], rows)]
    count = int(args.opt("nquantiles", 20))
    numbers, _ = bin_numbers(x, count, weights)
    kind = "" if args.weight is None else args.weight[0]
    layers, fits = list[Layer](), list[Layer]()
    coefs: dict[int, list[np.ndarray]] = {}
    mcolours = (args.opt("mcolors") or args.opt("colors") or "").split() or list(_COLOURS)
    lcolours = (args.opt("lcolors") or args.opt("colors") or "").split() or list(_COLOURS)
    single = len(ys) == 1 and len(splits) == 1 and line != "connect"
    symbols = (args.opt("msymbols") or "").split()
    series = 0
    for s_label, inside in splits:
        for k, yname in enumerate(ys):
            try:
                result = binned(x[inside], y_values[k][inside], numbers[inside],
                                weights=None if weights is None else weights[inside],
                                weight_kind=kind, medians=bool(args.opt("medians")), line=line)
            except StatsError as err:
                raise StataError(err.code, err.message) from err
            mcolour = mcolours[0] if single else mcolours[series % len(mcolours)]
            lcolour = lcolours[1] if single and not args.opt("lcolors") else lcolours[
                series % len(lcolours)]
            label = yname if not s_label else (s_label if len(ys) == 1 else
                                               f"{yname}: {s_label}")
            layers.append(Layer(
                kind="connected" if line == "connect" else "scatter", x=result.x.tolist(),
                y=result.y.tolist(), label=label,
                style=Style(mcolor=mcolour, lcolor=mcolour, pstyle=series + 1,
                            msymbol=symbols[series % len(symbols)] if symbols else "")))
            if result.fit is not None:
                grid = np.linspace(result.x.min(), result.x.max(), 2 if line == "lfit" else 100)
                fits.append(Layer(kind="line", x=grid.tolist(), y=result.fit.at(grid).tolist(),
                                  keyed=False, style=Style(lcolor=lcolour, pstyle=series + 1)))
                coefs.setdefault(k, []).append(result.fit.coef[::-1])
            series += 1
    if args.opt("genxq"):
        column = np.full(session.data.n, np.nan)
        column[rows] = numbers
        session.data.add(args.opt("genxq"), column, "byte",
                         label=f"{count} quantiles of {xname}")
    _post(session, rows, ys, xname, coefs, line)
    _draw(session, args, layers + fits, ys, xname)


def _post(session: Session, rows: np.ndarray, ys: list[str], xname: str,
          coefs: dict[int, list[np.ndarray]], line: str) -> None:
    """``e()`` as binscatter posts it: e(N), e(sample), the fit coefficients per y."""
    results = Results(scalars={"N": float(rows.sum())}, macros={"cmd": "binscatter"})
    names = [xname, "_cons"] if line == "lfit" else [f"{xname}^2", xname, "_cons"]
    for k, rows_of in coefs.items():
        values = np.vstack(rows_of)
        results.matrices[f"y{k + 1}_coefs"] = Matrix(
            values, ["="] * len(rows_of) if len(rows_of) == 1 else
            [f"by{i + 1}:=" for i in range(len(rows_of))], names)
    results.sample = rows.copy()
    session.post_e(results)


def _draw(session: Session, args: Args, layers: list[Layer], ys: list[str], xname: str) -> None:
    graph = Graph(panels=[Panel(layers=layers)], scheme=session.settings.scheme,
                  graph_color="white", command=f"binscatter {args.raw}")
    graph.x.title = xname
    graph.y.title = " and ".join(ys) if len(ys) == 2 else "; ".join(ys)
    request, rest = read_options(session, args.rest_options)
    ignored = [name for name, _ in rest]
    ignored += [name for name in ("reportreg", "savedata()") if args.opt(name.strip("()"))]
    gallery.publish(session, graph, request, ignored)
    target = args.opt("savegraph")
    if target:
        if target.lower().endswith(".gph") or "." not in target:
            gallery.save(session, graph, target, replace=bool(args.opt("replace")))
        else:
            gallery.export(session, target, name=graph.name, fmt=None,
                           replace=bool(args.opt("replace")), width=None, height=None)
