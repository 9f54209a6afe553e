"""Independent checks of the time-series templates, with statsmodels least squares (the
break-date search: one Chow F per candidate date from statsmodels fits of the interacted and
pooled models; the sup-Wald p-value against the null limit of the statistic simulated here,
the supremum over the trimmed range of |B(λ) − λB(1)|²/(λ(1 − λ)) for a k-dimensional
Brownian motion B)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.regression.rolling import RollingOLS

from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close, example_frame


def _ordered(data: Mapping[str, pd.DataFrame], p: Params, columns: list[str]) -> pd.DataFrame:
    order = names(p, "timevars")
    return data["main"].dropna(subset=[*columns, *order]).sort_values(order).reset_index(drop=True)


def check_rolling(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, window = str(p["depvar"]), names(p, "indepvars"), int(p["window"])  # type: ignore[call-overload]
    frame = _ordered(data, p, [y, *xs])
    fit = RollingOLS(frame[y], sm.add_constant(frame[xs]), window=window).fit()
    table = res.table("rolling")
    assert len(table) == len(frame) - window + 1
    for term, key in [*((x, x) for x in xs), ("_cons", "const")]:
        close(table[f"b_{term}"], fit.params[key].iloc[window - 1 :])
        close(table[f"se_{term}"], fit.bse[key].iloc[window - 1 :])
    close(table["r2"], fit.rsquared.iloc[window - 1 :])
    last = frame.iloc[-window:]
    direct = sm.OLS(last[y], sm.add_constant(last[xs])).fit()
    close(table[f"b_{xs[0]}"].iloc[-1], direct.params[xs[0]])


def _lags(series: pd.Series, count: int, name: str) -> pd.DataFrame:
    return pd.DataFrame({f"{name}_l{k}": series.shift(k) for k in range(1, count + 1)})


def check_granger(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, x, lags = str(p["y"]), str(p["x"]), int(p["lags"])  # type: ignore[call-overload]
    frame = _ordered(data, p, [y, x])
    regressors = pd.concat([_lags(frame[y], lags, "y"), _lags(frame[x], lags, "x")], axis=1)
    table = res.table("granger")
    for i, (dep, excluded) in enumerate(((y, "x"), (x, "y"))):
        both = pd.concat([frame[dep], regressors], axis=1).dropna()
        kept = [c for c in regressors.columns if not c.startswith(excluded)]
        full = sm.OLS(both[dep], sm.add_constant(both[regressors.columns])).fit()
        short = sm.OLS(both[dep], sm.add_constant(both[kept])).fit()
        f_value, p_value, df = full.compare_f_test(short)
        row = table.iloc[i]
        close([row["F"], row["p"], row["df"]], [f_value, p_value, df])
        close([row["df_r"], row["N"]], [full.df_resid, full.nobs])


def check_chow(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, breakvar = str(p["depvar"]), names(p, "indepvars"), str(p["breakvar"])
    frame = data["main"].dropna(subset=[y, *xs, breakvar])
    after = frame[breakvar] >= float(p["breakpoint"])  # type: ignore[arg-type]
    fits = [sm.OLS(part[y], sm.add_constant(part[xs])).fit()
            for part in (frame, frame[~after], frame[after])]
    k = len(xs) + 1
    rss_split = fits[1].ssr + fits[2].ssr
    df2 = len(frame) - 2 * k
    f_value = ((fits[0].ssr - rss_split) / k) / (rss_split / df2)
    row = res.table("chow_test").iloc[0]
    close([row["F"], row["df1"], row["df2"]], [f_value, k, df2])
    close(row["p"], stats.f.sf(f_value, k, df2))
    for model, fit in zip(("pooled", "before", "after"), fits, strict=True):
        close(res.coef(model, xs[0])["coef"], fit.params[xs[0]])
        close(res.coef(model, "_cons")["se"], fit.bse["const"])


def check_break_search(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    frame = _ordered(data, p, [y, *xs])
    n, k = len(frame), len(xs) + 1
    trim = round(100 * float(p["trim"])) / 100  # type: ignore[arg-type]
    keep = int(np.ceil(trim * n))
    first, last = keep + 1, n - keep + 1
    X = sm.add_constant(frame[xs])
    pooled = sm.OLS(frame[y], X).fit()
    f_values = []
    for start in range(first, last + 1):
        after = (np.arange(1, n + 1) >= start).astype(float)
        shifted = X.mul(after, axis=0).add_prefix("after_")
        full = sm.OLS(frame[y], pd.concat([X, shifted], axis=1)).fit()
        f_values.append(full.compare_f_test(pooled)[0])
    table = res.table("f_sequence")
    close(table["break_obs"], range(first, last + 1))
    close(table["F"], f_values)
    best = first + int(np.argmax(f_values))
    row = res.table("break_date").iloc[0]
    close([row["break_obs"], row["sup_F"], row["df1"], row["df2"]],
          [best, max(f_values), k, n - 2 * k])
    close(row["sup_wald"], k * max(f_values))
    assert abs(row["p_value"] - _simulated_sup_pvalue(k * max(f_values), k, trim)) < 0.02
    for time_var in names(p, "timevars"):
        close(row[time_var], frame[time_var].iloc[best - 1])
    for model, part in (("before", frame.iloc[: best - 1]), ("after", frame.iloc[best - 1 :])):
        fit = sm.OLS(part[y], sm.add_constant(part[xs])).fit()
        close(res.coef(model, xs[0])["coef"], fit.params[xs[0]])
        close(res.coef(model, "_cons")["se"], fit.bse["const"])


def _simulated_sup_pvalue(stat: float, k: int, trim: float) -> float:
    """Pr(sup over λ in [trim, 1 − trim] of |B(λ) − λB(1)|²/(λ(1 − λ)) > stat), B a k-dimensional
    Brownian motion on a 400-step grid, 5000 draws (Monte Carlo error about ±.006)."""
    rng = np.random.default_rng(29)
    steps, reps = 400, 5000
    B = np.cumsum(rng.normal(scale=np.sqrt(1 / steps), size=(reps, steps, k)), axis=1)
    lam = np.arange(1, steps + 1) / steps
    inside = (lam >= trim) & (lam <= 1 - trim)
    bridge = B[:, inside] - lam[inside, None] * B[:, -1:, :]
    sup = ((bridge ** 2).sum(axis=2) / (lam[inside] * (1 - lam[inside]))).max(axis=1)
    return float(np.mean(sup > stat))


def _series(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 160
    x = np.zeros(n)
    y = np.zeros(n)
    for t in range(2, n):
        x[t] = 0.5 * x[t - 1] + rng.normal()
        y[t] = 0.3 * y[t - 1] + 0.4 * x[t - 1] - 0.2 * x[t - 2] + rng.normal()
    month = np.arange(n)
    return pd.DataFrame({"year": 2000 + month // 12, "month": month % 12 + 1,
                         "x": np.round(x, 4), "y": np.round(y, 4),
                         "z": np.round(rng.normal(size=n), 4)}).sample(frac=1, random_state=1)


EXAMPLE_CHECKS: dict[str, Check] = {
    "rolling_regression": check_rolling,
    "granger_causality": check_granger,
    "chow_test": check_chow,
    "break_date_search": check_break_search,
}

CASES = [
    Case(
        template="rolling_regression",
        params={"depvar": "y", "indepvars": ["x", "z"], "timevars": ["year", "month"],
                "window": 24},
        main=_series(110),
        check=check_rolling,
    ),
    Case(
        template="granger_causality",
        params={"y": "y", "x": "x", "timevars": ["year", "month"], "lags": 2},
        main=_series(111),
        check=check_granger,
    ),
    Case(
        template="chow_test",
        params={"depvar": "realcons", "indepvars": ["realdpi", "tbilrate"],
                "breakvar": "year", "breakpoint": 1980},
        main=example_frame("macro_quarterly.csv"),
        check=check_chow,
    ),
    Case(
        template="break_date_search",
        params={"depvar": "y", "indepvars": ["x", "z"], "timevars": ["year", "month"],
                "trim": 0.3},
        main=_series(112),
        check=check_break_search,
    ),
]
