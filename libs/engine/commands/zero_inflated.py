"""``zip`` and ``zinb``: zero-inflated Poisson and negative binomial regression ([R] zip,
[R] zinb); numbers from :mod:`libs.stata_stats.zeroinfl`.

``inflate(varlist)`` (or ``inflate(_cons)``) gives the logit model of the structural zeros;
``exposure()``/``offset()`` enter the count equation. ``vuong``, ``zip`` (the LR test against
zip) and an offset inside ``inflate()`` are r(198).
"""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import model_offset, prepare, stata_errors
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import expand
from libs.stata_stats.zeroinfl import fit_zero_inflated

_SYNTAX = ("[varlist(numeric fv ts)] [if] [in] [fweight pweight iweight] [, INFlate(string) "
           "OFFset(varname) EXPosure(varname) irr vuong zip noLOg vce(string) Robust "
           "CLuster(varname) Level(real 95)]")


@command("zip", byable="recall", syntax=_SYNTAX)
def zip_(session: Session, args: Args) -> None:
    """``zip depvar indepvars [weight], inflate(varlist|_cons) [exposure() offset() irr
    vce()]``."""
    _zero_inflated("zip", session, args)


@command("zinb", byable="recall", syntax=_SYNTAX)
def zinb(session: Session, args: Args) -> None:
    """``zinb depvar indepvars [weight], inflate(varlist|_cons) [exposure() offset() irr
    vce()]``."""
    _zero_inflated("zinb", session, args)


def _inflate_names(session: Session, text: str) -> tuple[str, ...]:
    spec = text.strip()
    if not spec:
        raise StataError(198, "option inflate() required")
    if "," in spec:
        raise StataError(198, "inflate(): suboptions (offset) are not supported by the "
                              "embedded engine")
    words = [w for w in spec.split() if w != "_cons"]
    return tuple(expand(session.data, " ".join(words))) if words else ()


def _zero_inflated(cmd: str, session: Session, args: Args) -> None:
    for option in ("vuong", "zip"):
        if args.opt(option):
            raise StataError(198, f"option {option} is not supported by the embedded engine")
    inflate = _inflate_names(session, args.opt("inflate") or "")
    req = prepare(session, args, default_vce="oim", extra=inflate)
    offset = model_offset(session, args, req.rows)
    Z = np.column_stack([session.data.numeric(v)[req.rows] for v in inflate]) if inflate \
        else np.empty((req.rows.size, 0))
    with stata_errors():
        fit = fit_zero_inflated(cmd, *req.model, **req.options(), inflate=Z,
                                inflate_names=inflate, offset=offset)
    est = finish(session, fit.estimation, req.rows, cmd, args)
    for note in fit.notes:
        session.log.out(note)
    if not args.opt("nolog"):
        crit = "Log pseudolikelihood" if est.macros.get("vcetype") else "Log likelihood"
        session.log.lines([*output.iteration_log(fit.iterations, crit), ""])
    s = est.scalars
    header = output.ml_header(est)
    header[1] = f"{'Inflation model = logit':<48}" + header[1][48:]
    header[1:1] = [f"{'':<48}{'Nonzero obs':<13} = {int(s['N'] - s['N_zero']):>10,}",
                   f"{'':<48}{'Zero obs':<13} = {int(s['N_zero']):>10,}", ""]
    session.log.lines(header)
    table = output.coefficient_lines(session, est, args.opt("level", 95.0),
                                     "IRR" if args.opt("irr") else "", eform_first_only=True)
    below: tuple[str, ...] = ()
    if cmd == "zinb":
        alpha, se = float(np.exp(est.b[-1])), float(np.exp(est.b[-1]) * est.se[-1])
        lo, hi = np.exp(est.table(args.opt("level", 95.0))[4:6, -1])
        below = (output.MID, output.ancillary_row("alpha", alpha, se, float(lo), float(hi)))
    session.log.lines([*table[:-1], *below, table[-1]])
