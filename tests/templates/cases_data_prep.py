"""Independent checks of the data-preparation templates (duplicates, recoding, text, dates,
panel balance, aggregation by period), against pandas."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tests.templates.cases_data import _with_problems
from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import panel
from tests.templates.support import Case, Check, Results, close, example_frame

STATA_EPOCH = pd.Timestamp("1960-01-01")


def _text_equal(got: pd.Series, want: pd.Series) -> None:
    """Same text, a missing value reading as empty (numbers compared as their text)."""

    def text(column: pd.Series) -> list[str]:
        return ["" if pd.isna(v) else str(v) for v in column]

    assert text(got) == text(want)


def check_duplicates(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"]
    keys = names(p, "vars") or list(frame.columns)
    copies = frame.groupby(keys, dropna=False)[keys[0]].transform("size")
    table = res.table("duplicates")
    counts = copies.value_counts().sort_index()
    close(table["copies"], counts.index.to_numpy())
    close(table["observations"], counts.to_numpy())
    close(table["surplus"], (counts - counts / counts.index).to_numpy())
    rows = res.table("duplicate_rows")
    assert len(rows) == (copies > 1).sum()
    close(np.sort(rows["copies"]), np.sort(copies[copies > 1].to_numpy()))
    for _, group in rows.groupby("duplicate_group"):
        assert len(group) == group["copies"].iloc[0]
        assert len(group[keys].astype(str).drop_duplicates()) == 1


def check_recode(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    key = str(p["key"])
    merged = data["main"].merge(data["mapping"], on=key, how="left", validate="m:1")
    table = res.table("recoded")
    assert len(table) == len(data["main"])
    for column in data["mapping"].columns.drop(key):
        _text_equal(table[column], merged[column])
    report = res.table("mapping_report")
    counts = data["main"][key].value_counts().sort_index()
    close(report["n"], counts.to_numpy())
    close(report["mapped"], counts.index.isin(data["mapping"][key]).astype(float))


_CASE = {
    "lower": lambda s: s.str.lower(),
    "upper": lambda s: s.str.upper(),
    "proper": lambda s: s.str.title(),
    "keep": lambda s: s,
}


def check_clean_strings(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table, changes = res.table("cleaned"), res.table("string_changes")
    expected_changes = 0
    for name in names(p, "vars"):
        original = data["main"][name].fillna("")
        cleaned = _CASE[str(p["case"])](original.str.strip().str.replace(r" {2,}", " ", regex=True))
        _text_equal(table[name], cleaned)
        changed = original[original != cleaned]
        expected_changes += changed.nunique()
        mine = changes[changes["variable"] == name]
        counts = changed.value_counts()
        for _, row in mine.iterrows():
            assert counts[row["original"]] == row["n"], row["original"]
    assert len(changes) == expected_changes


_FORMATS = {
    "DMY": ["%d%b%Y", "%d/%m/%Y", "%d-%m-%Y"],
    "MDY": ["%m/%d/%Y", "%b %d %Y", "%m-%d-%Y"],
    "YMD": ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"],
}


def check_parse_dates(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    text, new = data["main"][str(p["var"])], str(p["newvar"])
    parsed = pd.Series(pd.NaT, index=text.index)
    for fmt in _FORMATS[str(p["mask"])]:
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    table = res.table("dated")
    close(table[new], (parsed - STATA_EPOCH).dt.days)
    close(table[f"{new}_year"], parsed.dt.year)
    close(table[f"{new}_quarter"], parsed.dt.quarter)
    close(table[f"{new}_dow"], (parsed.dt.day_of_week + 1) % 7)  # Stata: 0 = Sunday
    _text_equal(table[f"{new}_iso"], parsed.dt.strftime("%Y-%m-%d"))
    row = res.table("date_parsing").iloc[0]
    close([row["parsed"], row["not_parsed"]], [parsed.notna().sum(),
                                               (parsed.isna() & text.notna()).sum()])
    assert row["first_date"] == parsed.min().strftime("%Y-%m-%d")


def check_panel_balance(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    unit, time = str(p["panelvar"]), str(p["timevar"])
    frame = data["main"].dropna(subset=[unit, time])
    periods = frame[time].nunique()
    per_unit = frame.groupby(unit)[time].nunique()
    complete = per_unit[per_unit == periods].index
    summary = res.table("balance_summary")
    close(summary["units"], [frame[unit].nunique(), len(complete)])
    close(summary["observations"], [len(frame), frame[unit].isin(complete).sum()])
    close(summary["periods"], [periods, periods])
    dropped = res.table("dropped_units")
    close(dropped[unit], per_unit[per_unit < periods].index.to_numpy())
    close(dropped["periods_missing"], periods - per_unit[per_unit < periods].to_numpy())
    assert len(res.table("balanced")) == frame[unit].isin(complete).sum()


def _stata_period(dates: pd.Series, period: str) -> pd.Series:
    years = dates.dt.year - 1960
    if period == "month":
        return years * 12 + dates.dt.month - 1
    if period == "quarter":
        return years * 4 + dates.dt.quarter - 1
    if period == "week":  # Stata's week 52 takes the last 8 or 9 days of the year
        return years * 52 + np.minimum((dates.dt.day_of_year - 1) // 7, 51)
    return dates.dt.year


_AGGREGATE = {
    "mean": "mean", "sum": "sum", "min": "min", "max": "max", "sd": "std", "count": "count",
    "first": "first", "last": "last",
}


def check_collapse_to_period(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"].copy()
    dates = pd.to_datetime(frame[str(p["datevar"])])
    frame["period"] = _stata_period(dates, str(p["period"]))
    frame["_date"] = dates
    by = [str(p["by"])] if p.get("by") else []
    frame = frame.sort_values([*by, "period", "_date"])
    grouped = frame.groupby([*by, "period"])
    table = res.table("by_period")
    assert len(table) == grouped.ngroups
    close(table["period"], grouped.size().index.get_level_values("period"))
    close(table["days"], grouped.size().to_numpy())
    how = _AGGREGATE[str(p["stat"])]
    for name in names(p, "vars"):
        if how in ("first", "last"):  # Stata: the first/last value, missing or not
            values = grouped[name].nth(0 if how == "first" else -1)
        else:
            values = grouped[name].agg(how)
        close(table[name], values.to_numpy())


def _messy_text(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    city = rng.choice(["  new  york", "New York ", "BOSTON", "boston", "Los   Angeles"], 60)
    code = rng.choice(["a1", " A1", "b2 ", "B2"], 60)
    month, day = rng.integers(1, 13, 60), rng.integers(1, 29, 60)
    when = [f"{m}/{d}/2022" for m, d in zip(month, day, strict=True)]
    when[5] = "not a date"
    return pd.DataFrame({"id": np.arange(60), "city": pd.Series(city, dtype="str"),
                         "code": pd.Series(code, dtype="str"),
                         "when": pd.Series(when, dtype="str"),
                         "grade": rng.integers(1, 6, 60)})


_GRADES = pd.DataFrame({"grade": [1, 2, 3, 4],
                        "band": pd.Series(["low", "low", "mid", "high"], dtype="str"),
                        "points": [0.0, 1.0, 2.5, 4.0]})

EXAMPLE_CHECKS: dict[str, Check] = {
    "duplicates_report": check_duplicates,
    "recode_by_mapping": check_recode,
    "clean_strings": check_clean_strings,
    "parse_dates": check_parse_dates,
    "panel_balance": check_panel_balance,
    "collapse_to_period": check_collapse_to_period,
}

CASES = [
    Case(template="duplicates_report", params={}, main=_with_problems(95),
         check=check_duplicates),
    Case(template="recode_by_mapping", params={"key": "grade"}, main=_messy_text(96),
         others={"mapping": _GRADES}, check=check_recode),
    Case(template="clean_strings", params={"vars": ["city", "code"], "case": "proper"},
         main=_messy_text(97), check=check_clean_strings),
    Case(template="parse_dates", params={"var": "when", "mask": "MDY", "newvar": "seen"},
         main=_messy_text(98), check=check_parse_dates),
    Case(template="panel_balance", params={"panelvar": "unit", "timevar": "year"},
         main=panel(99, gaps=True), check=check_panel_balance),
    Case(
        template="collapse_to_period",
        params={"datevar": "date", "vars": ["ret", "mkt"], "period": "week", "stat": "sum"},
        main=example_frame("daily_returns.csv").query("firm == 3").assign(
            date=lambda f: pd.to_datetime(f["date"])),
        check=check_collapse_to_period,
    ),
]
