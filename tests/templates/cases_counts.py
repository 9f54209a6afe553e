"""Independent checks of the zero-inflated count template against statsmodels'
ZeroInflatedPoisson / ZeroInflatedNegativeBinomialP (p = 2) and Poisson / NegativeBinomial
(NB2) fits, with Stata's conventions: OIM standard errors from a numerical Hessian of
statsmodels' log likelihood (ln α for the dispersion), robust ones as the sandwich of its
per-row scores × N/(N−1). The predicted distribution of the count is statsmodels'
``predict(which="prob")`` (zero-inflated) or scipy's Poisson / NB2 pmf at statsmodels' fitted
means (plain), averaged over rows; the marginal effects are numerical derivatives of the
average of statsmodels' ``predict(which="mean")`` with delta-method SEs."""

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
    off = np.log(expo) if expo is not None else np.zeros(len(frame))
    # the exposure enters the zero-inflated models as the offset ln t (the same likelihood):
    # statsmodels' ZIP predict(which="prob") drops an exposure but keeps an offset
    if negbin:
        zi = ZeroInflatedNegativeBinomialP(frame[y], X, exog_infl=Z, inflation="logit", p=2,
                                           offset=off)
        plain = sm.NegativeBinomial(frame[y], X, loglike_method="nb2", exposure=expo)
    else:
        zi = ZeroInflatedPoisson(frame[y], X, exog_infl=Z, inflation="logit", offset=off)
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
    mu_plain = np.exp(X @ plain_params[:kx] + off)
    top = int(p["max_count"]) + 1  # type: ignore[call-overload]
    ks = np.arange(top)
    if negbin:
        a = plain_params[-1]
        plain_prob = stats.nbinom.pmf(ks[None, :], 1 / a, 1 / (1 + a * mu_plain[:, None]))
    else:
        plain_prob = stats.poisson.pmf(ks[None, :], mu_plain[:, None])
    zi_prob = np.asarray(zi.predict(params, which="prob", y_values=ks), dtype=float)
    table = res.table("count_distribution")
    assert list(table["count"]) == [*map(str, ks), f"{top} or more"]
    counts = frame[y].to_numpy()
    observed = [*(np.mean(counts == k) for k in ks), np.mean(counts >= top)]
    close(table["observed"], observed)
    for column, prob in (("predicted_plain", plain_prob), ("predicted_zi", zi_prob)):
        shares = prob.mean(axis=0)
        close(table[column], [*shares, 1 - shares.sum()], rtol=1e-5, atol=1e-8)
    close(fit["zeros_predicted"], [plain_prob[:, 0].mean(), zi_prob[:, 0].mean()], rtol=1e-5)
    close(fit["zeros_observed"], (frame[y] == 0).mean())
    close(fit["mean_observed"], counts.mean())
    close(fit["mean_predicted"],
          [mu_plain.mean(), np.asarray(zi.predict(params, which="mean")).mean()], rtol=1e-5)
    close(fit["pr_structural_zero"],
          [0.0, 1 - np.asarray(zi.predict(params, which="prob-main")).mean()], rtol=1e-5)
    _check_marginal_effects(res, zi, to_sm, theta, cov, X, Z, off, xs, zs, z)


def _check_marginal_effects(res: Results, zi, to_sm, theta: np.ndarray, cov: np.ndarray,  # type: ignore[no-untyped-def]
                            X: np.ndarray, Z: np.ndarray, off: np.ndarray, xs: list[str],
                            zs: list[str], z: float) -> None:
    """``margins, dydx(indepvars)``: the derivative of the average expected count in each
    count regressor (moving its inflate column too when it is there), delta-method SEs."""
    ame = res.table("marginal_effects")
    assert list(ame["term"]) == xs
    for j, var in enumerate(xs):

        def average(t: np.ndarray, var: str = var, j: int = j) -> float:
            h = 1e-5
            values = []
            for step in (h, -h):
                Xs, Zs = X.copy(), Z.copy()
                Xs[:, j] += step
                if var in zs:
                    Zs[:, zs.index(var)] += step
                values.append(np.mean(zi.predict(to_sm(t), exog=Xs, exog_infl=Zs, offset=off)))
            return float((values[0] - values[1]) / (2 * h))

        grad = approx_fprime(theta, average, centered=True)
        se = float(np.sqrt(grad @ cov @ grad))
        close(ame["dydx"].iloc[j], average(theta), rtol=1e-4, atol=1e-8)
        close(ame["se"].iloc[j], se, rtol=2e-3)
        close(ame["ci_lo"].iloc[j], average(theta) - z * se, rtol=2e-3, atol=1e-6)


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
