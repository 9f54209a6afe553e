"""Independent checks of the data-management templates, against pandas."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section, panel, wide_repeated
from tests.templates.support import Case, Check, Results, close, stata_pctile


def _with_problems(seed: int) -> pd.DataFrame:
    """A cross-section with missing values, two duplicated rows and a repeated id."""
    frame = cross_section(seed, n=60)
    frame.loc[[3, 7, 11], "x1"] = np.nan
    frame.loc[[5], "s"] = ""
    frame.loc[[20, 21], "y"] = [40.0, -35.0]
    frame = pd.concat([frame, frame.iloc[[1, 2]]], ignore_index=True)
    frame.loc[61, "x3"] = 99.0  # same id as row 2, different values: duplicate id, not row
    return frame


def _blank_as_missing(column: pd.Series) -> pd.Series:
    return column.replace("", np.nan) if column.dtype == "str" else column


def check_overview(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"]
    variables = names(p, "vars") or list(frame.columns)
    table = res.table("overview")
    assert list(table["variable"]) == variables
    for i, name in enumerate(variables):
        column = _blank_as_missing(frame[name])
        row = table.iloc[i]
        close(row["n_missing"], column.isna().sum())
        close(row["n_distinct"], column.dropna().nunique())
        assert row["numeric"] == (0 if frame[name].dtype == "str" else 1)
        if row["numeric"]:
            close(
                [row["min"], row["mean"], row["max"]], [column.min(), column.mean(), column.max()]
            )


def check_quality(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"]
    summary = res.table("quality_summary").set_index("metric")["value"]
    close(summary["observations"], len(frame))
    close(summary["variables"], frame.shape[1])
    close(summary["duplicate_rows"], frame.duplicated().sum())
    with_missing = frame.replace("", np.nan).isna().any(axis=1).sum()
    close(summary["incomplete_rows"], with_missing)
    ident = p.get("id")
    if ident:
        close(summary["duplicate_ids"], frame[str(ident)].dropna().duplicated().sum())
    else:
        close(summary["duplicate_ids"], np.nan)
    outliers = res.table("outliers")
    k = float(p["iqr_multiple"])  # type: ignore[arg-type]
    for i, name in enumerate(names(p, "vars")):
        x = frame[name].dropna()
        q1, q3 = stata_pctile(x, 25), stata_pctile(x, 75)
        low, high = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
        close(outliers["n_below"].iloc[i], (x < low).sum())
        close(outliers["n_above"].iloc[i], (x > high).sum())
        close(outliers["lower_fence"].iloc[i], low)


def check_reshape_long(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    wide, ident, j, stubs = data["main"], str(p["id"]), str(p["j"]), names(p, "stubs")
    expected = pd.wide_to_long(wide, stubs, i=ident, j=j).reset_index()
    expected = expected.sort_values([ident, j]).reset_index(drop=True)
    table = res.table("long_data").sort_values([ident, j]).reset_index(drop=True)
    assert len(table) == len(expected)
    close(table[j], expected[j])
    for stub in stubs:
        close(table[stub], expected[stub])
    others = [c for c in expected.columns if c not in (ident, j, *stubs)]
    assert set(others) <= set(table.columns)
    for column in others:
        assert list(table[column].fillna("")) == list(expected[column].fillna("")), column


def check_reshape_wide(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    long, ident, j = data["main"], str(p["id"]), str(p["j"])
    table = res.table("wide_data").set_index(ident).sort_index()
    assert len(table) == long[ident].nunique()
    for value in names(p, "values"):
        expected = long.pivot(index=ident, columns=j, values=value)
        for suffix in expected.columns:
            close(table[f"{value}{suffix:g}"], expected[suffix].to_numpy())


def check_merge(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    keys = names(p, "keys")
    merged = data["main"].merge(data["using"], on=keys, how="outer", indicator=True)
    report = res.table("merge_report").set_index("code")["n"]
    counts = merged["_merge"].value_counts()
    for code, side in ((1, "left_only"), (2, "right_only"), (3, "both")):
        close(report.get(code, 0), counts.get(side, 0))
    kept = {"all": ["left_only", "right_only", "both"], "matched": ["both"],
            "master": ["left_only", "both"]}[str(p["keep"])]
    expected = merged[merged["_merge"].isin(kept)]
    table = res.table("merged")
    assert len(table) == len(expected)
    added = [c for c in data["using"].columns if c not in keys]
    order = [*keys, *data["main"].columns.difference(keys)]
    got = table.sort_values(order, kind="stable").reset_index(drop=True)
    want = expected.sort_values(order, kind="stable").reset_index(drop=True)
    for column in added:
        if pd.api.types.is_numeric_dtype(want[column]):
            close(got[column], want[column])
        else:
            assert list(got[column].fillna("")) == list(want[column].fillna("")), column


def check_append(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    main, extra, source = data["main"], data["extra"], str(p["source"])
    expected = pd.concat([main, extra], ignore_index=True)
    table = res.table("appended")
    assert len(table) == len(expected)
    assert list(table[source]) == [1] * len(main) + [2] * len(extra)
    for column in expected.columns:
        if pd.api.types.is_numeric_dtype(expected[column]):
            close(table[column], expected[column])
        else:
            assert list(table[column].fillna("")) == list(expected[column].fillna("")), column
    close(res.table("append_report")["n"], [len(main), len(extra)])


_COLLAPSE = {
    "mean": lambda s: s.mean(),
    "sum": lambda s: s.sum(),
    "median": lambda s: stata_pctile(s, 50),
    "p25": lambda s: stata_pctile(s, 25),
    "p75": lambda s: stata_pctile(s, 75),
    "min": lambda s: s.min(),
    "max": lambda s: s.max(),
    "sd": lambda s: s.std(),
    "count": lambda s: s.count(),
}


def check_collapse(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    by, variables = names(p, "by"), names(p, "vars")
    grouped = data["main"].groupby(by, dropna=False)
    table = res.table("collapsed").sort_values(by).reset_index(drop=True)
    assert len(table) == grouped.ngroups
    statistic = _COLLAPSE[str(p["stat"])]
    for name in variables:
        close(table[name], [statistic(grp[name].dropna()) for _, grp in grouped])
    close(table["n_rows"], grouped.size().to_numpy())


def check_standardize(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame, by = data["main"], names(p, "by")
    table = res.table("standardized")
    used = res.table("standardization")
    for name in names(p, "vars"):
        if by:
            grouped = frame.groupby(by)[name]
            mean, sd = grouped.transform("mean"), grouped.transform("std")
            close(used.loc[used["variable"] == name, "sd"], grouped.std().to_numpy())
        else:
            mean, sd = frame[name].mean(), frame[name].std()
            row = used.loc[used["variable"] == name].iloc[0]
            close([row["n"], row["mean"], row["sd"]], [frame[name].count(), mean, sd])
        close(table[f"z_{name}"], (frame[name] - mean) / sd)


def check_winsorize(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table, cuts = res.table("winsorized"), res.table("winsorization")
    lower, upper = float(p["lower"]), float(p["upper"])  # type: ignore[arg-type]
    for i, name in enumerate(names(p, "vars")):
        x = data["main"][name]
        low, high = stata_pctile(x, lower), stata_pctile(x, upper)
        close(table[f"w_{name}"], x.clip(low, high))
        row = cuts.iloc[i]
        close([row["lower_cut"], row["upper_cut"]], [low, high])
        close([row["n_raised"], row["n_lowered"]], [(x < low).sum(), (x > high).sum()])


def check_log_transform(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table, summary = res.table("log_transformed"), res.table("log_summary")
    for i, name in enumerate(names(p, "vars")):
        shifted = data["main"][name] + float(p["shift"])  # type: ignore[arg-type]
        close(table[f"ln_{name}"], np.log(shifted.where(shifted > 0)))
        close(summary["n_not_positive"].iloc[i], (shifted <= 0).sum())
        close(summary["n_transformed"].iloc[i], (shifted > 0).sum())


def check_lags(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    unit, time = str(p["panelvar"]), str(p["timevar"])
    frame = data["main"].set_index([unit, time]).sort_index()
    table = res.table("panel_transformed").set_index([unit, time]).sort_index()
    for name in names(p, "vars"):

        def shifted(k: int, name: str = name) -> np.ndarray:
            moved = frame[name].rename(lambda t: t + k, level=time)
            return np.asarray(moved.reindex(frame.index), dtype=float)

        for k in range(1, int(p["lags"]) + 1):  # type: ignore[call-overload]
            close(table[f"L{k}_{name}"], shifted(k))
        close(table[f"F1_{name}"], shifted(-1))
        close(table[f"D_{name}"], frame[name].to_numpy() - shifted(1))


_GROUP_LABELS = pd.DataFrame(
    {"g": [1, 2, 3, 5], "label_g": pd.Series(["one", "two", "three", "five"], dtype="str")}
)
_MERGE_MAIN = cross_section(61, n=30)[["id", "y", "x1"]]
_MERGE_USING = pd.DataFrame({"id": np.arange(21, 41), "z": np.round(np.linspace(0, 1, 20), 3)})

EXAMPLE_CHECKS: dict[str, Check] = {
    "data_overview": check_overview,
    "data_quality": check_quality,
    "reshape_long": check_reshape_long,
    "reshape_wide": check_reshape_wide,
    "merge_datasets": check_merge,
    "append_datasets": check_append,
    "collapse_groups": check_collapse,
    "standardize_vars": check_standardize,
    "winsorize_vars": check_winsorize,
    "log_transform": check_log_transform,
    "panel_lags_diffs": check_lags,
}

CASES = [
    Case(template="data_overview", params={}, main=_with_problems(71), check=check_overview),
    Case(
        template="data_overview",
        variant="some_vars",
        params={"vars": ["s", "x1", "y"]},
        main=_with_problems(71),
        check=check_overview,
    ),
    Case(
        template="data_quality",
        params={"vars": ["y", "x1"], "id": "id", "iqr_multiple": 3},
        main=_with_problems(72),
        check=check_quality,
    ),
    Case(
        template="reshape_long",
        params={"id": "country", "stubs": ["gdp", "pop"]},
        main=wide_repeated(73),
        check=check_reshape_long,
    ),
    Case(
        template="reshape_long",
        variant="named_j",
        params={"id": "country", "stubs": ["gdp"], "j": "t"},
        main=wide_repeated(73),
        check=check_reshape_long,
    ),
    Case(
        template="reshape_wide",
        params={"id": "unit", "j": "year", "values": ["y", "x1"]},
        main=panel(74, units=10, periods=4),
        check=check_reshape_wide,
    ),
    Case(
        template="merge_datasets",
        params={"keys": ["id"], "keep": "matched"},
        main=_MERGE_MAIN,
        others={"using": _MERGE_USING},
        check=check_merge,
    ),
    Case(
        template="merge_datasets",
        variant="all_rows",
        params={"keys": ["id"]},
        main=_MERGE_MAIN,
        others={"using": _MERGE_USING},
        check=check_merge,
    ),
    Case(
        template="merge_datasets",
        variant="many_to_one",
        params={"keys": ["g"], "kind": "m:1", "keep": "master"},
        main=cross_section(60, n=40)[["id", "g", "y"]],
        others={"using": _GROUP_LABELS},
        check=check_merge,
    ),
    Case(
        template="append_datasets",
        params={"source": "from_file"},
        main=cross_section(62, n=25),
        others={"extra": cross_section(63, n=20)[["id", "y", "x1"]]},
        check=check_append,
    ),
    Case(
        template="collapse_groups",
        params={"vars": ["y", "x1"], "by": ["g", "d"], "stat": "median"},
        main=cross_section(64),
        check=check_collapse,
    ),
    Case(
        template="collapse_groups",
        variant="sd_by_string",
        params={"vars": ["y", "x1"], "by": ["s"], "stat": "sd"},
        main=cross_section(64),
        check=check_collapse,
    ),
    Case(
        template="standardize_vars",
        params={"vars": ["x1", "x2"], "by": ["g"]},
        main=cross_section(65),
        check=check_standardize,
    ),
    Case(
        template="winsorize_vars",
        params={"vars": ["y"], "lower": 5, "upper": 95},
        main=cross_section(66),
        check=check_winsorize,
    ),
    Case(
        template="log_transform",
        params={"vars": ["x1"], "shift": 1},
        main=cross_section(67),
        check=check_log_transform,
    ),
    Case(
        template="panel_lags_diffs",
        params={"vars": ["y"], "panelvar": "unit", "timevar": "year", "lags": 2},
        main=panel(68, gaps=True),
        check=check_lags,
    ),
]
