"""Independent checks of the finance templates: per-unit and per-period statsmodels fits and
pandas group computations."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import panel
from tests.templates.support import Case, Check, Results, close, example_frame, stata_pctile


def check_betas(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    ret, market, unit = str(p["ret"]), str(p["market"]), str(p["panelvar"])
    frame = data["main"].dropna(subset=[ret, market, unit])
    table = res.table("betas").set_index(unit)
    assert list(table.index) == sorted(frame[unit].unique())
    for key, group in frame.groupby(unit):
        fit = sm.OLS(group[ret], sm.add_constant(group[market])).fit()
        row = table.loc[key]
        close([row["alpha"], row["beta"]], fit.params.to_numpy())
        close([row["se_alpha"], row["se_beta"]], fit.bse.to_numpy())
        close([row["t_beta"], row["p_beta"]], [fit.tvalues.iloc[1], fit.pvalues.iloc[1]])
        close([row["r2"], row["rmse"], row["n"]], [fit.rsquared, np.sqrt(fit.mse_resid), fit.nobs])


def check_winsorize_by_period(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame, time = data["main"], str(p["timevar"])
    lower, upper = float(p["lower"]), float(p["upper"])  # type: ignore[arg-type]
    table, cuts = res.table("winsorized"), res.table("period_cutoffs")
    for name in names(p, "vars"):
        grouped = frame.groupby(time)[name]
        low = grouped.transform(lambda s: stata_pctile(s, lower))
        high = grouped.transform(lambda s: stata_pctile(s, upper))
        close(table[f"w_{name}"], frame[name].clip(low, high))
        mine = cuts[cuts["variable"] == name]
        close(mine["lower_cut"], grouped.apply(lambda s: stata_pctile(s, lower)).to_numpy())
        close(mine["n_raised"], (frame[name] < low).groupby(frame[time]).sum().to_numpy())


def check_portfolio_sort(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    ret, signal, unit, time = (str(p[k]) for k in ("ret", "sortvar", "panelvar", "timevar"))
    groups = int(p["groups"])  # type: ignore[call-overload]
    frame = data["main"].sort_values([unit, time]).copy()
    frame["_signal"] = frame.groupby(unit)[signal].shift(1)
    frame = frame.dropna(subset=[ret, "_signal", time]).sort_values([time, unit])
    rank = frame.groupby(time)["_signal"].rank(method="first")
    count = frame.groupby(time)["_signal"].transform("count")
    frame["_portfolio"] = np.ceil(groups * rank / count).astype(int)
    returns = frame.groupby([time, "_portfolio"])[ret].mean().unstack()
    spread = returns[groups] - returns[1]
    series = [returns[k] for k in range(1, groups + 1)] + [spread]
    summary = res.table("portfolio_summary")
    assert list(summary["portfolio"]) == [*map(str, range(1, groups + 1)), "high_minus_low"]
    for i, values in enumerate(series):
        values = values.dropna()
        t = values.mean() / (values.std() / np.sqrt(len(values)))
        row = summary.iloc[i]
        close([row["mean"], row["sd"], row["periods"]], [values.mean(), values.std(), len(values)])
        close([row["t"], row["p"]], [t, 2 * stats.t.sf(abs(t), len(values) - 1)])
    by_period = res.table("portfolio_returns")
    close(by_period["spread"], spread.to_numpy())


def check_fama_macbeth(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, time = str(p["depvar"]), names(p, "indepvars"), str(p["timevar"])
    frame = data["main"].dropna(subset=[y, *xs, time])
    fits = {t: sm.OLS(g[y], sm.add_constant(g[xs])).fit() for t, g in frame.groupby(time)}
    coefs = pd.DataFrame({t: fit.params for t, fit in fits.items()}).T
    table = res.table("fama_macbeth")
    assert list(table["term"]) == [*xs, "_cons"]
    for i, key in enumerate([*xs, "const"]):
        values = coefs[key]
        se = values.std() / np.sqrt(len(values))
        row = table.iloc[i]
        close([row["coef"], row["se"], row["periods"]], [values.mean(), se, len(values)])
        close(row["p"], 2 * stats.t.sf(abs(values.mean() / se), len(values) - 1))
    close(table["mean_r2"].iloc[0], np.mean([fit.rsquared for fit in fits.values()]))
    periods = res.table("period_coefficients")
    close(periods[f"b_{xs[0]}"], coefs[xs[0]].to_numpy())


def check_event_study_car(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    ret, market, event, unit, time = (
        str(p[k]) for k in ("ret", "market", "eventvar", "panelvar", "timevar"))
    bounds = [int(p[k]) for k in ("est_start", "est_end", "win_start", "win_end")]  # type: ignore[call-overload]
    frame = data["main"].dropna(subset=[ret, market, unit, time]).sort_values([unit, time])
    cars, abnormal = {}, []
    for key, group in frame.groupby(unit):
        day = np.arange(len(group))
        events = day[group[event].to_numpy() == 1]
        if not len(events):
            continue
        rel = day - events[0]
        estimation = (rel >= bounds[0]) & (rel <= bounds[1])
        fit = sm.OLS(group[ret][estimation], sm.add_constant(group[market][estimation])).fit()
        ar = group[ret] - (fit.params["const"] + fit.params[market] * group[market])
        window = (rel >= bounds[2]) & (rel <= bounds[3])
        cars[key] = ar[window].sum()
        abnormal.append(pd.DataFrame({"rel": rel[window], "ar": ar[window].to_numpy()}))
    car = pd.Series(cars)
    row = res.table("car_test").iloc[0]
    t = car.mean() / (car.std() / np.sqrt(len(car)))
    close([row["events"], row["mean_car"], row["sd_car"]], [len(car), car.mean(), car.std()])
    close([row["t"], row["p"]], [t, 2 * stats.t.sf(abs(t), len(car) - 1)])
    by_event = res.table("car_by_event")
    close(by_event["car"], car.to_numpy())
    daily = pd.concat(abnormal).groupby("rel")["ar"].mean()
    table = res.table("abnormal_returns")
    close(table["aar"], daily.to_numpy())
    close(table["caar"], daily.cumsum().to_numpy())


def _announcements(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    firms, days = 12, 90
    market = rng.normal(0, 0.01, days)
    rows = []
    for firm in range(1, firms + 1):
        returns = 0.9 * market + rng.normal(0, 0.01, days)
        flags = np.zeros(days, dtype=int)
        flags[rng.integers(60, 85)] = 1
        returns = returns + 0.02 * flags
        rows.append(pd.DataFrame({"id": firm, "day": np.arange(days), "r": np.round(returns, 6),
                                  "m": np.round(market, 6), "news": flags}))
    return pd.concat(rows, ignore_index=True)


EXAMPLE_CHECKS: dict[str, Check] = {
    "beta_estimation": check_betas,
    "winsorize_by_period": check_winsorize_by_period,
    "portfolio_sort": check_portfolio_sort,
    "fama_macbeth": check_fama_macbeth,
    "event_study_car": check_event_study_car,
}

CASES = [
    Case(
        template="beta_estimation",
        params={"ret": "invest", "market": "value", "panelvar": "firm", "timevar": "year"},
        main=example_frame("grunfeld.csv"),
        check=check_betas,
    ),
    Case(
        template="winsorize_by_period",
        params={"vars": ["y", "x1"], "timevar": "year"},
        main=panel(100, units=60, gaps=True),
        check=check_winsorize_by_period,
    ),
    Case(
        template="portfolio_sort",
        params={"ret": "y", "sortvar": "x1", "panelvar": "unit", "timevar": "year",
                "groups": 3},
        main=panel(101, units=45),
        check=check_portfolio_sort,
    ),
    Case(
        template="fama_macbeth",
        params={"depvar": "y", "indepvars": ["x1"], "panelvar": "unit", "timevar": "year"},
        main=panel(102, units=30, gaps=True),
        check=check_fama_macbeth,
    ),
    Case(
        template="event_study_car",
        params={"ret": "r", "market": "m", "eventvar": "news", "panelvar": "id",
                "timevar": "day", "est_start": -55, "est_end": -6, "win_start": 0,
                "win_end": 0},
        main=_announcements(103),
        check=check_event_study_car,
    ),
]
