"""Independent checks of the zero-inflated count template against statsmodels'
ZeroInflatedPoisson / ZeroInflatedNegativeBinomialP (p = 2) and Poisson / NegativeBinomial
(NB2) fits, with Stata's conventions: OIM standard errors from a numerical Hessian of
statsmodels' log likelihood (ln α for the dispersion), robust ones as the sandwich of its
per-row scores × N/(N−1); the predicted share of zeros p + (1 − p)f(0) averaged over rows."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP, ZeroInflatedPoisson
from statsmodels.tools.numdiff import approx_fprime, approx_hess3

from tests.templates.cases_regression import Params, names
from tests.templates.support import Case, Check, Results, close


def _fit(model, start: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """BFGS to a tight gradient tolerance from ``start``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(start_params=start, method="bfgs", maxiter=20000, gtol=1e-9, disp=0)
    return np.asarray(fit.params, dtype=float)


def _covariance(theta: np.ndarray, loglike, loglikeobs, robust: bool) -> np.ndarray:  # type: ignore[no-untyped-def]
    bread = np.linalg.inv(-approx_hess3(theta, loglike))
    if not robust:
        return bread
    scores = approx_fprime(theta, loglikeobs, centered=True)
    n = scores.shape[0]
    return bread @ scores.T @ scores @ bread * n / (n - 1)


def check_zero_inflated(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, zs = str(p["depvar"]), names(p, "indepvars"), names(p, "inflate")
    exposure = str(p["exposure"]) if p.get("exposure") else None
    cmd, robust = str(p["model"]), p["vce"] == "robust"
    frame = data["main"].dropna(subset=[y, *xs, *zs, *([exposure] if exposure else [])])
    X = sm.add_constant(frame[xs], prepend=False).to_numpy(dtype=float)
    Z = sm.add_constant(frame[zs], prepend=False).to_numpy(dtype=float)
    expo = frame[exposure].to_numpy(dtype=float) if exposure else None
    kx, kz = X.shape[1], Z.shape[1]
    negbin = cmd == "zinb"
    if negbin:
        zi = ZeroInflatedNegativeBinomialP(frame[y], X, exog_infl=Z, inflation="logit", p=2,
                                           exposure=expo)
        plain = sm.NegativeBinomial(frame[y], X, loglike_method="nb2", exposure=expo)
    else:
        zi = ZeroInflatedPoisson(frame[y], X, exog_infl=Z, inflation="logit", exposure=expo)
        plain = sm.Poisson(frame[y], X, exposure=expo)
    poisson = np.asarray(sm.Poisson(frame[y], X, exposure=expo).fit(disp=0).params)
    dispersion = [0.5] if negbin else []
    params = _fit(zi, np.concatenate([np.zeros(kz), poisson, dispersion]))

    def to_sm(theta: np.ndarray) -> np.ndarray:  # Stata's (count, inflate[, ln α]) order
        tail = [np.exp(theta[-1])] if negbin else []
        return np.concatenate([theta[kx:kx + kz], theta[:kx], tail])

    theta = np.concatenate([params[kz:kz + kx], params[:kz],
                            [np.log(params[-1])] if negbin else []])
    cov = _covariance(theta, lambda t: zi.loglike(to_sm(t)),
                      lambda t: zi.loglikeobs(to_sm(t)), robust)
    se = np.sqrt(np.diag(cov))
    coefs = res.table("coefficients")
    rows = coefs[coefs["model"] == cmd].set_index("term")
    terms = [f"{y}:{t}" for t in [*xs, "_cons"]] + [f"inflate:{t}" for t in [*zs, "_cons"]]
    close(rows.loc[terms, "coef"].to_numpy(), theta[:kx + kz], rtol=1e-5, atol=1e-7)
    close(rows.loc[terms, "se"].to_numpy(), se[:kx + kz], rtol=1e-4)
    z = stats.norm.ppf(1 - (100 - float(p["level"])) / 200)  # type: ignore[arg-type]
    irr = res.table("irr")
    assert list(irr["term"]) == [*xs, "_cons"]
    close(irr["irr"], np.exp(theta[:kx]), rtol=1e-5)
    close(irr["ci_lo"], np.exp(theta[:kx] - z * se[:kx]), rtol=1e-4)
    close(irr["ci_hi"], np.exp(theta[:kx] + z * se[:kx]), rtol=1e-4)

    plain_params = _fit(plain, np.append(poisson, dispersion))
    fit = res.table("fit_comparison")
    assert list(fit["model"]) == ["nbreg" if negbin else "poisson", cmd]
    close(fit["ll"], [plain.loglike(plain_params), zi.loglike(params)], rtol=1e-8)
    k = [kx + negbin, kx + kz + negbin]
    close(fit["parameters"], k)
    close(fit["aic"], -2 * fit["ll"] + 2 * np.array(k))
    off = np.log(expo) if expo is not None else 0.0
    mu_plain = np.exp(X @ plain_params[:kx] + off)
    mu = np.exp(X @ theta[:kx] + off)
    prob = 1 / (1 + np.exp(-(Z @ theta[kx:kx + kz])))
    if negbin:
        f0_plain = (1 + plain_params[-1] * mu_plain) ** (-1 / plain_params[-1])
        f0 = (1 + params[-1] * mu) ** (-1 / params[-1])
    else:
        f0_plain, f0 = np.exp(-mu_plain), np.exp(-mu)
    close(fit["zeros_predicted"], [f0_plain.mean(), (prob + (1 - prob) * f0).mean()],
          rtol=1e-5)
    close(fit["zeros_observed"], (frame[y] == 0).mean())


def _clinic(seed: int, n: int = 400) -> pd.DataFrame:
    """Clinic visits: never-users (logit in `insured` and `distance`) and Poisson visits."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"age": rng.integers(20, 80, n).astype(float),
                          "chronic": (rng.uniform(size=n) < 0.3).astype(float),
                          "insured": (rng.uniform(size=n) < 0.7).astype(float),
                          "distance": rng.gamma(2, 5, n)})
    never = rng.uniform(size=n) < 1 / (1 + np.exp(-(0.5 - 1.5 * frame.insured
                                                    + 0.05 * frame.distance)))
    mu = np.exp(0.2 + 0.01 * (frame.age - 50) + 0.8 * frame.chronic)
    frame["visits"] = np.where(never, 0, rng.poisson(mu))
    frame.loc[5, "distance"] = np.nan
    return frame


EXAMPLE_CHECKS: dict[str, Check] = {"zero_inflated_counts": check_zero_inflated}

CASES = [
    Case(template="zero_inflated_counts", variant="zip_robust",
         params={"depvar": "visits", "indepvars": ["age", "chronic"],
                 "inflate": ["insured", "distance"], "model": "zip", "vce": "robust",
                 "level": 90},
         main=_clinic(71), check=check_zero_inflated),
]
