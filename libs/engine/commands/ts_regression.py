"""Regressions with serially correlated errors: ``newey`` (Newey–West standard errors) and
``prais`` (Prais–Winsten / Cochrane–Orcutt AR(1) regression). Numbers in
:mod:`libs.stata_stats.newey` and :mod:`libs.stata_stats.prais`; both post ``e()`` like
Stata's and work with ``predict``, ``test`` and ``lincom``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from libs.engine.errors import StataError
from libs.engine.estimation import output, tsdata
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import Request, prepare, stata_errors
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.newey import newey as newey_fit
from libs.stata_stats.prais import prais as prais_fit
from libs.stata_stats.vce import VceRequest


def _time_and_panel(session: Session, req: Request) -> tuple[np.ndarray, np.ndarray | None]:
    ts = tsdata.settings(session)
    time = tsdata.time_values(session)[req.rows]
    panel = session.data.numeric(ts.panelvar)[req.rows] if ts.panelvar else None
    return time, panel


def _gaps(time: np.ndarray, panel: np.ndarray | None, delta: float) -> bool:
    order = np.lexsort((time,) if panel is None else (time, panel))
    t = time[order]
    step = np.diff(t) != delta
    if panel is not None:
        p = panel[order]
        step &= p[1:] == p[:-1]
    return bool(step.any())


def _positions(time: np.ndarray, panel: np.ndarray | None) -> np.ndarray:
    """Consecutive periods 0, 1, 2 … within each panel (``force``: rows as equally spaced)."""
    order = np.lexsort((time,) if panel is None else (time, panel))
    out = np.empty(time.size)
    out[order] = np.arange(time.size)
    return out


@command("newey", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] [, LAG(integer -1) noCONStant force "
         "Level(real 95)]")
def newey(session: Session, args: Args) -> None:
    """``newey depvar indepvars [if] [in], lag(#) [noconstant force level()]``."""
    lag = int(args.opt("lag", -1))
    if lag < 0:
        raise StataError(198, "option lag() required")
    req = prepare(session, args, default_vce="ols")
    time = panel = None
    delta = 1.0
    if lag > 0:
        time, panel = _time_and_panel(session, req)
        delta = tsdata.settings(session).delta
        if _gaps(time, panel, delta):
            if not args.opt("force"):
                name = tsdata.settings(session).timevar
                raise StataError(198, f"{name} is not regularly spaced -- use the force option "
                                      "to override")
            time, delta = _positions(time, panel), 1.0
    with stata_errors():
        est = newey_fit(*req.model, depvar=req.depvar, lag=lag, time=time, panel=panel,
                        delta=delta, cons=not args.opt("noconstant"),
                        preomitted=req.design.preomitted)
    est = finish(session, est, req.rows, "newey", args)
    s = est.scalars
    p = float(stats.f.sf(s["F"], s["df_m"], s["df_r"])) if s["df_m"] else np.nan
    f_label = f"F({int(s['df_m'])}, {int(s['df_r'])})"
    session.log.lines([
        "",
        f"{'Regression with Newey–West standard errors':<48}{'Number of obs':<18}= "
        f"{int(s['N']):>10,}",
        f"{'Maximum lag = ' + str(lag):<48}{f_label:<18}= {numtext(s['F'], '%10.2f')}",
        f"{'':<48}{'Prob > F':<18}= {numtext(p, '%10.4f')}",
        "",
    ])
    est.macros["vcetype"] = "Newey–West"  # the table's heading (e(vcetype) keeps Stata's)
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))


@command("prais", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] [, corc TWOstep RHOtype(string) "
         "noCONStant SSEsearch vce(string) Robust CLuster(varname) Level(real 95)]")
def prais(session: Session, args: Args) -> None:
    """``prais depvar indepvars [, corc twostep rhotype() noconstant vce()]``."""
    if args.opt("ssesearch"):
        raise StataError(198, "option ssesearch is not supported by the embedded engine")
    req = prepare(session, args, default_vce="ols")
    time, panel = _time_and_panel(session, req)
    order = np.lexsort((time,) if panel is None else (time, panel))
    rows = req.rows[order]
    corc = bool(args.opt("corc"))
    with stata_errors():
        fit = prais_fit(req.y[order], req.X[order], req.design.names, depvar=req.depvar,
                        time=time[order], panel=None if panel is None else panel[order],
                        delta=tsdata.settings(session).delta, corc=corc,
                        twostep=bool(args.opt("twostep")),
                        rhotype=(args.opt("rhotype") or "regress").strip().lower(),
                        cons=not args.opt("noconstant"),
                        vce=_ordered_vce(req, order),
                        preomitted=req.design.preomitted)
    est = finish(session, fit.estimation, rows, "prais", args)
    session.log.lines(["", *(f"Iteration {i}:  rho = {numtext(r, '%6.4f').strip()}"
                         for i, r in enumerate(fit.rhos))])
    method = "Cochrane–Orcutt" if corc else "Prais–Winsten"
    how = "twostep" if args.opt("twostep") else "iterated"
    session.log.lines(["", f"{method} AR(1) regression with {how} estimates", ""])
    session.log.lines(output.regress_header(est))
    table = output.coefficient_lines(session, est, args.opt("level", 95.0))
    s = est.scalars
    session.log.lines([*table[:-1], output.MID,
                       f"{'rho':>12} |  {numtext(s['rho'], '%9.0g').strip():>9}", table[-1]])
    session.log.lines([
        f"Durbin–Watson statistic (original)    = {numtext(s['dw_0'], '%9.6f').strip()}",
        f"Durbin–Watson statistic (transformed) = {numtext(s['dw'], '%9.6f').strip()}",
    ])


def _ordered_vce(req: Request, order: np.ndarray) -> VceRequest:
    """The request's ``vce()`` with cluster ids put in time order."""
    vce = req.vce
    if vce.clusters is None:
        return vce
    return VceRequest(kind=vce.kind, clusters=vce.clusters[order], clustvar=vce.clustvar)
