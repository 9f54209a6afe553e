"""Independent checks of the weighting and regression-discontinuity templates: statsmodels
Logit, weighted least squares with HC1 (Stata's robust sandwich with weights), pandas, and for
the fuzzy design linearmodels ``IV2SLS`` with its heteroskedasticity-robust covariance without
a small-sample factor (``ivregress ..., vce(robust)``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from linearmodels.iv import IV2SLS

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close, example_frame


def check_ipw(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, treat, xs = str(p["depvar"]), str(p["treat"]), names(p, "covariates")
    frame = data["main"].dropna(subset=[y, treat, *xs])
    treated = (frame[treat] != 0).to_numpy()
    logit = sm.Logit(treated.astype(float), sm.add_constant(frame[xs])).fit(disp=0, tol=1e-12)
    score = logit.predict(sm.add_constant(frame[xs])).to_numpy()
    if p["estimand"] == "att":
        weights = np.where(treated, 1.0, score / (1 - score))
    else:
        weights = np.where(treated, 1 / score, 1 / (1 - score))
    outcome = frame[y].to_numpy()
    effect = (np.average(outcome[treated], weights=weights[treated])
              - np.average(outcome[~treated], weights=weights[~treated]))
    wls = sm.WLS(outcome, sm.add_constant(frame[treat].to_numpy()), weights=weights).fit(
        cov_type="HC1")
    row = res.coef("ipw", treat)
    close(row["coef"], effect)
    close(row["coef"], wls.params[1])
    close(row["se"], wls.bse[1])
    close(res.coef("pscore", xs[0])["coef"], logit.params[xs[0]], rtol=1e-5)
    overlap = res.table("overlap")
    close(overlap["min_pscore"], [score[~treated].min(), score[treated].min()], rtol=1e-5)
    close(overlap["sum_weights"], [weights[~treated].sum(), weights[treated].sum()], rtol=1e-5)


def check_rd(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, running = str(p["depvar"]), str(p["running"])
    h, cutoff = float(p["bandwidth"]), float(p["cutoff"])  # type: ignore[arg-type]
    frame = data["main"].dropna(subset=[y, running])
    x = frame[running] - cutoff
    window = frame[x.abs() <= h].assign(_x=x, _above=(x >= 0).astype(float))
    if p["kernel"] == "triangular":
        weights = 1 - window["_x"].abs() / h
    else:
        weights = pd.Series(1.0, index=window.index)
    window = window[weights > 0]
    weights = weights[weights > 0]
    design = pd.DataFrame({"above": window["_above"], "x": window["_x"],
                           "above_x": window["_above"] * window["_x"]})
    fit = sm.WLS(window[y], sm.add_constant(design), weights=weights).fit(cov_type="HC1")
    row = res.table("rd_estimate").iloc[0]
    close([row["estimate"], row["se"]], [fit.params["above"], fit.bse["above"]])
    close([row["n_left"], row["n_right"]], [(design["above"] == 0).sum(),
                                              (design["above"] == 1).sum()])
    # The same jump from two separate weighted fits, one per side: intercepts at the cutoff.
    sides = [sm.WLS(window[y][m], sm.add_constant(window["_x"][m]), weights=weights[m]).fit()
             for m in (design["above"] == 0, design["above"] == 1)]
    close(row["estimate"], sides[1].params["const"] - sides[0].params["const"])
    bins = res.table("rd_bins")
    width = h / 10
    grouped = frame.groupby([np.floor(x / width), (x >= 0).astype(int)])[y]
    close(bins["outcome_mean"], grouped.mean().to_numpy())
    close(bins["n"], grouped.count().to_numpy())


def check_rd_fuzzy(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, d, running = str(p["depvar"]), str(p["treatment"]), str(p["running"])
    h, cutoff = float(p["bandwidth"]), float(p["cutoff"])  # type: ignore[arg-type]
    frame = data["main"].dropna(subset=[y, d, running])
    x = frame[running] - cutoff
    window = frame[x.abs() <= h]
    xw = x[x.abs() <= h]
    above = (xw >= 0).astype(float)
    controls = pd.DataFrame({"const": 1.0, "distance": xw, "above_distance": above * xw})
    stages = [sm.OLS(window[v], controls.assign(above=above)).fit(cov_type="HC1")
              for v in (d, y)]
    iv = IV2SLS(window[y], controls, window[d], above.rename("above")).fit(cov_type="robust")
    row = res.table("rd_estimate").iloc[0]
    close([row["first_stage"], row["first_stage_se"]],
          [stages[0].params["above"], stages[0].bse["above"]])
    close(row["first_stage_F"], (stages[0].params["above"] / stages[0].bse["above"]) ** 2)
    close([row["reduced_form"], row["reduced_form_se"]],
          [stages[1].params["above"], stages[1].bse["above"]])
    close([row["estimate"], row["se"]], [iv.params[d], iv.std_errors[d]])
    # Just identified: the 2SLS estimate is the ratio of the two jumps (the Wald estimator).
    close(row["estimate"], stages[1].params["above"] / stages[0].params["above"])
    close([row["n_left"], row["n_right"]], [(above == 0).sum(), (above == 1).sum()])
    close(res.coef("fuzzy_rd", "distance")["coef"], iv.params["distance"])
    bins = res.table("rd_bins")
    grouped = frame.groupby([np.floor(x / (h / 10)), (x >= 0).astype(int)])
    close(bins["treatment_mean"], grouped[d].mean().to_numpy())
    close(bins["outcome_mean"], grouped[y].mean().to_numpy())


def _assignment(seed: int) -> pd.DataFrame:
    frame = cross_section(seed, n=400)
    rng = np.random.default_rng(seed)
    frame["outcome"] = np.round(frame["y"] + 1.0 * frame["d"] + rng.normal(0, 1, 400), 4)
    return frame


EXAMPLE_CHECKS: dict[str, Check] = {
    "ipw_ate": check_ipw,
    "rd_sharp": check_rd,
    "rd_fuzzy": check_rd_fuzzy,
}

CASES = [
    Case(
        template="ipw_ate",
        params={"depvar": "outcome", "treat": "d", "covariates": ["x1", "x2"],
                "estimand": "att"},
        main=_assignment(130),
        check=check_ipw,
    ),
    Case(
        template="rd_sharp",
        params={"depvar": "gpa", "running": "score", "cutoff": 10, "bandwidth": 15,
                "kernel": "uniform"},
        main=example_frame("scholarship.csv"),
        check=check_rd,
    ),
    Case(
        template="rd_fuzzy",
        variant="shifted_cutoff",
        params={"depvar": "gpa", "treatment": "scholarship", "running": "score",
                "cutoff": -5, "bandwidth": 30, "level": 90},
        main=example_frame("scholarship.csv").assign(score=lambda f: f["score"] - 5),
        check=check_rd_fuzzy,
    ),
]
