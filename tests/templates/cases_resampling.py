"""Independent checks of Fisher's exact test (scipy) and of the resampling templates.

Bootstrap and permutation draws depend on the engine's random numbers, so their intervals and
p-values are recomputed from the replicates the run returns, by the formulas of [R] bootstrap
and [R] permute (scipy and numpy here); the observed statistics come from pandas, and the
bootstrap standard error of a mean is compared with its textbook value s/√n.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close, example_frame, stata_pctile


def check_fisher(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    row_var, col_var = str(p["rowvar"]), str(p["colvar"])
    frame = data["main"].dropna(subset=[row_var, col_var])
    table = pd.crosstab(frame[row_var], frame[col_var]).to_numpy()
    odds, p_two = stats.fisher_exact(table)
    # Stata's one-sided p-value is the tail in the direction of the observed association
    p_one = min(stats.fisher_exact(table, alternative="less")[1],
                stats.fisher_exact(table, alternative="greater")[1])
    chi2 = stats.chi2_contingency(table, correction=False)
    row = res.table("fisher_test").iloc[0]
    close([row["N"], row["p_exact"], row["p1_exact"]], [table.sum(), p_two, p_one], rtol=1e-8)
    close(row["odds_ratio"], odds)
    close([row["chi2"], row["p_chi2"]], [chi2.statistic, chi2.pvalue])
    counts = res.table("table_2x2")
    close(counts["freq"], table.ravel())


def _statistic(x: pd.Series, name: str) -> float:
    if name == "mean":
        return float(x.mean())
    if name == "sd":
        return float(x.std())
    if name == "iqr":
        return stata_pctile(x, 75) - stata_pctile(x, 25)
    return stata_pctile(x, 50 if name == "median" else float(name[1:]))


def check_bootstrap(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    var, name = str(p["var"]), str(p["statistic"])
    level = float(p["level"])  # type: ignore[arg-type]
    frame = data["main"].dropna(subset=[var, *([str(p["cluster"])] if p.get("cluster") else [])])
    x = frame[var]
    reps = res.table("replicates")["stat"]
    row = res.table("bootstrap_ci").iloc[0]
    observed = _statistic(x, name)
    close([row["N"], row["reps"], row["observed"]], [len(x), p["reps"], observed])
    assert len(reps) == p["reps"]
    se = reps.std()
    z = stats.norm.ppf(1 - (100 - level) / 200)
    close([row["bias"], row["se"]], [reps.mean() - observed, se])
    close([row["normal_lo"], row["normal_hi"]], [observed - z * se, observed + z * se])
    alpha = (100 - level) / 2
    close([row["percentile_lo"], row["percentile_hi"]],
          [stata_pctile(reps, alpha), stata_pctile(reps, 100 - alpha)])
    z0 = stats.norm.ppf((reps <= observed).mean())
    close([row["bc_lo"], row["bc_hi"]],
          [stata_pctile(reps, 100 * stats.norm.cdf(2 * z0 - z)),
           stata_pctile(reps, 100 * stats.norm.cdf(2 * z0 + z))])
    if name == "mean" and not p.get("cluster"):  # simulation noise of a few per cent only
        assert abs(se / (x.std() / np.sqrt(len(x))) - 1) < 0.1
    # the distribution is centred on the statistic (loosely: it is a random draw)
    assert abs(reps.median() - observed) < 3 * se


def check_permutation(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    var, group = str(p["var"]), str(p["group"])
    frame = data["main"].dropna(subset=[var, group])
    low, high = sorted(frame[group].unique())
    observed = frame.loc[frame[group] == high, var].mean() - frame.loc[frame[group] == low,
                                                                        var].mean()
    draws = res.table("permutations")["diff"]
    row = res.table("permutation_test").iloc[0]
    extreme = int((draws.abs() >= abs(observed)).sum())
    n = len(draws)
    assert n == p["reps"]
    close([row["difference"], row["reps"], row["extreme"], row["p"]],
          [observed, n, extreme, extreme / n])
    lo = stats.beta.ppf(0.025, extreme, n - extreme + 1) if extreme > 0 else 0.0
    hi = stats.beta.ppf(0.975, extreme + 1, n - extreme) if extreme < n else 1.0
    close([row["p_ci_lo"], row["p_ci_hi"]], [lo, hi], rtol=1e-6)
    # shuffled labels: the permuted differences are centred on zero
    assert abs(draws.mean()) < 4 * draws.std() / np.sqrt(n)
    strata = names(p, "strata")
    if strata:
        # Shuffling within strata: the difference Σ cᵢyᵢ (c = 1/M treated, −1/(N−M) control)
        # has the exact randomisation variance Σ_b (1/M + 1/(N−M))²·m_b(n_b−m_b)/n_b·S²_b;
        # shuffling across strata would add the variance between strata.
        m_all = (frame[group] == high).sum()
        gap = 1 / m_all + 1 / (len(frame) - m_all)
        exact = sum(gap**2 * (b[group] == high).sum() * (b[group] != high).sum() / len(b)
                    * b[var].var() for _, b in frame.groupby(strata))
        assert abs(draws.var() / exact - 1) < 0.2, (draws.var(), exact)


def _trial(seed: int) -> pd.DataFrame:
    """A small block-randomised trial: 6 blocks of 8, 4 treated per block, effect 0.8."""
    rng = np.random.default_rng(seed)
    block = np.repeat(np.arange(1, 7), 8)
    treated = np.concatenate([rng.permutation([0] * 4 + [1] * 4) for _ in range(6)])
    outcome = np.round(0.5 * block + 0.8 * treated + rng.normal(0, 1, 48), 4)
    return pd.DataFrame({"block": block, "arm": treated, "score": outcome,
                         "cured": (outcome > 2.5).astype(int),
                         "older": (rng.uniform(0, 1, 48) < 0.4).astype(int)})


EXAMPLE_CHECKS: dict[str, Check] = {
    "fisher_exact": check_fisher,
    "bootstrap_ci": check_bootstrap,
    "permutation_test": check_permutation,
}

CASES = [
    Case(
        template="fisher_exact",
        params={"rowvar": "arm", "colvar": "cured"},
        main=_trial(400),
        check=check_fisher,
    ),
    Case(
        template="bootstrap_ci",
        params={"var": "y", "statistic": "mean", "reps": 500, "seed": 7, "level": 90},
        main=cross_section(401),
        check=check_bootstrap,
    ),
    Case(
        template="bootstrap_ci",
        params={"var": "price", "statistic": "iqr", "reps": 200, "seed": 11,
                "cluster": "rep78"},
        main=example_frame("auto.csv"),
        check=check_bootstrap,
        variant="cluster",
    ),
    Case(
        template="permutation_test",
        params={"var": "score", "group": "arm", "strata": ["block"], "reps": 500, "seed": 3},
        main=_trial(402),
        check=check_permutation,
    ),
]
