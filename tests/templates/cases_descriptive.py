"""Run cases for the descriptive templates, checked against pandas and scipy."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from tests.templates.fixtures import auto_frame, cross_section
from tests.templates.support import Case, Results, close, stata_pctile


def check_summary_stats(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    table = res.table("summary_stats")
    names = ["price", "mpg", "rep78"]
    assert list(table["variable"]) == names
    for i, name in enumerate(names):
        x = data["main"][name]
        row = table.iloc[i]
        close(row["n"], x.count())
        close(
            [row["mean"], row["sd"], row["min"], row["max"]], [x.mean(), x.std(), x.min(), x.max()]
        )
        close([row["p25"], row["p50"], row["p75"]], [stata_pctile(x, p) for p in (25, 50, 75)])


def check_summary_by_group(
    res: Results, data: Mapping[str, pd.DataFrame], group: str = "s"
) -> None:
    table = res.table("summary_by_group")
    for name in ["y", "x1"]:
        rows = table[table["variable"] == name].sort_values(group)
        grouped = data["main"].groupby(group)[name]
        assert list(rows[group]) == sorted(grouped.groups)
        close(rows["mean"], grouped.mean().to_numpy())
        close(rows["sd"], grouped.std().to_numpy())
        close(rows["n"], grouped.count().to_numpy())
        close(rows["p50"], [stata_pctile(grp, 50) for _, grp in grouped])


def check_frequency_table(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    table = res.table("frequencies")
    counts = data["main"]["rep78"].value_counts(dropna=False).sort_index(na_position="last")
    close(table["rep78"], counts.index.to_numpy(dtype=float))
    close(table["freq"], counts.to_numpy())
    close(table["percent"], 100 * counts.to_numpy() / counts.sum())
    close(table["cum_percent"].iloc[-1], 100)


def check_frequency_strings(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    table = res.table("frequencies")
    counts = data["main"]["s"].value_counts().sort_index()
    assert list(table["s"]) == list(counts.index)
    close(table["freq"], counts.to_numpy())
    close(table["cum_percent"], 100 * counts.cumsum().to_numpy() / counts.sum())


def check_crosstab_exact(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    counts = pd.crosstab(frame["d"], frame["hi"])
    test = res.table("chi2_test").iloc[0]
    close(test["p_exact"], stats.fisher_exact(counts.to_numpy()).pvalue)
    chi2, p, _, _ = stats.chi2_contingency(counts, correction=False)
    close([test["chi2"], test["p"]], [chi2, p])


def check_crosstab(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    counts = pd.crosstab(frame["g"], frame["s"])
    chi2, p, dof, _ = stats.chi2_contingency(counts, correction=False)
    test = res.table("chi2_test").iloc[0]
    close([test["chi2"], test["p"], test["df"]], [chi2, p, dof])
    close(test["cramers_v"], math.sqrt(chi2 / (counts.to_numpy().sum() * (min(counts.shape) - 1))))
    close(test["p_exact"], np.nan)
    cells = res.table("crosstab").sort_values(["g", "s"])
    stacked = counts.stack().sort_index()
    close(cells["freq"], stacked.to_numpy())
    row_totals = counts.sum(axis=1)
    close(cells["row_pct"], (100 * stacked / row_totals.reindex(stacked.index, level=0)).to_numpy())


def check_correlations(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    table = res.table("correlations")
    frame = data["main"]
    pairs = list(combinations(["price", "mpg", "rep78"], 2))
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


def check_percentiles(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    table = res.table("percentiles")
    assert len(table) == 2 * 7
    for _, row in table.iterrows():
        x = data["main"][row["variable"]]
        close(row["value"], _centile(x, row["percentile"]))
        assert row["ci_lo"] <= row["value"] <= row["ci_hi"]


def check_balance(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    table = res.table("balance")
    assert list(table["variable"]) == ["price", "mpg", "rep78"]
    for i, name in enumerate(["price", "mpg", "rep78"]):
        first = frame.loc[frame["foreign"] == 0, name].dropna()
        second = frame.loc[frame["foreign"] == 1, name].dropna()
        row = table.iloc[i]
        close([row["n1"], row["n2"]], [len(first), len(second)])
        close([row["mean1"], row["sd2"]], [first.mean(), second.std()])
        pooled = np.sqrt((first.var() + second.var()) / 2)
        close(row["std_diff"], (first.mean() - second.mean()) / pooled)
        close(row["p"], stats.ttest_ind(first, second).pvalue)


VARIANTS = [
    Case(
        template="summary_by_group",
        variant="numeric_group",
        params={"vars": ["y", "x1"], "group": "g"},
        main=cross_section(51),
        check=partial(check_summary_by_group, group="g"),
    ),
    Case(
        template="frequency_table",
        variant="strings",
        params={"var": "s"},
        main=cross_section(53),
        check=check_frequency_strings,
    ),
    Case(
        template="crosstab_chi2",
        variant="exact",
        params={"rowvar": "d", "colvar": "hi", "exact": True},
        main=cross_section(54, n=60).assign(hi=lambda f: (f["x1"] > 0).astype(int)),
        check=check_crosstab_exact,
    ),
]

CASES = [
    Case(
        template="balance_table",
        params={"vars": ["price", "mpg", "rep78"], "group": "foreign"},
        main=auto_frame(),
        check=check_balance,
    ),
    Case(
        template="summary_stats",
        params={"vars": ["price", "mpg", "rep78"]},
        main=auto_frame(),
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
        main=auto_frame(),
        check=check_frequency_table,
    ),
    Case(
        template="crosstab_chi2",
        params={"rowvar": "g", "colvar": "s"},
        main=cross_section(52),
        check=check_crosstab,
    ),
    Case(
        template="correlation_matrix",
        params={"vars": ["price", "mpg", "rep78"]},
        main=auto_frame(),
        check=check_correlations,
    ),
    Case(
        template="percentiles",
        params={"vars": ["price", "mpg"], "set": "standard"},
        main=auto_frame(),
        check=check_percentiles,
    ),
]
