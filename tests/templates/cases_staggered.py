"""Independent checks of the staggered difference-in-differences imputation template.

The untreated outcome is imputed with statsmodels OLS on the untreated observations with unit
and period dummies (and the controls), the effects are averaged with pandas; the TWFE
comparison is the within estimator with period dummies and Stata's cluster factor. The
bootstrap standard errors are checked against the returned replicates (their standard
deviation, as bootstrap's e(se)); their reproducibility by seed is tested in
test_staggered_bootstrap.py.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from tests.templates.cases_panel import Within, _period_dummies
from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close, example_frame


def imputed_effects(frame: pd.DataFrame, p: Params) -> tuple[pd.DataFrame, int]:
    """Every imputable treated row with its horizon and effect, and the untreated count."""
    y, unit, time = str(p["depvar"]), str(p["panelvar"]), str(p["timevar"])
    controls = names(p, "controls")
    frame = frame.dropna(subset=[y, unit, time, *controls]).copy()
    frame["rel"] = frame[time] - frame[str(p["eventvar"])]
    frame["treated"] = frame["rel"].ge(0)  # NaN (never treated) compares False
    frame = frame[frame.groupby(unit)["treated"].transform("min") == 0]  # ever untreated
    frame = frame[frame.groupby(time)["treated"].transform("min") == 0]
    untreated = frame[~frame["treated"]]
    formula = f"{y} ~ C({unit}) + C({time})" + "".join(f" + {c}" for c in controls)
    fit = smf.ols(formula, data=untreated).fit()
    treated = frame[frame["treated"]].copy()
    treated["tau"] = treated[y] - fit.predict(treated)
    return treated[["rel", "tau"]], len(untreated)


def check_did_imputation(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    horizons, level = int(p["horizons"]), float(p["level"])  # type: ignore[call-overload, arg-type]
    effects, n_untreated = imputed_effects(data["main"], p)
    by_h = effects.groupby("rel")["tau"]
    expected = [effects["tau"].mean(), *(by_h.mean()[h] for h in range(horizons + 1))]
    counts = [len(effects), *(by_h.size()[h] for h in range(horizons + 1))]
    table = res.table("imputation_effects")
    assert list(table["effect"]) == ["att", *(f"tau{h}" for h in range(horizons + 1))]
    close(table["coef"], expected, rtol=1e-8)
    close(table["N"], counts)
    close(table["N_untreated"], n_untreated)
    for name, value in zip(table["effect"], expected, strict=True):
        close(res.coef("imputation", name)["coef"], value, rtol=1e-8)
    # bootstrap: e(se) is the standard deviation of the saved replicates
    draws = res.table("replicates")
    assert list(draws.columns) == list(table["effect"])
    assert len(draws) == p["reps"], (len(draws), p["reps"], table["reps"].iloc[0])
    close(table["reps"], p["reps"])
    close(table["se"], [draws[c].std() for c in table["effect"]])
    assert (table["se"] > 0).all()
    z = stats.norm.ppf(1 - (100 - level) / 200)
    close(table["ci_lo"], table["coef"] - z * table["se"])
    close(table["ci_hi"], table["coef"] + z * table["se"])
    # the replicates are centred on the estimates (loosely: they are random draws)
    assert (abs(draws.mean() - np.asarray(expected)) < 3 * table["se"].to_numpy()).all()
    _check_twfe(res, data["main"], p)


def _check_twfe(res: Results, main: pd.DataFrame, p: Params) -> None:
    unit, time, controls = str(p["panelvar"]), str(p["timevar"]), names(p, "controls")
    frame = main.dropna(subset=[str(p["depvar"]), unit, time, *controls]).copy()
    frame["D"] = (frame[time] - frame[str(p["eventvar"])]).ge(0).astype(float)
    frame = frame[frame.groupby(unit)["D"].transform("min") == 0]
    frame, periods = _period_dummies(frame, time)
    fe = Within(frame, str(p["depvar"]), ["D", *controls, *periods], unit)
    close(res.coef("did_twfe", "_ss_treat")["coef"], fe.b[0])
    close(res.coef("did_twfe", "_ss_treat")["se"], fe.cluster_se()[0])


def _policy_subsample() -> pd.DataFrame:
    """The bundled policy panel without the 2004 cohort and with some rows missing."""
    frame = example_frame("policy_panel.csv")
    frame = frame[frame["adopt_year"].ne(2004)].reset_index(drop=True)
    rng = np.random.default_rng(610)
    frame.loc[rng.choice(len(frame), 12, replace=False), "income"] = np.nan
    return frame


EXAMPLE_CHECKS: dict[str, Check] = {"did_staggered_imputation": check_did_imputation}

CASES = [
    Case(
        template="did_staggered_imputation",
        params={"depvar": "outcome", "eventvar": "adopt_year", "controls": ["income"],
                "panelvar": "state", "timevar": "year", "horizons": 2, "reps": 60, "seed": 7,
                "level": 90},
        main=_policy_subsample(),
        check=check_did_imputation,
    ),
]
