"""``xtprobit`` and ``xtlogit, re`` (the default of both): random-effects binary models on the
``xtset`` panel (:mod:`libs.stata_stats.random_effects_binary`)."""

from __future__ import annotations

import math
from collections.abc import Callable

from libs.engine.commands.xtgee import population_averaged
from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import ids, prepare, stata_errors
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.random_effects_binary import fit_random_effects

_SYNTAX = ("[varlist(numeric fv ts)] [if] [in] [, re fe pa i(varname) or Level(real 95) "
           "vce(string) Robust INTPoints(integer 12) CORr(string) nmp rgf]")


def random_effects(session: Session, args: Args, link: str) -> None:
    """Fit and show ``xt{link} depvar indepvars, re`` (``pa``: the GEE population-averaged
    model of :mod:`libs.engine.commands.xtgee`)."""
    if args.opt("pa"):
        population_averaged(session, args, "binomial", link, f"xt{link}")
        return
    if args.opt("fe"):
        raise StataError(198, f"xt{link}: option fe is not available in the embedded engine")
    for name in ("corr", "nmp", "rgf"):
        if args.opt(name):
            raise StataError(198, f"option {name}() requires pa")
    if ((args.opt("vce") or "oim").strip() != "oim" or args.opt("robust")
            or args.opt("cluster") or int(args.opt("intpoints", 12)) != 12):
        raise StataError(198, "only vce(oim) and the default 12 integration points are "
                              "available")
    ivar = str(args.opt("i") or (session.tsset.panelvar if session.tsset else "") or "")
    if not ivar:
        raise StataError(459, "panel variable not set; use xtset varname ...")
    req = prepare(session, args, default_vce="oim", extra=(ivar,))
    with stata_errors():
        fit = fit_random_effects(link, *req.model, ids(session, ivar)[req.rows],
                                 depvar=req.depvar, ivar=ivar,
                                 preomitted=req.design.preomitted)
    est = finish(session, fit.estimation, req.rows, f"xt{link}", args)
    s = est.scalars
    session.log.lines([*output.iteration_log(fit.iterations), "",
        f"{est.macros['title']:<49}Number of obs    = {int(s['N']):>9,}",
        f"{'Group variable: ' + ivar:<49}Number of groups = {int(s['N_g']):>9,}", "",
        f"{'Random effects u_i ~ Gaussian':<49}Obs per group:",
        f"{'':<49}             min = {int(s['g_min']):>9,}",
        f"{'':<49}             avg = {numtext(s['g_avg'], '%9.1f')}",
        f"{'':<49}             max = {int(s['g_max']):>9,}", "",
        f"{'Integration method: aghermite':<49}Integration pts. = {int(s['n_quad']):>9}", "",
        f"{'':<49}{'Wald chi2(' + str(int(s['df_m'])) + ')':<16} = {numtext(s['chi2'], '%9.2f')}",
        f"{'Log likelihood = ' + numtext(s['ll'], '%10.0g').strip():<49}"
        f"{'Prob > chi2':<16} = {numtext(s['p'], '%9.4f')}", ""])
    table = output.coefficient_lines(session, est, args.opt("level", 95.0),
                                     "OR" if args.opt("or") else "")
    i = est.names.index("/:lnsig2u")
    se = float(est.se[i])
    sigma_u, rho = s["sigma_u"], s["rho"]
    # sigma_u = exp(lnsig2u/2), rho = σᵤ²/(σᵤ² + σₑ²): standard errors by the delta method
    lo, hi = (float(v) for v in est.table(args.opt("level", 95.0))[4:6, i])

    def ends(transform: Callable[[float], float]) -> tuple[float, float]:
        return transform(lo), transform(hi)

    below = [output.MID,
             output.ancillary_row("sigma_u", sigma_u, sigma_u * se / 2,
                                  *ends(lambda v: math.exp(v / 2))),
             output.ancillary_row("rho", rho, rho * (1 - rho) * se,
                                  *ends(lambda v: _rho(v, link)))]
    session.log.lines([*table[:-1], *below, table[-1]])
    session.log.out(f"LR test of rho=0: chibar2(01) = {numtext(s['chi2_c'], '%8.2f').strip()}"
                    f"{'':>17}Prob >= chibar2 = {numtext(s['p_c'], '%6.3f').strip()}")


def _rho(lnsig2u: float, link: str) -> float:
    var_u = math.exp(lnsig2u)
    return var_u / (var_u + (1.0 if link == "probit" else math.pi**2 / 3))


@command("xtprobit", byable="recall", syntax=_SYNTAX)
def xtprobit(session: Session, args: Args) -> None:
    """``xtprobit depvar indepvars [, re i(ivar)]``: random-effects probit."""
    random_effects(session, args, "probit")
