"""Independent checks of the medical and measurement templates: statsmodels, scipy, numpy."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa
from statsmodels.stats.proportion import proportion_confint

from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close


def _z(p: Params) -> float:
    return float(stats.norm.ppf(1 - (100 - float(p["level"])) / 200))  # type: ignore[arg-type]


def check_diagnostic_accuracy(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"][[str(p["test"]), str(p["truth"])]].dropna() != 0
    test, truth = frame.iloc[:, 0], frame.iloc[:, 1]
    tp, fp = (test & truth).sum(), (test & ~truth).sum()
    fn, tn = (~test & truth).sum(), (~test & ~truth).sum()
    expected = {
        "sensitivity": (tp, tp + fn),
        "specificity": (tn, tn + fp),
        "ppv": (tp, tp + fp),
        "npv": (tn, tn + fn),
        "accuracy": (tp + tn, len(frame)),
        "prevalence": (tp + fn, len(frame)),
    }
    table = res.table("diagnostic_accuracy").set_index("measure")
    alpha = 1 - float(p["level"]) / 100  # type: ignore[arg-type]
    for measure, (count, total) in expected.items():
        row = table.loc[measure]
        close(row["estimate"], count / total)
        close([row["ci_lo"], row["ci_hi"]], proportion_confint(count, total, alpha, "wilson"))
    sens, spec = tp / (tp + fn), tn / (tn + fp)
    diseased, healthy = 1 / (tp + fn), 1 / (fp + tn)
    for measure, ratio, se in (
        ("lr_positive", sens / (1 - spec), np.sqrt(1 / tp - diseased + 1 / fp - healthy)),
        ("lr_negative", (1 - sens) / spec, np.sqrt(1 / fn - diseased + 1 / tn - healthy)),
    ):
        row = table.loc[measure]
        close(row["estimate"], ratio)
        close([row["ci_lo"], row["ci_hi"]], ratio * np.exp(np.array([-1, 1]) * _z(p) * se))


def _delong(positive: np.ndarray, negative: np.ndarray) -> tuple[float, float]:
    """AUC and DeLong's standard error from all positive-negative comparisons."""
    psi = (positive[:, None] > negative[None, :]) + 0.5 * (positive[:, None] == negative[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    se = np.sqrt(v10.var(ddof=1) / len(positive) + v01.var(ddof=1) / len(negative))
    return float(psi.mean()), float(se)


def check_roc_auc(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"][[str(p["marker"]), str(p["truth"])]].dropna()
    marker, sick = frame.iloc[:, 0].to_numpy(), frame.iloc[:, 1].to_numpy() != 0
    auc, se = _delong(marker[sick], marker[~sick])
    u = stats.mannwhitneyu(marker[sick], marker[~sick]).statistic
    close(auc, u / (sick.sum() * (~sick).sum()))  # the two definitions agree
    row = res.table("auc").iloc[0]
    close([row["auc"], row["se"]], [auc, se])
    close([row["ci_lo"], row["ci_hi"]], [auc - _z(p) * se, auc + _z(p) * se])
    curve = res.table("roc_curve")
    cutoffs = np.sort(np.unique(marker))[::-1]
    close(curve["cutoff"], cutoffs)
    close(curve["sensitivity"], [(marker[sick] >= c).mean() for c in cutoffs])
    close(curve["specificity"], [(marker[~sick] < c).mean() for c in cutoffs])


def check_bland_altman(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"][[str(p["var1"]), str(p["var2"])]].dropna()
    diff = frame.iloc[:, 0] - frame.iloc[:, 1]
    mean = (frame.iloc[:, 0] + frame.iloc[:, 1]) / 2
    n, bias, sd = len(diff), diff.mean(), diff.std()
    t = stats.t.ppf(1 - (100 - float(p["level"])) / 200, n - 1)  # type: ignore[arg-type]
    table = res.table("agreement").set_index("statistic")
    expected = {"bias": (bias, sd / np.sqrt(n)),
                "lower_limit": (bias - 1.96 * sd, np.sqrt(3 * sd**2 / n)),
                "upper_limit": (bias + 1.96 * sd, np.sqrt(3 * sd**2 / n))}
    for name, (estimate, se) in expected.items():
        row = table.loc[name]
        close([row["estimate"], row["se"]], [estimate, se])
        close([row["ci_lo"], row["ci_hi"]], [estimate - t * se, estimate + t * se])
    slope = sm.OLS(diff, sm.add_constant(mean)).fit()
    close(table["slope_on_mean"].iloc[0], slope.params.iloc[1])
    close(table["slope_p"].iloc[0], slope.pvalues.iloc[1])
    points = res.table("bland_altman_points")
    close(points["difference"], diff)
    close(points["mean"], mean)


def _alpha(items: np.ndarray) -> float:
    k = items.shape[1]
    total = items.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / total))


def check_cronbach_alpha(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    columns = names(p, "items")
    items = data["main"][columns].dropna().to_numpy(dtype=float)
    k = len(columns)
    corr = np.corrcoef(items, rowvar=False)
    rbar = corr[np.triu_indices(k, 1)].mean()
    row = res.table("alpha").iloc[0]
    close([row["alpha"], row["n"]], [_alpha(items), len(items)])
    close(row["alpha_standardized"], k * rbar / (1 + (k - 1) * rbar))
    table = res.table("alpha_items")
    assert list(table["item"]) == columns
    for i in range(k):
        rest = np.delete(items, i, axis=1)
        close(table["item_rest_corr"].iloc[i], np.corrcoef(items[:, i], rest.sum(axis=1))[0, 1])
        close(table["alpha_without"].iloc[i], _alpha(rest) if k > 2 else np.nan)


def check_cohen_kappa(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame = data["main"][[str(p["rater1"]), str(p["rater2"])]].dropna()
    categories = sorted(set(frame.iloc[:, 0]) | set(frame.iloc[:, 1]))
    counts = pd.crosstab(frame.iloc[:, 0], frame.iloc[:, 1]).reindex(
        index=categories, columns=categories, fill_value=0
    )
    expected = cohens_kappa(counts.to_numpy())
    row = res.table("kappa").iloc[0]
    close([row["kappa"], row["se"]], [expected["kappa"], expected["std_kappa0"]])
    close([row["z"], row["p"]], [expected["z_value"], expected["pvalue_one_sided"]], rtol=1e-5)
    cells = res.table("kappa_categories")
    close(cells["category"], categories)
    close(cells["rater1_n"], counts.sum(axis=1).to_numpy())
    close(cells["rater2_n"], counts.sum(axis=0).to_numpy())


def _screening(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sick = (rng.uniform(size=300) < 0.2).astype(int)
    score = np.round(rng.normal(0.8 * sick, 1), 1)  # coarse: many ties
    return pd.DataFrame({"sick": sick, "score": score, "flag": (score > 0.5).astype(int)})


def _ratings(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first = rng.integers(1, 5, 80)
    second = np.where(rng.uniform(size=80) < 0.6, first, rng.integers(1, 5, 80))
    second[second == 4] = 5  # the second rater never uses category 4, the first never 5
    return pd.DataFrame({"a": first, "b": second, "x": np.round(rng.normal(10, 2, 80), 2),
                         "y": np.round(rng.normal(10.5, 2, 80), 2)})


EXAMPLE_CHECKS: dict[str, Check] = {
    "diagnostic_accuracy": check_diagnostic_accuracy,
    "roc_auc": check_roc_auc,
    "bland_altman": check_bland_altman,
    "cronbach_alpha": check_cronbach_alpha,
    "cohen_kappa": check_cohen_kappa,
}

CASES = [
    Case(
        template="diagnostic_accuracy",
        params={"test": "flag", "truth": "sick", "level": 90},
        main=_screening(90),
        check=check_diagnostic_accuracy,
    ),
    Case(
        template="roc_auc",
        params={"truth": "sick", "marker": "score", "level": 99},
        main=_screening(91),
        check=check_roc_auc,
    ),
    Case(
        template="bland_altman",
        params={"var1": "x", "var2": "y", "level": 90},
        main=_ratings(92),
        check=check_bland_altman,
    ),
    Case(
        template="cronbach_alpha",
        params={"items": ["q1", "q2", "q3"]},
        main=_ratings(93).rename(columns={"a": "q1", "b": "q2"}).assign(q3=lambda f: f["q1"] % 3),
        check=check_cronbach_alpha,
    ),
    Case(
        template="cohen_kappa",
        params={"rater1": "a", "rater2": "b"},
        main=_ratings(94),
        check=check_cohen_kappa,
    ),
]
