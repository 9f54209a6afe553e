"""Independent checks of the synthetic-control template.

The predictor matrices are built with pandas (pre-treatment means; the outcome in the chosen
years), standardised by their standard deviation over all units (the R package's rule); V is
the regression-based one fitted with statsmodels OLS (each pre-treatment outcome on the
standardised predictors), W pysyncon's quadratic programme (a port of the authors' R Synth)
with a tight tolerance, and every returned path, gap and RMSPE is recomputed from it. With
``nested`` the template's pre-treatment MSPE must be at most pysyncon's optimum from its two
starting points.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from pysyncon import Synth

from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close, example_frame


def _setup(frame: pd.DataFrame, p: Params) -> dict[str, pd.DataFrame | pd.Series | list[str]]:
    """X0/X1, Z0/Z1 (pre-treatment outcome), Y0/Y1 (every period) and the predictor names."""
    y, unit, time = str(p["depvar"]), str(p["panelvar"]), str(p["timevar"])
    treated, start = int(p["treated_unit"]), int(p["treatment_period"])  # type: ignore[call-overload]
    wide = frame.pivot(index=time, columns=unit, values=y)
    pre = [t for t in wide.index if t < start]
    rows, labels = [], []
    for var in names(p, "predictors"):
        rows.append(frame[frame[time] < start].groupby(unit)[var].mean())
        labels.append(var)
    years = {"three": [pre[0], pre[int(np.ceil(len(pre) / 2)) - 1], pre[-1]],
             "every_year": pre, "mean": []}[str(p["outcome_predictors"])]
    for t in years:
        rows.append(wide.loc[t])
        labels.append(f"{y}({t})")
    if p["outcome_predictors"] == "mean":
        rows.append(wide.loc[pre].mean())
        labels.append(y)
    x = pd.DataFrame(rows).reset_index(drop=True)
    controls = [u for u in wide.columns if u != treated]
    return {"X0": x[controls], "X1": x[treated], "Z0": wide.loc[pre, controls],
            "Z1": wide.loc[pre, treated], "Y0": wide[controls], "Y1": wide[treated],
            "labels": labels, "controls": controls}


def _regression_v(x0: np.ndarray, x1: np.ndarray, z: pd.DataFrame) -> np.ndarray:
    design = sm.add_constant(np.column_stack([x1, x0]).T)
    slopes = np.array([sm.OLS(row, design).fit().params[1:] for row in z.to_numpy()])
    v = (slopes ** 2).sum(axis=0)
    return np.asarray(v / v.sum())


def _assert_optimal(w: np.ndarray, v: np.ndarray, x0: np.ndarray, x1: np.ndarray) -> None:
    """W solves min (x1 − x0 w)'V(x1 − x0 w) on the simplex: the KKT conditions (gradient
    equal on the support, no smaller off it) and an objective no larger than pysyncon's QP.
    (With predictor weights V spanning several orders of magnitude SLSQP stops up to 5e-3
    away in W at the same objective to 1e-9, so W itself is compared in test_synth.py, on
    well-conditioned problems, to 1e-6.)"""
    assert w.min() >= 0
    assert abs(w.sum() - 1) < 1e-9
    gradient = 2 * x0.T @ (v * (x0 @ w - x1))
    support = w > 1e-9
    level = gradient[support].mean()
    # rounding scale of the gradient: the squared size of the weighted predictors
    scale = float(np.max(v[:, None] * np.column_stack([x0, x1]) ** 2))
    assert np.abs(gradient[support] - level).max() < 1e-7 * scale
    assert (gradient[~support] - level).min() > -1e-7 * scale
    reference, _ = Synth.w_optimize(np.diag(v), x0, x1,
                                    qp_options={"maxiter": 5000, "ftol": 1e-15})

    def objective(u: np.ndarray) -> float:
        gap = x1 - x0 @ u
        return float(gap @ (v * gap))

    assert objective(w) <= objective(np.asarray(reference)) + 1e-9 * scale


def check_synthetic_control(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    s = _setup(data["main"], p)
    x = pd.concat([s["X0"], s["X1"]], axis=1)
    x = x.divide(x.std(axis=1), axis=0)
    x0, x1 = x.iloc[:, :-1].to_numpy(), x.iloc[:, -1].to_numpy()
    z0, z1 = s["Z0"].to_numpy(), s["Z1"].to_numpy()  # type: ignore[union-attr]
    balance = res.table("predictor_balance")
    assert list(balance["predictor"]) == s["labels"]
    close(balance["treated"], s["X1"])
    v = balance["v_weight"].to_numpy()
    weights = res.table("unit_weights").set_index(str(p["panelvar"]))["weight"]
    w = weights.loc[s["controls"]].to_numpy()  # type: ignore[index]
    if p["nested"]:
        best = np.inf
        for initial in ("equal", "ols"):
            reference = Synth()
            reference.fit(X0=s["X0"], X1=s["X1"], Z0=s["Z0"], Z1=s["Z1"],
                          optim_method="Nelder-Mead", optim_initial=initial)
            best = min(best, reference.loss_V)
        assert float(np.mean((z1 - z0 @ w) ** 2)) <= best * (1 + 1e-6) + 1e-10
    else:
        outcomes = pd.concat([s["Z1"], s["Z0"]], axis=1)  # treated first, as the design
        close(v, _regression_v(x0, x1, outcomes), rtol=1e-8)
    _assert_optimal(w, v, x0, x1)
    close(balance["synthetic"], s["X0"].to_numpy() @ w)  # type: ignore[union-attr]
    path = res.table("synthetic_path")
    y0, y1 = s["Y0"].to_numpy(), s["Y1"].to_numpy()  # type: ignore[union-attr]
    close(path["treated"], y1)
    close(path["synthetic"], y0 @ w)
    close(path["gap"], y1 - y0 @ w)
    post = path[str(p["timevar"])] >= int(p["treatment_period"])  # type: ignore[call-overload]
    gap = (y1 - y0 @ w)
    summary = res.table("fit_summary").iloc[0]
    pre_rmspe = np.sqrt(np.mean(gap[~post.to_numpy()] ** 2))
    close(summary["rmspe"], np.sqrt(np.mean((z1 - z0 @ w) ** 2)))
    close(summary["pre_rmspe"], pre_rmspe)
    close(summary["post_rmspe"], np.sqrt(np.mean(gap[post.to_numpy()] ** 2)))
    close(summary["att"], gap[post.to_numpy()].mean())
    close(summary["n_donors_used"], int((w > 0).sum()))
    close(summary["n_donors"], len(s["controls"]))


def _shuffled_panel() -> pd.DataFrame:
    """The example panel with state 7 as the treated unit, treated from 1990, rows shuffled."""
    frame = example_frame("tobacco_tax.csv")
    return frame.sample(frac=1.0, random_state=7).reset_index(drop=True)


EXAMPLE_CHECKS: dict[str, Check] = {"synthetic_control": check_synthetic_control}

CASES = [
    Case(
        template="synthetic_control",
        variant="every_year_other_unit",
        params={"depvar": "cigsale", "predictors": ["retprice"], "panelvar": "state",
                "timevar": "year", "treated_unit": 7, "treatment_period": 1990,
                "outcome_predictors": "every_year", "nested": False},
        main=_shuffled_panel(),
        check=check_synthetic_control,
    ),
    Case(
        template="synthetic_control",
        variant="nested_mean",
        params={"depvar": "cigsale", "predictors": ["retprice", "lnincome"],
                "panelvar": "state", "timevar": "year", "treated_unit": 1,
                "treatment_period": 1995, "outcome_predictors": "mean", "nested": True},
        main=example_frame("tobacco_tax.csv").query("state <= 12"),
        check=check_synthetic_control,
    ),
]
