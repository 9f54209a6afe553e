"""Independent checks of the regression-diagnostics, power and smoothing templates:
statsmodels' Breusch–Pagan (non-studentised, Stata's hettest default) and VIF, RESET as its
nested F test; scipy's noncentral t and statsmodels' power solver for the exact power and
sample size; the local polynomial as one weighted least-squares fit per grid point."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.outliers_influence import variance_inflation_factor
from statsmodels.stats.power import TTestIndPower

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close


def check_diagnostics(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    frame = data["main"].dropna(subset=[y, *xs])
    design = sm.add_constant(frame[xs])
    fit = sm.OLS(frame[y], design).fit()
    close(res.coef("ols", xs[0])["coef"], fit.params[xs[0]])
    # hettest: e² on the fitted values, chi2 = ESS/2 with σ² = RSS/N (normal errors)
    lm, lm_p, _, _ = het_breuschpagan(fit.resid, sm.add_constant(fit.fittedvalues),
                                      robust=False)
    # RESET: add powers 2–4 of the fitted values (scaled to [0, 1] first: the same column
    # space, and no overflow) and F-test them
    z = (fit.fittedvalues - fit.fittedvalues.min()) / np.ptp(fit.fittedvalues)
    augmented = sm.OLS(frame[y], design.assign(z2=z**2, z3=z**3, z4=z**4)).fit()
    reset_f, reset_p, _ = augmented.compare_f_test(fit)
    tests = res.table("specification_tests")
    close([tests["statistic"].iloc[0], tests["df"].iloc[0], tests["p"].iloc[0]], [lm, 1, lm_p])
    close([tests["statistic"].iloc[1], tests["p"].iloc[1]], [reset_f, reset_p])
    close([tests["df"].iloc[1], tests["df_r"].iloc[1]], [3, fit.df_resid - 3])
    vif = res.table("vif").set_index("term")
    assert sorted(vif.index) == sorted(xs)
    for i, x in enumerate(xs):
        close(vif.loc[x, "vif"], variance_inflation_factor(design.to_numpy(), i + 1))
    # estat vif lists the regressors from the largest VIF down
    assert list(vif["vif"]) == sorted(vif["vif"], reverse=True)
    assert (res.folder / "residuals_vs_fitted.png").stat().st_size > 0


def check_power(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    diff, sd, alpha = (float(p[k]) for k in ("diff", "sd", "alpha"))  # type: ignore[arg-type]
    n1, n2, reps = (int(p[k]) for k in ("n1", "n2", "reps"))  # type: ignore[call-overload]
    df = n1 + n2 - 2
    delta = diff / (sd * math.sqrt(1 / n1 + 1 / n2))
    crit = stats.t.ppf(1 - alpha / 2, df)
    power = stats.nct.sf(crit, df, delta) + stats.nct.cdf(-crit, df, delta)
    row = res.table("power").iloc[0]
    close(row["power"], power, rtol=1e-6)
    close(row["power"], TTestIndPower().power(diff / sd, n1, alpha, ratio=n2 / n1), rtol=1e-6)
    needed = TTestIndPower().solve_power(diff / sd, power=float(p["target_power"]),  # type: ignore[arg-type]
                                         alpha=alpha)
    close(row["n_per_group"], math.ceil(needed))
    # the simulation agrees with the exact power up to its Monte Carlo error
    assert abs(row["simulated_power"] - power) < 4 * math.sqrt(power * (1 - power) / reps)
    k = round(row["simulated_power"] * reps)
    close([row["sim_ci_lo"], row["sim_ci_hi"]],
          [stats.beta.ppf(0.025, k, reps - k + 1), stats.beta.ppf(0.975, k + 1, reps - k)],
          rtol=1e-6)


#: Stata's kernels ([R] kdensity), on u = (x − x₀)/h
KERNELS = {
    "epanechnikov": lambda u: np.where(np.abs(u) < np.sqrt(5),
                                       0.75 * (1 - u**2 / 5) / np.sqrt(5), 0.0),
    "epan2": lambda u: np.where(np.abs(u) < 1, 0.75 * (1 - u**2), 0.0),
    "biweight": lambda u: np.where(np.abs(u) < 1, 15 / 16 * (1 - u**2) ** 2, 0.0),
    "triangle": lambda u: np.where(np.abs(u) < 1, 1 - np.abs(u), 0.0),
    "gaussian": lambda u: np.exp(-(u**2) / 2) / np.sqrt(2 * np.pi),
}


def check_lpoly(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, x = str(p["yvar"]), str(p["xvar"])
    h, degree, points = float(p["bandwidth"]), int(p["degree"]), int(p["points"])  # type: ignore[arg-type, call-overload]
    frame = data["main"].dropna(subset=[y, x])
    xs, ys = frame[x].to_numpy(float), frame[y].to_numpy(float)
    grid = np.linspace(xs.min(), xs.max(), points)
    smooth = []
    for x0 in grid:  # weighted least squares of y on (x − x₀)⁰…(x − x₀)ᵖ; the intercept
        w = KERNELS[str(p["kernel"])]((xs - x0) / h)
        design = np.vander(xs - x0, degree + 1, increasing=True)
        smooth.append(sm.WLS(ys[w > 0], design[w > 0], weights=w[w > 0]).fit().params[0])
    table = res.table("smooth")
    close(table["x"], grid, rtol=1e-9)
    close(table["smooth"], smooth, rtol=1e-7)
    close(table["N"], len(frame))
    assert (res.folder / "smooth.png").stat().st_size > 0


EXAMPLE_CHECKS: dict[str, Check] = {
    "regression_diagnostics": check_diagnostics,
    "power_two_means": check_power,
    "local_polynomial": check_lpoly,
}

CASES = [
    Case(
        template="local_polynomial",
        params={"yvar": "y", "xvar": "x3", "bandwidth": 1.5, "degree": 0, "kernel": "gaussian",
                "points": 20},
        main=cross_section(602),
        check=check_lpoly,
    ),
    Case(
        template="regression_diagnostics",
        params={"depvar": "y", "indepvars": ["x1", "x2", "x3"]},
        main=cross_section(600).assign(x3=lambda f: np.round(f["x2"] * 2 + f["x3"] / 5, 4)),
        check=check_diagnostics,
    ),
    Case(
        template="power_two_means",
        params={"diff": 0.5, "sd": 1.2, "n1": 40, "n2": 25, "alpha": 0.01,
                "target_power": 0.9, "reps": 400, "seed": 99},
        main=cross_section(601, n=10),
        check=check_power,
    ),
]
