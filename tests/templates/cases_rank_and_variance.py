"""Independent checks of the rank, paired-proportion, goodness-of-fit and variance tests.

Kendall's tau-b and its score's standard error come from scipy's ``kendalltau`` (its asymptotic
p-value has no continuity correction, so the standard error is recovered from it as
|S|/|z|); Stata's p-value then uses (|S| − 1)/se.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from tests.templates.cases_regression import Params, names
from tests.templates.cases_tests import _two_groups
from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close, example_frame


def check_kruskal_wallis(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    var, group = str(p["var"]), str(p["group"])
    frame = data["main"].dropna(subset=[var, group])
    groups = [g[var].to_numpy() for _, g in frame.groupby(group)]
    tied = stats.kruskal(*groups)  # scipy corrects for ties
    row = res.table("kruskal_wallis").iloc[0]
    close([row["chi2_ties"], row["p_ties"]], [tied.statistic, tied.pvalue])
    close([row["N"], row["groups"], row["df"]], [len(frame), len(groups), len(groups) - 1])
    _, counts = np.unique(frame[var], return_counts=True)
    n = len(frame)
    correction = 1 - (counts**3 - counts).sum() / (n**3 - n)
    close(row["chi2"], tied.statistic * correction)
    ranks = frame.assign(_r=stats.rankdata(frame[var])).groupby(group)["_r"]
    table = res.table("group_ranks")
    close(table["rank_sum"], ranks.sum().to_numpy())
    close(table["n"], ranks.count().to_numpy())


def check_mcnemar(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"][[str(p["var1"]), str(p["var2"])]].dropna() != 0
    counts = pd.crosstab(frame.iloc[:, 0], frame.iloc[:, 1]).reindex(
        index=[True, False], columns=[True, False], fill_value=0
    )
    asymptotic = mcnemar(counts.to_numpy(), exact=False, correction=False)
    exact = mcnemar(counts.to_numpy(), exact=True)
    row = res.table("mcnemar").iloc[0]
    close([row["chi2"], row["p"]], [asymptotic.statistic, asymptotic.pvalue])
    close(row["p_exact"], exact.pvalue)
    close([row["both"], row["first_only"], row["second_only"], row["neither"]],
          counts.to_numpy().ravel())
    close(row["diff"], frame.iloc[:, 0].mean() - frame.iloc[:, 1].mean())


def check_goodness_of_fit(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    column = data["main"][str(p["var"])]
    counts = column.replace("", np.nan).dropna().value_counts().sort_index()
    test = stats.chisquare(counts.to_numpy())
    row = res.table("gof_test").iloc[0]
    close([row["chi2"], row["p"], row["df"]], [test.statistic, test.pvalue, len(counts) - 1])
    cells = res.table("gof_cells")
    close(cells["observed"], counts.to_numpy())
    close(cells["expected"], [counts.sum() / len(counts)] * len(counts))


def check_variance_ratio(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    first, second = _two_groups(data["main"], str(p["var"]), str(p["group"]))
    ratio = first.var() / second.var()
    df1, df2 = len(first) - 1, len(second) - 1
    row = res.table("variance_ratio").iloc[0]
    close([row["ratio"], row["df1"], row["df2"]], [ratio, df1, df2])
    upper = stats.f.sf(ratio, df1, df2)
    close([row["p_upper"], row["p"]], [upper, 2 * min(upper, 1 - upper)])
    close([row["sd1"], row["sd2"]], [first.std(), second.std()])


def check_levene(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    var, group = str(p["var"]), str(p["group"])
    frame = data["main"].dropna(subset=[var, group])
    groups = [g[var].to_numpy() for _, g in frame.groupby(group)]
    table = res.table("levene")
    for i, center in enumerate(("mean", "median")):
        test = stats.levene(*groups, center=center)
        close([table["F"].iloc[i], table["p"].iloc[i]], [test.statistic, test.pvalue])
    close(table["df1"], [len(groups) - 1] * 2)
    close(table["df2"], [len(frame) - len(groups)] * 2)
    close(res.table("group_spread")["sd"], frame.groupby(group)[var].std().to_numpy())


def check_spearman(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table = res.table("spearman")
    pairs = list(combinations(names(p, "vars"), 2))
    assert list(zip(table["var1"], table["var2"], strict=True)) == pairs
    for i, (a, b) in enumerate(pairs):
        both = data["main"][[a, b]].dropna()
        test = stats.spearmanr(both[a], both[b])
        close([table["rho"].iloc[i], table["p"].iloc[i]], [test.statistic, test.pvalue],
              rtol=1e-5)
        close(table["n"].iloc[i], len(both))


def _paired_binary(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first = (rng.uniform(size=150) < 0.4).astype(int)
    flip = rng.uniform(size=150) < 0.15
    return pd.DataFrame({"test_a": first, "test_b": np.where(flip, 1 - first, first)})


def check_kendall(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table = res.table("kendall")
    pairs = list(combinations(names(p, "varlist"), 2))
    assert list(zip(table["var1"], table["var2"], strict=True)) == pairs
    for row, (a, b) in zip(table.itertuples(), pairs, strict=True):
        both = data["main"].dropna(subset=[a, b])
        n = len(both)
        fit = stats.kendalltau(both[a], both[b], method="asymptotic")
        ties_a = both[a].value_counts().to_numpy(float)
        ties_b = both[b].value_counts().to_numpy(float)
        all_pairs = n * (n - 1) / 2
        untied = np.sqrt((all_pairs - np.sum(ties_a * (ties_a - 1)) / 2)
                         * (all_pairs - np.sum(ties_b * (ties_b - 1)) / 2))
        score = fit.statistic * untied
        se = abs(score) / stats.norm.isf(fit.pvalue / 2)
        close([row.N, row.tau_b, row.score], [n, fit.statistic, round(score)])
        close(row.tau_a, round(score) / all_pairs)
        close(row.se_score, se, rtol=1e-5)
        close(row.p, 2 * stats.norm.sf((abs(score) - 1) / se), rtol=1e-4)


EXAMPLE_CHECKS: dict[str, Check] = {
    "kendall_correlation": check_kendall,
    "kruskal_wallis": check_kruskal_wallis,
    "mcnemar_test": check_mcnemar,
    "chi2_goodness_of_fit": check_goodness_of_fit,
    "variance_ratio_test": check_variance_ratio,
    "levene_test": check_levene,
    "spearman_correlation": check_spearman,
}

CASES = [
    Case(
        template="kruskal_wallis",
        params={"var": "y", "group": "s"},
        main=cross_section(80).assign(y=lambda f: f["y"].round(1)),
        check=check_kruskal_wallis,
    ),
    Case(
        template="mcnemar_test",
        params={"var1": "test_a", "var2": "test_b"},
        main=_paired_binary(81),
        check=check_mcnemar,
    ),
    Case(
        template="chi2_goodness_of_fit",
        params={"var": "s"},
        main=cross_section(82),
        check=check_goodness_of_fit,
    ),
    Case(
        template="variance_ratio_test",
        params={"var": "y", "group": "d"},
        main=cross_section(83),
        check=check_variance_ratio,
    ),
    Case(
        template="levene_test",
        params={"var": "mpg", "group": "foreign"},
        main=example_frame("auto.csv"),
        check=check_levene,
    ),
    Case(
        template="spearman_correlation",
        params={"vars": ["price", "mpg", "rep78"]},
        main=example_frame("auto.csv"),
        check=check_spearman,
    ),
    Case(
        template="kendall_correlation",
        variant="continuous_and_ordinal",
        params={"varlist": ["x1", "x3", "g", "count"]},
        main=cross_section(36).assign(x3=lambda f: f["x3"].mask(f.index % 7 == 0)),
        check=check_kendall,
    ),
]
