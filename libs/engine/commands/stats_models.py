"""Estimation commands of the multi-parameter models: ologit, oprobit, mlogit, nbreg, tobit,
qreg.

Each parses with the shared syntax parser, takes sample, design, weights and ``vce()`` from
:func:`libs.engine.estimation.request.prepare`, calls :mod:`libs.stata_stats` for the
numbers, posts ``e()`` (:func:`libs.engine.estimation.post.finish`) and writes Stata's layout.
"""

from __future__ import annotations

import numpy as np

from libs.engine.commands.stats_xtbinary import random_effects
from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.post import finish, replay
from libs.engine.estimation.request import ids, model_offset, prepare, stata_errors
from libs.engine.registry import command
from libs.engine.results import Matrix
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.conditional import fit_clogit
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.multinomial import fit_mlogit
from libs.stata_stats.negbin import fit_nbreg
from libs.stata_stats.ordered import fit_ordered
from libs.stata_stats.quantile import fit_qreg
from libs.stata_stats.tobit import fit_tobit

_VCE = "vce(string) Robust CLuster(varname) Level(real 95)"


def _show(session: Session, est: Estimation, args: Args, iterations: tuple[float, ...],
          notes: tuple[str, ...], eform: str = "", below: tuple[str, ...] = ()) -> None:
    """Notes, iteration log, ML header and the coefficient table (``below``: rows shown
    under the coefficients, before the closing rule)."""
    for note in notes:
        session.log.out(note)
    crit = "Log pseudolikelihood" if est.macros.get("vcetype") else "Log likelihood"
    session.log.lines([*output.iteration_log(iterations, crit), ""])
    session.log.lines(output.ml_header(est))
    table = output.coefficient_lines(session, est, args.opt("level", 95.0), eform)
    session.log.lines([*table[:-1], *below, table[-1]])


def _ordered(cmd: str, session: Session, args: Args) -> None:
    req = prepare(session, args, default_vce="oim")
    with stata_errors():
        fit = fit_ordered(cmd, *req.model, **req.options())
    est = finish(session, fit.estimation, req.rows, cmd, args)
    session.e.matrices["cat"] = Matrix(fit.categories[None, :], ["r1"],
                                       [f"c{j + 1}" for j in range(fit.categories.size)])
    _show(session, est, args, fit.iterations, fit.notes)


_ORDERED = f"[varlist(numeric fv ts)] [if] [in] [fweight pweight iweight] [, {_VCE}]"


@command("ologit", byable="recall", syntax=_ORDERED)
def ologit(session: Session, args: Args) -> None:
    """``ologit depvar indepvars [weight] [, vce()]``."""
    _ordered("ologit", session, args)


@command("oprobit", byable="recall", syntax=_ORDERED)
def oprobit(session: Session, args: Args) -> None:
    """``oprobit depvar indepvars [weight] [, vce()]``."""
    _ordered("oprobit", session, args)


@command("mlogit", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] [fweight pweight iweight] "
         f"[, BASEoutcome(real) noCONStant rrr {_VCE}]")
def mlogit(session: Session, args: Args) -> None:
    """``mlogit depvar indepvars [weight] [, baseoutcome(#) rrr noconstant vce()]``;
    ``mlogit [, rrr level()]`` without a model redisplays the last estimates."""
    shown = replay(session, args, "mlogit")
    if shown is not None:
        session.log.lines(["", *output.ml_header(shown)])
        session.log.lines(output.coefficient_lines(session, shown, args.opt("level", 95.0),
                                                   "RRR" if args.opt("rrr") else ""))
        session.log.out(f"Note: {session.e.scalars.get('baseout', 0):g} is the base outcome.")
        return
    req = prepare(session, args, default_vce="oim")
    var = session.data.vars[req.depvar]
    labels = session.data.value_labels.get(var.value_label or "", None)
    with stata_errors():
        fit = fit_mlogit(*req.model, **req.options(), labels=labels,
                         base=args.opt("baseoutcome"), cons=not args.opt("noconstant"))
    est = finish(session, fit.estimation, req.rows, "mlogit", args)
    session.e.matrices["out"] = Matrix(fit.outcomes[None, :], ["r1"],
                                       [f"o{j + 1}" for j in range(fit.outcomes.size)])
    _show(session, est, args, fit.iterations, fit.notes, "RRR" if args.opt("rrr") else "")
    session.log.out(f"Note: {fit.base:g} is the base outcome.")


@command("nbreg", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] [fweight pweight iweight] "
         f"[, OFFset(varname) EXPosure(varname) irr Dispersion(string) {_VCE}]")
def nbreg(session: Session, args: Args) -> None:
    """``nbreg depvar indepvars [weight] [, exposure() offset() irr vce()]``."""
    if (args.opt("dispersion") or "mean").strip() not in ("m", "me", "mea", "mean"):
        raise StataError(198, "option dispersion(constant) is not supported")
    req = prepare(session, args, default_vce="oim")
    offset = model_offset(session, args, req.rows)
    with stata_errors():
        fit = fit_nbreg(*req.model, **req.options(), offset=offset)
    est = finish(session, fit.estimation, req.rows, "nbreg", args)
    alpha, se = float(np.exp(est.b[-1])), float(np.exp(est.b[-1]) * est.se[-1])
    lo, hi = np.exp(est.table(args.opt("level", 95.0))[4:6, -1])
    # alpha = exp(/lnalpha), its se by the delta method and its interval transformed
    below = (output.MID, output.ancillary_row("alpha", alpha, se, float(lo), float(hi)))
    _show(session, est, args, fit.iterations, fit.notes, "IRR" if args.opt("irr") else "",
          below)
    session.log.out(
        f"LR test of alpha=0: chibar2(01) = {numtext(est.scalars['chi2_c'], '%8.2f').strip()}"
        f"{'':>17}Prob >= chibar2 = {numtext(est.scalars['p_c'], '%6.3f').strip()}")


@command("tobit", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] [fweight pweight iweight aweight] "
         f"[, ll(passthru) ul(passthru) noCONStant {_VCE}]")
def tobit(session: Session, args: Args) -> None:
    """``tobit depvar indepvars [weight], ll[(#)] ul[(#)] [noconstant vce()]``."""
    lower, ll_min = _limit(args.opt("ll"))
    upper, ul_max = _limit(args.opt("ul"))
    if lower is None and upper is None and not (ll_min or ul_max):
        raise StataError(198, "must specify censoring point")
    req = prepare(session, args, default_vce="oim")
    with stata_errors():
        fit = fit_tobit(*req.model, **req.options(), ll=lower, ul=upper, ll_min=ll_min,
                        ul_max=ul_max, cons=not args.opt("noconstant"))
    est = finish(session, fit.estimation, req.rows, "tobit", args)
    for note in fit.notes:
        session.log.out(note)
    session.log.lines([*output.iteration_log(fit.iterations), ""])
    s = est.scalars
    limits = (f"Limits: Lower = {numtext(s['llopt'], '%9.0g').strip() if 'llopt' in s else '-inf'}",
              f"        Upper = {numtext(s['ulopt'], '%9.0g').strip() if 'ulopt' in s else '+inf'}")
    test = (f"LR chi2({int(s['df_m'])})", s.get("chi2")) if "chi2" in s else \
        (f"F({int(s['df_m'])}, {int(s['df_r'])})", s.get("F"))
    session.log.lines([
        f"{'Tobit regression':<52}Number of obs     = {int(s['N']):>10,}",
        f"{'':<52}   Uncensored     = {int(s['N_unc']):>10,}",
        f"{limits[0]:<52}   Left-censored  = {int(s['N_lc']):>10,}",
        f"{limits[1]:<52}   Right-censored = {int(s['N_rc']):>10,}",
        "",
        f"{'':<52}{test[0]:<17} = {numtext(float(test[1] or np.nan), '%10.2f')}",
        f"{'':<52}{'Prob > ' + ('chi2' if 'chi2' in s else 'F'):<17} = "
        f"{numtext(s['p'], '%10.4f')}",
        f"{'Log likelihood = ' + numtext(s['ll'], '%10.0g').strip():<52}"
        f"{'Pseudo R2':<17} = {numtext(s['r2_p'], '%10.4f')}",
        "",
    ])
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))


def _limit(token: str | None) -> tuple[float | None, bool]:
    """``ll``/``ll(#)``: (the limit, whether the bare option asks for the sample extreme)."""
    if not token:
        return None, False
    _, paren, inner = token.partition("(")
    if not paren:
        return None, True
    try:
        return float(inner.rstrip(")").strip()), False
    except ValueError:
        raise StataError(198, f"option {token} incorrectly specified (a number is needed)") \
            from None


@command("qreg", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] "
         "[, Quantile(real 0.5) vce(string) Level(real 95) WLSiter(integer 1)]")
def qreg(session: Session, args: Args) -> None:
    """``qreg depvar indepvars [, quantile(#) vce(iid|robust [, denmethod bwidth])]``."""
    robust, denmethod, bwmethod, kernel = _qreg_vce(args.options.pop("vce", "") or "")
    req = prepare(session, args, default_vce="oim")
    if req.weights is not None:
        raise StataError(101, "weights not allowed")
    with stata_errors():
        est = fit_qreg(*req.model, depvar=req.depvar, quantile=args.opt("quantile", 0.5),
                       robust=robust, denmethod=denmethod, bwmethod=bwmethod, kernel=kernel,
                       preomitted=req.design.preomitted)
    est = finish(session, est, req.rows, "qreg", args)
    s = est.scalars
    session.log.lines([
        f"{est.macros['title']:<52}Number of obs = {int(s['N']):>10,}",
        f"  Raw sum of deviations {numtext(s['sum_rdev'], '%9.0g').strip()} "
        f"(about {numtext(s['q_v'], '%9.0g').strip()})",
        f"{'  Min sum of deviations ' + numtext(s['sum_adev'], '%9.0g').strip():<52}"
        f"Pseudo R2     = {numtext(s['r2_p'], '%10.4f')}",
        "",
    ])
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))


def _qreg_vce(text: str) -> tuple[bool, str, str, str]:
    """``vce(iid|robust [, fitted|residual|kernel[(k)] hsheather|bofinger|chamberlain])``."""
    kind, _, rest = text.partition(",")
    kind = kind.strip().lower() or "iid"
    if kind not in ("iid", "robust", "r", "rob", "robu", "robus"):
        raise StataError(198, f"vcetype {kind} not allowed")
    denmethod, bwmethod, kernel = "fitted", "hsheather", "epanechnikov"
    for word in rest.replace("(", " (").split():
        word = word.strip().lower()
        if word in ("fitted", "residual", "kernel"):
            denmethod = word
        elif word.startswith("(") and denmethod == "kernel":
            kernel = word.strip("()")
        elif word in ("hsheather", "bofinger", "chamberlain"):
            bwmethod = word
        else:
            raise StataError(198, f"vce() suboption {word} not allowed")
    return kind != "iid", denmethod, bwmethod, kernel


@command("xtlogit", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] [, fe re pa i(varname) or "
         f"INTPoints(integer 12) CORr(string) nmp rgf {_VCE}]")
def xtlogit(session: Session, args: Args) -> None:
    """``xtlogit depvar indepvars, fe [or vce()]`` (conditional logit on the xtset panel);
    ``re`` (the default) and ``pa`` in :mod:`stats_xtbinary`."""
    if not args.opt("fe") or args.opt("pa"):
        random_effects(session, args, "logit")
        return
    ivar = str(args.opt("i") or (session.tsset.panelvar if session.tsset else "") or "")
    if not ivar:
        raise StataError(459, "panel variable not set; use xtset varname ...")
    req = prepare(session, args, default_vce="oim", extra=(ivar,))
    with stata_errors():
        fit = fit_clogit(*req.model, ids(session, ivar)[req.rows], depvar=req.depvar,
                         ivar=ivar, vce=req.vce, preomitted=req.design.preomitted)
    est = finish(session, fit.estimation, req.rows, "xtlogit", args)
    _show(session, est, args, fit.iterations, fit.notes, "OR" if args.opt("or") else "")
