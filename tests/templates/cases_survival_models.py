"""Independent checks of the survival models and the survival summary.

Cox against statsmodels ``PHReg`` (Breslow or Efron ties) and the Grambsch-Therneau global
test computed here from statsmodels' Schoenfeld residuals, T = d·U'VU / Σ(g−ḡ)² with
U = Σ(g_k−ḡ)r_k over failures, V the model covariance and d the number of failures (Stata's
``estat phtest``); exponential and Weibull models by maximising their likelihood here with
scipy (standard errors from a numerical Hessian), in Stata's parameterisation (PH: log λ = xβ;
AFT: log λ = −p·xβ; ancillary ln p); ``stsum`` quartiles from statsmodels' Kaplan-Meier and
incidence-rate intervals from the exact Poisson (chi-squared) limits; survival at chosen times
from statsmodels' Kaplan-Meier with Greenwood errors and the log(−log) interval.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.tools.numdiff import approx_hess3

from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close, example_frame


def _sample(data: Mapping[str, pd.DataFrame], p: Params, extra: list[str]) -> pd.DataFrame:
    time, event = str(p["time"]), str(p["event"])
    frame = data["main"].dropna(subset=[time, event, *extra])
    return frame[frame[time] > 0].reset_index(drop=True)


def _time_function(kind: str, failures: np.ndarray, times: np.ndarray,
                   died: np.ndarray) -> np.ndarray:
    if kind == "log":
        return np.log(failures)
    if kind == "km":  # 1 − KM just before each failure time (left-continuous)
        km = SurvfuncRight(times, died)
        before = [km.surv_prob[km.surv_times < t] for t in failures]
        return 1 - np.array([s[-1] if len(s) else 1.0 for s in before])
    return failures


def check_cox(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs = names(p, "indepvars")
    frame = _sample(data, p, xs)
    t, d = frame[str(p["time"])].to_numpy(float), (frame[str(p["event"])] != 0).to_numpy()
    X = frame[xs].to_numpy(float)
    fit = PHReg(t, X, status=d.astype(float), ties=str(p["ties"])).fit()
    z = stats.norm.ppf(1 - (100 - float(p["level"])) / 200)  # type: ignore[arg-type]
    table = res.table("hazard_ratios")
    assert list(table["term"]) == xs
    close(table["coef"], fit.params, rtol=1e-6)
    close(table["se"], fit.bse, rtol=1e-5)
    close(table["hazard_ratio"], np.exp(fit.params), rtol=1e-6)
    close(table["hr_lo"], np.exp(fit.params - z * fit.bse), rtol=1e-5)
    close(res.stat("cox", "ll"), fit.llf, rtol=1e-8)
    if p["ties"] == "breslow":  # statsmodels' Schoenfeld residuals are Breslow's
        resid = fit.schoenfeld_residuals[d]
        g = _time_function(str(p["timefn"]), t[d], t, d)
        centred = g - g.mean()
        u = centred @ resid
        chi2 = d.sum() * u @ fit.cov_params() @ u / (centred @ centred)
        row = res.table("ph_test").iloc[0]
        close([row["chi2"], row["df"], row["failures"]], [chi2, len(xs), d.sum()], rtol=1e-5)
        close(row["p"], stats.chi2.sf(chi2, len(xs)), rtol=1e-4)


def _streg_loglik(theta: np.ndarray, X: np.ndarray, t: np.ndarray, d: np.ndarray,
                  weibull: bool, aft: bool) -> float:
    k = X.shape[1]
    beta, ln_p = theta[:k], (theta[k] if weibull else 0.0)
    shape = np.exp(ln_p)
    eta = -shape * (X @ beta) if aft else X @ beta
    log_h = ln_p + eta + (shape - 1) * np.log(t)
    return float(np.sum(d * log_h - np.exp(eta) * t**shape))


def check_streg(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs = names(p, "indepvars")
    frame = _sample(data, p, xs)
    t, d = frame[str(p["time"])].to_numpy(float), (frame[str(p["event"])] != 0).to_numpy(float)
    X = np.column_stack([frame[xs].to_numpy(float), np.ones(len(frame))])
    weibull, aft = p["distribution"] == "weibull", p["metric"] == "aft"
    start = np.zeros(X.shape[1] + weibull)
    start[X.shape[1] - 1] = (1 if aft else -1) * np.log(t.mean())
    loglik = lambda th: _streg_loglik(th, X, t, d, weibull, aft)  # noqa: E731
    best = optimize.minimize(lambda th: -loglik(th), start, method="BFGS",
                             options={"gtol": 1e-9, "maxiter": 10000})
    best = optimize.minimize(lambda th: -loglik(th), best.x, method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    se = np.sqrt(np.diag(np.linalg.inv(-approx_hess3(best.x, loglik))))
    rows = res.table("coefficients")
    terms = [f"_t:{x}" for x in xs] + ["_t:_cons"] + (["/:ln_p"] if weibull else [])
    assert list(rows["term"]) == terms
    close(rows["coef"], best.x, rtol=1e-4, atol=1e-5)
    close(rows["se"], se, rtol=1e-3)
    close(res.stat("streg", "ll"), -best.fun, rtol=1e-8)
    ratios = res.table("ratios")
    assert list(ratios["term"]) == xs
    close(ratios["ratio"], np.exp(best.x[: len(xs)]), rtol=1e-4)


def check_summary(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    group = p.get("group")
    frame = _sample(data, p, [str(group)] if group else [])
    time, event = str(p["time"]), str(p["event"])
    parts = [(str(k), part) for k, part in frame.groupby(str(group))] if group else []
    parts.append(("Total", frame))
    table = res.table("survival_summary")
    assert list(table["group"].astype(str)) == [label for label, _ in parts]
    alpha, per = (100 - float(p["level"])) / 100, float(p["per"])  # type: ignore[arg-type]
    for row, (_, part) in zip(table.itertuples(), parts, strict=True):
        died = (part[event] != 0).to_numpy()
        risk, fails = part[time].sum(), died.sum()
        close([row.subjects, row.failures, row.time_at_risk], [len(part), fails, risk])
        close(row.rate, per * fails / risk)
        lo = per * stats.chi2.ppf(alpha / 2, 2 * fails) / (2 * risk) if fails else 0.0
        close([row.rate_lo, row.rate_hi],
              [lo, per * stats.chi2.ppf(1 - alpha / 2, 2 * fails + 2) / (2 * risk)])
        km = SurvfuncRight(part[time], died)
        for col, q in (("p25", 0.75), ("p50", 0.5), ("p75", 0.25)):
            reached = km.surv_times[km.surv_prob <= q + 1e-12]
            close(getattr(row, col), reached[0] if len(reached) else np.nan)


def check_at_times(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    group = p.get("group")
    frame = _sample(data, p, [str(group)] if group else [])
    time, event = str(p["time"]), str(p["event"])
    parts = list(frame.groupby(str(group))) if group else [(1, frame)]
    times = _numlist(str(p["times"]))
    z = stats.norm.ppf(1 - (100 - float(p["level"])) / 200)  # type: ignore[arg-type]
    table = res.table("survival_at_times")
    assert len(table) == len(parts) * len(times)
    rows = table.itertuples()
    for key, part in parts:
        died = (part[event] != 0).to_numpy()
        km = SurvfuncRight(part[time], died)
        for t in times:
            row = next(rows)
            close([row.group, row.at], [key, t])
            close(row.at_risk, (part[time] >= t).sum())
            close(row.events, (died & (part[time] <= t)).sum())
            if t > part[time].max():
                assert np.isnan(row.survival)
                continue
            before = km.surv_times <= t
            if not before.any():
                close([row.survival, row.se], [1.0, 0.0])
                continue
            surv, se = km.surv_prob[before][-1], km.surv_prob_se[before][-1]
            close([row.survival, row.se], [surv, se], rtol=1e-6)
            # log(−log S) interval, as sts: S^exp(±z·se/(S·|ln S|))
            scale = z * se / (surv * abs(np.log(surv)))
            close([row.ci_lo, row.ci_hi], [surv ** np.exp(scale), surv ** np.exp(-scale)],
                  rtol=1e-6)


def _numlist(text: str) -> list[float]:
    """The numlists the cases use: numbers, and a(step)b ranges."""
    out: list[float] = []
    for word in text.split():
        if "(" in word:
            start, rest = word.split("(")
            step, stop = rest.split(")")
            out += list(np.arange(float(start), float(stop) + 1e-9, float(step)))
        else:
            out.append(float(word))
    return out


def _cohort(seed: int, n: int = 250) -> pd.DataFrame:
    """Weibull (shape 0.8) survival with a binary and a continuous covariate, censored."""
    rng = np.random.default_rng(seed)
    exposed = rng.integers(0, 2, n)
    dose = np.round(rng.normal(0, 1, n), 3)
    rate = np.exp(-3 + 0.6 * exposed + 0.3 * dose)
    event_time = (rng.exponential(1, n) / rate) ** (1 / 0.8)
    follow = rng.uniform(5, 60, n)
    return pd.DataFrame({"weeks": np.round(np.minimum(event_time, follow), 1) + 0.1,
                         "failed": (event_time <= follow).astype(int),
                         "exposed": exposed, "dose": dose, "site": rng.integers(1, 4, n)})


EXAMPLE_CHECKS: dict[str, Check] = {
    "cox_ph": check_cox,
    "streg_parametric": check_streg,
    "survival_summary": check_summary,
    "survival_at_times": check_at_times,
}

_SURVIVAL = example_frame("survival.csv")

CASES = [
    Case(template="cox_ph", variant="log_time",
         params={"time": "weeks", "event": "failed", "indepvars": ["exposed", "dose"],
                 "timefn": "log", "level": 90},
         main=_cohort(31), check=check_cox),
    Case(template="cox_ph", variant="km",
         params={"time": "time", "event": "died", "indepvars": ["treat"], "timefn": "km"},
         main=_SURVIVAL, check=check_cox),
    Case(template="cox_ph", variant="efron",
         params={"time": "weeks", "event": "failed", "indepvars": ["exposed", "dose"],
                 "ties": "efron"},
         main=_cohort(32), check=check_cox),
    Case(template="streg_parametric", variant="weibull_aft",
         params={"time": "weeks", "event": "failed", "indepvars": ["exposed", "dose"],
                 "metric": "aft", "level": 90},
         main=_cohort(33), check=check_streg),
    Case(template="streg_parametric", variant="exponential",
         params={"time": "time", "event": "died", "indepvars": ["treat", "age"],
                 "distribution": "exponential"},
         main=_SURVIVAL, check=check_streg),
    Case(template="survival_summary", variant="by_site",
         params={"time": "weeks", "event": "failed", "group": "site", "level": 90},
         main=_cohort(34), check=check_summary),
    Case(template="survival_summary", variant="overall",
         params={"time": "time", "event": "died"},
         main=_SURVIVAL, check=check_summary),
    Case(template="survival_at_times", variant="range_beyond_follow_up",
         params={"time": "weeks", "event": "failed", "times": "0.05 10(10)70",
                 "group": "site", "level": 90},
         main=_cohort(35), check=check_at_times),
]
