"""Independent checks of the survival templates against statsmodels' Kaplan-Meier
(``SurvfuncRight``, Greenwood standard errors) and log-rank test (``survdiff``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from tests.templates.cases_regression import Params
from tests.templates.support import Case, Check, Results, close, example_frame


def _groups(frame: pd.DataFrame, p: Params) -> list[tuple[object, pd.DataFrame]]:
    group = p.get("group")
    return list(frame.groupby(str(group))) if group else [(1, frame)]


def check_kaplan_meier(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    time, event = str(p["time"]), str(p["event"])
    frame = data["main"].dropna(subset=[time, event, *([str(p["group"])] if p.get("group")
                                                         else [])])
    frame = frame[frame[time] > 0]
    z = stats.norm.ppf(1 - (100 - float(p["level"])) / 200)  # type: ignore[arg-type]
    table, medians = res.table("km_table"), res.table("km_median")
    for i, (key, part) in enumerate(_groups(frame, p)):
        fit = SurvfuncRight(part[time], part[event] != 0)
        mine = table[table["group"] == key]
        close(mine[time], np.sort(part[time].unique()))
        at_events = mine[mine["events"] > 0]
        close(at_events[time], fit.surv_times)
        close(at_events["survival"], fit.surv_prob)
        close(at_events["at_risk"], fit.n_risk)
        close(at_events["events"], fit.n_events)
        alive = fit.surv_prob > 0
        close(at_events["se"].to_numpy()[alive], fit.surv_prob_se[alive])
        # Stata's interval: on the log(-log S) scale, s = se / (S |ln S|).
        s = fit.surv_prob_se / (fit.surv_prob * np.abs(np.log(fit.surv_prob)))
        inner = alive & (fit.surv_prob < 1)
        lo = fit.surv_prob ** np.exp(z * s)
        close(at_events["ci_lo"].to_numpy()[inner], lo[inner])
        below = fit.surv_times[fit.surv_prob <= 0.5]
        close(medians["median"].iloc[i], below[0] if len(below) else np.nan)
        close(medians["events"].iloc[i], (part[event] != 0).sum())


def check_logrank(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    time, event, group = str(p["time"]), str(p["event"]), str(p["group"])
    frame = data["main"].dropna(subset=[time, event, group])
    frame = frame[frame[time] > 0]
    chi2, pvalue = survdiff(frame[time], frame[event] != 0, frame[group])
    table = res.table("logrank")
    close([table["chi2"].iloc[0], table["p"].iloc[0]], [chi2, pvalue])
    first, second = sorted(frame[group].unique())
    close(table["group"], [first, second])
    close(table["observed"], [((frame[group] == g) & (frame[event] != 0)).sum()
                              for g in (first, second)])
    close(table["expected"].sum(), (frame[event] != 0).sum())


def _cohort(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = rng.integers(1, 3, 120)
    months = np.ceil(rng.exponential(np.where(arm == 2, 14, 9)))  # whole months: many ties
    follow = rng.integers(6, 25, 120)
    return pd.DataFrame({"arm": arm, "months": np.minimum(months, follow),
                         "relapse": (months <= follow).astype(int)})


EXAMPLE_CHECKS: dict[str, Check] = {
    "kaplan_meier": check_kaplan_meier,
    "logrank_test": check_logrank,
}

CASES = [
    Case(
        template="kaplan_meier",
        params={"time": "months", "event": "relapse", "level": 90},
        main=_cohort(120),
        check=check_kaplan_meier,
    ),
    Case(
        template="kaplan_meier",
        variant="by_arm",
        params={"time": "months", "event": "relapse", "group": "arm"},
        main=_cohort(121),
        check=check_kaplan_meier,
    ),
    Case(
        template="logrank_test",
        params={"time": "months", "event": "relapse", "group": "arm"},
        main=_cohort(122),
        check=check_logrank,
    ),
    Case(
        template="logrank_test",
        variant="by_age",
        params={"time": "time", "event": "died", "group": "old"},
        main=example_frame("survival.csv").assign(old=lambda f: (f["age"] >= 65).astype(int)),
        check=check_logrank,
    ),
]
