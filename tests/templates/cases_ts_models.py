"""Independent checks of the time-series model templates: unit-root tests, HAC and AR(1)
regressions, ARIMA, VAR, its lag selection and Granger tests.

Dickey-Fuller against statsmodels ``adfuller`` (its p-value is MacKinnon's 1994 surface, as
Stata's; its critical values MacKinnon's 2010 response surface, close to the Fuller table Stata
interpolates); Phillips-Perron from the formulas of [TS] pperron computed here; Newey-West
against statsmodels' HAC covariance with the N/(N−k) correction; Prais-Winsten iterated here by
the manual's recipe; ARIMA against statsmodels' exact state-space likelihood; the VAR against
statsmodels ``VAR`` with Stata's ML residual covariance (divided by T) and its Cholesky factor,
its Granger Wald tests against statsmodels' ``test_causality`` rescaled to that covariance, and
the lag-selection criteria from the formulas of [TS] varsoc with least squares done here.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tsa.adfvalues import mackinnonp
from statsmodels.tsa.api import VAR
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.stattools import adfuller

from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close, example_frame

_REGRESSION = {"constant": "c", "trend": "ct", "none": "n"}


def _ordered(data: Mapping[str, pd.DataFrame], p: Params, columns: list[str]) -> pd.DataFrame:
    order = names(p, "timevars")
    return data["main"].dropna(subset=columns).sort_values(order).reset_index(drop=True)


def _forms(data: Mapping[str, pd.DataFrame], p: Params) -> list[tuple[np.ndarray, str]]:
    """The series in levels and first differences, each with its deterministic case."""
    series = _ordered(data, p, [str(p["series"])])[str(p["series"])].to_numpy(dtype=float)
    det = str(p["deterministic"])
    return [(series, det), (np.diff(series), "none" if det == "none" else "constant")]


def check_dfuller(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table = res.table("dfuller")
    lags = int(p["lags"])  # type: ignore[call-overload]
    for row, (x, det) in zip(table.itertuples(), _forms(data, p), strict=True):
        adf = adfuller(x, maxlag=lags, regression=_REGRESSION[det], autolag=None,
                       result_object=True)
        close([row.Zt, row.N], [adf.statistic, adf.nobs])
        if det == "none":
            assert np.isnan(row.p)  # MacKinnon's approximation has no no-constant case
        else:
            close(row.p, adf.pvalue, rtol=1e-5)
        # Fuller's table (Stata) and MacKinnon's surface (statsmodels) agree to about 1%.
        crit = adf.critical_values
        close([row.cv1, row.cv5, row.cv10], [crit["1%"], crit["5%"], crit["10%"]], rtol=0.01)


def _pperron(x: np.ndarray, det: str, lags: int | None) -> tuple[float, float, int, int]:
    """Z(rho), Z(t), N and lags by the formulas of [TS] pperron (Methods and formulas)."""
    y, lagged = x[1:], x[:-1]
    n = len(y)
    columns = [lagged]
    if det != "none":
        columns.append(np.ones(n))
    if det == "trend":
        columns.append(np.arange(1, n + 1, dtype=float))
    fit = sm.OLS(y, np.column_stack(columns)).fit()
    u = fit.resid
    q = int(4 * (n / 100) ** (2 / 9)) if lags is None else lags
    gamma = [u[j:] @ u[: n - j] / n for j in range(q + 1)]
    lam2 = gamma[0] + 2 * sum((1 - j / (q + 1)) * gamma[j] for j in range(1, q + 1))
    s2 = u @ u / (n - len(columns))
    rho, sigma = fit.params[0], fit.bse[0]
    z_rho = n * (rho - 1) - 0.5 * (n**2 * sigma**2 / s2) * (lam2 - gamma[0])
    z_t = (np.sqrt(gamma[0] / lam2) * (rho - 1) / sigma
           - 0.5 * (lam2 - gamma[0]) / np.sqrt(lam2) * n * sigma / np.sqrt(s2))
    return float(z_rho), float(z_t), n, q


def check_pperron(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    table = res.table("pperron")
    lags = p.get("lags")
    for row, (x, det) in zip(table.itertuples(), _forms(data, p), strict=True):
        z_rho, z_t, n, q = _pperron(x, det, None if lags is None else int(lags))  # type: ignore[call-overload]
        close([row.Zrho, row.Zt, row.N, row.nw_lags], [z_rho, z_t, n, q])
        if det != "none":  # MacKinnon's p-value of Z(t), as dfuller's
            close(row.p, mackinnonp(z_t, regression=_REGRESSION[det], N=1), rtol=1e-5)


def _time_regression(data: Mapping[str, pd.DataFrame], p: Params) -> tuple[pd.Series, pd.DataFrame]:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    frame = _ordered(data, p, [y, *xs])
    return frame[y], sm.add_constant(frame[xs])


def _coefs(res: Results, model: str, fit_params: pd.Series, fit_se: pd.Series) -> None:
    for key, value in fit_params.items():
        term = "_cons" if key == "const" else str(key)
        close(res.coef(model, term)["coef"], value)
        close(res.coef(model, term)["se"], fit_se[key])


def check_newey(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, X = _time_regression(data, p)
    ols = sm.OLS(y, X).fit()
    _coefs(res, "ols", ols.params, ols.bse)
    hac = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": int(p["lag"]),  # type: ignore[call-overload]
                                                    "use_correction": True})
    _coefs(res, "newey", hac.params, hac.bse)


def _prais(y: np.ndarray, X: np.ndarray, corc: bool, rhotype: str) -> tuple[object, float]:
    """Iterated Prais-Winsten / Cochrane-Orcutt as [TS] prais describes it."""
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    rho, previous = 0.0, np.inf
    while abs(rho - previous) > 1e-10:
        previous = rho
        e = y - X @ b
        if rhotype == "regress":
            rho = float(e[1:] @ e[:-1] / (e[:-1] @ e[:-1]))
        elif rhotype == "dw":
            rho = float(1 - np.sum(np.diff(e) ** 2) / (e @ e) / 2)
        else:  # tscorr: the first-order autocorrelation
            rho = float(e[1:] @ e[:-1] / (e @ e))
        ys = np.r_[np.sqrt(1 - rho**2) * y[:1], y[1:] - rho * y[:-1]]
        Xs = np.r_[np.sqrt(1 - rho**2) * X[:1], X[1:] - rho * X[:-1]]
        if corc:
            ys, Xs = ys[1:], Xs[1:]
        fit = sm.OLS(ys, Xs).fit()
        b = fit.params
    return fit, rho


def check_prais(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, X = _time_regression(data, p)
    ols = sm.OLS(y, X).fit()
    _coefs(res, "ols", ols.params, ols.bse)
    fit, rho = _prais(y.to_numpy(float), X.to_numpy(float), p["method"] == "cochrane_orcutt",
                      str(p["rhotype"]))
    _coefs(res, "prais", pd.Series(fit.params, X.columns),  # type: ignore[attr-defined]
           pd.Series(fit.bse, X.columns))  # type: ignore[attr-defined]
    row = res.table("ar1").iloc[0]
    dw = np.sum(np.diff(fit.resid) ** 2) / (fit.resid @ fit.resid)  # type: ignore[attr-defined]
    corc = p["method"] == "cochrane_orcutt"
    close([row["rho"], row["dw_transformed"], row["N"]], [rho, dw, len(y) - corc], rtol=1e-5)
    close(row["dw_original"], np.sum(np.diff(ols.resid) ** 2) / (ols.resid @ ols.resid))


_ARIMA_VCE = {"opg": "opg", "oim": "approx", "robust": "robust_approx"}


def check_arima(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    series = str(p["series"])
    y = _ordered(data, p, [series])[series].to_numpy(dtype=float)
    y = np.diff(y, n=int(p["d"])) if p["d"] else y  # type: ignore[call-overload]
    order = (int(p["p"]), 0, int(p["q"]))  # type: ignore[call-overload]
    model = ARIMA(y, order=order, trend="c" if p["constant"] else "n")
    # Stata's oim and robust use the numerical Hessian, statsmodels' "approx" covariances.
    fit = model.fit(cov_type=_ARIMA_VCE[str(p["vce"])])
    params, cov = np.asarray(fit.params), np.asarray(fit.cov_params())
    if p["vce"] == "robust":  # Stata's robust ML covariance carries N/(N−1)
        cov = cov * len(y) / (len(y) - 1)
    rows = res.table("coefficients")
    terms = ([f"{series}:_cons"] if p["constant"] else []) + \
        [f"ARMA:L{'' if j == 1 else j}.ar" for j in range(1, order[0] + 1)] + \
        [f"ARMA:L{'' if j == 1 else j}.ma" for j in range(1, order[2] + 1)]
    assert list(rows["term"]) == [*terms, "sigma:_cons"]
    se = np.sqrt(np.diag(cov))
    se = np.sqrt(np.diag(cov))
    # ML optima agree to a small fraction of a standard error
    close(rows["coef"].iloc[:-1], params[:-1], rtol=1e-4, atol=1e-3 * float(se.min()))
    close(rows["se"].iloc[:-1], se[:-1], rtol=2e-3)
    sigma = np.sqrt(params[-1])
    close(rows["coef"].iloc[-1], sigma, rtol=1e-4)
    close(rows["se"].iloc[-1], se[-1] / (2 * sigma), rtol=2e-3)  # delta method: σ = √σ²
    close(res.stat("arima", "ll"), fit.llf, rtol=1e-7)
    close(res.stat("arima", "N"), len(y))


def check_var(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    series, lags, steps = names(p, "series"), int(p["lags"]), int(p["steps"])  # type: ignore[call-overload]
    frame = _ordered(data, p, series)[series]
    fit = VAR(frame).fit(lags, trend="c")
    T, K = int(fit.nobs), len(series)
    ml = (T - K * lags - 1) / T  # Stata's var: Σ and Cov(b) from Σ divided by T
    for eq in series:
        for key in fit.params.index:
            term = "_cons" if key == "const" else _ts_name(str(key))
            row = res.coef("var", f"{eq}:{term}")
            close(row["coef"], fit.params.loc[key, eq])
            close(row["se"], fit.stderr.loc[key, eq] * np.sqrt(ml))
    chol = np.linalg.cholesky(np.asarray(fit.sigma_u) * ml)
    theta = np.array([phi @ chol for phi in fit.ma_rep(steps)])  # step × response × impulse
    mse = np.cumsum((theta**2).sum(axis=2), axis=0)  # forecast-error variance by horizon
    table = res.table("irf")
    assert len(table) == K * K * (steps + 1)
    for (impulse, response), part in table.groupby(["impulse", "response"]):
        j, k = series.index(str(impulse)), series.index(str(response))
        part = part.sort_values("step")
        close(part["oirf"], theta[:, k, j], atol=1e-8)
        share = np.r_[0.0, np.cumsum(theta[:, k, j] ** 2)[:-1] / mse[:-1, k]]
        close(part["fevd"], share, atol=1e-8)


def _var_fit_ml(Y: np.ndarray, p: int, rows: slice) -> tuple[float, np.ndarray]:
    """Log likelihood and ML residual covariance of a VAR(p) with constant on ``rows``."""
    n = Y.shape[0]
    target = np.arange(n)[rows]
    X = np.column_stack([np.ones(target.size), *(Y[target - lag] for lag in range(1, p + 1))])
    resid = Y[target] - X @ np.linalg.lstsq(X, Y[target], rcond=None)[0]
    T, K = resid.shape
    sigma = resid.T @ resid / T
    ll = -T / 2 * (np.log(np.linalg.det(sigma)) + K * np.log(2 * np.pi) + K)
    return float(ll), sigma


def check_varsoc(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    """[TS] varsoc: one sample after maxlag; AIC = −2LL/T + 2t/T with t = K(Kp + 1) ..."""
    series, maxlag = names(p, "series"), int(p["maxlag"])  # type: ignore[call-overload]
    Y = _ordered(data, p, series)[series].to_numpy(float)
    T, K = Y.shape[0] - maxlag, len(series)
    table = res.table("lag_selection")
    close(table["lag"], range(maxlag + 1))
    close(table["N"], T)
    previous = np.nan
    for lag, row in zip(range(maxlag + 1), table.itertuples(), strict=True):
        ll, sigma = _var_fit_ml(Y, lag, slice(maxlag, None))
        t = K * (K * lag + 1)
        det = np.linalg.det(sigma)
        close([row.LL, row.AIC, row.HQIC, row.SBIC],
              [ll, -2 * ll / T + 2 * t / T, -2 * ll / T + 2 * np.log(np.log(T)) * t / T,
               -2 * ll / T + np.log(T) * t / T])
        close(row.FPE, det * ((T + K * lag + 1) / (T - K * lag - 1)) ** K)
        if lag:
            close([row.LR, row.df, row.p], [2 * (ll - previous), K * K,
                                            stats.chi2.sf(2 * (ll - previous), K * K)])
        previous = ll
    for criterion in ("FPE", "AIC", "HQIC", "SBIC"):
        assert list(table[f"best_{criterion}"]) == list(
            (table[criterion] == table[criterion].min()).astype(int))
    rejecting = table["lag"][table["p"] < 0.05]
    assert list(table["best_LR"]) == list((table["lag"] == rejecting.max()).astype(int))


def check_var_granger(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    series, lags = names(p, "series"), int(p["lags"])  # type: ignore[call-overload]
    fit = VAR(_ordered(data, p, series)[series]).fit(lags, trend="c")
    # statsmodels' Wald uses Σ with a df correction; Stata's var the ML Σ (divided by T).
    ml = (fit.nobs - len(series) * lags - 1) / fit.nobs
    table = res.table("granger_wald")
    expected = [(eq, other) for eq in series for other in [*series, "ALL"] if other != eq]
    assert list(zip(table["equation"], table["excluded"], strict=True)) == expected
    for row in table.itertuples():
        causing = [s for s in series if s != row.equation] if row.excluded == "ALL" \
            else [str(row.excluded)]
        test = fit.test_causality(str(row.equation), causing, kind="wald")
        close([row.chi2, row.df], [test.test_statistic / ml, test.df])
        close(row.p, stats.chi2.sf(test.test_statistic / ml, test.df))
        close(row.N, fit.nobs)


def _ts_name(key: str) -> str:
    """statsmodels' ``L2.x`` → Stata's ``L2.x``; ``L1.x`` → ``L.x``."""
    lag, _, var = key.partition(".")
    return f"L.{var}" if lag == "L1" else key


EXAMPLE_CHECKS: dict[str, Check] = {
    "dfuller_test": check_dfuller,
    "pperron_test": check_pperron,
    "newey_west": check_newey,
    "prais_winsten": check_prais,
    "arima_model": check_arima,
    "var_irf": check_var,
    "var_lag_selection": check_varsoc,
    "var_granger": check_var_granger,
}

_MACRO = example_frame("macro_quarterly.csv")
_TIME = ["year", "quarter"]

CASES = [
    Case(template="dfuller_test", variant="trend",
         params={"series": "realcons", "timevars": _TIME, "lags": 2, "deterministic": "trend"},
         main=_MACRO, check=check_dfuller),
    Case(template="dfuller_test", variant="none",
         params={"series": "infl", "timevars": _TIME, "lags": 0, "deterministic": "none"},
         main=_MACRO, check=check_dfuller),
    Case(template="pperron_test", variant="trend",
         params={"series": "tbilrate", "timevars": _TIME, "lags": 6, "deterministic": "trend"},
         main=_MACRO, check=check_pperron),
    Case(template="pperron_test", variant="none",
         params={"series": "realint", "timevars": _TIME, "deterministic": "none"},
         main=_MACRO, check=check_pperron),
    Case(template="newey_west", variant="lag8",
         params={"depvar": "realint", "indepvars": ["unemp", "infl"], "timevars": _TIME,
                 "lag": 8},
         main=_MACRO, check=check_newey),
    Case(template="newey_west", variant="white",
         params={"depvar": "infl", "indepvars": ["m1"], "timevars": _TIME, "lag": 0},
         main=_MACRO, check=check_newey),
    Case(template="prais_winsten", variant="corc_dw",
         params={"depvar": "realint", "indepvars": ["unemp", "tbilrate"], "timevars": _TIME,
                 "method": "cochrane_orcutt", "rhotype": "dw"},
         main=_MACRO, check=check_prais),
    Case(template="prais_winsten", variant="tscorr",
         params={"depvar": "infl", "indepvars": ["tbilrate"], "timevars": _TIME,
                 "rhotype": "tscorr"},
         main=_MACRO, check=check_prais),
    Case(template="arima_model", variant="ima",
         params={"series": "tbilrate", "timevars": _TIME, "p": 0, "d": 1, "q": 1,
                 "vce": "robust"},
         main=_MACRO, check=check_arima),
    Case(template="arima_model", variant="ar2_oim",
         params={"series": "unemp", "timevars": _TIME, "p": 2, "q": 0, "constant": False,
                 "vce": "oim"},
         main=_MACRO.assign(unemp=lambda f: f["unemp"] - f["unemp"].mean()),
         check=check_arima),
    Case(template="var_irf", variant="two",
         params={"series": ["tbilrate", "infl"], "timevars": _TIME, "lags": 1, "steps": 4,
                 "level": 90},
         main=_MACRO, check=check_var),
    Case(template="var_lag_selection", variant="univariate",
         params={"series": ["unemp"], "timevars": _TIME, "maxlag": 6},
         main=_MACRO, check=check_varsoc),
    Case(template="var_lag_selection", variant="pair",
         params={"series": ["realint", "infl"], "timevars": _TIME},
         main=_MACRO, check=check_varsoc),
    Case(template="var_granger", variant="pair_lag4",
         params={"series": ["tbilrate", "infl"], "timevars": _TIME, "lags": 4},
         main=_MACRO, check=check_var_granger),
]
