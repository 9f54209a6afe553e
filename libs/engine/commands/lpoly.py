"""``lpoly``: kernel-weighted local polynomial smoothing ([R] lpoly).

``lpoly yvar xvar [if] [in] [fw aw] [, kernel() bwidth(#|varname) degree(#) n(#) at(var)
generate([newvar_x] newvar_s) nograph noscatter graph_options]`` computes the smooth on a
grid of ``n()`` (default 50, at most N) equally spaced points over the range of ``xvar``, or
at the values of ``at()``, stores ``r(bwidth)``, ``r(degree)``, ``r(ngrid)``, ``r(kernel)``,
``r(N)`` and saves the grid and the smooth with ``generate()``. Graph options are accepted;
drawing the graph belongs to the graphics commands. ``ci``, ``se()`` and ``pwidth()`` are not
available (r(198)).
"""

from __future__ import annotations

import numpy as np

from libs.engine import varlist
from libs.engine.errors import StataError
from libs.engine.estimation.request import stata_errors, weights_of
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.kernel_density import kernel_named
from libs.stata_stats.lpoly import rule_of_thumb, smooth


@command("lpoly", syntax="varlist(min=2 max=2 numeric) [if] [in] [fweight aweight] "
         "[, Kernel(string) BWidth(string) DEGree(integer 0) N(integer 50) AT(varname) "
         "GENerate(string) noGRaph noSCatter CI SE(string) PWidth(string) Var(string) "
         "Level(real 95) *]", rclass=True)
def lpoly(session: Session, args: Args) -> None:
    """Compute the smooth; store ``r()``; save it with ``generate()``."""
    for unsupported in ("ci", "se", "pwidth", "var"):
        if args.opt(unsupported):
            raise StataError(198, f"option {unsupported} is not available in the embedded "
                                  "engine")
    degree = int(args.opt("degree", 0))
    if degree < 0:
        raise StataError(198, "degree() must be a nonnegative number")
    with stata_errors():
        kernel = kernel_named(args.opt("kernel") or "epanechnikov")
    yname, xname = args.varlist
    ds = session.data
    touse = args.touse(session)
    y, x = ds.numeric(yname), ds.numeric(xname)
    touse &= np.isfinite(y) & np.isfinite(x)
    w = weights_of(session, args)
    wv = None
    if w is not None:
        touse &= np.isfinite(w.values) & (w.values > 0)
        wv = w.values[touse]
        if w.kind == "aweight":
            wv = wv * len(wv) / wv.sum()
    n_obs = int(touse.sum())
    if n_obs < 2:
        raise StataError(2000 if n_obs == 0 else 2001,
                         "no observations" if n_obs == 0 else "insufficient observations")
    xs, ys = x[touse], y[touse]
    grid, rows = _grid(session, args, xs)
    with stata_errors():
        bw = _bandwidth(session, args, xs, ys, degree, kernel, wv, rows)
        fitted = smooth(xs, ys, grid, bw, degree, kernel, wv)
    bw_scalar = float(np.asarray(bw).flat[0]) if np.ndim(bw) else float(bw)
    session.post_r(Results(scalars={"N": float(n_obs), "bwidth": bw_scalar,
                                    "degree": float(degree), "ngrid": float(len(grid))},
                           macros={"kernel": kernel}))
    _generate(session, args, grid, fitted, rows, yname)


def _grid(session: Session, args: Args, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The evaluation points and the observations that hold them: ``at()``'s nonmissing
    values in place, or ``n()`` points over the range of x in observations 1..n."""
    ds = session.data
    if args.opt("at"):
        at = ds.numeric(args.opt("at"))
        rows = np.flatnonzero(np.isfinite(at))
        return at[rows], rows
    n = int(args.opt("n", 50))
    if n <= 0:
        raise StataError(198, "n() must be a positive number")
    if n <= 1:
        n = 50
    if n > ds.n:
        n = ds.n
        session.log.out(f"(n() set to {n})")
    lo, hi = float(xs.min()), float(xs.max())
    grid = lo + np.arange(n) * (hi - lo) / (n - 1) if n > 1 else np.array([lo])
    return grid, np.arange(n)


def _bandwidth(session: Session, args: Args, xs: np.ndarray, ys: np.ndarray, degree: int,
               kernel: str, weights: np.ndarray | None, rows: np.ndarray
               ) -> float | np.ndarray:
    """``bwidth(#)``, ``bwidth(varname)`` (one per ``at()`` point) or the rule of thumb."""
    text = (args.opt("bwidth") or "").strip()
    if not text:
        return rule_of_thumb(xs, ys, degree, kernel, weights)
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None:
        if not args.opt("at"):
            raise StataError(198, "variable name in bwidth() is allowed only with at() option")
        name = varlist.resolve(session.data, text, abbrev=session.settings.varabbrev)
        values: np.ndarray = session.data.numeric(name)[rows]
        if np.any(values[np.isfinite(values)] <= 0):
            raise StataError(499, f"bwidth(): {name} has nonpositive values")
        return values
    if value <= 0:
        raise StataError(198, "bwidth() must be a positive number")
    return value


def _generate(session: Session, args: Args, grid: np.ndarray, fitted: np.ndarray,
              rows: np.ndarray, yname: str) -> None:
    """``generate(newvar_x newvar_s)`` or, with ``at()``, ``generate(newvar_s)``."""
    names = (args.opt("generate") or "").split()
    if not names:
        return
    if len(names) > 2:
        raise StataError(198, "generate(): too many variables specified")
    if len(names) == 1 and not args.opt("at"):
        raise StataError(198, "at() must be specified for generate() to work with one "
                              "variable")
    ds = session.data
    varlist.new_names(ds, " ".join(names))
    ylabel = ds.vars[yname].label or yname
    columns = [(names[-1], fitted, f"lpoly smooth: {ylabel}")]
    if len(names) == 2:
        columns.insert(0, (names[0], grid, "lpoly smoothing grid"))
    for name, values, label in columns:
        column = np.full(ds.n, np.nan)
        column[rows] = values
        ds.add(name, column, "double", label=label)


__all__ = ["lpoly"]
