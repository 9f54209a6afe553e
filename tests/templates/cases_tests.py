"""Run cases for the hypothesis-test templates, checked against scipy.stats."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np
import pandas as pd
from scipy import stats

from tests.templates.fixtures import auto_frame, cross_section
from tests.templates.support import Case, Results, close


def check_ttest_one_sample(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    x = data["main"]["mpg"]
    test = stats.ttest_1samp(x, 20)
    row = res.table("ttest").iloc[0]
    close(row["n"], len(x))
    close(row["mean"], x.mean())
    close(row["sd"], x.std())
    close(row["se"], x.std() / np.sqrt(len(x)))
    close(row["t"], test.statistic)
    close(row["p"], test.pvalue)
    close(row["p_lower"], stats.ttest_1samp(x, 20, alternative="less").pvalue)
    ci = test.confidence_interval(0.95)
    close([row["ci_lo"], row["ci_hi"]], [ci.low, ci.high])


def _check_two_group(res: Results, frame: pd.DataFrame, equal_var: bool) -> None:
    first = frame.loc[frame["foreign"] == 0, "price"]
    second = frame.loc[frame["foreign"] == 1, "price"]
    test = stats.ttest_ind(first, second, equal_var=equal_var)
    row = res.table("ttest").iloc[0]
    close([row["n1"], row["n2"]], [len(first), len(second)])
    close(row["diff"], first.mean() - second.mean())
    close(row["t"], test.statistic)
    close(row["df"], test.df)
    close(row["p"], test.pvalue)


def check_ttest_two_group(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    _check_two_group(res, data["main"], equal_var=False)


def _check_two_group_frame(res: Results, data: Mapping[str, pd.DataFrame], equal_var: bool) -> None:
    _check_two_group(res, data["main"], equal_var=equal_var)


def _paired(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    before = np.round(rng.normal(50, 10, 60), 3)
    after = np.round(before + rng.normal(1.5, 4, 60), 3)
    return pd.DataFrame({"id": np.arange(1, 61), "before": before, "after": after})


def check_ttest_paired(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    test = stats.ttest_rel(frame["before"], frame["after"])
    row = res.table("ttest").iloc[0]
    close(row["diff"], (frame["before"] - frame["after"]).mean())
    close(row["t"], test.statistic)
    close(row["p"], test.pvalue)
    close(row["df"], len(frame) - 1)


def check_ranksum(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    ranks = stats.rankdata(frame["price"])
    first = (frame["foreign"] == 0).to_numpy()
    n1, n2 = first.sum(), (~first).sum()
    n = n1 + n2
    _, ties = np.unique(frame["price"], return_counts=True)
    variance = n1 * n2 / 12 * ((n + 1) - (ties**3 - ties).sum() / (n * (n - 1)))
    sum_obs = ranks[first].sum()
    z = (sum_obs - n1 * (n + 1) / 2) / np.sqrt(variance)
    row = res.table("ranksum").iloc[0]
    close(row["rank_sum_obs"], sum_obs)
    close(row["variance"], variance)
    close(row["z"], z)
    close(row["p"], 2 * stats.norm.sf(abs(z)))
    mwu = stats.mannwhitneyu(
        frame.loc[first, "price"],
        frame.loc[~first, "price"],
        use_continuity=False,
        method="asymptotic",
    )
    close(row["p"], mwu.pvalue)


def check_signrank(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    diff = (data["main"]["before"] - data["main"]["after"]).to_numpy()
    ranks = stats.rankdata(np.abs(diff))
    n = len(diff)
    sum_pos = ranks[diff > 0].sum()
    z = (sum_pos - n * (n + 1) / 4) / np.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    row = res.table("signrank").iloc[0]
    close(row["n_positive"], (diff > 0).sum())
    close(row["rank_sum_positive"], sum_pos)
    close(row["z"], z)
    close(row["p"], 2 * stats.norm.sf(abs(z)))


def check_prtest_one(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    x = data["main"]["foreign"]
    phat, n = x.mean(), len(x)
    z = (phat - 0.4) / np.sqrt(0.4 * 0.6 / n)
    row = res.table("prtest").iloc[0]
    close(row["proportion"], phat)
    close(row["z"], z)
    close(row["p"], 2 * stats.norm.sf(abs(z)))


def check_prtest_two(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    a = frame.loc[frame["g"] == 1, "d"]
    b = frame.loc[frame["g"] == 2, "d"]
    pooled = pd.concat([a, b]).mean()
    z = (a.mean() - b.mean()) / np.sqrt(pooled * (1 - pooled) * (1 / len(a) + 1 / len(b)))
    row = res.table("prtest").iloc[0]
    close([row["proportion1"], row["proportion2"]], [a.mean(), b.mean()])
    close(row["z"], z)
    close(row["p"], 2 * stats.norm.sf(abs(z)))


def check_anova(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"].dropna(subset=["price", "rep78"])
    groups = [grp["price"].to_numpy(dtype=float) for _, grp in frame.groupby("rep78")]
    f_test = stats.f_oneway(*groups)
    bartlett = stats.bartlett(*groups)
    total = ((frame["price"] - frame["price"].mean()) ** 2).sum()
    within = sum(((g - g.mean()) ** 2).sum() for g in groups)
    table = res.table("anova")
    assert list(table["source"]) == ["Between groups", "Within groups", "Total"]
    close(table["ss"], [total - within, within, total])
    close(table["df"], [len(groups) - 1, len(frame) - len(groups), len(frame) - 1])
    close(table["F"].iloc[0], f_test.statistic)
    close(table["p"].iloc[0], f_test.pvalue)
    close(table["bartlett_chi2"].iloc[0], bartlett.statistic)
    means = res.table("group_means")
    close(means["mean"], frame.groupby("rep78")["price"].mean().to_numpy())


def check_normality(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    table = res.table("normality")
    assert list(table["variable"]) == ["price", "mpg"]
    for i, name in enumerate(["price", "mpg"]):
        x = data["main"][name]
        close(table["skewness"].iloc[i], stats.skew(x))
        close(table["kurtosis"].iloc[i], stats.kurtosis(x, fisher=False))
        shapiro = stats.shapiro(x)
        close(table["W"].iloc[i], shapiro.statistic, rtol=1e-4)
        close(table["p"].iloc[i], shapiro.pvalue, rtol=2e-2)


VARIANTS = [
    Case(
        template="ttest_two_group",
        variant="equal_variances",
        params={"var": "price", "group": "foreign"},
        main=auto_frame(),
        check=partial(_check_two_group_frame, equal_var=True),
    ),
]

CASES = [
    Case(
        template="ttest_one_sample",
        params={"var": "mpg", "mu0": 20},
        main=auto_frame(),
        check=check_ttest_one_sample,
    ),
    Case(
        template="ttest_two_group",
        params={"var": "price", "group": "foreign", "unequal": True},
        main=auto_frame(),
        check=check_ttest_two_group,
    ),
    Case(
        template="ttest_paired",
        params={"var1": "before", "var2": "after"},
        main=_paired(41),
        check=check_ttest_paired,
    ),
    Case(
        template="ranksum_test",
        params={"var": "price", "group": "foreign"},
        main=auto_frame(),
        check=check_ranksum,
    ),
    Case(
        template="signrank_test",
        params={"var1": "before", "var2": "after"},
        main=_paired(42),
        check=check_signrank,
    ),
    Case(
        template="prtest_one_sample",
        params={"var": "foreign", "p0": 0.4},
        main=auto_frame(),
        check=check_prtest_one,
    ),
    Case(
        template="prtest_two_group",
        params={"var": "d", "group": "g"},
        main=cross_section(43).query("g <= 2").reset_index(drop=True),
        check=check_prtest_two,
    ),
    Case(
        template="anova_oneway",
        params={"var": "price", "group": "rep78"},
        main=auto_frame(),
        check=check_anova,
    ),
    Case(
        template="normality_checks",
        params={"vars": ["price", "mpg"]},
        main=auto_frame(),
        check=check_normality,
    ),
]
