"""Run cases for the linear, binary, count and IV regression templates.

Expected numbers come from statsmodels/linearmodels with Stata's small-sample definitions
(../shared/NOTES.md): HC1 for `vce(robust)`, G/(G−1)·(N−1)/(N−K) for clusters, observed
information for ML, HC0·N/(N−1) for robust ML.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from itertools import pairwise

import numpy as np
import pandas as pd
import statsmodels.api as sm
from linearmodels.iv import IV2SLS

from tests.templates.fixtures import auto_frame, cross_section
from tests.templates.support import Case, Results, close


def _ols(
    frame: pd.DataFrame, y: str, xs: list[str], **fit: object
) -> sm.regression.linear_model.RegressionResultsWrapper:
    data = frame[[y, *xs]].dropna()
    return sm.OLS(data[y], sm.add_constant(data[xs])).fit(**fit)


def _check_terms(res: Results, model: str, fitted: object, terms: list[str]) -> None:
    for term in terms:
        row = res.coef(model, term)
        key = "const" if term == "_cons" else term
        close(row["coef"], fitted.params[key])  # type: ignore[attr-defined]
        close(row["se"], fitted.bse[key])  # type: ignore[attr-defined]


def check_ols(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    fit = _ols(data["main"], "price", ["mpg", "weight"])
    _check_terms(res, "ols", fit, ["mpg", "weight", "_cons"])
    close(res.stat("ols", "N"), fit.nobs)
    close(res.stat("ols", "r2"), fit.rsquared)
    close(res.stat("ols", "r2_a"), fit.rsquared_adj)
    close(res.stat("ols", "F"), fit.fvalue)
    close(res.stat("ols", "rmse"), np.sqrt(fit.mse_resid))
    assert res.table("models")["title"].iloc[0] == "Price (USD), 1978: 95% CI & more"
    row = res.coef("ols", "mpg")
    close([row["ci_lo"], row["ci_hi"]], fit.conf_int(0.10).loc["mpg"])  # level(90)


def check_ols_robust(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    fit = _ols(data["main"], "price", ["mpg", "weight"], cov_type="HC1")
    _check_terms(res, "ols_robust", fit, ["mpg", "weight", "_cons"])
    close(res.stat("ols_robust", "F"), fit.fvalue)
    assert res.table("models").query("model == 'ols_robust'")["vcetype"].iloc[0] == "Robust"


def check_ols_cluster(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    fit = _ols(frame, "y", ["x1", "x2"], cov_type="cluster", cov_kwds={"groups": frame["g"]})
    _check_terms(res, "ols_cluster", fit, ["x1", "x2", "_cons"])
    close(res.stat("ols_cluster", "N_clust"), 4)


def check_ols_fixed_effects(
    res: Results, data: Mapping[str, pd.DataFrame], cluster: bool = False
) -> None:
    frame = data["main"].copy()
    dummies = pd.get_dummies(frame["g"], prefix="g", dtype=float).drop(columns="g_1")
    frame = pd.concat([frame, dummies], axis=1)
    xs = ["x1", "x2", *dummies.columns]
    if cluster:
        fit = _ols(frame, "y", xs, cov_type="cluster", cov_kwds={"groups": frame["g"]})
    else:
        fit = _ols(frame, "y", xs, cov_type="HC1")
    _check_terms(res, "ols_fe", fit, ["x1", "x2", "_cons"])
    for level in (2, 3, 4):
        close(res.coef("ols_fe", f"{level}.g")["coef"], fit.params[f"g_{level}"])
    assert res.coef("ols_fe", "1b.g")["omitted"] == 1


def check_ols_absorb(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    dummies = pd.get_dummies(frame["g"], prefix="g", dtype=float).iloc[:, 1:]
    fit = _ols(pd.concat([frame, dummies], axis=1), "y", ["x1", "x2", *dummies.columns])
    for term in ("x1", "x2"):
        close(res.coef("areg", term)["coef"], fit.params[term])
    close(res.stat("areg", "N"), fit.nobs)
    close(res.stat("areg", "r2"), fit.rsquared)


def check_ols_interaction(
    res: Results,
    data: Mapping[str, pd.DataFrame],
    moderator: str = "d",
    controls: tuple[str, ...] = ("x3",),
) -> None:
    frame = data["main"].assign(product=lambda f: f["x1"] * f[moderator])
    fit = _ols(frame, "y", ["x1", moderator, "product", *controls], cov_type="HC1")
    rows = res.table("coefficients")
    inter = rows[rows["term"].str.contains("#") & (rows["omitted"] == 0)]
    assert len(inter) == 1, inter
    close(inter["coef"].iloc[0], fit.params["product"])
    close(inter["se"].iloc[0], fit.bse["product"])
    close(res.coef("interaction", "x1")["coef"], fit.params["x1"])
    term = "1.d" if moderator == "d" else moderator
    close(res.coef("interaction", term)["coef"], fit.params[moderator])


def check_ols_nested(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"].dropna(subset=["y", "x1", "x2", "x3", "d"])
    fits = [_ols(frame, "y", xs) for xs in (["x1"], ["x1", "x2", "x3"], ["x1", "x2", "x3", "d"])]
    for name, fit in zip(("m1", "m2", "m3"), fits, strict=True):
        close(res.stat(name, "N"), fit.nobs)
        close(res.stat(name, "r2"), fit.rsquared)
        close(res.coef(name, "x1")["coef"], fit.params["x1"])
    tests = res.table("block_tests")
    assert list(tests["model"]) == ["m2", "m3"]
    for i, (small, big) in enumerate(pairwise(fits)):
        f_value, p_value, df_diff = big.compare_f_test(small)
        close(tests["F"].iloc[i], f_value)
        close(tests["p"].iloc[i], p_value)
        close(tests["df"].iloc[i], df_diff)


def check_ols_nested_robust(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    small = _ols(frame, "y", ["x1"], cov_type="HC1")
    big = _ols(frame, "y", ["x1", "x2", "x3"], cov_type="HC1")
    close(res.coef("m1", "x1")["se"], small.bse["x1"])
    close(res.coef("m2", "x2")["se"], big.bse["x2"])
    wald = big.wald_test("x2 = 0, x3 = 0", use_f=True, scalar=True)
    tests = res.table("block_tests")
    assert list(tests["model"]) == ["m2"]
    close([tests["F"].iloc[0], tests["p"].iloc[0]], [wald.statistic, wald.pvalue])
    assert "m3" not in set(res.table("models")["model"])


def _check_binary(res: Results, frame: pd.DataFrame, model: type, name: str) -> None:
    data = frame[["d", "x1", "x2"]]
    fit = model(data["d"], sm.add_constant(data[["x1", "x2"]])).fit(disp=0, method="newton")
    _check_terms(res, name, fit, ["x1", "x2", "_cons"])
    close(res.stat(name, "ll"), fit.llf)
    close(res.stat(name, "r2_p"), fit.prsquared)
    effects = fit.get_margeff(at="overall", method="dydx")
    for i, term in enumerate(["x1", "x2"]):
        row = res.coef("ame", term)
        close(row["coef"], effects.margeff[i])
        close(row["se"], effects.margeff_se[i], rtol=1e-5)


def check_logit_ame(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    _check_binary(res, data["main"], sm.Logit, "logit")


def check_logit_robust(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    exog = sm.add_constant(frame[["x1", "x2"]])
    fit = sm.Logit(frame["d"], exog).fit(disp=0, method="newton", cov_type="HC0")
    n = len(frame)
    for term, key in (("x1", "x1"), ("x2", "x2"), ("_cons", "const")):
        close(res.coef("logit", term)["se"], fit.bse[key] * np.sqrt(n / (n - 1)), rtol=1e-5)
    assert res.table("models").query("model == 'logit'")["vcetype"].iloc[0] == "Robust"


def check_probit_ame(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    _check_binary(res, data["main"], sm.Probit, "probit")


def check_poisson(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    exog = sm.add_constant(frame[["x1", "x2"]])
    fit = sm.Poisson(frame["count"], exog).fit(disp=0, method="newton", cov_type="HC0")
    n = len(frame)
    for term, key in (("x1", "x1"), ("x2", "x2"), ("_cons", "const")):
        row = res.coef("poisson", term)
        close(row["coef"], fit.params[key])
        close(row["se"], fit.bse[key] * np.sqrt(n / (n - 1)), rtol=1e-5)
    close(res.stat("poisson", "ll"), fit.llf)


def check_poisson_exposure(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    exog = sm.add_constant(frame[["x1", "x2"]])
    fit = sm.Poisson(frame["count"], exog, exposure=frame["x3"] + 1).fit(disp=0, method="newton")
    for term, key in (("x1", "x1"), ("x2", "x2"), ("_cons", "const")):
        close(res.coef("poisson", term)["coef"], fit.params[key])
        close(res.coef("poisson", term)["se"], fit.bse[key], rtol=1e-5)


def check_iv(res: Results, data: Mapping[str, pd.DataFrame], robust: bool = True) -> None:
    frame = data["main"].assign(const=1.0)
    fit = IV2SLS(frame["y"], frame[["const", "x3"]], frame[["x1"]], frame[["x2", "d"]]).fit(
        cov_type="robust" if robust else "unadjusted", debiased=True
    )
    for term, key in (("x1", "x1"), ("x3", "x3"), ("_cons", "const")):
        row = res.coef("iv", term)
        close(row["coef"], fit.params[key])
        close(row["se"], fit.std_errors[key])
    first = _ols(frame, "x1", ["x2", "d", "x3"], **({"cov_type": "HC1"} if robust else {}))
    wald = first.wald_test("x2 = 0, d = 0", use_f=True, scalar=True)
    table = res.table("first_stage")
    close(table["F"].iloc[0], wald.statistic)
    close(table["p"].iloc[0], wald.pvalue)
    close(res.coef("first", "x2")["coef"], first.params["x2"])


def check_ols_predict(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    fit = _ols(frame, "price", ["mpg", "weight"], cov_type="HC1")
    table = res.table("predictions")
    assert list(table.columns) == [*frame.columns, "fitted", "se_fitted", "residual"]
    close(table["fitted"], fit.fittedvalues)
    close(table["residual"], fit.resid)
    # stdp uses the model's VCE: with vce(robust) the robust one, as Stata does.
    close(table["se_fitted"], fit.get_prediction().se_mean)


def check_linear_hypothesis(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    fit = _ols(data["main"], "price", ["mpg", "weight", "length"], cov_type="HC1", use_t=True)
    wald = fit.wald_test("weight = 0, length = 0", use_f=True, scalar=True)
    combo = fit.t_test("weight + length = 0")
    row = res.table("hypothesis_tests").iloc[0]
    assert row["hypothesis"] == "weight + length"
    close([row["F"], row["p_F"], row["df"]], [wald.statistic, wald.pvalue, 2])
    close([row["sum"], row["se"]], [combo.effect[0], combo.sd[0, 0]])
    close([row["t"], row["p_t"]], [combo.tvalue[0, 0], combo.pvalue])
    close([row["ci_lo"], row["ci_hi"]], combo.conf_int()[0])


def _endogenous(seed: int) -> pd.DataFrame:
    frame = cross_section(seed)
    rng = np.random.default_rng(seed + 1)
    u = rng.normal(0, 1, len(frame))
    frame["x1"] = np.round(0.8 * frame["x2"] + 0.5 * frame["d"] + u, 4)
    frame["y"] = np.round(
        1 + 0.7 * frame["x1"] + 0.2 * frame["x3"] + u + rng.normal(0, 1, len(frame)), 4
    )
    return frame


VARIANTS = [
    Case(
        template="ols_fixed_effects",
        variant="cluster",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "fevar": "g", "vce": "cluster"},
        main=cross_section(12),
        check=partial(check_ols_fixed_effects, cluster=True),
    ),
    Case(
        template="ols_interaction",
        variant="continuous",
        params={"depvar": "y", "focal": "x1", "moderator": "x3", "moderator_kind": "continuous"},
        main=cross_section(14),
        check=partial(check_ols_interaction, moderator="x3", controls=()),
    ),
    Case(
        template="ols_nested",
        variant="two_blocks_robust",
        params={"depvar": "y", "block1": ["x1"], "block2": ["x2", "x3"], "vce": "robust"},
        main=cross_section(15),
        check=check_ols_nested_robust,
    ),
    Case(
        template="logit_ame",
        variant="robust",
        params={"depvar": "d", "indepvars": ["x1", "x2"], "vce": "robust"},
        main=cross_section(16),
        check=check_logit_robust,
    ),
    Case(
        template="poisson_regression",
        variant="exposure",
        params={"depvar": "count", "indepvars": ["x1", "x2"], "exposure": "t", "vce": "oim"},
        main=cross_section(18).assign(t=lambda f: f["x3"] + 1),
        check=check_poisson_exposure,
    ),
    Case(
        template="iv_2sls",
        variant="unadjusted",
        params={
            "depvar": "y",
            "endog": "x1",
            "instruments": ["x2", "d"],
            "exog": ["x3"],
            "vce": "unadjusted",
        },
        main=_endogenous(19),
        check=partial(check_iv, robust=False),
    ),
]

CASES = [
    Case(
        template="ols",
        params={
            "depvar": "price",
            "indepvars": ["mpg", "weight"],
            "level": 90,
            "title": "Price (USD), 1978: 95% CI & more",
        },
        main=auto_frame(),
        check=check_ols,
    ),
    Case(
        template="ols_robust",
        params={"depvar": "price", "indepvars": "mpg weight"},
        main=auto_frame(),
        check=check_ols_robust,
    ),
    Case(
        template="ols_cluster",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "clustvar": "g"},
        main=cross_section(11),
        check=check_ols_cluster,
    ),
    Case(
        template="ols_fixed_effects",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "fevar": "g"},
        main=cross_section(12),
        check=check_ols_fixed_effects,
    ),
    Case(
        template="ols_absorb",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "absorbvar": "g"},
        main=cross_section(13),
        check=check_ols_absorb,
    ),
    Case(
        template="ols_interaction",
        params={"depvar": "y", "focal": "x1", "moderator": "d", "controls": ["x3"]},
        main=cross_section(14),
        check=check_ols_interaction,
    ),
    Case(
        template="ols_nested",
        params={"depvar": "y", "block1": ["x1"], "block2": ["x2", "x3"], "block3": ["d"]},
        main=cross_section(15),
        check=check_ols_nested,
    ),
    Case(
        template="ols_predict",
        params={"depvar": "price", "indepvars": ["mpg", "weight"]},
        main=auto_frame(),
        check=check_ols_predict,
    ),
    Case(
        template="linear_hypothesis",
        params={
            "depvar": "price",
            "indepvars": ["mpg", "weight", "length"],
            "testvars": ["weight", "length"],
        },
        main=auto_frame(),
        check=check_linear_hypothesis,
    ),
    Case(
        template="logit_ame",
        params={"depvar": "d", "indepvars": ["x1", "x2"]},
        main=cross_section(16),
        check=check_logit_ame,
    ),
    Case(
        template="probit_ame",
        params={"depvar": "d", "indepvars": ["x1", "x2"]},
        main=cross_section(17),
        check=check_probit_ame,
    ),
    Case(
        template="poisson_regression",
        params={"depvar": "count", "indepvars": ["x1", "x2"]},
        main=cross_section(18),
        check=check_poisson,
    ),
    Case(
        template="iv_2sls",
        params={"depvar": "y", "endog": "x1", "instruments": ["x2", "d"], "exog": ["x3"]},
        main=_endogenous(19),
        check=check_iv,
    ),
]
