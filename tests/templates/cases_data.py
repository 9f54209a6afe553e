"""Run cases for the data-management templates, checked against pandas."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tests.templates.fixtures import cross_section, panel, wide_repeated
from tests.templates.support import Case, Results, close, stata_pctile


def _with_problems(seed: int) -> pd.DataFrame:
    """A cross-section with missing values, two duplicated rows and a repeated id."""
    frame = cross_section(seed, n=60)
    frame.loc[[3, 7, 11], "x1"] = np.nan
    frame.loc[[5], "s"] = ""
    frame.loc[[20, 21], "y"] = [40.0, -35.0]
    frame = pd.concat([frame, frame.iloc[[1, 2]]], ignore_index=True)
    frame.loc[61, "x3"] = 99.0  # same id as row 2, different values: duplicate id, not row
    return frame


def check_overview(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    table = res.table("overview")
    assert list(table["variable"]) == list(frame.columns)
    for i, name in enumerate(frame.columns):
        column = frame[name].replace("", np.nan) if frame[name].dtype == "str" else frame[name]
        row = table.iloc[i]
        close(row["n_missing"], column.isna().sum())
        close(row["n_distinct"], column.dropna().nunique())
        assert row["numeric"] == (0 if frame[name].dtype == "str" else 1)
        if row["numeric"]:
            close(
                [row["min"], row["mean"], row["max"]], [column.min(), column.mean(), column.max()]
            )


def check_quality(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    summary = res.table("quality_summary").set_index("metric")["value"]
    close(summary["observations"], len(frame))
    close(summary["variables"], frame.shape[1])
    close(summary["duplicate_rows"], frame.duplicated().sum())
    with_missing = frame.replace("", np.nan).isna().any(axis=1).sum()
    close(summary["incomplete_rows"], with_missing)
    close(summary["duplicate_ids"], frame["id"].duplicated().sum())
    outliers = res.table("outliers")
    for i, name in enumerate(["y", "x1"]):
        x = frame[name].dropna()
        q1, q3 = stata_pctile(x, 25), stata_pctile(x, 75)
        low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        close(outliers["n_below"].iloc[i], (x < low).sum())
        close(outliers["n_above"].iloc[i], (x > high).sum())
        close(outliers["lower_fence"].iloc[i], low)


def check_reshape_long(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    wide = data["main"]
    expected = pd.wide_to_long(wide, ["gdp", "pop"], i="country", j="year").reset_index()
    table = res.table("long_data").sort_values(["country", "year"]).reset_index(drop=True)
    expected = expected.sort_values(["country", "year"]).reset_index(drop=True)
    assert len(table) == 3 * len(wide)
    close(table["gdp"], expected["gdp"])
    close(table["pop"], expected["pop"])
    assert list(table["region"]) == list(expected["region"])


def check_reshape_wide(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    long = data["main"]
    expected = long.pivot(index="unit", columns="year", values="y")
    table = res.table("wide_data").set_index("unit").sort_index()
    for year in expected.columns:
        close(table[f"y{year}"], expected[year].to_numpy())
    assert len(table) == long["unit"].nunique()


def _merge_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    main = cross_section(61, n=30)[["id", "y", "x1"]]
    using = pd.DataFrame({"id": np.arange(21, 41), "z": np.round(np.linspace(0, 1, 20), 3)})
    return main, using


def check_merge_many_to_one(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    merged = data["main"].merge(data["using"], on="g", how="outer", indicator=True)
    table = res.table("merged")
    assert len(table) == len(merged)
    report = res.table("merge_report").set_index("code")["n"]
    close(report[3], (merged["_merge"] == "both").sum())
    expected = merged.sort_values(["g", "id"])["label_g"].to_numpy()
    assert list(table.sort_values(["g", "id"])["label_g"]) == list(expected)


def check_merge(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    merged = data["main"].merge(data["using"], on="id", how="outer", indicator=True)
    report = res.table("merge_report").set_index("code")["n"]
    close(report[1], (merged["_merge"] == "left_only").sum())
    close(report[2], (merged["_merge"] == "right_only").sum())
    close(report[3], (merged["_merge"] == "both").sum())
    table = res.table("merged").sort_values("id")
    assert list(table["id"]) == sorted(merged.loc[merged["_merge"] == "both", "id"])
    close(table["z"], merged.loc[merged["_merge"] == "both"].sort_values("id")["z"])


def check_append(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    table = res.table("appended")
    assert len(table) == len(data["main"]) + len(data["extra"])
    close(table["y"], pd.concat([data["main"]["y"], data["extra"]["y"]]).to_numpy())
    assert table["x3"].iloc[len(data["main"]) :].isna().all()
    close(res.table("append_report")["n"], [len(data["main"]), len(data["extra"])])


def check_collapse(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    grouped = data["main"].groupby(["g", "d"])
    expected = grouped[["y", "x1"]].median()
    table = res.table("collapsed").set_index(["g", "d"]).sort_index()
    close(table["y"], [stata_pctile(grp["y"], 50) for _, grp in grouped])
    assert len(table) == len(expected)
    close(table["n_rows"], grouped.size().to_numpy())


def check_standardize_pooled(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    x = data["main"]["x1"]
    close(res.table("standardized")["z_x1"], (x - x.mean()) / x.std())
    used = res.table("standardization").iloc[0]
    close([used["n"], used["mean"], used["sd"]], [x.count(), x.mean(), x.std()])


def check_collapse_sd(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    grouped = data["main"].groupby("s")
    table = res.table("collapsed")
    assert list(table["s"]) == sorted(grouped.groups)
    close(table["y"], grouped["y"].std().to_numpy())
    close(table["x1"], grouped["x1"].std().to_numpy())


def check_reshape_long_named(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    table = res.table("long_data")
    assert {"t", "gdp"} <= set(table.columns)
    assert sorted(table["t"].unique()) == [2000, 2001, 2002]


def check_standardize(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    table = res.table("standardized")
    grouped = frame.groupby("g")["x2"]
    expected = (frame["x2"] - grouped.transform("mean")) / grouped.transform("std")
    close(table["z_x2"], expected)
    used = res.table("standardization")
    close(used.loc[used["variable"] == "x2", "sd"], grouped.std().to_numpy())


def check_winsorize(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    x = data["main"]["y"]
    low, high = stata_pctile(x, 5), stata_pctile(x, 95)
    table = res.table("winsorized")
    close(table["w_y"], x.clip(low, high))
    cuts = res.table("winsorization").iloc[0]
    close([cuts["lower_cut"], cuts["upper_cut"]], [low, high])
    close(cuts["n_raised"], (x < low).sum())


def check_log_transform(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    x = data["main"]["x1"]
    shifted = x + 1
    table = res.table("log_transformed")
    close(table["ln_x1"], np.log(shifted.where(shifted > 0)))
    summary = res.table("log_summary").iloc[0]
    close(summary["n_not_positive"], (shifted <= 0).sum())


def check_lags(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"].set_index(["unit", "year"]).sort_index()
    table = res.table("panel_transformed").set_index(["unit", "year"]).sort_index()

    def shifted(k: int) -> np.ndarray:
        moved = frame["y"].rename(lambda t: t + k, level="year")
        return np.asarray(moved.reindex(frame.index), dtype=float)

    close(table["L1_y"], shifted(1))
    close(table["L2_y"], shifted(2))
    close(table["F1_y"], shifted(-1))
    close(table["D_y"], frame["y"].to_numpy() - shifted(1))


_MERGE_MAIN, _MERGE_USING = _merge_inputs()
_GROUP_LABELS = pd.DataFrame(
    {"g": [1, 2, 3, 5], "label_g": pd.Series(["one", "two", "three", "five"], dtype="str")}
)

VARIANTS = [
    Case(
        template="merge_datasets",
        variant="many_to_one",
        params={"keys": ["g"], "kind": "m:1"},
        main=cross_section(60, n=40)[["id", "g", "y"]],
        others={"using": _GROUP_LABELS},
        check=check_merge_many_to_one,
    ),
    Case(
        template="collapse_groups",
        variant="sd_by_string",
        params={"vars": ["y", "x1"], "by": ["s"], "stat": "sd"},
        main=cross_section(64),
        check=check_collapse_sd,
    ),
    Case(
        template="standardize_vars",
        variant="pooled",
        params={"vars": ["x1"]},
        main=cross_section(65),
        check=check_standardize_pooled,
    ),
    Case(
        template="reshape_long",
        variant="named_j",
        params={"id": "country", "stubs": ["gdp"], "j": "t"},
        main=wide_repeated(73),
        check=check_reshape_long_named,
    ),
]
_APPEND_EXTRA = cross_section(63, n=20)[["id", "y", "x1"]]

CASES = [
    Case(template="data_overview", params={}, main=_with_problems(71), check=check_overview),
    Case(
        template="data_quality",
        params={"vars": ["y", "x1"], "id": "id"},
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
        template="reshape_wide",
        params={"id": "unit", "j": "year", "values": ["y"]},
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
        template="append_datasets",
        params={},
        main=cross_section(62, n=25),
        others={"extra": _APPEND_EXTRA},
        check=check_append,
    ),
    Case(
        template="collapse_groups",
        params={"vars": ["y", "x1"], "by": ["g", "d"], "stat": "median"},
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
