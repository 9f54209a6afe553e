"""``csdid`` (SSC, Rios-Avila, Sant'Anna and Callaway) and its ``estat`` aggregations:
Callaway and Sant'Anna's group-time ATTs with panel data.

``csdid depvar [covariates] [if] [in] [iw pw], ivar() time() gvar() [notyet
method(drimp|dripw|reg|stdipw|ipw) agg(simple|group|calendar|event) level()]`` posts
``e(b)``/``e(V)`` named ``g2004:t_2003_2004`` (cohort, base and current period), with the
influence functions in ``e(rif)`` (units × ATT(g,t)) and each unit's cohort and weight in
``e(cohort)`` so that ``estat simple|group|calendar|event [, window(# #)]|pretrend``
aggregates without re-estimating (csdid keeps the same recentered influence functions).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from libs.engine.errors import StataError
from libs.engine.estimation import output
from libs.engine.estimation.estat import subcommand
from libs.engine.estimation.post import set_table
from libs.engine.estimation.request import stata_errors
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.csdid import Aggregate, GroupTime, aggregate, group_time
from libs.stata_stats.did_att import METHODS
from libs.stata_stats.estimation import Estimation

_MODELS = {"drimp": ("weighted least squares", "inverse probability tilting"),
           "dripw": ("least squares", "inverse probability"),
           "reg": ("regression adjustment", "none"),
           "stdipw": ("weighted mean", "stabilized inverse probability"),
           "ipw": ("weighted mean", "inverse probability")}
_AGG_TITLES = {"simple": "Average Treatment Effect on Treated",
               "group": "ATT by group", "calendar": "ATT by Calendar Period",
               "event": "ATT by Periods Before and After treatment\nEvent Study:Dynamic effects"}


@command("csdid", syntax="varlist(numeric min=1) [if] [in] [iweight pweight] , "
         "Time(varname) gvar(varname) [Ivar(varname) notyet METHod(string) agg(string) "
         "Level(real 95) CLuster(varname) wboot SAVErif(string) replace long long2 "
         "asinr pointwise]")
def csdid(session: Session, args: Args) -> None:
    """Callaway and Sant'Anna group-time ATTs (panel estimators)."""
    ivar = args.opt("ivar")
    if not ivar:
        raise StataError(198, "csdid: repeated cross-section estimators (no ivar()) are not "
                              "provided by the embedded engine")
    for unsupported in ("wboot", "saverif", "long", "long2", "asinr"):
        if args.opt(unsupported):
            raise StataError(198, f"csdid: option {unsupported} not provided by the embedded "
                                  "engine (asymptotic influence-function SEs only)")
    if args.opt("cluster") and args.opt("cluster") != ivar:
        raise StataError(198, "csdid: cluster() other than the panel is not provided by the "
                              "embedded engine")
    method = (args.opt("method") or "drimp").lower()
    if method not in METHODS:
        raise StataError(198, f"method({method}) not allowed")
    ds = session.data
    y, covs = args.varlist[0], args.varlist[1:]
    names = [y, ivar, args.opt("time"), args.opt("gvar"), *covs]
    touse = args.touse(session)
    weights = np.ones(ds.n)
    if args.weight:
        weights = np.asarray(Evaluator(session, None).numeric(args.weight[1]), dtype=float)
        touse &= np.isfinite(weights)
    for name in names:
        touse &= np.isfinite(ds.numeric(name))
    rows = np.flatnonzero(touse)
    X = np.column_stack([ds.numeric(c)[rows] for c in covs]) if covs else \
        np.zeros((len(rows), 0))
    with stata_errors():
        gt = group_time(ds.numeric(ivar)[rows], ds.numeric(args.opt("time"))[rows],
                        ds.numeric(y)[rows], ds.numeric(args.opt("gvar"))[rows], X,
                        weights[rows], method=method, notyet=bool(args.opt("notyet")))
    level = float(args.opt("level", 95.0))
    coef = [f"g{g:g}:t_{b:g}_{t:g}" for g, b, t in zip(gt.groups, gt.bases, gt.times,
                                                       strict=True)]
    outcome, treatment = _MODELS[method]
    never = bool((gt.unit_group == 0).any())
    control = "Not yet Treated" if args.opt("notyet") or not never else "Never Treated"
    macros = {"cmd": "csdid", "depvar": y, "ivar": ivar, "time": args.opt("time"),
              "gvar": args.opt("gvar"), "method": method, "control": control,
              "glev": " ".join(f"{g:g}" for g in np.unique(gt.groups)),
              "tlev": " ".join(f"{t:g}" for t in gt.periods), "vce": "robust",
              "vcetype": "Robust", "cmdline": f"csdid {args.raw}".strip(),
              "title": "Difference-in-difference with Multiple Time Periods"}
    scalars = {"N": float(len(rows)), "N_units": float(gt.n), "level": level}
    sample = np.zeros(ds.n, dtype=np.bool_)
    sample[rows] = True
    e = Results(scalars=scalars, macros=macros, sample=sample, matrices={
        "b": Matrix(gt.att[None, :], ["y1"], coef), "V": Matrix(gt.cov(), coef, coef),
        "rif": Matrix(gt.influence, [f"u{i}" for i in range(gt.n)], coef),
        "cohort": Matrix(np.column_stack([gt.unit_group, gt.unit_weight]),
                         [f"u{i}" for i in range(gt.n)], ["gvar", "weight"])})
    session.post_e(e)
    session.log.lines(["", macros["title"], "",
                       f"{'':<56}Number of obs = {len(rows):>9,}",
                       f"Outcome model  : {outcome}", f"Treatment model: {treatment}"])
    est = _estimation(gt.att, gt.cov(), coef, y)
    session.log.lines(output.coefficient_lines(session, est, level))
    set_table(session, est, level)
    session.log.lines([f"Control: {control}", "",
                       "See Callaway and Sant'Anna (2021) for details"])
    agg = (args.opt("agg") or "").lower()
    if agg and agg != "attgt":
        _aggregate(session, agg, None)


def _estimation(b: np.ndarray, V: np.ndarray, names: list[str], depvar: str) -> Estimation:
    return Estimation(cmd="csdid", depvar=depvar, names=tuple(names), b=np.asarray(b),
                      V=np.asarray(V), omitted=(False,) * len(names), scalars={},
                      macros={}, df_r=None)


def stored_group_time(session: Session) -> GroupTime:
    """The ATT(g,t) and influence functions csdid left in ``e()`` (r(301) otherwise)."""
    e = session.e
    if e.macros.get("cmd") != "csdid" or "rif" not in e.matrices:
        raise StataError(301, "last estimates not found (estat after csdid)")
    names = e.matrices["b"].colnames
    parts = [(float(n.split(":")[0][1:]), *(float(v) for v in n.split(":")[1][2:].split("_")))
             for n in names]
    cohort = e.matrices["cohort"].values
    return GroupTime(groups=np.array([p[0] for p in parts]),
                     bases=np.array([p[1] for p in parts]),
                     times=np.array([p[2] for p in parts]), att=e.matrices["b"].values[0],
                     influence=e.matrices["rif"].values, unit_group=cohort[:, 0],
                     unit_weight=cohort[:, 1],
                     periods=np.array([float(t) for t in e.macros["tlev"].split()]))


def _aggregate(session: Session, kind: str, window: tuple[int, int] | None) -> Aggregate:
    gt = stored_group_time(session)
    with stata_errors():
        agg = aggregate(gt, kind, window)
    level = float(session.e.scalars.get("level", 95.0))
    session.log.lines(_AGG_TITLES[kind].split("\n"))
    est = _estimation(agg.b, agg.V, agg.names, session.e.macros.get("depvar", ""))
    session.log.lines(output.coefficient_lines(session, est, level))
    table = est.table(level)
    session.r = Results(matrices={
        f"b_{kind}": Matrix(agg.b[None, :], ["y1"], agg.names),
        f"V_{kind}": Matrix(agg.V, agg.names, agg.names),
        "table": Matrix(table, ["b", "se", "z", "pvalue", "ll", "ul", "df", "crit", "eform"],
                        agg.names)})
    return agg


def _window(text: str) -> tuple[int, int] | None:
    low = text.lower()
    if "window(" not in low:
        return None
    inside = low.split("window(", 1)[1].split(")", 1)[0].split()
    if len(inside) != 2:
        raise StataError(198, "window() requires two numbers")
    return int(float(inside[0])), int(float(inside[1]))


def _estat(kind: str) -> None:
    def handler(session: Session, text: str) -> None:
        _aggregate(session, kind, _window(text) if kind == "event" else None)
    subcommand(kind, abbrev=len(kind))(handler)


for _kind in ("simple", "group", "calendar", "event"):
    _estat(_kind)


@subcommand("pretrend", abbrev=3)
def estat_pretrend(session: Session, text: str) -> None:
    """``estat pretrend``: Wald test that every pre-treatment ATT(g,t) is zero."""
    gt = stored_group_time(session)
    pre = gt.times < gt.groups
    if not pre.any():
        raise StataError(498, "no pre-treatment ATT(g,t) to test")
    b = gt.att[pre]
    V = gt.cov()[np.ix_(pre, pre)]
    chi2 = float(b @ np.linalg.pinv(V) @ b)
    df = int(np.linalg.matrix_rank(V))
    p = float(stats.chi2.sf(chi2, df))
    session.log.lines(["Pretrend Test. H0 All Pre-treatment are equal to 0",
                       f"chi2({df}) = {chi2:12.4f}", f"p-value  = {p:12.4f}"])
    session.r = Results(scalars={"chi2": chi2, "df": float(df), "p": p})
