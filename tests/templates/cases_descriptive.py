"""Independent checks of the descriptive templates, against pandas and scipy."""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close, example_frame, stata_pctile


def check_summary_stats(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table = res.table("summary_stats")
    variables = names(p, "vars")
    assert list(table["variable"]) == variables
    for i, name in enumerate(variables):
        x = data["main"][name]
        row = table.iloc[i]
        close(row["n"], x.count())
        close(
            [row["mean"], row["sd"], row["min"], row["max"]], [x.mean(), x.std(), x.min(), x.max()]
        )
        close([row["p25"], row["p50"], row["p75"]], [stata_pctile(x, q) for q in (25, 50, 75)])


def check_summary_by_group(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table, group = res.table("summary_by_group"), str(p["group"])
    for name in names(p, "vars"):
        rows = table[table["variable"] == name].sort_values(group)
        grouped = data["main"].groupby(group)[name]
        assert list(rows[group]) == sorted(grouped.groups)
        close(rows["mean"], grouped.mean().to_numpy())
        close(rows["sd"], grouped.std().to_numpy())
        close(rows["n"], grouped.count().to_numpy())
        close(rows["p50"], [stata_pctile(grp, 50) for _, grp in grouped])


def check_frequency_table(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    var, table = str(p["var"]), res.table("frequencies")
    column = data["main"][var]
    if column.dtype == "str":
        column = column.replace("", np.nan)
    counts = column.value_counts(dropna=bool(not p["include_missing"]))
    counts = counts.sort_index(na_position="last")
    if column.dtype == "str":
        assert list(table[var].fillna("")) == list(counts.index.fillna(""))
    else:
        close(table[var], counts.index.to_numpy(dtype=float))
    close(table["freq"], counts.to_numpy())
    close(table["percent"], 100 * counts.to_numpy() / counts.sum())
    close(table["cum_percent"], 100 * counts.cumsum().to_numpy() / counts.sum())


def check_crosstab(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    row_var, col_var = str(p["rowvar"]), str(p["colvar"])
    frame = data["main"].dropna(subset=[row_var, col_var])
    counts = pd.crosstab(frame[row_var], frame[col_var])
    chi2, pvalue, dof, _ = stats.chi2_contingency(counts, correction=False)
    test = res.table("chi2_test").iloc[0]
    close([test["chi2"], test["p"], test["df"]], [chi2, pvalue, dof])
    v = math.sqrt(chi2 / (counts.to_numpy().sum() * (min(counts.shape) - 1)))
    if counts.shape == (2, 2):  # Stata signs Cramér's V of a 2×2 table
        a, b, c, d = counts.to_numpy().ravel()
        v = math.copysign(v, a * d - b * c)
    close(test["cramers_v"], v)
    if p["exact"]:
        if counts.shape == (2, 2):
            close(test["p_exact"], stats.fisher_exact(counts.to_numpy()).pvalue)
        assert 0 <= test["p_exact"] <= 1
    else:
        close(test["p_exact"], np.nan)
    cells = res.table("crosstab").sort_values([row_var, col_var])
    stacked = counts.stack()
    stacked = stacked[stacked > 0].sort_index()
    close(cells["freq"], stacked.to_numpy())
    row_totals = counts.sum(axis=1)
    close(cells["row_pct"], (100 * stacked / row_totals.reindex(stacked.index, level=0)).to_numpy())


def check_correlations(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table, frame = res.table("correlations"), data["main"]
    pairs = list(combinations(names(p, "vars"), 2))
    assert list(zip(table["var1"], table["var2"], strict=True)) == pairs
    for i, (a, b) in enumerate(pairs):
        both = frame[[a, b]].dropna()
        test = stats.pearsonr(both[a], both[b])
        close(table["r"].iloc[i], test.statistic)
        close(table["p"].iloc[i], test.pvalue, rtol=1e-5)
        close(table["n"].iloc[i], len(both))


def _centile(values: pd.Series, q: float) -> float:
    """Stata's ``centile`` (default): interpolation at rank (N+1)q/100."""
    x = np.sort(values.dropna().to_numpy(dtype=float))
    rank = (len(x) + 1) * q / 100
    low = math.floor(rank)
    if low < 1:
        return float(x[0])
    if low >= len(x):
        return float(x[-1])
    return float(x[low - 1] + (rank - low) * (x[low] - x[low - 1]))


_CENTILE_SETS = {
    "quartiles": [25, 50, 75],
    "deciles": list(range(10, 100, 10)),
    "standard": [5, 10, 25, 50, 75, 90, 95],
}


def check_percentiles(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table, wanted = res.table("percentiles"), _CENTILE_SETS[str(p["set"])]
    variables = names(p, "vars")
    assert list(table["variable"]) == [v for v in variables for _ in wanted]
    close(table["percentile"], wanted * len(variables))
    for _, row in table.iterrows():
        x = data["main"][row["variable"]]
        close(row["value"], _centile(x, row["percentile"]))
        close(row["n"], x.count())
        assert row["ci_lo"] <= row["value"] <= row["ci_hi"]


def check_balance(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame, group, variables = data["main"], str(p["group"]), names(p, "vars")
    first_value, second_value = sorted(frame[group].dropna().unique())
    table = res.table("balance")
    assert list(table["variable"]) == variables
    for i, name in enumerate(variables):
        first = frame.loc[frame[group] == first_value, name].dropna()
        second = frame.loc[frame[group] == second_value, name].dropna()
        row = table.iloc[i]
        close([row["n1"], row["n2"]], [len(first), len(second)])
        close([row["mean1"], row["mean2"]], [first.mean(), second.mean()])
        close([row["sd1"], row["sd2"]], [first.std(), second.std()])
        pooled = np.sqrt((first.var() + second.var()) / 2)
        close(row["std_diff"], (first.mean() - second.mean()) / pooled)
        close(row["p"], stats.ttest_ind(first, second).pvalue)


EXAMPLE_CHECKS: dict[str, Check] = {
    "balance_table": check_balance,
    "summary_stats": check_summary_stats,
    "summary_by_group": check_summary_by_group,
    "frequency_table": check_frequency_table,
    "crosstab_chi2": check_crosstab,
    "correlation_matrix": check_correlations,
    "percentiles": check_percentiles,
}

CASES = [
    Case(
        template="balance_table",
        params={"vars": ["price", "mpg", "rep78"], "group": "foreign"},
        main=example_frame("auto.csv"),
        check=check_balance,
    ),
    Case(
        template="summary_stats",
        params={"vars": ["y", "x1", "count"]},
        main=cross_section(50),
        check=check_summary_stats,
    ),
    Case(
        template="summary_by_group",
        params={"vars": ["y", "x1"], "group": "s"},
        main=cross_section(51),
        check=check_summary_by_group,
    ),
    Case(
        template="frequency_table",
        params={"var": "rep78", "include_missing": True},
        main=example_frame("auto.csv"),
        check=check_frequency_table,
    ),
    Case(
        template="frequency_table",
        variant="strings",
        params={"var": "s"},
        main=cross_section(53),
        check=check_frequency_table,
    ),
    Case(
        template="crosstab_chi2",
        params={"rowvar": "g", "colvar": "s"},
        main=cross_section(52),
        check=check_crosstab,
    ),
    Case(
        template="crosstab_chi2",
        variant="exact",
        params={"rowvar": "d", "colvar": "hi", "exact": True},
        main=cross_section(54, n=60).assign(hi=lambda f: (f["x1"] > 0).astype(int)),
        check=check_crosstab,
    ),
    Case(
        template="correlation_matrix",
        params={"vars": ["price", "mpg", "rep78"]},
        main=example_frame("auto.csv"),
        check=check_correlations,
    ),
    Case(
        template="percentiles",
        params={"vars": ["y", "x3"], "set": "deciles"},
        main=cross_section(55),
        check=check_percentiles,
    ),
]
