"""Independent check of the population-averaged binary panel template against statsmodels'
GEE (Binomial logit/probit, Exchangeable or Independence, the scale-1 binomial family with
Stata's divisor N: ``ddof_scale=0``; ``cov_type`` robust or naive), the average marginal
effects as the sample mean of f(xb)·b with delta-method SEs from that covariance."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.cov_struct import Exchangeable, Independence

from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close


def check_panel_binary_pa(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    unit, time = str(p["panelvar"]), str(p["timevar"])
    frame = data["main"].dropna(subset=[y, *xs, unit, time]).reset_index(drop=True)
    outcome = (frame[y] != 0).astype(float)
    X = sm.add_constant(frame[xs], prepend=False)
    probit = p["link"] == "probit"
    link = families.links.Probit() if probit else families.links.Logit()
    exchangeable = p["corr"] == "exchangeable"
    model = sm.GEE(outcome, X, groups=frame[unit], family=families.Binomial(link=link),
                   cov_struct=Exchangeable() if exchangeable else Independence())
    fit = model.fit(maxiter=200, ctol=1e-12, ddof_scale=0,
                    cov_type="robust" if p["vce"] == "robust" else "naive")
    for term, key in [*((x, x) for x in xs), ("_cons", "const")]:
        close(res.coef("pa", term)["coef"], fit.params[key], rtol=1e-6)
        close(res.coef("pa", term)["se"], fit.bse[key], rtol=1e-5)
    b, V, Xv = fit.params.to_numpy(), fit.cov_params().to_numpy(), X.to_numpy()
    k = len(xs)

    def ame(beta: np.ndarray) -> np.ndarray:
        index = Xv @ beta
        density = stats.norm.pdf(index) if probit else stats.logistic.pdf(index)
        return np.asarray(np.mean(density) * beta[:k])

    J = np.column_stack([(ame(b + h) - ame(b - h)) / 2e-6 for h in np.eye(k + 1) * 1e-6])
    se = np.sqrt(np.diag(J @ V @ J.T))
    for j, x in enumerate(xs):
        close(res.coef("ame", x)["coef"], ame(b)[j], rtol=1e-6)
        close(res.coef("ame", x)["se"], se[j], rtol=1e-4)
    row = res.table("pa_summary").iloc[0]
    alpha = float(model.cov_struct.dep_params) if exchangeable else 0.0
    chi2 = float(b[:k] @ np.linalg.solve(V[:k, :k], b[:k]))
    close([row["N"], row["groups"], row["df"]], [len(frame), frame[unit].nunique(), k])
    close([row["working_correlation"], row["wald_chi2"]], [alpha, chi2], rtol=1e-5, atol=1e-9)
    close(row["p"], stats.chi2.sf(chi2, k), rtol=1e-4, atol=1e-12)


def _visits(seed: int, units: int = 150) -> pd.DataFrame:
    """Clinic visits: a symptom (probit in a unit trait and two regressors), 3 to 6 visits."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(3, 7, size=units)
    ids = np.repeat(np.arange(1, units + 1), sizes)
    trait = np.repeat(rng.normal(scale=0.7, size=units), sizes)
    dose, age = rng.uniform(0, 2, size=ids.size), rng.normal(50, 10, size=ids.size)
    visit = np.concatenate([np.arange(1, s + 1) for s in sizes])
    ill = (-0.4 + 0.8 * dose - 0.02 * (age - 50) + trait + rng.normal(size=ids.size) > 0)
    frame = pd.DataFrame({"patient": ids, "visit": visit, "ill": ill.astype(int),
                          "dose": np.round(dose, 4), "age": np.round(age, 2)})
    frame.loc[7, "dose"] = np.nan
    return frame


EXAMPLE_CHECKS: dict[str, Check] = {"panel_binary_pa": check_panel_binary_pa}

CASES = [
    Case(template="panel_binary_pa", variant="probit_independent_conventional",
         params={"depvar": "ill", "indepvars": ["dose", "age"], "panelvar": "patient",
                 "timevar": "visit", "link": "probit", "corr": "independent",
                 "vce": "conventional", "level": 90},
         main=_visits(41), check=check_panel_binary_pa),
    Case(template="panel_binary_pa", variant="probit_exchangeable",
         params={"depvar": "ill", "indepvars": ["dose", "age"], "panelvar": "patient",
                 "timevar": "visit", "link": "probit"},
         main=_visits(42), check=check_panel_binary_pa),
]
