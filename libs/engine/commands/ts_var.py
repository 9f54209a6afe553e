"""Vector autoregressions: ``var``, ``varsoc`` (lag-order selection) and ``vargranger``
(Granger causality Wald tests after ``var``). Numbers in :mod:`libs.stata_stats.var`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.engine.errors import StataError
from libs.engine.estimation import output, tsdata
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import stata_errors
from libs.engine.formats import format_number
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args, parse_numlist
from libs.engine.varlist import expand
from libs.stata_stats.var import VarFit, fit_var, lutkepohl_info

_VAR = ("varlist(numeric ts) [if] [in] [, noCONStant Lags(string) EXog(string) dfk small "
        "LUTstats Level(real 95)]")


@dataclass(frozen=True)
class VarData:
    """The arrays of one VAR: Y, the lag and exogenous columns, their names, the rows."""

    Y: np.ndarray
    X: np.ndarray
    depvars: tuple[str, ...]
    regressors: tuple[str, ...]
    rows: np.ndarray


def _lags(text: str | None, default: int = 2) -> list[int]:
    values = parse_numlist(text) if text else list(range(1, default + 1))
    if any(v < 1 or v != int(v) for v in values):
        raise StataError(198, "lags() must contain positive integers")
    return sorted({int(v) for v in values})


def var_data(session: Session, args: Args, lags: list[int], *,
             sample_lags: list[int] | None = None) -> VarData:
    """Y, its lags and the exogenous variables on the rows where all are present (and, for
    varsoc, where the ``sample_lags`` would be too)."""
    tsdata.settings(session)
    touse = args.touse(session) & np.isfinite(tsdata.time_values(session))
    tsdata.one_panel(session, touse)
    series = [tsdata.series(session, name) for name in _names(args)]
    depvars = tuple(s.name() for s in series)
    exog = [tsdata.series(session, v) for v in
            (_split(session, args.opt("exog")) if args.opt("exog") else [])]
    Y = np.column_stack([s.values(session) for s in series])
    columns, regressors = [], []
    for s in series:
        for lag in lags:
            columns.append(s.values(session, (("L", lag),)))
            regressors.append(s.name((("L", lag),)))
    for s in exog:
        columns.append(s.values(session))
        regressors.append(s.name())
    X = np.column_stack(columns) if columns else np.zeros((session.data.n, 0))
    ok = touse & np.isfinite(Y).all(axis=1) & np.isfinite(X).all(axis=1)
    for s in series if sample_lags else []:
        for lag in sample_lags or []:
            ok &= np.isfinite(s.values(session, (("L", lag),)))
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        raise StataError(2000, "no observations")
    return VarData(Y[rows], X[rows], depvars, tuple(regressors), rows)


def _names(args: Args) -> list[str]:
    return (args.anything or "").split() if args.terms is None else [
        tsdata.op_name(t.factors[0].ts, t.factors[0].var) for t in args.terms]


def _split(session: Session, text: str) -> list[str]:
    out = []
    for token in text.split():
        if "." in token:
            out.append(token)
        else:
            out.extend(expand(session.data, token))
    return out


def _sample_text(session: Session, rows: np.ndarray) -> str:
    time = tsdata.time_values(session)[rows]
    fmt = session.data.vars[tsdata.settings(session).timevar or ""].format
    first, last = (format_number(float(v), fmt).strip() for v in (time.min(), time.max()))
    return f"Sample: {first} thru {last}"


@command("var", byable="recall", syntax=_VAR)
def var(session: Session, args: Args) -> None:
    """``var depvarlist [if] [in] [, lags() exog() noconstant dfk small lutstats]``."""
    lags = _lags(args.opt("lags"))
    data = var_data(session, args, lags)
    with stata_errors():
        fit = fit_var(data.Y, data.X, data.depvars, data.regressors, lags=max(lags),
                      cons=not args.opt("noconstant"), dfk=bool(args.opt("dfk")),
                      small=bool(args.opt("small")), lutstats=bool(args.opt("lutstats")))
    est = finish(session, fit.estimation, data.rows, "var", args)
    K = len(data.depvars)
    session.e.matrices["Sigma"] = Matrix(fit.sigma, list(data.depvars), list(data.depvars))
    session.e.macros["exog"] = " ".join(data.regressors[K * len(lags):])
    session.e.macros["lags"] = " ".join(map(str, lags))
    time = tsdata.time_values(session)[data.rows]
    session.e.scalars["tmin"], session.e.scalars["tmax"] = float(time.min()), float(time.max())
    session.e.macros["timevar"] = tsdata.settings(session).timevar or ""
    session.log.lines(_header(session, fit, data))
    session.log.lines(output.coefficient_lines(session, est, args.opt("level", 95.0)))


def _header(session: Session, fit: VarFit, data: VarData) -> list[str]:
    s = fit.estimation.scalars
    small = "df_r" in s
    lines = [
        "", "Vector autoregression", "",
        f"{_sample_text(session, data.rows):<48}{'Number of obs':<18}= {int(s['N']):>10,}",
        f"{'Log likelihood = ' + numtext(s['ll'], '%9.0g'):<48}{'AIC':<18}= "
        f"{numtext(s['aic'], '%10.0g')}",
        f"{'FPE            = ' + numtext(s['fpe'], '%9.0g'):<48}{'HQIC':<18}= "
        f"{numtext(s['hqic'], '%10.0g')}",
        f"{'Det(Sigma_ml)  = ' + numtext(s['detsig_ml'], '%9.0g'):<48}{'SBIC':<18}= "
        f"{numtext(s['sbic'], '%10.0g')}",
        "",
        f"{'Equation':<15}{'Parms':>8}{'RMSE':>11}{'R-sq':>9}"
        f"{'F' if small else 'chi2':>10}{'P > F' if small else 'P>chi2':>10}",
        "-" * 64,
    ]
    for name, eq in zip(data.depvars, fit.equations, strict=True):
        stat = eq.get("F" if small else "chi2", np.nan)
        lines.append(f"{name[:15]:<15}{int(eq['k']):>8}{numtext(eq['rmse'], '%11.6g')}"
                     f"{numtext(eq['r2'], '%9.4f')}{numtext(stat, '%10.7g')}"
                     f"{numtext(eq.get('p', np.nan), '%10.4f')}")
    return [*lines, "-" * 64, ""]


@command("varsoc", rclass=True,
         syntax="varlist(numeric ts) [if] [in] [, MAXlag(integer 4) EXog(string) "
         "noCONStant LUTstats]")
def varsoc(session: Session, args: Args) -> None:
    """``varsoc depvarlist [, maxlag(#) exog() noconstant lutstats]``: VARs of order 0 to
    maxlag on one sample, with LR, FPE, AIC, HQIC and SBIC; ``*`` marks each optimum."""
    maxlag = int(args.opt("maxlag", 4))
    if maxlag < 0:
        raise StataError(198, "maxlag() must be nonnegative")
    lutstats = bool(args.opt("lutstats"))
    rows = []
    common = list(range(1, maxlag + 1))
    for p in range(maxlag + 1):
        data = var_data(session, args, list(range(1, p + 1)), sample_lags=common)
        with stata_errors():
            fit = fit_var(data.Y, data.X, data.depvars, data.regressors, lags=p,
                          cons=not args.opt("noconstant"), lutstats=lutstats)
        s = fit.estimation.scalars
        K = len(data.depvars)
        if lutstats:
            aic, hqic, sbic = lutkepohl_info(s["detsig_ml"], s["N"], p, K)
        else:
            aic, hqic, sbic = s["aic"], s["hqic"], s["sbic"]
        rows.append([float(p), s["ll"], np.nan, np.nan, np.nan, s["fpe"], aic, hqic, sbic])
        if p:
            lr = 2.0 * (s["ll"] - rows[p - 1][1])
            rows[p][2:5] = [lr, float(K * K), float(stats.chi2.sf(lr, K * K))]
    table = np.array(rows)
    best = {j: int(np.argmin(table[:, j])) for j in (5, 6, 7, 8)}
    lr_best = _lr_choice(table)
    rule = " +" + "-" * 75 + "+"
    session.log.lines(["", "Lag-order selection criteria" + (" (lutstats)" if lutstats else ""),
                       "",
                       f"{_sample_text(session, data.rows):<48}{'Number of obs':<18}= "
                       f"{int(fit.estimation.scalars['N']):>10,}",
                       rule,
                       " |lag |    LL      LR      df    p      FPE       AIC      HQIC"
                       "      SBIC    |",
                       " |----+" + "-" * 70 + "|"])
    for p, row in enumerate(rows):
        marks = {j: "*" if best[j] == p else " " for j in (5, 6, 7, 8)}
        lr_text = numtext(row[2], "%8.5g") + ("*" if lr_best == p else " ") if p else " " * 9
        rest = f"{int(row[3]):>4}{numtext(row[4], '%7.3f')}" if p else " " * 11
        session.log.lines([f" |{p:>3} | {numtext(row[1], '%8.6g')}{lr_text}{rest}"
                           f"{numtext(row[5], '%9.2g')}{marks[5]}"
                           f"{numtext(row[6], '%9.6g')}{marks[6]}"
                           f"{numtext(row[7], '%9.6g')}{marks[7]}"
                           f"{numtext(row[8], '%9.6g')}{marks[8]}  |"])
    session.log.lines([rule, "  * optimal lag", f"  Endogenous: {' '.join(data.depvars)}",
                       f"   Exogenous: {'_cons' if not args.opt('noconstant') else ''}"
                       f"{' ' + args.opt('exog') if args.opt('exog') else ''}".rstrip()])
    cols = ["lag", "LL", "LR", "df", "p", "FPE", "AIC", "HQIC", "SBIC"]
    session.post_r(Results(
        scalars={"N": fit.estimation.scalars["N"], "mlag": float(maxlag),
                 "tmin": float(tsdata.time_values(session)[data.rows].min()),
                 "tmax": float(tsdata.time_values(session)[data.rows].max())},
        macros={"endog": " ".join(data.depvars), "exog": args.opt("exog") or "",
                "lutstats": "lutstats" if lutstats else "", "rmlutstats": ""},
        matrices={"stats": Matrix(table, [str(p) for p in range(maxlag + 1)], cols)}))


def _lr_choice(table: np.ndarray) -> int:
    """The largest lag whose LR test rejects at 5%, as varsoc marks it (none: −1)."""
    chosen = -1
    for p in range(1, table.shape[0]):
        if table[p, 4] < 0.05:
            chosen = p
    return chosen


@command("vargranger", rclass=True, syntax="[, ESTimates(string) SEParator(integer 0)]")
def vargranger(session: Session, args: Args) -> None:
    """``vargranger``: in each equation of the last ``var``, the Wald test that every lag of
    one other variable is zero, and of all others together."""
    e = session.e
    if e.macros.get("cmd") != "var":
        raise StataError(321, "vargranger only works with var and svar")
    b = e.matrices["b"]
    names, V = b.colnames, e.matrices["V"].values
    beta = b.values[0]
    depvars = e.macros["endog"].split()
    lags = [int(x) for x in e.macros["lags"].split()]
    small = "df_r" in e.scalars
    rows: list[list[float]] = []
    lines: list[str | None] = []
    for eq in depvars:
        tests = [(other, [names.index(f"{eq}:{tsdata.op_name((('L', lag),), other)}")
                          for lag in lags]) for other in depvars if other != eq]
        tests.append(("ALL", [j for _, idx in tests for j in idx]))
        for excluded, idx in tests:
            sub = np.asarray(idx)
            wald = float(beta[sub] @ np.linalg.solve(V[np.ix_(sub, sub)], beta[sub]))
            df = sub.size
            if small:
                stat, p = wald / df, float(stats.f.sf(wald / df, df, e.scalars["df_r"]))
            else:
                stat, p = wald, float(stats.chi2.sf(wald, df))
            rows.append([stat, float(df), p] + ([e.scalars["df_r"]] if small else []))
            lines.append(f"  |{eq[:18]:>18}{excluded[:18]:>19} |{numtext(stat, '%9.0g')}"
                         f"{df:>6}" + (f"{int(e.scalars['df_r']):>8}" if small else "") +
                         f"{numtext(p, '%10.4f')}    |")
        lines.append(None)
    head = "F" if small else "chi2"
    width = 27 + (8 if small else 0)
    rule = "  +" + "-" * (38 + width) + "+"
    mid = "  |" + "-" * 38 + "+" + "-" * width + "|"
    body = [mid if line is None else line for line in lines[:-1]]
    session.log.lines(["", "   Granger causality Wald tests", rule,
                       f"  |{'Equation':>18}{'Excluded':>19} |{head:>9}{'df':>6}"
                       + (f"{'df_r':>8}" if small else "") + f"{'Prob > ' + head:>12} |",
                       mid, *body, rule])
    cols = ["F", "df", "df_r", "p"] if small else ["chi2", "df", "p"]
    table = np.array(rows)
    if small:
        table = table[:, [0, 1, 3, 2]]
    session.post_r(Results(matrices={"gstats": Matrix(table, [str(i + 1) for i in
                                                              range(len(rows))], cols)}))
