"""``xtgee`` and the population-averaged ``xtprobit, pa`` and ``xtlogit, pa`` that route
through it: GEE on the ``xtset`` panel (:mod:`libs.stata_stats.gee`).

As in Stata, ``xtprobit, pa`` is ``xtgee, family(binomial) link(probit)`` (``e(cmd)`` xtgee,
``e(cmd2)`` xtprobit) and ``xtlogit, pa`` the logit link (``or`` shows odds ratios).
"""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import ids, prepare, stata_errors
from libs.engine.registry import command
from libs.engine.results import Matrix
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.gee import CORRELATIONS, MODELS, GeeRequest, fit_gee

_FAMILIES = {"binomial": "Binomial", "poisson": "Poisson"}
_LINKS = {"logit": "Logit", "probit": "Probit", "log": "Log"}
_CANONICAL = {"binomial": "logit", "poisson": "log"}


def _word(text: str, choices: tuple[str, ...], what: str, minimum: int = 3) -> str:
    """The choice ``text`` abbreviates (at least ``minimum`` letters), or r(198)."""
    typed = text.strip().lower()
    if typed in choices:  # log is a word of its own, not an abbreviation of logit
        return typed
    for choice in choices:
        if typed and choice.startswith(typed) and len(typed) >= min(minimum, len(choice)):
            return choice
    raise StataError(198, f"{what}({text.strip()}) is not available in the embedded engine")


def population_averaged(session: Session, args: Args, family: str, link: str,
                        cmd2: str = "") -> None:
    """Fit and show the GEE population-averaged model of ``args`` (``cmd2``: the command
    that routed here, e.g. xtprobit)."""
    for name in ("fe", "re"):
        if args.opt(name):
            raise StataError(198, f"options pa and {name} may not be combined")
    corr = _word(str(args.opt("corr") or "exchangeable"), CORRELATIONS, "corr", 3)
    ivar = str(args.opt("i") or (session.tsset.panelvar if session.tsset else "") or "")
    if not ivar:
        raise StataError(459, "panel variable not set; use xtset varname ...")
    req = prepare(session, args, default_vce="conventional", extra=(ivar,))
    if req.vce.kind not in ("conventional", "robust"):
        raise StataError(198, f"vce({req.vce.kind}) is not available with pa in the embedded "
                              "engine")
    if args.opt("nmp"):  # N − P in which of φ's and α's divisors is not pinned down
        raise StataError(198, "option nmp is not available in the embedded engine")
    robust = req.vce.kind == "robust"
    if args.opt("rgf") and not robust:
        raise StataError(198, "option rgf requires vce(robust)")
    request = GeeRequest(family=family, link=link, corr=corr, robust=robust,
                         rgf=bool(args.opt("rgf")))
    with stata_errors():
        fit = fit_gee(request, req.y, req.X, req.design.names, ids(session, ivar)[req.rows],
                      depvar=req.depvar, ivar=ivar, preomitted=req.design.preomitted)
    base = fit.estimation
    if cmd2:
        base.macros["cmd2"] = cmd2
    est = finish(session, base, req.rows, cmd2 or "xtgee", args)
    size = fit.max_size  # e(R): the working correlation of the largest panel
    R = np.full((size, size), fit.alpha)
    np.fill_diagonal(R, 1.0)
    session.e.matrices["R"] = Matrix(R, [f"r{j + 1}" for j in range(size)],
                                     [f"c{j + 1}" for j in range(size)])
    s = est.scalars
    session.log.lines([
        *(f"Iteration {j + 1}: Tolerance = {numtext(change, '%9.0g').strip()}"
          for j, change in enumerate(fit.iterations)), "",
        f"{'GEE population-averaged model':<48}Number of obs     = {int(s['N']):>10,}",
        f"{'Group variable: ' + ivar:<48}Number of groups  = {int(s['N_g']):>10,}",
        f"{'Family: ' + _FAMILIES[family]:<48}Obs per group:",
        f"{'Link: ' + _LINKS[link]:<48}              min = {int(s['g_min']):>10,}",
        f"{'Correlation: ' + corr:<48}              avg = {numtext(s['g_avg'], '%10.1f')}",
        f"{'':<48}              max = {int(s['g_max']):>10,}",
        f"{'':<48}{'Wald chi2(' + str(int(s['df_m'])) + ')':<17} = "
        f"{numtext(s['chi2'], '%10.2f')}",
        f"{'Scale parameter = 1':<48}{'Prob > chi2':<17} = {numtext(s['p'], '%10.4f')}", ""])
    if request.robust:
        session.log.out(f"{'':>29}(Std. err. adjusted for clustering on {ivar})")
    eform = {"logit": "Odds ratio", "log": "IRR"}.get(link, "exp(b)") \
        if args.opt("or") or args.opt("eform") else ""
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0), eform))


@command("xtgee", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] [, Family(string) Link(string) "
                "CORr(string) i(varname) vce(string) Robust nmp rgf EForm Level(real 95)]")
def xtgee(session: Session, args: Args) -> None:
    """``xtgee depvar indepvars, family(binomial|poisson) [link() corr(exchangeable|
    independent) vce(conventional|robust) rgf eform]``."""
    text = str(args.opt("family") or "gaussian").split()
    family = _word(text[0] if text else "gaussian", tuple(_FAMILIES), "family", 1)
    if len(text) > 1:
        raise StataError(198, "family(binomial #) is not available in the embedded engine")
    link = _word(str(args.opt("link") or _CANONICAL[family]), tuple(_LINKS), "link", 1)
    if (family, link) not in MODELS:
        raise StataError(198, f"family({family}) link({link}) is not available in the "
                              "embedded engine")
    population_averaged(session, args, family, link)
