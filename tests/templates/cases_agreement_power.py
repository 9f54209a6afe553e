"""Independent checks of the weighted-kappa and two-proportion power templates.

Kappa against statsmodels ``cohens_kappa`` with linear and quadratic weights (its standard
error under the null is the one ``kap`` reports); power from the normal-approximation formula of
[PSS] power twoproportions (Pearson's chi-squared test: the null variance at the pooled
proportion, the alternative's at p1 and p2, both tails when two-sided), computed here with scipy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa

from tests.templates.cases_regression import Params
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


def _grades(seed: int, n: int = 150) -> pd.DataFrame:
    """Two readers grade a latent severity on a 1–5 scale; grade 5 is never used by reader B."""
    rng = np.random.default_rng(seed)
    severity = rng.normal(0, 1, n)
    cuts = [-1.2, -0.4, 0.4, 1.2]
    a = np.digitize(severity + rng.normal(0, 0.4, n), cuts) + 1
    b = np.minimum(np.digitize(severity + rng.normal(0, 0.6, n), cuts) + 1, 4)
    return pd.DataFrame({"reader_a": a, "reader_b": b})


EXAMPLE_CHECKS: dict[str, Check] = {
    "weighted_kappa": check_weighted_kappa,
    "power_two_proportions": check_power_proportions,
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
]
