"""``sqreg``: simultaneous-quantile regression with a bootstrapped VCE
(:mod:`libs.stata_stats.simultaneous_quantile`); the replications draw from the session's
random-number stream, so ``set seed`` makes them reproducible."""

from __future__ import annotations

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import prepare, stata_errors
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.simultaneous_quantile import fit_sqreg


def _quantiles(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(word) for word in text.replace(",", " ").split())
    except ValueError:
        raise StataError(198, f"quantiles({text}) invalid") from None


@command("sqreg", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] [, Quantiles(string) Reps(integer 20) "
         "Level(real 95) noDOTS]")
def sqreg(session: Session, args: Args) -> None:
    """``sqreg depvar indepvars [, quantiles(# ...) reps(#) level(#) nodots]``."""
    req = prepare(session, args, default_vce="oim")
    if req.weights is not None:
        raise StataError(101, "weights not allowed")
    quantiles = _quantiles(args.opt("quantiles") or ".5")
    reps = int(args.opt("reps", 20))
    if not args.opt("nodots"):
        session.log.out(f"(fitting base model)\n\nBootstrap replications ({reps}): "
                        + "." * reps + " done")
    with stata_errors():
        est = fit_sqreg(*req.model, depvar=req.depvar, quantiles=quantiles, reps=reps,
                        rng=session.rng, preomitted=req.design.preomitted)
    est = finish(session, est, req.rows, "sqreg", args)
    s = est.scalars
    lines = ["", f"{'Simultaneous quantile regression':<52}Number of obs = {int(s['N']):>10,}",
             f"{'  bootstrap(' + str(reps) + ') SEs':<52}"]
    for j in range(1, len(quantiles) + 1):
        label = f"{numtext(s[f'q{j}'], '%9.0g').strip()} Pseudo R2"
        row = f"{label:>13} = {numtext(s[f'r2_q{j}'], '%10.4f')}"
        if j == 1:
            lines[-1] += row
        else:
            lines.append(" " * 52 + row)
    session.log.lines([*lines, ""])
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))
