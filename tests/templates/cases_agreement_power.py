"""Independent checks of the weighted-kappa, power (two proportions, paired means) and
proportion-interval templates.

Kappa against statsmodels ``cohens_kappa`` with linear and quadratic weights (its standard
error under the null is the one ``kap`` reports); power from the normal-approximation formula of
[PSS] power twoproportions (Pearson's chi-squared test: the null variance at the pooled
proportion, the alternative's at p1 and p2, both tails when two-sided), computed here with
scipy; the paired t test's power from scipy's noncentral t (both tails);
``ci proportions`` against statsmodels ``proportion_confint`` (beta = Clopper-Pearson, wilson,
jeffreys, the latter with Brown, Cai and DasGupta's limits 0 and 1 at no successes or no
failures) and, for Wald and Agresti-Coull, the same formulas without statsmodels' clipping to
[0, 1] (Stata reports them as computed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa
from statsmodels.stats.proportion import proportion_confint

from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close, example_frame


def check_weighted_kappa(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    a, b = str(p["rater1"]), str(p["rater2"])
    frame = data["main"].dropna(subset=[a, b])
    levels = np.union1d(frame[a].unique(), frame[b].unique())
    counts = pd.crosstab(frame[a], frame[b]).reindex(index=levels, columns=levels,
                                                     fill_value=0)
    table = res.table("weighted_kappa")
    assert list(table["weights"]) == ["none", "linear", "quadratic"]
    for row, wt in zip(table.itertuples(), (None, "linear", "quadratic"), strict=True):
        expected = cohens_kappa(counts.to_numpy(), wt=wt)
        close([row.kappa, row.se, row.N], [expected["kappa"], expected["std_kappa0"],
                                           len(frame)])
        close(row.z, expected["kappa"] / expected["std_kappa0"])
        close(row.p, stats.norm.sf(row.z))


def _power(p1: float, p2: float, n1: float, n2: float, alpha: float, onesided: bool) -> float:
    pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
    null_sd = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    alt_sd = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    delta = abs(p2 - p1)
    if onesided:
        return float(stats.norm.cdf((delta - stats.norm.ppf(1 - alpha) * null_sd) / alt_sd))
    crit = stats.norm.ppf(1 - alpha / 2) * null_sd
    return float(stats.norm.cdf((delta - crit) / alt_sd) + stats.norm.cdf((-delta - crit) / alt_sd))


def check_power_proportions(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    p1, p2, alpha = float(p["p1"]), float(p["p2"]), float(p["alpha"])  # type: ignore[arg-type]
    ratio, target, onesided = float(p["nratio"]), float(p["target_power"]), bool(p["onesided"])  # type: ignore[arg-type]

    def second(n1: int) -> int:
        return math.ceil(n1 * ratio - 1e-9)

    n1 = 2
    while _power(p1, p2, n1, second(n1), alpha, onesided) < target:
        n1 += 1
    row = res.table("sample_size").iloc[0]
    close([row["n1_required"], row["n2_required"], row["n_required"]],
          [n1, second(n1), n1 + second(n1)])
    planned = p.get("n1")
    if planned is None:
        assert np.isnan(row["power_planned"])
    else:
        m = int(planned)  # type: ignore[call-overload]
        close(row["power_planned"], _power(p1, p2, m, second(m), alpha, onesided))
    curve = res.table("power_curve")
    close(curve["power"], [_power(p1, p2, a, b, alpha, onesided)
                           for a, b in zip(curve["n1"], curve["n2"], strict=True)])
    close(curve["n2"], [second(int(a)) for a in curve["n1"]])
    assert curve["power"].is_monotonic_increasing
    assert curve["power"].iloc[-1] > target


_CI_METHODS = {"exact": "beta", "wilson": "wilson", "agresti": "agresti_coull",
               "jeffreys": "jeffreys", "wald": "normal"}


def check_proportion_ci(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    group, alpha = p.get("group"), 1 - float(p["level"]) / 100  # type: ignore[arg-type]
    frame = data["main"].dropna(subset=[str(group)]) if group else data["main"]
    parts = [(str(k), part) for k, part in frame.groupby(str(group))] if group \
        else [("all", frame)]
    table = res.table("proportion_ci")
    expected_rows = [(v, g, m) for v in names(p, "varlist") for g, _ in parts
                     for m in _CI_METHODS]
    assert list(zip(table["variable"], table["group"].astype(str), table["method"],
                    strict=True)) == expected_rows
    row_iter = table.itertuples()
    for v in names(p, "varlist"):
        for _, part in parts:
            x = part[v].dropna()
            count, n = int(x.sum()), len(x)
            for method in _CI_METHODS.values():
                row = next(row_iter)
                close([row.N, row.successes, row.proportion], [n, count, count / n])
                close(row.se, np.sqrt(count / n * (1 - count / n) / n))
                lo, hi = proportion_confint(count, n, alpha=alpha, method=method)
                if method in ("normal", "agresti_coull"):  # statsmodels clips them to [0, 1]
                    lo, hi = _unclipped(count, n, alpha, method)
                if method == "jeffreys":  # Brown, Cai and DasGupta's (2001) boundary limits
                    lo, hi = (0.0 if count == 0 else lo), (1.0 if count == n else hi)
                close([row.ci_lo, row.ci_hi], [lo, hi], atol=1e-8)


def _unclipped(count: int, n: int, alpha: float, method: str) -> tuple[float, float]:
    """Wald and Agresti-Coull limits as [R] ci gives them: not truncated to [0, 1]."""
    z = stats.norm.isf(alpha / 2)
    if method == "agresti_coull":
        count, n = count + z * z / 2, n + z * z  # type: ignore[assignment]
    share = count / n
    half = z * np.sqrt(share * (1 - share) / n)
    return float(share - half), float(share + half)


def _t_power(shift: float, n: int, alpha: float, onesided: bool) -> float:
    """Power of the one-sample t test: noncentral t with n − 1 df and noncentrality shift·√n."""
    df, ncp = n - 1, shift * math.sqrt(n)
    if onesided:
        return float(stats.nct.sf(stats.t.isf(alpha, df), df, ncp))
    crit = stats.t.isf(alpha / 2, df)
    return float(stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp))


def check_power_paired(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    shift = float(p["diff"]) / float(p["sd_diff"])  # type: ignore[arg-type]
    alpha, target, onesided = float(p["alpha"]), float(p["target_power"]), bool(p["onesided"])  # type: ignore[arg-type]
    n = 2
    while _t_power(shift, n, alpha, onesided) < target:
        n += 1
    row = res.table("sample_size").iloc[0]
    close([row["pairs_required"], row["effect_size"]], [n, shift])
    planned = p.get("n")
    if planned is None:
        assert np.isnan(row["power_planned"])
    else:
        close(row["power_planned"], _t_power(shift, int(planned), alpha, onesided))  # type: ignore[call-overload]
    curve = res.table("power_curve")
    close(curve["power"], [_t_power(shift, int(m), alpha, onesided) for m in curve["pairs"]])
    assert curve["pairs"].iloc[-1] >= 2 * n - 1


def _grades(seed: int, n: int = 150) -> pd.DataFrame:
    """Two readers grade a latent severity on a 1–5 scale; grade 5 is never used by reader B."""
    rng = np.random.default_rng(seed)
    severity = rng.normal(0, 1, n)
    cuts = [-1.2, -0.4, 0.4, 1.2]
    a = np.digitize(severity + rng.normal(0, 0.4, n), cuts) + 1
    b = np.minimum(np.digitize(severity + rng.normal(0, 0.6, n), cuts) + 1, 4)
    return pd.DataFrame({"reader_a": a, "reader_b": b})


def _rare_events(seed: int) -> pd.DataFrame:
    """Adverse events by site: rare, with one site that has none and one with all."""
    rng = np.random.default_rng(seed)
    site = np.repeat([1, 2, 3, 4], [40, 25, 12, 8])
    event = (rng.uniform(size=site.size) < np.array([0.05, 0.12, 0.0, 1.0])[site - 1])
    return pd.DataFrame({"site": site, "event": event.astype(int),
                         "serious": (event & (rng.uniform(size=site.size) < 0.5)).astype(int)})


EXAMPLE_CHECKS: dict[str, Check] = {
    "proportion_ci": check_proportion_ci,
    "weighted_kappa": check_weighted_kappa,
    "power_two_proportions": check_power_proportions,
    "power_paired_means": check_power_paired,
}

CASES = [
    Case(template="weighted_kappa", variant="five_grades",
         params={"rater1": "reader_a", "rater2": "reader_b"},
         main=_grades(51), check=check_weighted_kappa),
    Case(template="power_two_proportions", variant="onesided_ratio",
         params={"p1": 0.1, "p2": 0.18, "alpha": 0.025, "target_power": 0.9, "nratio": 2,
                 "onesided": True},
         main=example_frame("screening.csv"), check=check_power_proportions),
    Case(template="power_two_proportions", variant="planned",
         params={"p1": 0.5, "p2": 0.65, "n1": 120, "nratio": 0.5},
         main=example_frame("screening.csv"), check=check_power_proportions),
    Case(template="power_paired_means", variant="onesided_small_effect",
         params={"diff": 1.5, "sd_diff": 6, "alpha": 0.01, "target_power": 0.9,
                 "onesided": True},
         main=example_frame("blood_pressure.csv"), check=check_power_paired),
    Case(template="proportion_ci", variant="by_site_boundaries",
         params={"varlist": ["event", "serious"], "group": "site", "level": 90},
         main=_rare_events(52), check=check_proportion_ci),
]
