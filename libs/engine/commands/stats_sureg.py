"""``sureg (depvar indepvars [, noconstant]) …`` (seemingly unrelated regression) and ``reg3``
(three-stage least squares: the dependent variables are the endogenous ones, every other
variable of the system an instrument), both from :mod:`libs.stata_stats.sur`; the
equations are named by their dependent variables."""

from __future__ import annotations

from dataclasses import replace

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.post import post
from libs.engine.estimation.request import stata_errors
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.results import Matrix
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.textscan import split_top
from libs.engine.varlist import expand
from libs.stata_stats.sur import Equation, fit_sureg


def _equations(session: Session, text: str) -> list[Equation]:
    equations = []
    for part in split_top(text):
        if not (part.startswith("(") and part.endswith(")")):
            raise StataError(198, f"{part}: equation must be in parentheses")
        body, _, opts = part[1:-1].partition(",")
        opts_words = opts.split()
        if any(w not in ("nocons", "noconst", "noconstant") for w in opts_words):
            raise StataError(198, f"option {opts.strip()} not allowed")
        names = expand(session.data, body)
        if not names:
            raise StataError(102, "too few variables specified")
        ds = session.data
        equations.append(Equation(
            depvar=names[0], y=ds.numeric(names[0]),
            X=ds.to_pandas(names[1:]).to_numpy(dtype=float).reshape(ds.n, len(names) - 1),
            names=tuple(names[1:]), constant=not opts_words))
    if len(equations) < 2:
        raise StataError(198, "a system needs at least two equations")
    return equations


@command("sureg", syntax=None)
def sureg(session: Session, args: Args) -> None:
    """``sureg (y1 x…) (y2 x…) … [if] [, level(#)]`` (two-step FGLS)."""
    _system(session, args, "sureg")


@command("reg3", syntax=None)
def reg3(session: Session, args: Args) -> None:
    """``reg3 (y1 y2 x…) (y2 y1 x…) … [if] [, level(#)]`` (three-stage least squares)."""
    _system(session, args, "reg3")


def _system(session: Session, args: Args, cmd: str) -> None:
    # options follow the last comma unless that comma is inside an equation's parentheses
    head_text, comma, tail = args.raw.rpartition(",")
    text, opts = (head_text, tail) if comma and ")" not in tail else (args.raw, "")
    level = 95.0
    for word in split_top(opts):
        if word.startswith("l") and "(" in word and "level(".startswith(word.split("(")[0]):
            level = float(word.split("(", 1)[1].rstrip(")"))
        else:
            raise StataError(198, f"option {word} not allowed")
    head, sep, cond = text.partition(" if ")
    if " in " in f" {text} ":
        raise StataError(198, f"{cmd}: in range is not supported; use if")
    equations = _equations(session, head.strip())
    if sep:
        keep = Evaluator(session, None).numeric(cond) != 0
        equations = [Equation(depvar=e.depvar, y=e.y.copy(), X=e.X, names=e.names,
                              constant=e.constant) for e in equations]
        for e in equations:
            e.y[~keep] = float("nan")
    instruments = None
    exogenous: list[str] = []
    if cmd == "reg3":
        endogenous = [e.depvar for e in equations]
        for e in equations:
            exogenous += [v for v in e.names if v not in endogenous and v not in exogenous]
        instruments = session.data.to_pandas(exogenous).to_numpy(dtype=float).reshape(
            session.data.n, len(exogenous))
    with stata_errors():
        est = fit_sureg(equations, instruments)
    sample = est.sample if est.sample is not None else equations[0].y == equations[0].y
    post(session, est, sample, f"{cmd} {args.raw}".strip())
    sigma = est.extra["Sigma"]
    deps = [e.depvar for e in equations]
    session.e.matrices["Sigma"] = Matrix(sigma, deps, deps)
    s = est.scalars
    rule = "-" * 78
    lines = ["", est.macros["title"], rule,
             'Equation             Obs   Params         RMSE  "R-squared"      chi2   P>chi2',
             rule]
    for k, dep in enumerate(deps, start=1):
        lines.append(f"{dep[:12]:<12}{int(s['N']):>12,}{int(s[f'df_m{k}']):>9}"
                     f"{numtext(s[f'rmse_{k}'], '%9.0g'):>13}{numtext(s[f'r2_{k}'], '%11.4f')}"
                     f"{numtext(s[f'chi2_{k}'], '%11.2f')}{numtext(s[f'p_{k}'], '%9.4f')}")
    session.log.lines([*lines, rule, ""])
    # several dependent variables: the table's corner stays empty, as Stata's
    session.log.lines(output.coefficient_lines(session, replace(est, depvar=""), level))
    if cmd == "reg3":
        session.log.lines([f"Endogenous: {' '.join(deps)}",
                           f"Exogenous:  {' '.join(exogenous)}"])
