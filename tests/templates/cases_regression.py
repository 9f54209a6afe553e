"""Independent checks of the linear, binary, count and IV regression templates.

Expected numbers come from statsmodels/linearmodels with Stata's small-sample definitions
(../shared/NOTES.md): HC1 for `vce(robust)`, G/(G−1)·(N−1)/(N−K) for clusters, observed
information for ML, HC0·N/(N−1) for robust ML. Every check reads the variables from the run's
parameters, so one check serves the bundled example and the fixture variants.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from linearmodels.iv import IV2SLS
from scipy import stats

from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close

Params = Mapping[str, object]


def names(p: Params, key: str) -> list[str]:
    """A varlist parameter's names (empty when not given)."""
    value = p.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []


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


def _level_ci(res: Results, model: str, fit: object, term: str, level: float) -> None:
    row = res.coef(model, term)
    ci = fit.conf_int(1 - level / 100).loc[term]  # type: ignore[attr-defined]
    close([row["ci_lo"], row["ci_hi"]], ci)


def check_ols(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs = names(p, "indepvars")
    fit = _ols(data["main"], str(p["depvar"]), xs)
    _check_terms(res, "ols", fit, [*xs, "_cons"])
    close(res.stat("ols", "N"), fit.nobs)
    close(res.stat("ols", "r2"), fit.rsquared)
    close(res.stat("ols", "r2_a"), fit.rsquared_adj)
    close(res.stat("ols", "F"), fit.fvalue)
    close(res.stat("ols", "rmse"), np.sqrt(fit.mse_resid))
    assert res.table("models")["title"].iloc[0] == (p.get("title") or "OLS")
    _level_ci(res, "ols", fit, xs[0], float(p["level"]))  # type: ignore[arg-type]


def check_ols_robust(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs = names(p, "indepvars")
    fit = _ols(data["main"], str(p["depvar"]), xs, cov_type="HC1")
    _check_terms(res, "ols_robust", fit, [*xs, "_cons"])
    close(res.stat("ols_robust", "F"), fit.fvalue)
    close(res.stat("ols_robust", "r2"), fit.rsquared)
    assert res.table("models").query("model == 'ols_robust'")["vcetype"].iloc[0] == "Robust"


def _cluster_fit(frame: pd.DataFrame, y: str, xs: list[str], cluster: str) -> object:
    data = frame[[y, *xs, cluster]].dropna()
    return sm.OLS(data[y], sm.add_constant(data[xs])).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data[cluster])[0]}
    )


def check_ols_cluster(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs, cluster = names(p, "indepvars"), str(p["clustvar"])
    fit = _cluster_fit(data["main"], str(p["depvar"]), xs, cluster)
    _check_terms(res, "ols_cluster", fit, [*xs, "_cons"])
    clusters = data["main"].dropna(subset=[str(p["depvar"]), *xs, cluster])[cluster].nunique()
    close(res.stat("ols_cluster", "N_clust"), clusters)
    # t tests on G−1 degrees of freedom, as Stata does.
    row = res.coef("ols_cluster", xs[0])
    close(row["p"], 2 * stats.t.sf(abs(row["coef"] / row["se"]), clusters - 1))


def _with_dummies(frame: pd.DataFrame, var: str) -> tuple[pd.DataFrame, list[str]]:
    levels = sorted(frame[var].dropna().unique())
    dummies = pd.DataFrame(
        {f"_d{level:g}": (frame[var] == level).astype(float) for level in levels[1:]},
        index=frame.index,
    ).where(frame[var].notna())
    return pd.concat([frame, dummies], axis=1), list(dummies.columns)


def _fit_with_dummies(
    data: Mapping[str, pd.DataFrame], p: Params, var: str
) -> tuple[object, list[float], list[str]]:
    """OLS with one dummy per level of ``var`` (the first left out), robust or clustered on
    ``var`` as the ``vce`` parameter says; the fit, the levels and the dummies' names."""
    xs, y = names(p, "indepvars"), str(p["depvar"])
    frame, dummies = _with_dummies(data["main"], var)
    if p["vce"] == "cluster":
        fit = _cluster_fit(frame, y, [*xs, *dummies], var)
    else:
        fit = _ols(frame, y, [*xs, *dummies], cov_type="HC1")
    return fit, sorted(frame[var].dropna().unique()), dummies


def check_ols_fixed_effects(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    fe = str(p["fevar"])
    fit, levels, dummies = _fit_with_dummies(data, p, fe)
    _check_terms(res, "ols_fe", fit, [*names(p, "indepvars"), "_cons"])
    for level, dummy in zip(levels[1:], dummies, strict=True):
        close(res.coef("ols_fe", f"{level:g}.{fe}")["coef"], fit.params[dummy])  # type: ignore[attr-defined]
    assert res.coef("ols_fe", f"{levels[0]:g}b.{fe}")["omitted"] == 1


def check_ols_absorb(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    fit, _, _ = _fit_with_dummies(data, p, str(p["absorbvar"]))
    # areg's numbers are those of regress with the dummies written out.
    _check_terms(res, "areg", fit, names(p, "indepvars"))
    close(res.stat("areg", "N"), fit.nobs)  # type: ignore[attr-defined]
    close(res.stat("areg", "r2"), fit.rsquared)  # type: ignore[attr-defined]


def check_ols_interaction(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    focal, moderator, y = str(p["focal"]), str(p["moderator"]), str(p["depvar"])
    controls = names(p, "controls")
    frame = data["main"].assign(_product=lambda f: f[focal] * f[moderator])
    fit = _ols(frame, y, [focal, moderator, "_product", *controls], cov_type="HC1")
    rows = res.table("coefficients")
    inter = rows[rows["term"].str.contains("#") & (rows["omitted"] == 0)]
    assert len(inter) == 1, inter
    close(inter["coef"].iloc[0], fit.params["_product"])
    close(inter["se"].iloc[0], fit.bse["_product"])
    close(res.coef("interaction", focal)["coef"], fit.params[focal])
    term = f"1.{moderator}" if p["moderator_kind"] == "categorical" else moderator
    close(res.coef("interaction", term)["coef"], fit.params[moderator])


def check_ols_nested(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y = str(p["depvar"])
    blocks = [names(p, b) for b in ("block1", "block2", "block3") if names(p, b)]
    sets = [[x for block in blocks[: k + 1] for x in block] for k in range(len(blocks))]
    frame = data["main"].dropna(subset=[y, *sets[-1]])
    robust = p["vce"] == "robust"
    fits = [_ols(frame, y, xs, **({"cov_type": "HC1"} if robust else {})) for xs in sets]
    for k, fit in enumerate(fits, start=1):
        close(res.stat(f"m{k}", "N"), fit.nobs)
        close(res.stat(f"m{k}", "r2"), fit.rsquared)
        close(res.coef(f"m{k}", sets[0][0])["coef"], fit.params[sets[0][0]])
        close(res.coef(f"m{k}", sets[k - 1][-1])["se"], fit.bse[sets[k - 1][-1]])
    tests = res.table("block_tests")
    assert list(tests["model"]) == [f"m{k}" for k in range(2, len(fits) + 1)]
    for i, (big, added) in enumerate(zip(fits[1:], blocks[1:], strict=True)):
        wald = big.wald_test(", ".join(f"{x} = 0" for x in added), use_f=True, scalar=True)
        close([tests["F"].iloc[i], tests["p"].iloc[i]], [wald.statistic, wald.pvalue])
        close(tests["df"].iloc[i], len(added))
    if not robust:  # classical: the F test of the block is the nested-models F test
        f_value, _, _ = fits[1].compare_f_test(fits[0])
        close(tests["F"].iloc[0], f_value)
    assert len(res.table("models")) == len(fits)


def _binary(frame: pd.DataFrame, p: Params, model: type) -> tuple[object, pd.DataFrame]:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    data = frame[[y, *xs]].dropna()
    outcome = (data[y] != 0).astype(float)
    robust = p["vce"] == "robust"
    fit = model(outcome, sm.add_constant(data[xs])).fit(
        disp=0, method="newton", **({"cov_type": "HC0"} if robust else {})
    )
    return fit, data


def _check_binary(res: Results, frame: pd.DataFrame, p: Params, model: type, name: str) -> None:
    xs = names(p, "indepvars")
    fit, data = _binary(frame, p, model)
    n = len(data)
    factor = np.sqrt(n / (n - 1)) if p["vce"] == "robust" else 1.0  # robust ML: HC0·N/(N−1)
    for term in [*xs, "_cons"]:
        key = "const" if term == "_cons" else term
        close(res.coef(name, term)["coef"], fit.params[key])  # type: ignore[attr-defined]
        close(res.coef(name, term)["se"], fit.bse[key] * factor, rtol=1e-5)  # type: ignore[attr-defined]
    close(res.stat(name, "ll"), fit.llf)  # type: ignore[attr-defined]
    close(res.stat(name, "r2_p"), fit.prsquared)  # type: ignore[attr-defined]
    if p["vce"] == "oim":
        effects = fit.get_margeff(at="overall", method="dydx")  # type: ignore[attr-defined]
        for i, term in enumerate(xs):
            row = res.coef("ame", term)
            close(row["coef"], effects.margeff[i])
            close(row["se"], effects.margeff_se[i], rtol=1e-5)
    else:
        assert res.table("models").query(f"model == '{name}'")["vcetype"].iloc[0] == "Robust"


def check_logit_ame(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    _check_binary(res, data["main"], p, sm.Logit, "logit")


def check_probit_ame(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    _check_binary(res, data["main"], p, sm.Probit, "probit")


def check_poisson(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, exposure = str(p["depvar"]), names(p, "indepvars"), p.get("exposure")
    frame = data["main"].dropna(subset=[y, *xs, *([str(exposure)] if exposure else [])])
    robust = p["vce"] == "robust"
    # IRLS (GLM) rather than Newton from zero: regressors in dollars are badly scaled.
    fit = sm.GLM(
        frame[y],
        sm.add_constant(frame[xs]),
        family=sm.families.Poisson(),
        exposure=frame[str(exposure)] if exposure else None,
    ).fit(tol=1e-12, **({"cov_type": "HC0"} if robust else {}))
    n = len(frame)
    factor = np.sqrt(n / (n - 1)) if robust else 1.0
    for term in [*xs, "_cons"]:
        key = "const" if term == "_cons" else term
        row = res.coef("poisson", term)
        close(row["coef"], fit.params[key])
        close(row["se"], fit.bse[key] * factor, rtol=1e-5)
    close(res.stat("poisson", "ll"), fit.llf)


def check_iv(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, endog = str(p["depvar"]), str(p["endog"])
    instruments, exog = names(p, "instruments"), names(p, "exog")
    frame = data["main"].dropna(subset=[y, endog, *instruments, *exog]).assign(const=1.0)
    robust = p["vce"] == "robust"
    fit = IV2SLS(frame[y], frame[["const", *exog]], frame[[endog]], frame[instruments]).fit(
        cov_type="robust" if robust else "unadjusted", debiased=True
    )
    for term in [endog, *exog, "_cons"]:
        key = "const" if term == "_cons" else term
        row = res.coef("iv", term)
        close(row["coef"], fit.params[key])
        close(row["se"], fit.std_errors[key])
    first = _ols(frame, endog, [*instruments, *exog], **({"cov_type": "HC1"} if robust else {}))
    wald = first.wald_test(", ".join(f"{z} = 0" for z in instruments), use_f=True, scalar=True)
    table = res.table("first_stage")
    close(table["F"].iloc[0], wald.statistic)
    close(table["p"].iloc[0], wald.pvalue)
    close(res.coef("first", instruments[0])["coef"], first.params[instruments[0]])
    ols = _ols(frame, y, [endog, *exog], **({"cov_type": "HC1"} if robust else {}))
    close(res.coef("ols", endog)["coef"], ols.params[endog])


def check_ols_predict(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    frame, y, xs = data["main"], str(p["depvar"]), names(p, "indepvars")
    fit = _ols(frame, y, xs, cov_type="HC1")
    table = res.table("predictions")
    fitted, residual, stdp = str(p["fitted"]), str(p["residual"]), str(p["stdp"])
    assert list(table.columns) == [*frame.columns, fitted, stdp, residual]
    complete = frame[xs].notna().all(axis=1).to_numpy()
    exog = sm.add_constant(frame.loc[complete, xs])
    close(table.loc[complete, fitted], fit.predict(exog))
    assert table.loc[~complete, fitted].isna().all()
    has_y = complete & frame[y].notna().to_numpy()
    close(table.loc[has_y, residual], frame.loc[has_y, y] - fit.predict(exog.loc[has_y[complete]]))
    # stdp uses the model's VCE: with vce(robust) the robust one, as Stata does.
    close(table.loc[complete, stdp], fit.get_prediction(exog).se_mean)


def check_linear_hypothesis(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, tested = str(p["depvar"]), names(p, "indepvars"), names(p, "testvars")
    fit = _ols(data["main"], y, xs, cov_type="HC1", use_t=True)
    wald = fit.wald_test(", ".join(f"{x} = 0" for x in tested), use_f=True, scalar=True)
    combo = fit.t_test(" + ".join(tested) + " = 0")
    row = res.table("hypothesis_tests").iloc[0]
    assert row["hypothesis"] == " + ".join(tested)
    close([row["F"], row["p_F"], row["df"]], [wald.statistic, wald.pvalue, len(tested)])
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


EXAMPLE_CHECKS: dict[str, Check] = {
    "ols": check_ols,
    "ols_robust": check_ols_robust,
    "ols_cluster": check_ols_cluster,
    "ols_fixed_effects": check_ols_fixed_effects,
    "ols_absorb": check_ols_absorb,
    "ols_interaction": check_ols_interaction,
    "ols_nested": check_ols_nested,
    "ols_predict": check_ols_predict,
    "linear_hypothesis": check_linear_hypothesis,
    "logit_ame": check_logit_ame,
    "probit_ame": check_probit_ame,
    "poisson_regression": check_poisson,
    "iv_2sls": check_iv,
}

#: Other parameter sets (other data, options and code paths) of the same templates.
CASES = [
    Case(
        template="ols",
        params={
            "depvar": "y",
            "indepvars": ["x1", "x2", "x3"],
            "level": 90,
            "title": "Price (USD), 1978: 95% CI & more",
        },
        main=cross_section(10),
        check=check_ols,
    ),
    Case(
        template="ols_robust",
        params={"depvar": "y", "indepvars": "x1 x2", "level": 99},
        main=cross_section(10),
        check=check_ols_robust,
    ),
    Case(
        template="ols_cluster",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "clustvar": "s"},
        main=cross_section(11),
        check=check_ols_cluster,
    ),
    Case(
        template="ols_fixed_effects",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "fevar": "g", "vce": "cluster"},
        main=cross_section(12),
        check=check_ols_fixed_effects,
    ),
    Case(
        template="ols_absorb",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "absorbvar": "g", "vce": "robust"},
        main=cross_section(13),
        check=check_ols_absorb,
    ),
    Case(
        template="ols_interaction",
        params={"depvar": "y", "focal": "x1", "moderator": "x3", "moderator_kind": "continuous"},
        main=cross_section(14),
        check=check_ols_interaction,
    ),
    Case(
        template="ols_nested",
        params={"depvar": "y", "block1": ["x1"], "block2": ["x2", "x3"], "vce": "robust"},
        main=cross_section(15),
        check=check_ols_nested,
    ),
    Case(
        template="ols_predict",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "fitted": "yhat", "stdp": "se_yhat"},
        main=cross_section(10).assign(x2=lambda f: f["x2"].mask(f.index % 17 == 3)),
        check=check_ols_predict,
    ),
    Case(
        template="linear_hypothesis",
        params={"depvar": "y", "indepvars": ["x1", "x2", "x3"], "testvars": ["x2", "x3"]},
        main=cross_section(10),
        check=check_linear_hypothesis,
    ),
    Case(
        template="logit_ame",
        params={"depvar": "d", "indepvars": ["x1", "x2"], "vce": "robust"},
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
        params={"depvar": "count", "indepvars": ["x1", "x2"], "exposure": "t", "vce": "oim"},
        main=cross_section(18).assign(t=lambda f: f["x3"] + 1),
        check=check_poisson,
    ),
    Case(
        template="iv_2sls",
        params={
            "depvar": "y",
            "endog": "x1",
            "instruments": ["x2", "d"],
            "exog": ["x3"],
            "vce": "unadjusted",
        },
        main=_endogenous(19),
        check=check_iv,
    ),
]
