"""``heckman depvar indepvars, select([depvar_s =] varlist_s [, noconstant]) [twostep
noconstant vce(oim|robust|cluster c) level() nolog]``: the sample-selection model (numbers in
:mod:`libs.stata_stats.heckman`). Without ``depvar_s`` an observation is selected when depvar
is not missing; with it, when depvar_s is nonzero (missing depvar_s leaves the observation
out). Selection regressors must be present for every observation used, outcome regressors for
the selected ones. ``e(b)`` is ``depvar:x … select:z … /:athrho /:lnsigma`` (two-step:
``/mills:lambda``); rho, sigma and lambda are shown below the table and kept in ``e()``."""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.design import build
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import ids, parse_vce, stata_errors
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import parse_terms
from libs.stata_stats.heckman import fit_heckman
from libs.stata_stats.vce import VceRequest


@command("heckman", byable="recall",
         syntax="varlist(numeric fv ts) [if] [in] [, SELect(string) TWOstep noCONStant "
         "vce(string) Robust CLuster(varname) Level(real 95) noLOg FIRst]")
def heckman(session: Session, args: Args) -> None:
    """``heckman depvar indepvars, select(...) [twostep vce()]``."""
    text = (args.opt("select") or "").strip()
    if not text:
        raise StataError(198, "option select() required")
    text, _, sel_opts = text.partition(",")
    if sel_opts.strip() not in ("", "noconstant", "nocons", "nocon", "noconst"):
        raise StataError(198, f"select(): option {sel_opts.strip()} not allowed")
    sel_dep, eq, sel_vars = text.partition("=")
    if not eq:
        sel_dep, sel_vars = "", sel_dep
    data = session.data
    terms = args.terms or parse_terms(data, " ".join(args.varlist))
    depvar = terms[0].factors[0].var
    touse = args.touse(session)
    twostep = bool(args.opt("twostep"))
    kind, clustvar = parse_vce(session, args, "oim")
    if twostep and kind != "oim":
        raise StataError(198, "vce() not allowed with twostep")
    if clustvar:
        touse &= np.isfinite(data.numeric(clustvar)) if not data.var(clustvar).is_string \
            else data.strings(clustvar) != ""
    y_all = data.numeric(depvar)
    if sel_dep.strip():
        indicator = data.numeric(sel_dep.strip())
        touse &= np.isfinite(indicator)
        selected = np.nan_to_num(indicator) != 0
    else:
        selected = np.isfinite(y_all)
    z_design = build(session, parse_terms(data, sel_vars), touse)
    x_design = build(session, terms[1:], touse & selected & np.isfinite(y_all))
    rows = np.flatnonzero(z_design.sample & (~selected | x_design.sample))
    if rows.size == 0:
        raise StataError(2000, "no observations")
    cons, sel_cons = not args.opt("noconstant"), not sel_opts.strip()
    x_keep = [j for j, om in enumerate(x_design.preomitted) if not om]
    z_keep = [j for j, om in enumerate(z_design.preomitted) if not om]
    X = np.nan_to_num(x_design.X[np.ix_(rows, x_keep)])
    Z = z_design.X[np.ix_(rows, z_keep)]
    x_names = tuple(x_design.names[j] for j in x_keep)
    z_names = tuple(z_design.names[j] for j in z_keep)
    if cons:
        X, x_names = np.column_stack([X, np.ones(rows.size)]), (*x_names, "_cons")
    if sel_cons:
        Z, z_names = np.column_stack([Z, np.ones(rows.size)]), (*z_names, "_cons")
    vce = VceRequest(kind=kind, clusters=ids(session, clustvar)[rows] if clustvar else None,
                     clustvar=clustvar)
    with stata_errors():
        fit = fit_heckman(y_all[rows], selected[rows], X, Z, x_names, z_names, depvar=depvar,
                          twostep=twostep, vce=vce, cons=cons)
    est = finish(session, fit.estimation, rows, "heckman", args)
    if not args.opt("nolog") and not twostep:
        crit = "Log pseudolikelihood" if est.macros.get("vcetype") == "Robust" else \
            "Log likelihood"
        session.log.lines(["", *output.iteration_log(fit.iterations, crit)])
    s = est.scalars
    header = [f"{est.macros['title']:<48}Number of obs     = {int(s['N']):>9,}",
              f"{'':<48}Selected          = {int(s['N_selected']):>9,}",
              f"{'':<48}Nonselected       = {int(s['N_nonselected']):>9,}", "",
              f"{'':<48}Wald chi2({int(s['df_m'])}){'':<{7 - len(str(int(s['df_m'])))}}= "
              f"{numtext(s['chi2'], '%9.2f')}"]
    if not twostep:
        header.insert(0, "")
        header.append(f"{'Log likelihood = ' + numtext(s['ll'], '%10.0g').strip():<48}"
                      f"Prob > chi2       = {numtext(s['p'], '%9.4f')}")
    session.log.lines(["", *header, ""])
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))
    session.log.lines([f"{'rho':>12} = {numtext(s['rho'], '%9.5f')}",
                       f"{'sigma':>12} = {numtext(s['sigma'], '%9.0g')}",
                       f"{'lambda':>12} = {numtext(s['lambda'], '%9.0g')}   (se "
                       f"{numtext(s['selambda'], '%9.0g').strip()})"])
    if not twostep:
        session.log.out(f"LR test of indep. eqns. (rho = 0): chi2(1) = "
                        f"{numtext(s['chi2_c'], '%8.2f').strip()}   Prob > chi2 = "
                        f"{numtext(s['p_c'], '%6.4f').strip()}")
