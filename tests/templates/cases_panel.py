"""Run cases for the panel and causal-inference templates.

Fixed effects are computed here by the within transformation with numpy, with Stata's
definitions: df_r = N − G − K, cluster factor G/(G−1)·(N−1)/(N−K−1), ``_cons`` the grand-mean
intercept, r2_w the within R². Random effects come from linearmodels (debiased).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np
import pandas as pd
import statsmodels.api as sm
from linearmodels.panel import RandomEffects
from scipy import stats

from tests.templates.fixtures import panel
from tests.templates.support import Case, Results, close, cluster_se, demean


class Within:
    """The within (fixed-effects) regression of y on xs, unit effects removed."""

    def __init__(self, frame: pd.DataFrame, y: str, xs: list[str], unit: str = "unit") -> None:
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


def _year_dummies(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    dummies = pd.get_dummies(frame["year"], prefix="yr", dtype=float).iloc[:, 1:]
    return pd.concat([frame, dummies], axis=1), list(dummies.columns)


def check_panel_fe(res: Results, data: Mapping[str, pd.DataFrame], cluster: bool = True) -> None:
    fe = Within(data["main"], "y", ["x1", "x2"])
    se = fe.cluster_se() if cluster else np.sqrt(np.diag(fe.conventional_v()))
    for i, term in enumerate(["x1", "x2"]):
        close(res.coef("fe", term)["coef"], fe.b[i])
        close(res.coef("fe", term)["se"], se[i])
    close(res.coef("fe", "_cons")["coef"], fe.cons)
    close(res.stat("fe", "N"), fe.n)
    close(res.stat("fe", "N_g"), fe.g)
    close(res.stat("fe", "r2_w"), fe.r2_w)


def _random_effects(frame: pd.DataFrame) -> object:
    data = frame.set_index(["unit", "year"])
    return RandomEffects(data["y"], sm.add_constant(data[["x1", "x2"]])).fit(debiased=True)


def check_panel_re(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    fit = _random_effects(data["main"])
    for term, key in (("x1", "x1"), ("x2", "x2"), ("_cons", "const")):
        close(res.coef("re", term)["coef"], fit.params[key])  # type: ignore[attr-defined]
        close(res.coef("re", term)["se"], fit.std_errors[key], rtol=1e-5)  # type: ignore[attr-defined]
    components = fit.variance_decomposition  # type: ignore[attr-defined]
    close(res.stat("re", "sigma_u"), np.sqrt(components["Effects"]))
    close(res.stat("re", "sigma_e"), np.sqrt(components["Residual"]))
    close(res.stat("re", "rho"), components["Percent due to Effects"])


def check_panel_hausman(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    fe = Within(data["main"], "y", ["x1", "x2"])
    re = _random_effects(data["main"])
    diff = fe.b - re.params[["x1", "x2"]].to_numpy()  # type: ignore[attr-defined]
    v_re = re.cov.loc[["x1", "x2"], ["x1", "x2"]].to_numpy()  # type: ignore[attr-defined]
    chi2 = diff @ np.linalg.inv(fe.conventional_v() - v_re) @ diff
    table = res.table("hausman")
    close(table["chi2"].iloc[0], chi2, rtol=1e-5)
    close(table["df"].iloc[0], 2)
    close(table["p"].iloc[0], stats.chi2.sf(chi2, 2), rtol=1e-5)
    close(res.coef("fe", "x1")["se"], np.sqrt(fe.conventional_v()[0, 0]))


def check_panel_twoway_fe(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame, years = _year_dummies(data["main"])
    fe = Within(frame, "y", ["x1", "x2", *years])
    se = fe.cluster_se()
    for i, term in enumerate(["x1", "x2"]):
        close(res.coef("twfe", term)["coef"], fe.b[i])
        close(res.coef("twfe", term)["se"], se[i])
    close(res.coef("twfe", "2003.year")["coef"], fe.b[2 + years.index("yr_2003")])


def check_did_twoway_fe(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame, years = _year_dummies(data["main"])
    fe = Within(frame, "y", ["treat_post", *years])
    close(res.coef("did_twfe", "treat_post")["coef"], fe.b[0])
    close(res.coef("did_twfe", "treat_post")["se"], fe.cluster_se()[0])


def check_event_study(
    res: Results, data: Mapping[str, pd.DataFrame], leads: int = 3, lags: int = 2
) -> None:
    frame, years = _year_dummies(data["main"])
    rel = frame["year"] - frame["first_treat"]
    events = {f"lead_{k}": rel == -k for k in range(leads, 1, -1)}
    events[f"lead_{leads}"] = rel <= -leads
    events.update({f"lag_{k}": rel == k for k in range(lags + 1)})
    events[f"lag_{lags}"] = rel >= lags
    for name, flag in events.items():
        frame[name] = flag.fillna(False).astype(float)
    fe = Within(frame, "y", [*events, *years])
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
    y = np.round(
        2 + alpha + 0.5 * treated + 0.8 * post + 1.2 * treated * post + rng.normal(0, 1, 2 * units),
        4,
    )
    return pd.DataFrame({"unit": unit, "treated": treated, "post": post, "y": y})


def check_did_2x2(res: Results, data: Mapping[str, pd.DataFrame], cluster: bool = True) -> None:
    frame = data["main"].assign(tp=lambda f: f["treated"] * f["post"])
    exog = sm.add_constant(frame[["treated", "post", "tp"]])
    if cluster:
        fit = sm.OLS(frame["y"], exog).fit(cov_type="cluster", cov_kwds={"groups": frame["unit"]})
    else:
        fit = sm.OLS(frame["y"], exog).fit(cov_type="HC1")
    row = res.coef("did", "1.treated#1.post")
    close(row["coef"], fit.params["tp"])
    close(row["se"], fit.bse["tp"])
    means = res.table("did_means").sort_values(["treated", "post"])
    expected = frame.groupby(["treated", "post"])["y"].mean()
    close(means["mean"], expected.to_numpy())


def check_panel_structure(res: Results, data: Mapping[str, pd.DataFrame]) -> None:
    frame = data["main"]
    per_unit = frame.groupby("unit")["year"]
    gaps = per_unit.apply(lambda years: bool((years.sort_values().diff() > 1).any()))
    summary = res.table("panel_summary").set_index("metric")["value"]
    periods = frame["year"].nunique()
    expected = {
        "units": frame["unit"].nunique(),
        "periods": periods,
        "observations": len(frame),
        "first_period": frame["year"].min(),
        "last_period": frame["year"].max(),
        "min_obs_per_unit": per_unit.size().min(),
        "mean_obs_per_unit": per_unit.size().mean(),
        "max_obs_per_unit": per_unit.size().max(),
        "balanced": float(per_unit.size().min() == per_unit.size().max() == periods),
        "units_with_gaps": gaps.sum(),
    }
    assert list(summary.index) == list(expected)
    close(summary.to_numpy(), list(expected.values()))


VARIANTS = [
    Case(
        template="panel_fe",
        variant="conventional",
        params={
            "depvar": "y",
            "indepvars": ["x1", "x2"],
            "panelvar": "unit",
            "timevar": "year",
            "vce": "conventional",
        },
        main=panel(21, gaps=True),
        check=partial(check_panel_fe, cluster=False),
    ),
    Case(
        template="event_study",
        variant="short_window",
        params={
            "depvar": "y",
            "eventvar": "first_treat",
            "panelvar": "unit",
            "timevar": "year",
            "leads": 2,
            "lags": 0,
        },
        main=panel(26),
        check=partial(check_event_study, leads=2, lags=0),
    ),
    Case(
        template="did_2x2",
        variant="robust",
        params={"depvar": "y", "treated": "treated", "post": "post"},
        main=_two_by_two(27),
        check=partial(check_did_2x2, cluster=False),
    ),
]

CASES = [
    Case(
        template="panel_structure",
        params={"panelvar": "unit", "timevar": "year"},
        main=panel(20, gaps=True),
        check=check_panel_structure,
    ),
    Case(
        template="panel_fe",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "panelvar": "unit", "timevar": "year"},
        main=panel(21, gaps=True),
        check=check_panel_fe,
    ),
    Case(
        template="panel_re",
        params={
            "depvar": "y",
            "indepvars": ["x1", "x2"],
            "panelvar": "unit",
            "timevar": "year",
            "vce": "conventional",
        },
        main=panel(22),
        check=check_panel_re,
    ),
    Case(
        template="panel_hausman",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "panelvar": "unit", "timevar": "year"},
        main=panel(23, correlated=False),
        check=check_panel_hausman,
    ),
    Case(
        template="panel_twoway_fe",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "panelvar": "unit", "timevar": "year"},
        main=panel(24),
        check=check_panel_twoway_fe,
    ),
    Case(
        template="did_twoway_fe",
        params={"depvar": "y", "treatvar": "treat_post", "panelvar": "unit", "timevar": "year"},
        main=panel(25),
        check=check_did_twoway_fe,
    ),
    Case(
        template="event_study",
        params={
            "depvar": "y",
            "eventvar": "first_treat",
            "panelvar": "unit",
            "timevar": "year",
            "leads": 3,
            "lags": 2,
        },
        main=panel(26),
        check=check_event_study,
    ),
    Case(
        template="did_2x2",
        params={"depvar": "y", "treated": "treated", "post": "post", "clustvar": "unit"},
        main=_two_by_two(27),
        check=check_did_2x2,
    ),
]
