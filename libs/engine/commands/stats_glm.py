"""``glm`` (generalized linear models) and ``fracreg`` (fractional response). Numbers in
:mod:`libs.stata_stats.glm`."""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import model_offset, prepare, stata_errors
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.engine.varlist import resolve
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.glm import GlmFit, fit_fracreg, fit_glm

_FAMILIES = {"gaussian": 3, "binomial": 1, "poisson": 1, "nbinomial": 2}
_LINKS = {"identity": 1, "log": 3, "logit": 4, "probit": 1, "cloglog": 1}
_VCE = "vce(string) Robust CLuster(varname) Level(real 95)"


def _word(text: str, table: dict[str, int], what: str) -> str:
    for name, shortest in table.items():
        if name.startswith(text) and len(text) >= shortest:
            return name
    raise StataError(198, f"{what}({text}) not supported by the embedded engine")


def _family(session: Session, text: str, rows: np.ndarray) -> tuple[str, float | np.ndarray,
                                                                    float]:
    """The family, the binomial trials (a number or a variable) and nbinomial's k."""
    words = (text or "gaussian").split()
    family = _word(words[0].lower(), _FAMILIES, "family")
    trials: float | np.ndarray = 1.0
    k = 1.0
    if len(words) > 1:
        arg = words[1]
        try:
            value = float(arg)
        except ValueError:
            if family != "binomial":
                raise StataError(198, f"family({text}) invalid") from None
            trials = session.data.numeric(resolve(session.data, arg))[rows]
        else:
            if family == "binomial":
                trials = value
            elif family == "nbinomial":
                k = value
    return family, trials, k


@command("glm", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] [fweight aweight pweight iweight] "
         "[, Family(string) Link(string) noCONStant OFFset(varname) EXPosure(varname) "
         f"eform irr or irls noLOg {_VCE}]")
def glm(session: Session, args: Args) -> None:
    """``glm depvar indepvars [weight], family() link() [vce() offset() exposure() eform]``."""
    req = prepare(session, args, default_vce="oim")
    family, trials, k = _family(session, args.opt("family") or "gaussian", req.rows)
    link = _word(args.opt("link").lower(), _LINKS, "link") if args.opt("link") else None
    with stata_errors():
        fit = fit_glm(*req.model, **req.options(), family=family, link=link, trials=trials,
                      k=k, cons=not args.opt("noconstant"),
                      offset=model_offset(session, args, req.rows))
    est = finish(session, fit.estimation, req.rows, "glm", args)
    eform = ""
    if args.opt("eform") or args.opt("irr") or args.opt("or"):
        eform = "IRR" if args.opt("irr") else "Odds ratio" if args.opt("or") else "exp(b)"
    _show(session, fit, est, args, eform)


_FRACREG = Spec("varlist(numeric fv ts) [if] [in] [fweight pweight iweight] [, noCONStant "
                f"OFFset(varname) or noLOg {_VCE}]")


@command("fracreg", byable="recall", syntax=None)
def fracreg(session: Session, args: Args) -> None:
    """``fracreg logit|probit depvar indepvars [weight] [, noconstant offset() vce() or]``."""
    model, _, rest = args.raw.strip().partition(" ")
    if model not in ("logit", "probit"):
        raise StataError(198, f"fracreg {model}: logit or probit expected (hetprobit is not "
                              "provided by the embedded engine)")
    parsed = _FRACREG.parse(rest, session)
    if parsed.opt("or") and model != "logit":
        raise StataError(198, "option or is allowed only with fracreg logit")
    req = prepare(session, parsed, default_vce="robust")
    with stata_errors():
        fit = fit_fracreg(*req.model, **req.options(), link=model,
                          cons=not parsed.opt("noconstant"),
                          offset=model_offset(session, parsed, req.rows))
    est = finish(session, fit.estimation, req.rows, "fracreg", parsed)
    _notes_and_iterations(session, fit, est, parsed)
    session.log.lines(["", *output.ml_header(est)])
    session.log.lines(output.coefficient_lines(session, est, parsed.opt("level", 95.0),
                                               "Odds ratio" if parsed.opt("or") else ""))


def _notes_and_iterations(session: Session, fit: GlmFit, est: Estimation, args: Args) -> None:
    """The collinearity notes and, unless ``nolog``, the iteration log."""
    for note in fit.notes:
        session.log.out(note)
    if not args.opt("nolog"):
        crit = "Log pseudolikelihood" if est.macros.get("vcetype") == "Robust" else \
            "Log likelihood"
        session.log.lines(["", *output.iteration_log(fit.iterations, crit)])


def _show(session: Session, fit: GlmFit, est: Estimation, args: Args, eform: str) -> None:
    _notes_and_iterations(session, fit, est, args)
    s, m = est.scalars, est.macros

    def right(label: str, value: str) -> str:
        return f"{label:<18}= {value:>10}"

    session.log.lines([
        "",
        f"{m['title']:<50}{right('Number of obs', format(int(s['N']), ','))}",
        f"{'Optimization     : ML':<50}{right('Residual df', format(int(s['df']), ','))}",
        f"{'':<50}{right('Scale parameter', numtext(s['phi'], '%10.0g').strip())}",
        f"{'Deviance         =  ' + numtext(s['deviance'], '%12.0g').strip():<50}"
        f"{right('(1/df) Deviance', numtext(s['dispers'], '%10.0g').strip())}",
        f"{'Pearson          =  ' + numtext(s['deviance_p'], '%12.0g').strip():<50}"
        f"{right('(1/df) Pearson', numtext(s['dispers_p'], '%10.0g').strip())}",
        "",
        f"{'Variance function: V(u) = ' + m['varfuncf']:<50}[{m['varfunct']}]",
        f"{'Link function    : g(u) = ' + m['linkf']:<50}[{m['linkt']}]",
        "",
        f"{'':<50}{right('AIC', numtext(s['aic'], '%10.0g').strip())}",
        f"{'Log likelihood   = ' + numtext(s['ll'], '%12.0g').strip():<50}"
        f"{right('BIC', numtext(s['bic'], '%10.0g').strip())}",
        "",
    ])
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0), eform))
