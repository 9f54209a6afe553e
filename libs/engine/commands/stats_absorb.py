"""``reghdfe`` (Correia's community command, implemented natively) and ``teffects``.

``reghdfe depvar indepvars, absorb(f1 f2 …) [vce(robust | cluster c1 [c2 …])]`` absorbs any
number of factors (``i.f``, ``f1#f2`` interactions are taken as one factor each) and posts
reghdfe's ``e()``; ``teffects ra|ipw|aipw|ipwra (y xvars) (t zvars[, logit|probit])``
posts the treatment effects with their estimating-equation VCE.
"""

from __future__ import annotations

import numpy as np

from libs.engine.commands.te_matching import teffects_matching
from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.design import build
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import ids, prepare, stata_errors
from libs.engine.groups import group_ids
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.textscan import split_top
from libs.engine.varlist import expand, parse_terms
from libs.stata_stats.hdfe import reghdfe as reghdfe_fit
from libs.stata_stats.teffects import Design as TeffectsDesign
from libs.stata_stats.teffects import fit_teffects


@command("reghdfe", byable="recall",
         syntax="[varlist(numeric fv ts)] [if] [in] "
         "[, Absorb(string) noABsorb vce(string) Robust CLuster(string) Level(real 95) "
         "KEEPSINgletons]")
def reghdfe(session: Session, args: Args) -> None:
    """``reghdfe depvar indepvars, absorb(absvars) [vce(robust|cluster c1 [c2])]``."""
    absorb = (args.opt("absorb") or "").replace("i.", "").split()
    if not absorb:
        raise StataError(198, "option absorb() required")
    if args.opt("keepsingletons"):
        raise StataError(198, "option keepsingletons not supported")
    kind, clustvars = hdfe_vce(session, args)
    factor_names = [expand(session.data, a.replace("#", " ")) for a in absorb]
    extra = tuple(v for names in factor_names for v in names) + clustvars
    args.options.pop("vce", None)
    args.options.pop("cluster", None)
    args.options.pop("robust", None)
    req = prepare(session, args, default_vce="ols", extra=extra)
    factors = []
    for names in factor_names:
        codes, _ = group_ids(session.data, names)
        factors.append(np.asarray(codes, dtype=np.float64)[req.rows])
    clusters = [ids(session, c)[req.rows] for c in clustvars]
    with stata_errors():
        est = reghdfe_fit(*req.model, factors, depvar=req.depvar,
                          absvars=tuple(absorb), vce=kind, clusters=clusters or None,
                          clustvars=clustvars, preomitted=req.design.preomitted)
    est = finish(session, est, req.rows, "reghdfe", args)
    s = est.scalars
    if s["num_singletons"]:
        session.log.out(f"(dropped {int(s['num_singletons'])} singleton observations)")
    session.log.out("(MWFE estimator converged)")
    p_text = numtext(s["p"], "%10.4f")
    head = [
        f"{'HDFE Linear regression':<51}Number of obs   = {int(s['N']):>10,}",
        f"{'Absorbing ' + str(len(absorb)) + ' HDFE group' + ('s' if len(absorb) > 1 else ''):<51}"
        f"F({int(s['df_m']):>4},{int(s['df_r']):>9}) = {numtext(s['F'], '%10.2f')}",
        f"{'':<51}Prob > F        = {p_text}",
        f"{'':<51}R-squared       = {numtext(s['r2'], '%10.4f')}",
        f"{'':<51}Adj R-squared   = {numtext(s['r2_a'], '%10.4f')}",
        f"{'':<51}Within R-sq.    = {numtext(s['r2_within'], '%10.4f')}",
        f"{'':<51}Root MSE        = {numtext(s['rmse'], '%10.4f')}",
        "",
    ]
    if "N_clust" in s:
        head.insert(-1, f"{'':<24}(Std. err. adjusted for {int(s['N_clust']):,} clusters in "
                        f"{est.macros['clustvar']})")
    session.log.lines(head)
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))


def hdfe_vce(session: Session, args: Args) -> tuple[str, tuple[str, ...]]:
    """reghdfe's ``vce(unadjusted|robust|cluster c1 [c2 …])`` (several cluster variables)."""
    text = (args.opt("vce") or "").strip()
    if args.opt("robust"):
        text = "robust"
    if args.opt("cluster"):
        text = f"cluster {args.opt('cluster')}"
    words = text.split()
    if not words or words[0] in ("unadjusted", "unadj", "ols"):
        return "unadjusted", ()
    if words[0] in ("robust", "r", "rob", "hc1"):
        return "robust", ()
    if words[0] in ("cluster", "cl", "clu", "clus", "clust") and len(words) > 1:
        return "cluster", tuple(expand(session.data, " ".join(words[1:])))
    raise StataError(198, f"vcetype {text} not allowed")


@command("teffects", syntax="anything(everything) [if] [in] [, ate atet Level(real 95) "
         "NNeighbor(integer 1) BIASadj(string) EMatch(string) METric(string) vce(string) "
         "CALiper(string) GENerate(string) OSample(string) DTOLerance(string)]")
def teffects(session: Session, args: Args) -> None:
    """``teffects ra|ipw|aipw|ipwra (ovar omvarlist) (tvar tmvarlist[, logit|probit])
    [, ate atet]``; ``nnmatch``/``psmatch`` go to :mod:`te_matching`."""
    method, _, rest = args.anything.strip().partition(" ")
    if method in ("nnmatch", "psmatch"):
        teffects_matching(session, args, method, rest)
        return
    for name in ("nneighbor", "biasadj", "ematch", "metric", "vce", "caliper", "generate",
                 "osample", "dtolerance"):
        if args.opt(name) not in (None, "", 1):
            raise StataError(198, f"option {name}() not allowed with teffects {method}")
    groups = [g.strip() for g in split_top(rest) if g.strip()]
    if len(groups) != 2 or not all(g.startswith("(") and g.endswith(")") for g in groups):
        raise StataError(198, f"syntax is: teffects {method} (ovar [omvarlist]) "
                              "(tvar [tmvarlist][, tmodel])")
    outcome_text = groups[0][1:-1]
    treat_text, _, tmodel = groups[1][1:-1].partition(",")
    tmodel = tmodel.strip() or "logit"
    if tmodel not in ("logit", "probit"):
        raise StataError(198, f"treatment model {tmodel} not allowed")
    outcome_terms = parse_terms(session.data, outcome_text)
    treat_terms = parse_terms(session.data, treat_text)
    depvar = outcome_terms[0].factors[0].var
    tvar = treat_terms[0].factors[0].var
    touse = args.touse(session)
    for var in (depvar, tvar):
        touse &= np.isfinite(session.data.numeric(var))
    out_design = build(session, outcome_terms[1:], touse)
    treat_design = build(session, treat_terms[1:], out_design.sample)
    rows = np.flatnonzero(treat_design.sample)
    keep_o = [j for j, om in enumerate(out_design.preomitted) if not om]
    keep_t = [j for j, om in enumerate(treat_design.preomitted) if not om]
    data = TeffectsDesign(
        y=session.data.numeric(depvar)[rows], treat=session.data.numeric(tvar)[rows],
        outcome=out_design.X[rows][:, keep_o], treatment=treat_design.X[rows][:, keep_t],
        outcome_names=tuple(out_design.names[j] for j in keep_o),
        treatment_names=tuple(treat_design.names[j] for j in keep_t))
    stat = "atet" if args.opt("atet") else "ate"
    with stata_errors():
        est = fit_teffects(method, data, depvar=depvar, tvar=tvar, stat=stat, tmodel=tmodel)
    est = finish(session, est, rows, "teffects", args)
    session.log.lines([
        f"{'Treatment-effects estimation':<48}Number of obs     = {int(est.scalars['N']):>9,}",
        f"Estimator      : {est.macros['method'].lower()}",
        f"Outcome model  : {'linear' if method != 'ipw' else 'weighted mean'}",
        f"Treatment model: {tmodel if method != 'ra' else 'none'}",
    ])
    table = output.coefficient_lines(session, est, args.opt("level", 95.0))
    # Stata shows the effect and the potential-outcome mean; the auxiliary equations stay in
    # e(b) (as with teffects' default display)
    shown = [line for line in table if not line.startswith(("OME", "TME"))]
    cut = next((i for i, line in enumerate(shown) if line.startswith("POmean")), len(shown))
    end = next((i for i in range(cut + 1, len(shown)) if shown[i].startswith("-")), len(shown))
    session.log.lines([*shown[:end], output.RULE])
