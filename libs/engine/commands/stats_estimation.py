"""Estimation commands: regress, logit, probit, poisson, xtreg, areg, ivregress.

Each parses with the shared syntax parser, builds the design with Stata's coefficient names
(:mod:`libs.engine.estimation.design`), calls :mod:`libs.stata_stats` for the numbers, posts
``e()`` and ``r(table)``, and writes Stata's layout to the log.
"""

from __future__ import annotations

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.design import build
from libs.engine.estimation.post import finish, omitted_notes, replay
from libs.engine.estimation.request import (
    Request,
    ids,
    model_offset,
    prepare,
    stata_errors,
    vce_text,
)
from libs.engine.registry import command
from libs.engine.results import Matrix
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import Term, parse_terms
from libs.stata_stats.areg import areg as areg_fit
from libs.stata_stats.discrete import fit_ml
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.iv import TITLES as IV_METHODS
from libs.stata_stats.iv import ivregress as iv_fit
from libs.stata_stats.ols import regress as regress_fit
from libs.stata_stats.panel import xtreg_fe, xtreg_re
from libs.stata_stats.vce import VceRequest

_VCE_OPTIONS = "vce(string) Robust CLuster(varname) Level(real 95)"


@command(
    "regress",
    abbrev=3,
    byable="recall",
    syntax="[varlist(numeric fv ts)] [if] [in] [aweight fweight pweight iweight] "
    f"[, noCONStant Beta {_VCE_OPTIONS}]",
)
def regress(session: Session, args: Args) -> None:
    """``regress depvar indepvars [if] [in] [weight] [, noconstant beta vce()]``; ``regress``
    alone redisplays the last estimates."""
    est = replay(session, args, "regress")
    if est is None:
        req = prepare(session, args, default_vce="ols")
        with stata_errors():
            est = regress_fit(*req.model, **req.options(), cons=not args.opt("noconstant"),
                              beta=bool(args.opt("beta")))
        session.log.lines(omitted_notes(est))
        est = finish(session, est, req.rows, "regress", args)
        if "beta" in est.extra:
            session.e.matrices["beta"] = Matrix(
                est.extra["beta"][None, : len(req.design.names)], ["y1"],
                list(req.design.names))
    session.log.lines(output.regress_header(est))
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))


def _ml(cmd: str, session: Session, args: Args) -> None:
    est = replay(session, args, cmd)
    if est is None:
        est = _ml_fit(cmd, session, args)
    session.log.lines(output.ml_header(est))
    eform = ""
    if args.opt("or") and cmd == "logit":
        eform = "Odds ratio"
    if args.opt("irr") and cmd == "poisson":
        eform = "IRR"
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0), eform))


def _ml_fit(cmd: str, session: Session, args: Args) -> Estimation:
    req = prepare(session, args, default_vce="oim")
    offset = model_offset(session, args, req.rows)
    with stata_errors():
        fit = fit_ml(cmd, *req.model, **req.options(), cons=not args.opt("noconstant"),
                     offset=offset)
    for note in fit.notes:
        session.log.out(note)
    est = finish(session, fit.estimation, req.rows, cmd, args)
    crit = "Log pseudolikelihood" if est.macros.get("vcetype") else "Log likelihood"
    session.log.lines([*output.iteration_log(fit.iterations, crit), ""])
    return est


_ML_SYNTAX = (
    "[varlist(numeric fv ts)] [if] [in] [fweight pweight iweight] "
    f"[, noCONStant {_VCE_OPTIONS} OFFset(varname) EXPosure(varname) or irr]"
)


@command("logit", byable="recall", syntax=_ML_SYNTAX)
def logit(session: Session, args: Args) -> None:
    """``logit depvar indepvars [weight] [, or vce() noconstant]``."""
    _ml("logit", session, args)


@command("probit", byable="recall", syntax=_ML_SYNTAX)
def probit(session: Session, args: Args) -> None:
    """``probit depvar indepvars [weight] [, vce() noconstant]``."""
    _ml("probit", session, args)


@command("poisson", byable="recall", syntax=_ML_SYNTAX)
def poisson(session: Session, args: Args) -> None:
    """``poisson depvar indepvars [weight] [, exposure() offset() irr vce()]``."""
    _ml("poisson", session, args)


def _panelvar(session: Session, args: Args) -> str:
    if args.opt("i"):
        return str(args.opt("i"))
    if session.tsset is None or session.tsset.panelvar is None:
        raise StataError(459, "panel variable not set; use xtset varname ...")
    return session.tsset.panelvar


@command(
    "xtreg",
    byable="recall",
    syntax="[varlist(numeric fv ts)] [if] [in] [aweight fweight] "
    f"[, fe re i(varname) {_VCE_OPTIONS}]",
)
def xtreg(session: Session, args: Args) -> None:
    """``xtreg depvar indepvars, fe|re [vce(robust|cluster g)]``."""
    ivar = _panelvar(session, args)
    req = prepare(session, args, default_vce="conventional", extra=(ivar,))
    groups = ids(session, ivar)[req.rows]
    with stata_errors():
        if args.opt("fe"):
            est = xtreg_fe(*req.model, groups, **req.options(), ivar=ivar)
        else:
            if req.weights is not None:
                raise StataError(101, "weights not allowed with re")
            est = xtreg_re(*req.model, groups, depvar=req.depvar, ivar=ivar, vce=req.vce,
                           preomitted=req.design.preomitted)
    session.log.lines(omitted_notes(est))
    est = finish(session, est, req.rows, "xtreg", args)
    session.log.lines(output.panel_header(est))
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0))[:-1])
    session.log.lines(output.panel_footer(est))


@command(
    "areg",
    byable="recall",
    syntax="[varlist(numeric fv ts)] [if] [in] [aweight fweight pweight] "
    f"[, Absorb(varname) {_VCE_OPTIONS}]",
)
def areg(session: Session, args: Args) -> None:
    """``areg depvar indepvars, absorb(g) [vce()]``."""
    absvar = args.opt("absorb")
    if not absvar:
        raise StataError(198, "option absorb() required")
    req = prepare(session, args, default_vce="ols", extra=(absvar,))
    with stata_errors():
        est = areg_fit(*req.model, ids(session, absvar)[req.rows], **req.options(),
                       absvar=absvar)
    session.log.lines(omitted_notes(est))
    est = finish(session, est, req.rows, "areg", args)
    session.log.lines(output.model_header(est))
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))


@command(
    "ivregress",
    byable="recall",
    syntax="anything(everything) [if] [in] [fweight aweight pweight] "
    f"[, noCONStant small first WMATrix(string) igmm {_VCE_OPTIONS}]",
)
def ivregress(session: Session, args: Args) -> None:
    """``ivregress 2sls|liml|gmm depvar [exog] (endog = instruments) [weight] [, noconstant
    small first vce() wmatrix() igmm]``."""
    text = args.anything
    method, _, rest = text.strip().partition(" ")
    if method not in IV_METHODS:
        raise StataError(198, f"invalid estimator {method}; use 2sls, liml or gmm")
    wmatrix = None
    if method == "gmm":
        kind, clustvar = vce_text(session, args.opt("wmatrix") or "", "robust")
        clusters = ids(session, clustvar) if clustvar else None
        wmatrix = VceRequest(kind="unadjusted" if kind in ("ols", "unadjusted") else kind,
                             clusters=clusters, clustvar=clustvar)
    elif args.opt("wmatrix") or args.opt("igmm"):
        raise StataError(198, f"option {'wmatrix' if args.opt('wmatrix') else 'igmm'}() "
                              "only allowed with gmm")
    if "(" not in rest or ")" not in rest or "=" not in rest:
        raise StataError(198, "syntax is: ivregress 2sls depvar [varlist1] (varlist2 = varlist_iv)")
    before, _, tail = rest.partition("(")
    inside, _, after = tail.partition(")")
    endog_text, _, inst_text = inside.partition("=")
    outside = parse_terms(session.data, f"{before} {after}")
    endog_terms = parse_terms(session.data, endog_text)
    inst_terms = parse_terms(session.data, inst_text)
    req = prepare(session, args, [*outside, *endog_terms, *inst_terms], default_vce="unadjusted")
    n_ex = len(_design_width(session, req, outside[1:]))
    n_en = len(_design_width(session, req, endog_terms))
    names = req.design.names
    X = req.X
    exog, endog, inst = X[:, :n_ex], X[:, n_ex : n_ex + n_en], X[:, n_ex + n_en :]
    keep_inst = [j for j, om in enumerate(req.design.preomitted[n_ex + n_en :]) if not om]
    vce_given = any(args.opt(o) for o in ("vce", "robust", "cluster"))
    vce = req.vce if vce_given or wmatrix is None else None
    if wmatrix is not None and wmatrix.clusters is not None:
        wmatrix = VceRequest(kind=wmatrix.kind, clusters=wmatrix.clusters[req.rows],
                             clustvar=wmatrix.clustvar)
    with stata_errors():
        est, first = iv_fit(
            req.y,
            endog,
            exog,
            inst[:, keep_inst],
            depvar=req.depvar,
            endog_names=names[n_ex : n_ex + n_en],
            exog_names=names[:n_ex],
            inst_names=tuple(names[n_ex + n_en + j] for j in keep_inst),
            method=method,
            small=bool(args.opt("small")),
            vce=vce,
            wmatrix=wmatrix,
            igmm=bool(args.opt("igmm")),
            cons=not args.opt("noconstant"),
            weights=req.weights,
        )
    if args.opt("first"):
        for stage in first:
            session.log.out(f"First-stage regression: {stage.depvar}")
            session.log.lines(output.coefficient_lines(session, stage))
    session.log.lines(omitted_notes(est))
    est = finish(session, est, req.rows, "ivregress", args)
    if "W" in est.extra:
        names_w = est.macros.pop("W_names").split()
        session.e.matrices["W"] = Matrix(est.extra["W"], names_w, names_w)
        session.e.macros.pop("W_names", None)
    session.log.lines(output.model_header(est))
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))
    session.log.out(f"Instrumented: {est.macros['instd']}")
    session.log.out(f" Instruments: {est.macros['insts']}")


def _design_width(session: Session, req: Request, terms: list[Term]) -> list[str]:
    """Names the given terms expand to (to split the joint design into its parts)."""
    return list(build(session, terms, req.design.sample).names)
