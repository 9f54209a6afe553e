"""``avplot indepvar``: the added-variable (partial-regression) plot after ``regress``.

Both axes are residuals on the estimation sample from regressions on the other regressors
(with the constant): e(depvar | X) against e(indepvar | X). Their least-squares line has the
regression's coefficient as slope (Frisch–Waugh–Lovell); the note shows it with its standard
error and t as ``e(V)`` gives them, as Stata's does.
"""

from __future__ import annotations

import numpy as np

from libs.engine.commands.graph_estimates import _options
from libs.engine.commands.stats_diagnostics import fitted_regression
from libs.engine.errors import StataError
from libs.engine.formats import format_number
from libs.engine.graphics import gallery
from libs.engine.graphics.model import Graph, Layer, Panel, Style
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import resolve


def partial_residuals(y: np.ndarray, x: np.ndarray, others: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Residuals of ``y`` and of ``x`` from least squares on ``others``."""
    def resid(v: np.ndarray) -> np.ndarray:
        coef, *_ = np.linalg.lstsq(others, v, rcond=None)
        return np.asarray(v - others @ coef)

    return resid(y), resid(x)


@command("avplot", syntax="varname [, *]")
def avplot(session: Session, args: Args) -> None:
    """``avplot indepvar [, scatter_options twoway_options]``."""
    fit = fitted_regression(session, "avplot")
    name = resolve(session.data, args.varlist[0])
    if name not in fit.names:
        raise StataError(198, f"{name} is not in the model")
    j = fit.names.index(name)
    others = np.delete(fit.X, j, axis=1)
    if fit.constant:
        others = np.column_stack([np.ones(len(fit.y)), others])
    ey, ex = partial_residuals(fit.y, fit.X[:, j], others)
    k = fit.est.names.index(name)
    coef, se = float(fit.est.b[k]), float(np.sqrt(fit.est.V[k, k]))
    request, plot, ignored = _options(session, args.rest_options)
    order = np.argsort(ex)
    line = Layer(kind="line", x=ex[order].tolist(), y=(coef * ex[order]).tolist(),
                 label="Fitted values", style=Style(pstyle=2))
    dots = Layer(kind="scatter", x=ex.tolist(), y=ey.tolist(), label="", style=plot.style(1))
    graph = Graph(panels=[Panel(layers=[dots, line])], scheme=session.settings.scheme,
                  command=f"avplot {args.raw}")
    graph.x.title = f"e( {name} | X )"
    graph.y.title = f"e( {fit.est.depvar} | X )"
    robust = "robust " if fit.est.macros.get("vcetype") == "Robust" else ""
    graph.note = [f"coef = {format_number(coef, '%9.0g').strip()}, {robust}se = "
                  f"{format_number(se, '%9.0g').strip()}, t = "
                  f"{format_number(coef / se, '%4.2f').strip()}"]
    graph.legend.show = False
    gallery.publish(session, graph, request, ignored)
