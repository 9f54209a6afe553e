"""Survival regressions on ``stset`` data: ``stcox`` (+ ``estat phtest``) and ``streg``
(exponential, Weibull). Numbers in :mod:`libs.stata_stats.cox` and
:mod:`libs.stata_stats.streg`.

Both report hazard ratios unless ``nohr`` (``streg, time`` reports AFT coefficients); with
``vce(robust)`` the sandwich is clustered on the ``stset`` id when there is one, as Stata does.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation import output, stdata
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.design import build, column_values
from libs.engine.estimation.estat import subcommand
from libs.engine.estimation.post import finish, is_omitted_name
from libs.engine.estimation.request import ids, parse_vce, stata_errors
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.engine.varlist import parse_terms
from libs.stata_stats.cox import fit_cox, ph_test, schoenfeld
from libs.stata_stats.estimation import Estimation
from libs.stata_stats.streg import fit_streg
from libs.stata_stats.survival import life_table, survival_at
from libs.stata_stats.vce import VceRequest

_VCE = "vce(string) Robust CLuster(varname) Level(real 95) noSHow"

def _design(session: Session, args: Args
            ) -> tuple[stdata.StData, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """The st records with every covariate present, the design of the estimated columns,
    their names, and every name (base levels included, as ``e(b)`` keeps them)."""
    st = stdata.st_data(session, args.touse(session))
    terms = args.terms or (parse_terms(session.data, " ".join(args.varlist))
                           if args.varlist else [])
    mask = np.zeros(session.data.n, dtype=bool)
    mask[st.rows] = True
    design = build(session, terms, mask)
    keep = design.sample[st.rows]
    if not keep.any():
        raise StataError(2000, "no observations")
    kept = np.flatnonzero(~np.asarray(design.preomitted, dtype=bool))
    X = design.X[st.rows[keep]][:, kept]
    sub = stdata.StData(st.rows[keep], st.t0[keep], st.t[keep], st.d[keep],
                        None if st.ids is None else st.ids[keep])
    return sub, X, tuple(design.names[j] for j in kept), design.names


def _with_base_levels(est: Estimation, names: tuple[str, ...], prefix: str = ""
                      ) -> Estimation:
    """``est`` with the base levels of factor variables put back as omitted zero columns."""
    full = [prefix + n for n in names]
    if list(est.names[: len(full)]) == full:
        return est
    extra = [n for n in est.names if n not in full]
    all_names = [*full, *extra]
    pos = [all_names.index(n) for n in est.names]
    b = np.zeros(len(all_names))
    V = np.zeros((len(all_names), len(all_names)))
    b[pos] = est.b
    V[np.ix_(pos, pos)] = est.V
    omitted = tuple(n not in est.names for n in all_names)
    return replace(est, names=tuple(all_names), b=b, V=V, omitted=omitted)


def _vce(session: Session, args: Args, st: stdata.StData) -> tuple[VceRequest, np.ndarray | None]:
    kind, clustvar = parse_vce(session, args, "oim")
    if kind not in ("oim", "robust", "cluster"):
        raise StataError(198, f"vcetype {kind} not allowed")
    clusters = None
    if kind == "cluster":
        clusters = ids(session, clustvar)[st.rows]
    elif kind == "robust" and st.ids is not None:
        clusters, clustvar = st.ids, stdata.settings(session)["st_id"]
    request = VceRequest(kind="cluster" if clusters is not None else kind, clusters=clusters,
                         clustvar=clustvar)
    return request, clusters


def _st_header(est: Estimation, title: str, subjects: int) -> list[str]:
    s = est.scalars
    test = f"{est.macros.get('chi2type', 'LR')} chi2({int(s['df_m'])})"
    crit = "Log pseudolikelihood" if est.macros.get("vcetype") else "Log likelihood"
    lines = ["", title, "",
             f"{'No. of subjects = ' + format(subjects, ','):<56}Number of obs = {int(s['N']):>6,}",
             f"No. of failures = {int(s['N_fail']):,}",
             f"Time at risk    = {numtext(s['risk'], '%9.0g').strip()}"]
    if "N_clust" in s:
        lines.append("")
    lines += [f"{'':<56}{test:<13} = {numtext(s['chi2'], '%6.2f')}",
              f"{crit + ' = ' + numtext(s['ll'], '%10.0g').strip():<56}"
              f"{'Prob > chi2':<13} = {numtext(s['p'], '%6.4f')}", ""]
    if "N_clust" in s:
        lines.insert(-3, f"{'':<28}(Std. err. adjusted for {int(s['N_clust']):,} clusters in "
                         f"{est.macros.get('clustvar', '')})")
    return lines


@command("stcox", byable="recall",
         syntax=f"[varlist(numeric fv)] [if] [in] [, BREslow EFRon nohr ESTimate {_VCE}]")
def stcox(session: Session, args: Args) -> None:
    """``stcox indepvars [if] [in] [, breslow efron nohr vce()]``."""
    st, X, names, all_names = _design(session, args)
    request, clusters = _vce(session, args, st)
    ties = "efron" if args.opt("efron") else "breslow"
    with stata_errors():
        fit = fit_cox(st.t0, st.t, st.d, X, names, ties=ties,
                      vce="oim" if request.kind == "oim" else request.kind,
                      clusters=clusters, clustvar=request.clustvar)
    est = _with_base_levels(fit.estimation, all_names)
    est.scalars["N_sub"] = float(st.subjects)
    est = finish(session, est, st.rows, "stcox", args)
    if not args.opt("noshow"):
        session.log.lines(stdata.header(session))
    crit = "Log pseudolikelihood" if est.macros.get("vcetype") else "Log likelihood"
    session.log.lines(["", *output.iteration_log(fit.iterations, crit), "Refining estimates:",
                       *output.iteration_log((fit.iterations[-1],), crit)])
    method = "Breslow" if ties == "breslow" else "Efron"
    session.log.lines(_st_header(est, f"Cox regression with {method} method for ties",
                                 st.subjects))
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0),
                                               "" if args.opt("nohr") else "Haz. ratio"))


_PHTEST = Spec("[, Detail Log KM Rank Time(varname)]")


@subcommand("phtest")
def estat_phtest(session: Session, text: str) -> None:
    """``estat phtest [, detail log km rank time(varname)]`` after ``stcox``."""
    e = session.e
    if e.macros.get("cmd2") != "stcox":
        raise StataError(321, "estat phtest only works after stcox")
    opts = _PHTEST.parse(text, session)
    names = e.matrices["b"].colnames
    beta = e.matrices["b"].values[0]
    st = stdata.st_data(session, e.sample)
    kept = [j for j, name in enumerate(names) if not is_omitted_name(name)]
    names = [names[j] for j in kept]
    beta = beta[kept]
    X = np.column_stack([column_values(session, name)[st.rows] for name in names])
    sch = schoenfeld(st.t0, st.t, st.d, X, beta, e.macros.get("ties", "breslow"))
    times = sch.times
    if opts.opt("log"):
        g, label = np.log(times), "Log(t)"
    elif opts.opt("km"):
        table = life_table(st.t0, st.t, st.d)
        # 1 − KM just before each failure time (left-continuous)
        idx = survival_at(table, times - 1e-9 * np.maximum(np.abs(times), 1.0))
        g = 1.0 - np.where(idx >= 0, table.survival[np.maximum(idx, 0)], 1.0)
        label = "1 - KM(t)"
    elif opts.opt("rank"):
        g, label = np.argsort(np.argsort(times, kind="stable"), kind="stable") + 1.0, "Rank(t)"
    else:
        g, label = times.astype(float), "Analysis time"
    test = ph_test(beta, sch, g)
    lines = ["", "Test of proportional-hazards assumption", "", f"Time function: {label}",
             "-" * 56, f"{'':<13}|{'rho':>11}{'chi2':>9}{'df':>9}{'Prob>chi2':>13}",
             "-" * 13 + "+" + "-" * 42]
    if opts.opt("detail"):
        for j, name in enumerate(names):
            lines.append(f"{name[:12]:>12} |{numtext(test.rho[j], '%11.5f')}"
                         f"{numtext(test.chi2[j], '%9.2f')}{1:>9}"
                         f"{numtext(test.p[j], '%13.4f')}")
        lines.append("-" * 13 + "+" + "-" * 42)
    lines += [f"{'Global test':>12} |{'':>11}{numtext(test.global_chi2, '%9.2f')}"
              f"{test.global_df:>9}{numtext(test.global_p, '%13.4f')}", "-" * 56]
    session.log.lines(lines)
    session.post_r(Results(scalars={"chi2": test.global_chi2, "df": float(test.global_df),
                                    "p": test.global_p}))


@command("streg", byable="recall",
         syntax=f"[varlist(numeric fv)] [if] [in] [, Distribution(string) nohr TIme "
         f"noCONStant {_VCE}]")
def streg(session: Session, args: Args) -> None:
    """``streg indepvars, distribution(exponential|weibull) [nohr time noconstant vce()]``."""
    dist = (args.opt("distribution") or "").strip().lower()
    full = {"e": "exponential", "ex": "exponential", "exp": "exponential",
            "exponential": "exponential", "w": "weibull", "we": "weibull",
            "weib": "weibull", "weibull": "weibull"}
    matched = [v for k, v in full.items() if dist and (k == dist or
                                                       (len(dist) >= 1 and v.startswith(dist)))]
    if not matched:
        raise StataError(198, f"distribution({dist}) not supported by the embedded engine "
                              "(exponential and weibull are)" if dist else
                         "distribution() required")
    st, X, names, all_names = _design(session, args)
    request, _ = _vce(session, args, st)
    aft = bool(args.opt("time"))
    with stata_errors():
        fit = fit_streg(st.t0, st.t, st.d, X, names, distribution=matched[0], aft=aft,
                        vce=request, cons=not args.opt("noconstant"))
    est = _with_base_levels(fit.estimation, all_names, "_t:")
    est.scalars["N_sub"] = float(st.subjects)
    est = finish(session, est, st.rows, "streg", args)
    if not args.opt("noshow"):
        session.log.lines(stdata.header(session))
    crit = "Log pseudolikelihood" if est.macros.get("vcetype") else "Log likelihood"
    session.log.lines(["", *output.iteration_log(fit.iterations, crit)])
    session.log.lines(_st_header(est, est.macros["title"], st.subjects))
    eform = "" if args.opt("nohr") or aft else "Haz. ratio"
    table = output.coefficient_lines(session, est, args.opt("level", 95.0), eform)
    below: list[str] = []
    if matched[0] == "weibull":
        p = float(np.exp(est.b[-1]))
        se_p = p * float(est.se[-1])
        lo, hi = np.exp(est.table(args.opt("level", 95.0))[4:6, -1])
        below = [output.MID, output.ancillary_row("p", p, se_p, float(lo), float(hi)),
                 output.ancillary_row("1/p", 1 / p, se_p / p**2, float(1 / hi), float(1 / lo))]
    session.log.lines([*table[:-1], *below, table[-1]])
