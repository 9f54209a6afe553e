"""``eventstudyinteract`` (SSC, Sun): the interaction-weighted event-study estimator.

``eventstudyinteract y rel_time_indicators [if] [in], absorb(absvars) cohort(var)
control_cohort(var) [covariates(varlist) vce(vcetype)]`` runs reghdfe of y on every
relative-period indicator × treated cohort (the control cohort's indicators set to zero),
leaves that regression in ``e()`` (as the package does; its coefficients named
``g0_x_2000``) and adds ``e(b_iw)``/``e(V_iw)`` (the IW effects), ``e(ff_w)``/``e(Sigma_ff)``
(cohort shares and their covariance), ``e(b_interact)``/``e(V_interact)`` (cohort ×
period coefficients and variances), ``e(title)``.
"""

from __future__ import annotations

import numpy as np

from libs.engine.commands.stats_absorb import hdfe_vce
from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.post import finish, set_table
from libs.engine.estimation.request import ids, stata_errors
from libs.engine.groups import group_ids
from libs.engine.registry import command
from libs.engine.results import Matrix
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.varlist import expand
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.hdfe import reghdfe
from libs.stata_stats.interaction_weighted import aggregate, cohort_shares


@command("eventstudyinteract", syntax="varlist(numeric min=2) [if] [in] [aweight fweight "
         "iweight pweight] , Absorb(string) COHort(varname) CONTROL_cohort(varname) "
         "[COVARIATEs(varlist numeric) vce(string)]")
def eventstudyinteract(session: Session, args: Args) -> None:
    """Sun and Abraham's interaction-weighted estimator."""
    if args.weight:
        raise StataError(198, "eventstudyinteract: weights are not provided by the embedded "
                              "engine")
    for required in ("absorb", "cohort", "control_cohort"):
        if not args.opt(required):
            raise StataError(198, f"option {required}() required")
    ds = session.data
    y_name, *rel_names = args.varlist
    covariates = list(args.opt("covariates") or [])
    absorb = [expand(ds, a.replace("#", " ")) for a in
              args.opt("absorb").replace("i.", "").split()]
    kind, clustvars = hdfe_vce(session, args)
    touse = args.touse(session)
    for name in (y_name, *rel_names, *covariates):
        touse &= np.isfinite(ds.numeric(name))
    for name in (*(v for names in absorb for v in names), *clustvars):
        touse &= ~np.asarray(_missing(session, name))
    rows = np.flatnonzero(touse)
    control = ds.numeric(args.opt("control_cohort"))[rows] == 1
    cohort = ds.numeric(args.opt("cohort"))[rows]
    levels = np.unique(cohort[~control & np.isfinite(cohort)])
    if len(levels) == 0:
        raise StataError(2000, "eventstudyinteract: no treated cohort in the sample")
    periods = np.column_stack([ds.numeric(v)[rows] for v in rel_names])
    periods[control] = 0.0
    codes = np.searchsorted(levels, np.where(np.isfinite(cohort), cohort, levels[0]))
    shares = cohort_shares(codes[~control], len(levels), periods[~control])
    member = ~control & np.isfinite(cohort)
    interactions = np.column_stack([periods[:, lag] * (member & (codes == c))
                                    for lag in range(len(rel_names))
                                    for c in range(len(levels))])
    labels = tuple(f"{lag}_x_{_level(c)}" for lag in rel_names for c in levels)
    X = np.column_stack([interactions, *(ds.numeric(v)[rows] for v in covariates)])
    factors: list[np.ndarray] = [np.asarray(group_ids(ds, names)[0])[rows]
                                 for names in absorb]
    with stata_errors():
        est = reghdfe(ds.numeric(y_name)[rows], X, (*labels, *covariates), factors,
                      depvar=y_name, absvars=tuple(args.opt("absorb").split()), vce=kind,
                      clusters=[ids(session, c)[rows] for c in clustvars] or None,
                      clustvars=clustvars)
    est = finish(session, est, rows, "reghdfe", args)
    n_int = len(labels)
    delta = est.b[:n_int].reshape(len(rel_names), len(levels)).T
    b_iw, V_iw = aggregate(delta, est.V[:n_int, :n_int], shares)
    cohorts = [_level(c) for c in levels]
    e = session.e
    e.macros["title"] = "IW estimates for dynamic effects"
    e.macros["cmdline"] = f"eventstudyinteract {args.raw}".strip()
    e.matrices.update({
        "b_iw": Matrix(b_iw[None, :], ["y1"], rel_names),
        "V_iw": Matrix(V_iw, rel_names, rel_names),
        "ff_w": Matrix(shares.shares, cohorts, rel_names),
        "Sigma_ff": Matrix(shares.covariance, _share_names(cohorts, rel_names),
                           _share_names(cohorts, rel_names)),
        "b_interact": Matrix(delta, cohorts, rel_names),
        "V_interact": Matrix(np.diag(est.V)[:n_int].reshape(len(rel_names), len(levels)).T,
                             cohorts, rel_names)})
    table = Estimation(cmd="eventstudyinteract", depvar=y_name, names=tuple(rel_names),
                       b=b_iw, V=np.diag(np.diag(V_iw)), omitted=(False,) * len(rel_names),
                       scalars={}, macros={}, df_r=est.df_r)
    s = est.scalars
    head = ["", f"{'':<48}Number of obs     = {int(s['N']):>10,}"]
    if "N_clust" in s:
        head.append(f"{'':<24}(Std. err. adjusted for {int(s['N_clust']):,} clusters in "
                    f"{est.macros['clustvar']})")
    session.log.lines(head)
    session.log.lines(output.coefficient_lines(session, table))
    set_table(session, table)


def _missing(session: Session, name: str) -> np.ndarray:
    values = ids(session, name)
    if values.dtype.kind == "f":
        return np.asarray(~np.isfinite(values))
    return np.asarray(values == "")


def _level(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _share_names(cohorts: list[str], periods: list[str]) -> list[str]:
    """Row/column names of Σ_ff, cohort-major as the shares are stacked."""
    return [f"{c}:{p}" for c in cohorts for p in periods]
