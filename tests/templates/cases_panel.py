"""Independent checks of the panel and causal-inference templates.

Fixed effects are computed here by the within transformation with numpy, with Stata's
definitions: df_r = N − G − K, cluster factor G/(G−1)·(N−1)/(N−K−1), ``_cons`` the grand-mean
intercept, r2_w the within R². Random effects come from linearmodels (debiased). The
fixed-effects logit against statsmodels ``ConditionalLogit`` on the units whose outcome varies,
the pooled logit's clustered errors as the sandwich of statsmodels' scores times G/(G−1)
(Stata's ``vce(cluster)`` after ML). Every check reads the variables from the run's parameters.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from linearmodels.panel import RandomEffects
from scipy import stats
from statsmodels.discrete.conditional_models import ConditionalLogit

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import panel
from tests.templates.support import Case, Check, Results, close, cluster_se, demean


class Within:
    """The within (fixed-effects) regression of y on xs, unit effects removed."""

    def __init__(self, frame: pd.DataFrame, y: str, xs: list[str], unit: str) -> None:
        data = frame[[unit, y, *xs]].dropna()
        tilde = demean(data, [y, *xs], unit)
        self.x = tilde[xs].to_numpy()
        self.b = np.linalg.lstsq(self.x, tilde[y].to_numpy(), rcond=None)[0]
        self.resid = tilde[y].to_numpy() - self.x @ self.b
        self.n, self.k = self.x.shape
        self.groups = data[unit].to_numpy()
        self.g = len(np.unique(self.groups))
        self.cons = data[y].mean() - data[xs].mean().to_numpy() @ self.b
        self.r2_w = 1 - (self.resid**2).sum() / (tilde[y] ** 2).sum()

    def conventional_v(self) -> np.ndarray:
        sigma2 = (self.resid**2).sum() / (self.n - self.g - self.k)
        return np.asarray(sigma2 * np.linalg.inv(self.x.T @ self.x), dtype=float)

    def cluster_se(self) -> np.ndarray:
        factor = self.g / (self.g - 1) * (self.n - 1) / (self.n - self.k - 1)
        return cluster_se(self.x, self.resid, self.groups, factor)

    def se(self, vce: object) -> np.ndarray:
        return self.cluster_se() if vce == "cluster" else np.sqrt(np.diag(self.conventional_v()))


def _period_dummies(frame: pd.DataFrame, time: str) -> tuple[pd.DataFrame, list[str]]:
    periods = sorted(frame[time].unique())
    dummies = pd.DataFrame(
        {f"_t{t:g}": (frame[time] == t).astype(float) for t in periods[1:]}, index=frame.index
    )
    return pd.concat([frame, dummies], axis=1), list(dummies.columns)


def check_panel_fe(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs = names(p, "indepvars")
    fe = Within(data["main"], str(p["depvar"]), xs, str(p["panelvar"]))
    se = fe.se(p["vce"])
    for i, term in enumerate(xs):
        close(res.coef("fe", term)["coef"], fe.b[i])
        close(res.coef("fe", term)["se"], se[i])
    close(res.coef("fe", "_cons")["coef"], fe.cons)
    close(res.stat("fe", "N"), fe.n)
    close(res.stat("fe", "N_g"), fe.g)
    close(res.stat("fe", "r2_w"), fe.r2_w)


def _random_effects(frame: pd.DataFrame, p: Params) -> object:
    xs = names(p, "indepvars")
    data = frame.set_index([str(p["panelvar"]), str(p["timevar"])])
    return RandomEffects(data[str(p["depvar"])], sm.add_constant(data[xs])).fit(debiased=True)


def check_panel_re(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    assert p["vce"] == "conventional", "cluster-robust RE standard errors are not checked here"
    fit = _random_effects(data["main"], p)
    for term in [*names(p, "indepvars"), "_cons"]:
        key = "const" if term == "_cons" else term
        close(res.coef("re", term)["coef"], fit.params[key])  # type: ignore[attr-defined]
        close(res.coef("re", term)["se"], fit.std_errors[key], rtol=1e-5)  # type: ignore[attr-defined]
    components = fit.variance_decomposition  # type: ignore[attr-defined]
    close(res.stat("re", "sigma_u"), np.sqrt(components["Effects"]))
    close(res.stat("re", "sigma_e"), np.sqrt(components["Residual"]))
    close(res.stat("re", "rho"), components["Percent due to Effects"])


def check_panel_hausman(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs = names(p, "indepvars")
    fe = Within(data["main"], str(p["depvar"]), xs, str(p["panelvar"]))
    re = _random_effects(data["main"], p)
    diff = fe.b - re.params[xs].to_numpy()  # type: ignore[attr-defined]
    v_re = re.cov.loc[xs, xs].to_numpy()  # type: ignore[attr-defined]
    chi2 = diff @ np.linalg.pinv(fe.conventional_v() - v_re) @ diff
    table = res.table("hausman")
    close(table["chi2"].iloc[0], chi2, rtol=1e-5)
    close(table["df"].iloc[0], len(xs))
    close(table["p"].iloc[0], stats.chi2.sf(chi2, len(xs)), rtol=1e-5)
    close(res.coef("fe", xs[0])["se"], np.sqrt(fe.conventional_v()[0, 0]))


def check_panel_twoway_fe(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs, time = names(p, "indepvars"), str(p["timevar"])
    frame, periods = _period_dummies(data["main"], time)
    fe = Within(frame, str(p["depvar"]), [*xs, *periods], str(p["panelvar"]))
    se = fe.se(p["vce"])
    for i, term in enumerate(xs):
        close(res.coef("twfe", term)["coef"], fe.b[i])
        close(res.coef("twfe", term)["se"], se[i])
    third = sorted(frame[time].unique())[2]
    close(res.coef("twfe", f"{third:g}.{time}")["coef"], fe.b[len(xs) + 1])


def check_did_twoway_fe(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    treat, controls = str(p["treatvar"]), names(p, "controls")
    frame, periods = _period_dummies(data["main"], str(p["timevar"]))
    fe = Within(frame, str(p["depvar"]), [treat, *controls, *periods], str(p["panelvar"]))
    close(res.coef("did_twfe", treat)["coef"], fe.b[0])
    close(res.coef("did_twfe", treat)["se"], fe.cluster_se()[0])
    for i, name in enumerate(controls, start=1):
        close(res.coef("did_twfe", name)["coef"], fe.b[i])


def check_event_study(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    leads, lags = int(p["leads"]), int(p["lags"])  # type: ignore[call-overload]
    time = str(p["timevar"])
    frame, periods = _period_dummies(data["main"], time)
    rel = frame[time] - frame[str(p["eventvar"])]
    events = {f"lead_{k}": rel == -k for k in range(leads, 1, -1)}
    events[f"lead_{leads}"] = rel <= -leads
    events.update({f"lag_{k}": rel == k for k in range(lags + 1)})
    events[f"lag_{lags}"] = rel >= lags
    for name, flag in events.items():
        frame[name] = flag.fillna(False).astype(float)
    fe = Within(frame, str(p["depvar"]), [*events, *periods], str(p["panelvar"]))
    se = fe.cluster_se()
    for i, name in enumerate(events):
        close(res.coef("event_study", name)["coef"], fe.b[i])
        close(res.coef("event_study", name)["se"], se[i])
    table = res.table("event_study")
    assert list(table["rel_time"]) == [*range(-leads, 0), *range(lags + 1)]
    close(table["coef"], [*fe.b[: leads - 1], 0.0, *fe.b[leads - 1 : len(events)]])


def _two_by_two(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = 120
    unit = np.repeat(np.arange(1, units + 1), 2)
    treated = np.repeat((np.arange(units) < units // 2).astype(int), 2)
    post = np.tile([0, 1], units)
    alpha = np.repeat(rng.normal(0, 1, units), 2)
    x = np.round(rng.normal(0, 1, 2 * units), 4)
    y = np.round(
        2 + alpha + 0.5 * treated + 0.8 * post + 1.2 * treated * post + 0.3 * x
        + rng.normal(0, 1, 2 * units),
        4,
    )
    return pd.DataFrame({"unit": unit, "treated": treated, "post": post, "x": x, "y": y})


def _binary_panel(seed: int) -> pd.DataFrame:
    """The fixture panel with a 0/1 outcome driven by the unit effects and x1, x2."""
    frame = panel(seed, units=60, periods=6)
    rng = np.random.default_rng(seed)
    index = 0.6 * frame["y"] - 0.2 + 0.8 * frame["x1"] - 0.5 * frame["x2"]
    return frame.assign(d=(index + rng.logistic(0, 1, len(frame)) > 0).astype(int))


def check_did_2x2(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, treated, post = str(p["depvar"]), str(p["treated"]), str(p["post"])
    controls, cluster = names(p, "controls"), p.get("clustvar")
    frame = data["main"].assign(_tp=lambda f: f[treated] * f[post])
    exog = sm.add_constant(frame[[treated, post, "_tp", *controls]])
    if cluster:
        groups = pd.factorize(frame[str(cluster)])[0]
        fit = sm.OLS(frame[y], exog).fit(cov_type="cluster", cov_kwds={"groups": groups})
    else:
        fit = sm.OLS(frame[y], exog).fit(cov_type="HC1")
    row = res.coef("did", f"1.{treated}#1.{post}")
    close(row["coef"], fit.params["_tp"])
    close(row["se"], fit.bse["_tp"])
    means = res.table("did_means").sort_values([treated, post])
    expected = frame.groupby([treated, post])[y]
    close(means["mean"], expected.mean().to_numpy())
    close(means["n"], expected.count().to_numpy())


def check_panel_structure(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    unit, time = str(p["panelvar"]), str(p["timevar"])
    frame = data["main"]
    per_unit = frame.groupby(unit)[time]
    gaps = per_unit.apply(lambda years: bool((years.sort_values().diff() > 1).any()))
    summary = res.table("panel_summary").set_index("metric")["value"]
    periods = frame[time].nunique()
    expected = {
        "units": frame[unit].nunique(),
        "periods": periods,
        "observations": len(frame),
        "first_period": frame[time].min(),
        "last_period": frame[time].max(),
        "min_obs_per_unit": per_unit.size().min(),
        "mean_obs_per_unit": per_unit.size().mean(),
        "max_obs_per_unit": per_unit.size().max(),
        "balanced": float(per_unit.size().min() == per_unit.size().max() == periods),
        "units_with_gaps": gaps.sum(),
    }
    assert list(summary.index) == list(expected)
    close(summary.to_numpy(), list(expected.values()))


def check_panel_logit_fe(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    unit, time = str(p["panelvar"]), str(p["timevar"])
    frame = data["main"].dropna(subset=[y, *xs, unit, time]).reset_index(drop=True)
    frame[y] = (frame[y] != 0).astype(float)
    regressors = xs
    if p["time_effects"]:
        frame, periods = _period_dummies(frame, time)
        regressors = [*xs, *periods]
    varies = frame.groupby(unit)[y].transform(lambda v: v.min() != v.max())
    used = frame[varies]
    # Newton to a zero score: the default BFGS stops while the score is still ~1e-2.
    fit = ConditionalLogit(used[y], used[regressors], groups=used[unit]).fit(
        disp=0, method="newton", tol=1e-12, maxiter=100)
    z = stats.norm.ppf(1 - (100 - float(p["level"])) / 200)  # type: ignore[arg-type]
    table = res.table("odds_ratios")
    assert list(table["term"]) == xs
    close(table["coef"], fit.params[xs], rtol=1e-5)
    close(table["se"], fit.bse[xs], rtol=1e-4)
    close(table["or_lo"], np.exp(fit.params[xs] - z * fit.bse[xs]), rtol=1e-4)
    close([table["N_used"].iloc[0], table["groups_used"].iloc[0], table["N_dropped"].iloc[0]],
          [len(used), used[unit].nunique(), len(frame) - len(used)])
    X = sm.add_constant(frame[regressors])
    pooled = sm.Logit(frame[y], X)
    params = pooled.fit(disp=0, method="newton", tol=1e-12).params
    scores = pd.DataFrame(pooled.score_obs(params.to_numpy())).groupby(frame[unit]).sum()
    bread = np.linalg.inv(-pooled.hessian(params.to_numpy()))
    groups = scores.shape[0]
    cov = bread @ (scores.T @ scores).to_numpy() @ bread * groups / (groups - 1)
    se = pd.Series(np.sqrt(np.diag(cov)), X.columns)
    for x in xs:
        close(res.coef("pooled", x)["coef"], params[x], rtol=1e-6)
        close(res.coef("pooled", x)["se"], se[x], rtol=1e-5)


EXAMPLE_CHECKS: dict[str, Check] = {
    "panel_logit_fe": check_panel_logit_fe,
    "panel_structure": check_panel_structure,
    "panel_fe": check_panel_fe,
    "panel_re": check_panel_re,
    "panel_hausman": check_panel_hausman,
    "panel_twoway_fe": check_panel_twoway_fe,
    "did_twoway_fe": check_did_twoway_fe,
    "event_study": check_event_study,
    "did_2x2": check_did_2x2,
}

_UNIT_YEAR = {"panelvar": "unit", "timevar": "year"}

CASES = [
    Case(
        template="panel_structure",
        params=_UNIT_YEAR,
        main=panel(20, gaps=True),
        check=check_panel_structure,
    ),
    Case(
        template="panel_fe",
        params={"depvar": "y", "indepvars": ["x1", "x2"], **_UNIT_YEAR},
        main=panel(21, gaps=True),
        check=check_panel_fe,
    ),
    Case(
        template="panel_fe",
        variant="conventional",
        params={"depvar": "y", "indepvars": ["x1", "x2"], **_UNIT_YEAR, "vce": "conventional"},
        main=panel(21, gaps=True),
        check=check_panel_fe,
    ),
    Case(
        template="panel_re",
        params={"depvar": "y", "indepvars": ["x1", "x2"], **_UNIT_YEAR, "vce": "conventional"},
        main=panel(22),
        check=check_panel_re,
    ),
    Case(
        template="panel_hausman",
        params={"depvar": "y", "indepvars": ["x1", "x2"], **_UNIT_YEAR},
        main=panel(23, correlated=False),
        check=check_panel_hausman,
    ),
    Case(
        template="panel_twoway_fe",
        params={"depvar": "y", "indepvars": ["x1", "x2"], **_UNIT_YEAR},
        main=panel(24),
        check=check_panel_twoway_fe,
    ),
    Case(
        template="did_twoway_fe",
        params={"depvar": "y", "treatvar": "treat_post", **_UNIT_YEAR},
        main=panel(25),
        check=check_did_twoway_fe,
    ),
    Case(
        template="event_study",
        params={"depvar": "y", "eventvar": "first_treat", **_UNIT_YEAR, "leads": 3, "lags": 2},
        main=panel(26),
        check=check_event_study,
    ),
    Case(
        template="event_study",
        variant="short_window",
        params={"depvar": "y", "eventvar": "first_treat", **_UNIT_YEAR, "leads": 2, "lags": 0},
        main=panel(26),
        check=check_event_study,
    ),
    Case(
        template="did_2x2",
        params={"depvar": "y", "treated": "treated", "post": "post", "clustvar": "unit"},
        main=_two_by_two(27),
        check=check_did_2x2,
    ),
    Case(
        template="did_2x2",
        variant="robust_controls",
        params={"depvar": "y", "treated": "treated", "post": "post", "controls": ["x"]},
        main=_two_by_two(27),
        check=check_did_2x2,
    ),
    Case(
        template="panel_logit_fe",
        variant="no_period_effects",
        params={"depvar": "d", "indepvars": ["x1", "x2"], **_UNIT_YEAR, "level": 90},
        main=_binary_panel(28),
        check=check_panel_logit_fe,
    ),
]
