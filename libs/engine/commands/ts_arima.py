"""``arima``: ARIMA, ARMAX and multiplicative seasonal ARIMA by exact ML (numbers in
:mod:`libs.stata_stats.arima`).

``arima depvar [indepvars] [if] [in] [, ar(numlist) ma(numlist) arima(p,d,q)
sarima(P,D,Q,s) mar(numlist, s) mma(numlist, s) noconstant diffuse vce(opg|oim|robust)
level()]``. ``arima(p,d,q)`` differences the dependent and independent variables d times and
``sarima()`` D times at lag s. The sample is the observations where every (differenced)
variable is present, in time order; a gap inside it is a missing observation to the filter.
"""

from __future__ import annotations

import re

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation import output, tsdata
from libs.engine.estimation.columns import numtext
from libs.engine.estimation.post import finish
from libs.engine.estimation.request import stata_errors
from libs.engine.formats import format_number
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, parse_numlist
from libs.engine.varlist import parse_terms
from libs.stata_stats.arima import ArmaSpec, fit_arima
from libs.stata_stats.estimation import Estimation

_NOTE = ["Note: The test of the variance against zero is one sided, and the two-sided",
         "      confidence interval is truncated at zero."]


def _integers(text: str, what: str, count: int) -> list[int]:
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    if len(parts) != count or not all(p.isdigit() for p in parts):
        raise StataError(198, f"{what}() invalid")
    return [int(p) for p in parts]


def _lags(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    values = parse_numlist(text)
    if any(v < 1 or v != int(v) for v in values):
        raise StataError(198, "lags must be positive integers")
    return tuple(sorted({int(v) for v in values}))


def _seasonal(text: str | None, what: str) -> tuple[tuple[int, ...], int]:
    if not text:
        return (), 0
    lags, comma, season = text.rpartition(",")
    if not comma or not season.strip().isdigit():
        raise StataError(198, f"{what}(numlist, #) required")
    return _lags(lags), int(season)


def _spec(args: Args) -> tuple[ArmaSpec, tuple[tuple[str, int], ...]]:
    """The ARMA lags and the differencing operators the options ask for."""
    ar, ma = _lags(args.opt("ar")), _lags(args.opt("ma"))
    ops: list[tuple[str, int]] = []
    if args.opt("arima"):
        p, d, q = _integers(args.opt("arima"), "arima", 3)
        ar, ma = tuple(range(1, p + 1)), tuple(range(1, q + 1))
        if d:
            ops.append(("D", d))
    mar, season_ar = _seasonal(args.opt("mar"), "mar")
    mma, season_ma = _seasonal(args.opt("mma"), "mma")
    season = season_ar or season_ma
    if args.opt("sarima"):
        big_p, big_d, big_q, season = _integers(args.opt("sarima"), "sarima", 4)
        mar, mma = tuple(range(1, big_p + 1)), tuple(range(1, big_q + 1))
        ops += [("S", season)] * big_d
    if season_ar and season_ma and season_ar != season_ma:
        raise StataError(198, "mar() and mma() must have the same seasonal lag")
    return ArmaSpec(ar=ar, ma=ma, mar=mar, mma=mma, season=season), tuple(ops)


@command("arima", byable="recall",
         syntax="[varlist(numeric ts)] [if] [in] [, AR(string) MA(string) ARIMA(string) "
         "SARIMA(string) MAR(string) MMA(string) noCONStant DIFfuse vce(string) "
         "Level(real 95) noLOg CONDition]")
def arima(session: Session, args: Args) -> None:
    """``arima depvar [indepvars] [, ar() ma() arima() sarima() mar() mma() noconstant
    diffuse vce()]``."""
    if args.opt("condition"):
        raise StataError(198, "option condition is not supported by the embedded engine")
    spec, ops = _spec(args)
    if not args.varlist:
        raise StataError(100, "varlist required")
    tsdata.settings(session)
    touse = args.touse(session) & np.isfinite(tsdata.time_values(session))
    tsdata.one_panel(session, touse)
    terms = parse_terms(session.data, args.anything or "")
    series = [tsdata.Series(t.factors[0].var, t.factors[0].ts) for t in terms]
    columns = [np.where(touse, s.values(session, ops), np.nan) for s in series]
    names = tuple(s.name(ops) for s in series)
    valid = np.isfinite(np.column_stack(columns)).all(axis=1)
    if not valid.any():
        raise StataError(2000, "no observations")
    rows, grid = _grid(session, valid)
    y = np.full(grid.size, np.nan)
    X = np.full((grid.size, len(columns) - 1), np.nan)
    y[rows[1]] = columns[0][rows[0]]
    for j, col in enumerate(columns[1:]):
        X[rows[1], j] = col[rows[0]]
    vce = (args.opt("vce") or "opg").strip().lower()
    with stata_errors():
        fit = fit_arima(y, X, names[1:], depvar=names[0], eqname=series[0].var, spec=spec,
                        cons=not args.opt("noconstant"), vce=vce,
                        diffuse=bool(args.opt("diffuse")))
    grid_rows = np.full(grid.size, -1)
    grid_rows[rows[1]] = rows[0]  # gaps have no row: they are never in e(sample)
    est = finish(session, fit.estimation, grid_rows, "arima", args)
    time = tsdata.time_values(session)[rows[0]]
    fmt = session.data.vars[tsdata.settings(session).timevar or ""].format
    first, last = (format_number(float(v), fmt).strip() for v in (time.min(), time.max()))
    est.macros["tmins"], est.macros["tmaxs"] = first, last
    session.e.macros["tmins"], session.e.macros["tmaxs"] = first, last
    if not args.opt("nolog"):
        session.log.lines(["", *output.iteration_log(fit.iterations)])
    s = est.scalars
    session.log.lines([
        "", "ARIMA regression", "",
        f"{'Sample: ' + first + ' thru ' + last:<48}{'Number of obs':<18}= {int(s['N']):>10,}",
        f"{'':<48}{'Wald chi2(' + str(int(s['df_m'])) + ')':<18}= "
        f"{numtext(s['chi2'], '%10.2f')}",
        f"{'Log likelihood = ' + numtext(s['ll'], '%9.0g').strip():<48}{'Prob > chi2':<18}= "
        f"{numtext(s['p'], '%10.4f')}",
        "",
    ])
    session.log.lines(_table(est, args.opt("level", 95.0)))
    session.log.lines(_NOTE)


def _grid(session: Session, valid: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray],
                                                        np.ndarray]:
    """The time grid from the first to the last valid observation, and for each valid row
    its position on it: ``(rows, positions), grid``."""
    delta = tsdata.settings(session).delta
    time = tsdata.time_values(session)
    rows = np.flatnonzero(valid)
    t = time[rows]
    steps = np.round((t - t.min()) / delta).astype(np.int64)
    grid = np.arange(int(steps.max()) + 1) * delta + t.min()
    return (rows, steps), grid


def _table(est: Estimation, level: float) -> list[str]:
    """The coefficient table with σ shown as ``/sigma`` (Stata 15+) instead of an equation
    ``sigma`` holding ``_cons``."""
    lines = output.coefficient_table(est, level)
    return [*lines[:-3], "      /sigma |" + lines[-2][14:], lines[-1]]
