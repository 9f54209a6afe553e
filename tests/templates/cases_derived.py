"""Independent checks of the derived-variable templates (growth, ranks, codes, combinations,
filled panels) and of the return templates, all recomputed with pandas."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import pandas as pd

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section, panel
from tests.templates.support import Case, Check, Results, close, example_frame


def _lagged(frame: pd.DataFrame, unit: str, time: str, var: str, k: int) -> pd.Series:
    """var at time − k of the same unit (missing when that period is absent: a gap)."""
    past = frame[[unit, time, var]].assign(**{time: frame[time] + k})
    merged = frame[[unit, time]].merge(past, on=[unit, time], how="left")
    return merged[var].set_axis(frame.index)


def check_growth(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    unit, time, k = str(p["panelvar"]), str(p["timevar"]), int(p["horizon"])  # type: ignore[call-overload]
    frame = data["main"].sort_values([unit, time]).reset_index(drop=True)
    table = res.table("growth")
    close(table[[unit, time]], frame[[unit, time]])
    summary = res.table("growth_summary")
    for v in names(p, "vars"):
        lag = _lagged(frame, unit, time, v, k)
        growth = 100 * (frame[v] / lag - 1)
        close(table[f"g_{v}"], growth)
        with np.errstate(divide="ignore", invalid="ignore"):
            close(table[f"lg_{v}"], 100 * (np.log(frame[v]) - np.log(lag)))
        mine = summary[summary["variable"] == v].set_index(unit)
        observed = frame.dropna(subset=[v]).assign(_g=growth)
        for key, rows in observed.groupby(unit):
            first, last = rows.iloc[0], rows.iloc[-1]
            cagr = 100 * ((last[v] / first[v]) ** (1 / (last[time] - first[time])) - 1)
            close([mine.loc[key, "n"], mine.loc[key, "mean_growth"], mine.loc[key, "cagr"]],
                  [len(rows), rows["_g"].mean(), cagr])


def check_fill(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    unit, time, flag = str(p["panelvar"]), str(p["timevar"]), str(p["flag"])
    frame = data["main"]
    full = pd.MultiIndex.from_product([sorted(frame[unit].unique()), sorted(frame[time].unique())],
                                      names=[unit, time]).to_frame(index=False)
    expected = full.merge(frame.assign(_seen=1), on=[unit, time], how="left")
    table = res.table("filled")
    assert len(table) == len(expected)
    close(table[flag], expected["_seen"].isna().astype(int))
    for v in names(p, "zero_vars"):
        close(table[v], expected[v].fillna(0))
    report = res.table("fill_report").set_index(unit)
    added = expected["_seen"].isna().groupby(expected[unit]).sum()
    close(report["added"], added.to_numpy())
    close(report["observed"], frame.groupby(unit).size().to_numpy())


def check_contract(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    cols = names(p, "vars")
    frame = data["main"][cols]
    if p["drop_missing"]:
        frame = frame.dropna()
    counts = frame.groupby(cols, dropna=False).size()
    if p["zero"]:
        levels = [sorted(frame[c].dropna().unique()) + ([np.nan] if frame[c].isna().any() else [])
                  for c in cols]
        index = pd.MultiIndex.from_tuples(list(itertools.product(*levels)), names=cols)
        counts = counts.reindex(index, fill_value=0)
    table = res.table("combinations")
    assert list(table.columns) == [*cols, "freq", "percent", "cum_freq", "cum_percent"]
    close(table[cols], counts.index.to_frame(index=False))
    close(table["freq"], counts.to_numpy())
    close(table["percent"], 100 * counts.to_numpy() / counts.sum())
    close(table["cum_freq"], counts.cumsum().to_numpy())
    close(table["cum_percent"], 100 * counts.cumsum().to_numpy() / counts.sum())


def check_encode(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    suffix = str(p["suffix"])
    codes = res.table("codes")
    for v in names(p, "vars"):
        text = data["main"][v].fillna("")
        # encode orders the distinct texts by their bytes; pandas read the CSV as it is
        distinct = sorted(t for t in text.unique() if t != "")
        mine = codes[codes["variable"] == v]
        assert list(mine["text"]) == distinct
        close(mine["code"], range(1, len(distinct) + 1))
        close(mine["n"], [int((text == t).sum()) for t in distinct])
        encoded = res.table("encoded")[f"{v}{suffix}"]
        assert encoded.isna().tolist() == (text == "").tolist()


def check_rank(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    var, by, q, prefix = str(p["var"]), names(p, "by"), int(p["groups"]), str(p["prefix"])  # type: ignore[call-overload]
    frame = data["main"]
    key = -frame[var] if p["descending"] else frame[var]
    grouped = key.groupby([frame[b] for b in by]) if by else key.groupby(np.zeros(len(frame)))
    rank = grouped.rank(method="average")
    count = grouped.transform("count")
    table = res.table("ranked")
    close(table[f"{prefix}_rank"], rank)
    close(table[f"{prefix}_pctrank"], 100 * (rank - 0.5) / count)
    close(table[f"{prefix}_group"], np.ceil(q * rank / count))


def _dates(frame: pd.DataFrame, name: str) -> pd.Series:
    """A date column as datetimes (the bundled CSV files hold ISO text dates)."""
    column = frame[name]
    if pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return column
    return pd.to_datetime(column)


def _stata_period(dates: pd.Series, period: str) -> pd.Series:
    """Stata's wofd/mofd/qofd/year: weeks 1–52 of a year, the 52nd taking the last 8–9 days."""
    years = dates.dt.year - 1960
    if period == "week":
        return years * 52 + np.minimum((dates.dt.day_of_year - 1) // 7, 51)
    if period == "month":
        return years * 12 + dates.dt.month - 1
    if period == "quarter":
        return years * 4 + dates.dt.quarter - 1
    return dates.dt.year


def check_compound(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    ret, unit = str(p["ret"]), p.get("panelvar")
    frame = data["main"].dropna(subset=[ret, str(p["datevar"])]).copy()
    frame["_period"] = _stata_period(_dates(frame, str(p["datevar"])), str(p["period"]))
    keys = [str(unit), "_period"] if unit else ["_period"]
    grouped = frame.groupby(keys)[ret]
    table = res.table("period_returns")
    close(table["period"], grouped.size().index.get_level_values("_period"))
    close(table["days"], grouped.size().to_numpy())
    close(table["return"], grouped.apply(lambda r: np.prod(1 + r) - 1).to_numpy(), rtol=1e-9)
    close(table["log_return"], grouped.apply(lambda r: np.log1p(r).sum()).to_numpy(), rtol=1e-9)


def check_performance(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    ret, time, unit, rf = str(p["ret"]), str(p["timevar"]), p.get("panelvar"), p.get("rf")
    periods = float(p["periods_per_year"])  # type: ignore[arg-type]
    frame = data["main"].dropna(subset=[ret, time]).copy()
    frame["_t"] = _dates(frame, time)
    frame["_ex"] = frame[ret] - (frame[str(rf)] if rf else 0)
    groups = frame.sort_values([*([str(unit)] if unit else []), "_t"]).groupby(
        str(unit) if unit else np.zeros(len(frame)))
    table = res.table("performance")
    assert len(table) == groups.ngroups
    for row, (_, g) in zip(table.itertuples(), groups, strict=True):
        r = g[ret]
        wealth = np.cumprod(1 + r.to_numpy())
        peak = np.maximum.accumulate(np.maximum(wealth, 1.0))
        close([row.n, row.mean, row.sd], [len(r), r.mean(), r.std()])
        close([row.ann_mean, row.ann_sd], [r.mean() * periods, r.std() * np.sqrt(periods)])
        close([row.cum_return, row.ann_geometric],
              [wealth[-1] - 1, wealth[-1] ** (periods / len(r)) - 1], rtol=1e-8)
        close(row.sharpe, g["_ex"].mean() / g["_ex"].std() * np.sqrt(periods))
        close([row.best, row.worst], [r.max(), r.min()])
        close(row.max_drawdown, np.max(1 - wealth / peak), rtol=1e-8)


def check_returns(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    price, time, unit, div = str(p["price"]), str(p["timevar"]), p.get("panelvar"), p.get(
        "dividend")
    frame = data["main"].copy()
    frame["_t"] = _dates(frame, time)
    frame = frame.sort_values([*([str(unit)] if unit else []), "_t"], kind="stable")
    previous = frame.groupby(str(unit))[price].shift(1) if unit else frame[price].shift(1)
    paid = frame[str(div)].fillna(0) if div else 0
    simple = ((frame[price] + paid) / previous - 1).where((previous > 0) & (frame[price] > 0))
    table = res.table("returns")
    close(table[str(p["simple"])], simple.to_numpy())
    close(table[str(p["logret"])], np.log1p(simple).to_numpy())
    summary = res.table("return_summary").iloc[0]
    close([summary["rows"], summary["returns"], summary["mean_simple"]],
          [len(frame), simple.notna().sum(), simple.mean()])


def _prices(seed: int) -> pd.DataFrame:
    """Monthly prices of 5 funds with dividends and a risk-free rate; fund 3 starts late."""
    rng = np.random.default_rng(seed)
    rows = []
    for fund in range(1, 6):
        level = 100.0
        for month in range(24 if fund != 3 else 12):
            level *= 1 + rng.normal(0.006, 0.04)
            rows.append({"fund": fund, "month": month + 1, "price": round(level, 3),
                         "div": round(level * 0.004, 3) if month % 3 == 2 else np.nan,
                         "rf": 0.002})
    return pd.DataFrame(rows)


EXAMPLE_CHECKS: dict[str, Check] = {
    "growth_rates": check_growth,
    "fill_panel_gaps": check_fill,
    "combination_frequencies": check_contract,
    "encode_categories": check_encode,
    "rank_within_groups": check_rank,
    "compound_returns": check_compound,
    "performance_stats": check_performance,
    "returns_from_prices": check_returns,
}

CASES = [
    Case(
        template="growth_rates",
        params={"vars": ["y"], "panelvar": "unit", "timevar": "year", "horizon": 2},
        main=panel(500, units=12, gaps=True).assign(y=lambda f: f["y"].abs() + 1),
        check=check_growth,
    ),
    Case(
        template="fill_panel_gaps",
        params={"panelvar": "unit", "timevar": "year", "zero_vars": [], "flag": "added_row"},
        main=panel(501, units=10, gaps=True),
        check=check_fill,
    ),
    Case(
        template="combination_frequencies",
        params={"vars": ["rep78", "foreign"], "zero": True, "drop_missing": True},
        main=example_frame("auto.csv"),
        check=check_contract,
    ),
    Case(
        template="encode_categories",
        params={"vars": ["s", "make"], "suffix": "_n"},
        main=cross_section(502, n=60).assign(
            make=lambda f: pd.Series(np.where(f.index % 7 == 0, "", "m" + (f["g"] * 3).astype(str)),
                                     dtype="str")),
        check=check_encode,
    ),
    Case(
        template="rank_within_groups",
        params={"var": "x2", "by": ["g", "d"], "groups": 3, "descending": True, "prefix": "x2"},
        main=cross_section(503).assign(x2=lambda f: f["x2"].round(0)),
        check=check_rank,
    ),
    Case(
        template="compound_returns",
        params={"ret": "mkt", "datevar": "date", "period": "week"},
        main=example_frame("daily_returns.csv").query("firm == 1").assign(
            date=lambda f: pd.to_datetime(f["date"])),
        check=check_compound,
    ),
    Case(
        template="performance_stats",
        params={"ret": "r", "timevar": "month", "panelvar": "fund", "rf": "rf",
                "periods_per_year": 12},
        main=_prices(504).assign(r=lambda f: f.groupby("fund")["price"].pct_change()),
        check=check_performance,
    ),
    Case(
        template="returns_from_prices",
        params={"price": "price", "timevar": "month", "panelvar": "fund", "dividend": "div",
                "simple": "r", "logret": "lr"},
        main=_prices(505),
        check=check_returns,
    ),
]
