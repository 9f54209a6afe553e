"""Unit-root tests: ``dfuller`` and ``pperron`` (numbers in :mod:`libs.stata_stats.unitroot`).

Both need ``tsset`` data with one panel in the sample, leave ``r()`` only (the test regression
is not posted to ``e()``: dfuller.ado holds and restores the estimates) and print Stata 18's
layout; ``regress`` adds the test regression's coefficient table.
"""

from __future__ import annotations

import numpy as np

from libs.engine.estimation import output, tsdata
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.request import stata_errors
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.unitroot import UnitRootTest, dfuller, pperron

_HYPOTHESIS = {
    "noconstant": "H0: Random walk without drift, d = 0",
    "constant": "H0: Random walk without drift, d = 0",
    "drift": "H0: Random walk with drift, d = 0",
    "trend": "H0: Random walk with or without drift",
}


def _sample(session: Session, args: Args) -> tuple[tsdata.Series, np.ndarray]:
    tsdata.settings(session)
    var = tsdata.series(session, args.anything or "")
    touse = args.touse(session) & np.isfinite(tsdata.time_values(session))
    tsdata.one_panel(session, touse)
    return var, touse


def _case(args: Args) -> str:
    for name in ("noconstant", "trend", "drift"):
        if args.opt(name):
            return name
    return "constant"


@command("dfuller", rclass=True,
         syntax="varname(ts) [if] [in] [, TRend noCONstant DRift Lags(integer 0) REGress]")
def dfuller_command(session: Session, args: Args) -> None:
    """``dfuller varname [if] [in] [, noconstant trend drift lags(#) regress]``."""
    var, touse = _sample(session, args)
    lags = max(int(args.opt("lags", 0)), 0)
    keep = touse.copy()
    dy = var.values(session, (("D", 1),))
    lagged = var.values(session, (("L", 1),))
    diffs = [var.values(session, (("L", j), ("D", 1))) for j in range(1, lags + 1)]
    trend = tsdata.trend(session, touse) if args.opt("trend") else None
    with stata_errors():
        test = dfuller(np.where(keep, dy, np.nan), lagged, diffs, trend,
                       var=var.name(), noconstant=bool(args.opt("noconstant")),
                       drift=bool(args.opt("drift")))
    title = ("Augmented Dickey–Fuller" if lags else "Dickey–Fuller") + " test for unit root"
    session.log.lines(_header(title, var.name(), test.n, ("Number of lags", test.lags)))
    session.log.lines([_HYPOTHESIS[_case(args)], ""])
    rows = [(" Z(t)", test.zt, test.crit)]
    session.log.lines(_table(rows, "Student's t" if args.opt("drift") else "Dickey–Fuller"))
    _p_line(session, test, "p-value for Z(t)" if args.opt("drift")
            else "MacKinnon approximate p-value for Z(t)")
    if args.opt("regress"):
        session.log.lines(["", *output.coefficient_table(test.regression)])
    scalars = {"N": float(test.n), "lags": float(test.lags), "Zt": test.zt,
               "cv1": test.crit[0], "cv5": test.crit[1], "cv10": test.crit[2]}
    if np.isfinite(test.p):
        scalars["p"] = test.p
    session.post_r(Results(scalars=scalars))


@command("pperron", rclass=True,
         syntax="varname(ts) [if] [in] [, TRend noCONstant Lags(integer -1) REGress]")
def pperron_command(session: Session, args: Args) -> None:
    """``pperron varname [if] [in] [, noconstant trend lags(#) regress]``."""
    var, touse = _sample(session, args)
    lags = int(args.opt("lags", -1))
    y = np.where(touse, var.values(session), np.nan)
    trend = tsdata.trend(session, touse) if args.opt("trend") else None
    with stata_errors():
        test = pperron(y, var.values(session, (("L", 1),)), trend, var=var.name(),
                       noconstant=bool(args.opt("noconstant")),
                       lags=None if lags < 0 else lags)
    session.log.lines(_header("Phillips–Perron test for unit root", var.name(), test.n,
                              ("Newey–West lags", test.lags)))
    session.log.lines([_HYPOTHESIS[_case(args)], ""])
    rows = [(" Z(rho)", test.zrho, test.crit_rho), (" Z(t)", test.zt, test.crit)]
    session.log.lines(_table(rows, "Dickey–Fuller"))
    _p_line(session, test, "MacKinnon approximate p-value for Z(t)")
    if args.opt("regress"):
        session.log.lines(["", *output.coefficient_table(test.regression)])
    scalars = {"N": float(test.n), "lags": float(test.lags), "Zt": test.zt, "Zrho": test.zrho}
    if np.isfinite(test.p):
        scalars["pval"] = test.p
    session.post_r(Results(scalars=scalars))


def _header(title: str, var: str, n: int, second: tuple[str, int]) -> list[str]:
    """Title, variable, N and lags: the variable moves below a title too long for its line."""
    labels = max(14, len(second[0]))
    width = max(len(str(n)), len(str(second[1])))
    right = [f"{'Number of obs':<{labels}} = {n:>{width}}",
             f"{second[0]:<{labels}} = {second[1]:>{width}}"]
    variable = f"Variable: {var}"
    if len(title) < 42:
        return ["", f"{title:<42}{right[0]}", f"{variable:<42}{right[1]}", ""]
    return ["", title, "", f"{variable:<42}{right[0]}", f"{'':<42}{right[1]}", ""]


def _table(rows: list[tuple[str, float, tuple[float, float, float]]], kind: str) -> list[str]:
    rule = "-" * 62
    lines = [
        f"{'':<39}{kind}",
        f"{'Test':>23}      -------- critical value ---------",
        f"{'statistic':>23}{'1%':>13}{'5%':>13}{'10%':>13}",
        rule,
    ]
    for label, stat, crit in rows:
        lines.append(label + numtext(stat, f"%{23 - len(label)}.3f")
                     + "".join(numtext(c, "%13.3f") for c in crit))
    lines.append(rule)
    return lines


def _p_line(session: Session, test: UnitRootTest, text: str) -> None:
    if np.isfinite(test.p):
        session.log.out(f"{text} = {numtext(test.p, '%6.4f').strip()}.")
