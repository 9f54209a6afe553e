"""Independent checks of the hypothesis-test templates, against scipy.stats."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close, example_frame


def _two_groups(frame: pd.DataFrame, var: str, group: str) -> tuple[pd.Series, pd.Series]:
    """The variable in the first and second group (sorted group values, as Stata orders)."""
    data = frame[[var, group]].dropna()
    first, second = sorted(data[group].unique())
    return data.loc[data[group] == first, var], data.loc[data[group] == second, var]


def check_ttest_one_sample(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    x, mu0 = data["main"][str(p["var"])].dropna(), float(p["mu0"])  # type: ignore[arg-type]
    test = stats.ttest_1samp(x, mu0)
    row = res.table("ttest").iloc[0]
    close(row["n"], len(x))
    close(row["mean"], x.mean())
    close(row["sd"], x.std())
    close(row["se"], x.std() / np.sqrt(len(x)))
    close(row["t"], test.statistic)
    close(row["p"], test.pvalue)
    close(row["p_lower"], stats.ttest_1samp(x, mu0, alternative="less").pvalue)
    ci = test.confidence_interval(0.95)
    close([row["ci_lo"], row["ci_hi"]], [ci.low, ci.high])


def check_ttest_two_group(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    first, second = _two_groups(data["main"], str(p["var"]), str(p["group"]))
    test = stats.ttest_ind(first, second, equal_var=not p["unequal"])
    row = res.table("ttest").iloc[0]
    close([row["n1"], row["n2"]], [len(first), len(second)])
    close(row["diff"], first.mean() - second.mean())
    close(row["t"], test.statistic)
    close(row["df"], test.df)
    close(row["p"], test.pvalue)
    ci = test.confidence_interval(0.95)
    close([row["ci_lo"], row["ci_hi"]], [ci.low, ci.high])


def check_ttest_paired(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"][[str(p["var1"]), str(p["var2"])]].dropna()
    a, b = frame.iloc[:, 0], frame.iloc[:, 1]
    test = stats.ttest_rel(a, b)
    row = res.table("ttest").iloc[0]
    close(row["diff"], (a - b).mean())
    close(row["t"], test.statistic)
    close(row["p"], test.pvalue)
    close(row["df"], len(frame) - 1)


def check_ranksum(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    first, second = _two_groups(data["main"], str(p["var"]), str(p["group"]))
    values = pd.concat([first, second]).to_numpy()
    ranks = stats.rankdata(values)
    n1, n2 = len(first), len(second)
    n = n1 + n2
    _, ties = np.unique(values, return_counts=True)
    variance = n1 * n2 / 12 * ((n + 1) - (ties**3 - ties).sum() / (n * (n - 1)))
    sum_obs = ranks[:n1].sum()
    z = (sum_obs - n1 * (n + 1) / 2) / np.sqrt(variance)
    row = res.table("ranksum").iloc[0]
    close(row["rank_sum_obs"], sum_obs)
    close(row["variance"], variance)
    close(row["z"], z)
    close(row["p"], 2 * stats.norm.sf(abs(z)))
    mwu = stats.mannwhitneyu(first, second, use_continuity=False, method="asymptotic")
    close(row["p"], mwu.pvalue)


def check_signrank(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"][[str(p["var1"]), str(p["var2"])]].dropna()
    diff = (frame.iloc[:, 0] - frame.iloc[:, 1]).to_numpy()
    # Stata (Pratt's treatment): zeros are ranked with the rest, then set aside; the mean and
    # variance of the positive rank sum are adjusted for zeros and ties.
    ranks = stats.rankdata(np.abs(diff))
    n = len(diff)
    sum_pos = ranks[diff > 0].sum()
    sum_neg = ranks[diff < 0].sum()
    zeros = (diff == 0).sum()
    expected = (n * (n + 1) / 2 - zeros * (zeros + 1) / 2) / 2
    _, ties = np.unique(np.abs(diff[diff != 0]), return_counts=True)
    variance = (
        n * (n + 1) * (2 * n + 1) / 24
        - zeros * (zeros + 1) * (2 * zeros + 1) / 24
        - (ties**3 - ties).sum() / 48
    )
    z = (sum_pos - expected) / np.sqrt(variance)
    row = res.table("signrank").iloc[0]
    close([row["n_positive"], row["n_negative"]], [(diff > 0).sum(), (diff < 0).sum()])
    close([row["rank_sum_positive"], row["rank_sum_negative"]], [sum_pos, sum_neg])
    close(row["z"], z)
    close(row["p"], 2 * stats.norm.sf(abs(z)))
    pratt = stats.wilcoxon(diff, zero_method="pratt", correction=False, method="approx")
    close(row["p"], pratt.pvalue)


def check_prtest_one(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    x, p0 = data["main"][str(p["var"])].dropna(), float(p["p0"])  # type: ignore[arg-type]
    phat, n = x.mean(), len(x)
    z = (phat - p0) / np.sqrt(p0 * (1 - p0) / n)
    row = res.table("prtest").iloc[0]
    close(row["proportion"], phat)
    close(row["z"], z)
    close(row["p"], 2 * stats.norm.sf(abs(z)))


def check_prtest_two(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    a, b = _two_groups(data["main"], str(p["var"]), str(p["group"]))
    pooled = pd.concat([a, b]).mean()
    z = (a.mean() - b.mean()) / np.sqrt(pooled * (1 - pooled) * (1 / len(a) + 1 / len(b)))
    row = res.table("prtest").iloc[0]
    close([row["proportion1"], row["proportion2"]], [a.mean(), b.mean()])
    close(row["z"], z)
    close(row["p"], 2 * stats.norm.sf(abs(z)))


def check_anova(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    var, group = str(p["var"]), str(p["group"])
    frame = data["main"].dropna(subset=[var, group])
    groups = [grp[var].to_numpy(dtype=float) for _, grp in frame.groupby(group)]
    f_test = stats.f_oneway(*groups)
    bartlett = stats.bartlett(*groups)
    total = ((frame[var] - frame[var].mean()) ** 2).sum()
    within = sum(((g - g.mean()) ** 2).sum() for g in groups)
    table = res.table("anova")
    assert list(table["source"]) == ["Between groups", "Within groups", "Total"]
    close(table["ss"], [total - within, within, total])
    close(table["df"], [len(groups) - 1, len(frame) - len(groups), len(frame) - 1])
    close(table["F"].iloc[0], f_test.statistic)
    close(table["p"].iloc[0], f_test.pvalue)
    close(table["bartlett_chi2"].iloc[0], bartlett.statistic)
    means = res.table("group_means")
    close(means["mean"], frame.groupby(group)[var].mean().to_numpy())


def check_normality(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table = res.table("normality")
    variables = names(p, "vars")
    assert list(table["variable"]) == variables
    for i, name in enumerate(variables):
        x = data["main"][name].dropna()
        close(table["skewness"].iloc[i], stats.skew(x))
        close(table["kurtosis"].iloc[i], stats.kurtosis(x, fisher=False))
        shapiro = stats.shapiro(x)
        close(table["W"].iloc[i], shapiro.statistic, rtol=1e-4)
        close(table["p"].iloc[i], shapiro.pvalue, rtol=2e-2)


def _paired(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    before = np.round(rng.normal(50, 10, 60), 3)
    after = np.round(before + rng.normal(1.5, 4, 60), 3)
    return pd.DataFrame({"id": np.arange(1, 61), "before": before, "after": after})


EXAMPLE_CHECKS: dict[str, Check] = {
    "ttest_one_sample": check_ttest_one_sample,
    "ttest_two_group": check_ttest_two_group,
    "ttest_paired": check_ttest_paired,
    "ranksum_test": check_ranksum,
    "signrank_test": check_signrank,
    "prtest_one_sample": check_prtest_one,
    "prtest_two_group": check_prtest_two,
    "anova_oneway": check_anova,
    "normality_checks": check_normality,
}

CASES = [
    Case(
        template="ttest_one_sample",
        params={"var": "x2", "mu0": 2.2},
        main=cross_section(40),
        check=check_ttest_one_sample,
    ),
    Case(
        template="ttest_two_group",
        params={"var": "price", "group": "foreign", "unequal": True},
        main=example_frame("auto.csv"),
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
        params={"var": "y", "group": "d"},
        main=cross_section(44),
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
        params={"var": "d", "p0": 0.6},
        main=cross_section(45),
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
        params={"var": "y", "group": "g"},
        main=cross_section(46),
        check=check_anova,
    ),
    Case(
        template="normality_checks",
        params={"vars": ["x1", "x3"]},
        main=cross_section(47),
        check=check_normality,
    ),
]
