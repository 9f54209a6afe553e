"""Independent checks of the sample-selection, fractional-response and GLM templates.

Heckman's model by maximising its likelihood here with scipy (athrho and ln σ as Stata
parameterises them; standard errors from a numerical Hessian) and by the two-step method built
here from a statsmodels probit and least squares, with Heckman's corrected covariance
([R] heckman, Methods and formulas); fractional logit/probit as a statsmodels Bernoulli GLM on
the shares with the sandwich covariance times N/(N−1) (Stata's ``vce(robust)``); ``glm``
against statsmodels ``GLM`` with the observed-information covariance (Stata's ``oim``, times
the Pearson dispersion for the Gaussian family) or that sandwich.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, stats
from statsmodels.tools.numdiff import approx_hess3

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close, example_frame


def _heckman_sample(data: Mapping[str, pd.DataFrame], p: Params
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    zs = [*xs, *names(p, "exclusion")]
    frame = data["main"]
    selected = p.get("selected")
    if selected:
        frame = frame.dropna(subset=[str(selected)])
        chosen = (frame[str(selected)] != 0).to_numpy()
    else:
        chosen = frame[y].notna().to_numpy()
    keep = frame[zs].notna().all(axis=1).to_numpy() & (~chosen | frame[y].notna().to_numpy())
    frame, chosen = frame[keep], chosen[keep]
    X = np.column_stack([frame[xs].to_numpy(float), np.ones(len(frame))])
    Z = np.column_stack([frame[zs].to_numpy(float), np.ones(len(frame))])
    return frame[y].to_numpy(float), chosen, X, Z


def _heckman_loglik(theta: np.ndarray, y: np.ndarray, s: np.ndarray, X: np.ndarray,
                    Z: np.ndarray) -> float:
    kx, kz = X.shape[1], Z.shape[1]
    beta, gamma = theta[:kx], theta[kx: kx + kz]
    rho, sigma = np.tanh(theta[-2]), np.exp(theta[-1])
    zg = Z @ gamma
    e = np.where(s, (np.nan_to_num(y) - X @ beta) / sigma, 0.0)
    chosen = (stats.norm.logcdf((zg + rho * e) / np.sqrt(1 - rho**2)) - 0.5 * e**2
              - np.log(np.sqrt(2 * np.pi) * sigma))
    return float(np.sum(np.where(s, chosen, stats.norm.logcdf(-zg))))


def _two_step(y: np.ndarray, s: np.ndarray, X: np.ndarray, Z: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, float, float, object]:
    probit = sm.Probit(s.astype(float), Z).fit(disp=0, tol=1e-12)
    zg = Z[s] @ probit.params
    mills = stats.norm.pdf(zg) / stats.norm.cdf(zg)
    Xs = np.column_stack([X[s], mills])
    coef = np.linalg.lstsq(Xs, y[s], rcond=None)[0]
    delta = mills * (mills + zg)
    resid = y[s] - Xs @ coef
    sigma = float(np.sqrt(resid @ resid / s.sum() + coef[-1] ** 2 * delta.mean()))
    rho = coef[-1] / sigma
    # Heckman's covariance: σ²(X*'X*)⁻¹ [X*'(I − ρ²Δ)X* + Q] (X*'X*)⁻¹,
    # Q = ρ² (X*'ΔZ) V_probit (Z'ΔX*).
    bread = np.linalg.inv(Xs.T @ Xs)
    xdz = (Xs * delta[:, None]).T @ Z[s]
    q = rho**2 * xdz @ np.asarray(probit.cov_params()) @ xdz.T
    middle = Xs.T @ (Xs * (1 - rho**2 * delta)[:, None]) + q
    cov = sigma**2 * bread @ middle @ bread
    return coef, np.sqrt(np.diag(cov)), sigma, float(rho), probit


def check_heckman(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, s, X, Z = _heckman_sample(data, p)
    depvar, xs, zs = str(p["depvar"]), names(p, "indepvars"), \
        [*names(p, "indepvars"), *names(p, "exclusion")]
    out_terms = [f"{depvar}:{x}" for x in [*xs, "_cons"]]
    sel_terms = [f"select:{z}" for z in [*zs, "_cons"]]
    rows = res.table("coefficients")
    rows = rows[rows["model"] == "heckman"].set_index("term")
    table = res.table("selection").iloc[0]
    coef, se, sigma, rho, probit = _two_step(y, s, X, Z)
    close([table["N"], table["selected"]], [len(y), s.sum()])
    if p["method"] == "twostep":
        close(rows.loc[out_terms, "coef"], coef[:-1])
        close(rows.loc[out_terms, "se"], se[:-1], rtol=1e-5)
        close(rows.loc[sel_terms, "coef"], probit.params, rtol=1e-6)  # type: ignore[attr-defined]
        close(rows.loc[sel_terms, "se"], probit.bse, rtol=1e-5)  # type: ignore[attr-defined]
        close(rows.loc["/mills:lambda", ["coef", "se"]], [coef[-1], se[-1]], rtol=1e-5)
        close([table["rho"], table["sigma"], table["lambda"]], [rho, sigma, coef[-1]])
        return
    start = np.r_[coef[:-1], probit.params, np.arctanh(np.clip(rho, -0.9, 0.9)),  # type: ignore[attr-defined]
                  np.log(sigma)]
    loglik = lambda th: _heckman_loglik(th, y, s, X, Z)  # noqa: E731
    best = optimize.minimize(lambda th: -loglik(th), start, method="BFGS",
                             options={"gtol": 1e-8, "maxiter": 5000})
    theta = best.x
    se_ml = np.sqrt(np.diag(np.linalg.inv(-approx_hess3(theta, loglik))))
    terms = [*out_terms, *sel_terms, "/:athrho", "/:lnsigma"]
    close(rows.loc[terms, "coef"], theta, rtol=1e-4, atol=1e-5)
    close(rows.loc[terms, "se"], se_ml, rtol=1e-3)
    close(res.stat("heckman", "ll"), -best.fun, rtol=1e-8)
    close([table["rho"], table["sigma"]], [np.tanh(theta[-2]), np.exp(theta[-1])], rtol=1e-4)
    # LR test of ρ = 0: the joint likelihood against probit + normal regression.
    ols = sm.OLS(y[s], X[s]).fit()
    sigma_ml = np.sqrt(ols.ssr / s.sum())
    ll_ols = np.sum(stats.norm.logpdf(ols.resid, scale=sigma_ml))
    close(table["lr_chi2_rho0"], 2 * (-best.fun - probit.llf - ll_ols), rtol=1e-4)  # type: ignore[attr-defined]


def check_fracreg(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    frame = data["main"].dropna(subset=[y, *xs])
    link = sm.families.links.Logit() if p["link"] == "logit" else sm.families.links.Probit()
    X = sm.add_constant(frame[xs])
    fit = sm.GLM(frame[y], X, family=sm.families.Binomial(link=link)).fit(
        tol=1e-12, cov_type="HC0")
    n = len(frame)
    for key in X.columns:
        row = res.coef("fracreg", "_cons" if key == "const" else str(key))
        close(row["coef"], fit.params[key], rtol=1e-6)
        close(row["se"], fit.bse[key] * np.sqrt(n / (n - 1)), rtol=1e-5)
    ols = sm.OLS(frame[y], X).fit(cov_type="HC1")
    close(res.coef("ols", xs[0])["se"], ols.bse[xs[0]])
    xb = X.to_numpy(float) @ fit.params.to_numpy()
    density = stats.logistic.pdf(xb) if p["link"] == "logit" else stats.norm.pdf(xb)
    effects = res.table("marginal_effects")
    assert list(effects["term"]) == xs
    close(effects["ame"], [fit.params[x] * density.mean() for x in xs], rtol=1e-6)
    close(effects["mean_fitted"].iloc[0], fit.fittedvalues.mean(), rtol=1e-6)


_FAMILIES = {"gaussian": sm.families.Gaussian, "binomial": sm.families.Binomial,
             "poisson": sm.families.Poisson}
_LINKS = {"identity": sm.families.links.Identity, "log": sm.families.links.Log,
          "logit": sm.families.links.Logit, "probit": sm.families.links.Probit,
          "cloglog": sm.families.links.CLogLog}


def check_glm(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, trials = str(p["depvar"]), names(p, "indepvars"), p.get("trials")
    frame = data["main"].dropna(subset=[y, *xs, *([str(trials)] if trials else [])])
    link = None if p["link"] == "canonical" else _LINKS[str(p["link"])]()
    family = (sm.families.NegativeBinomial(alpha=1.0, **({"link": link} if link else {}))
              if p["family"] == "nbinomial"
              else _FAMILIES[str(p["family"])](**({"link": link} if link else {})))
    X = sm.add_constant(frame[xs])
    if trials:  # successes out of trials: the share, weighted by the trials
        model = sm.GLM(frame[y] / frame[str(trials)], X, family=family,
                       var_weights=frame[str(trials)])
    else:
        model = sm.GLM(frame[y], X, family=family)
    fit = model.fit(tol=1e-13, maxiter=500)
    params = fit.params.to_numpy()
    n, k = len(frame), X.shape[1]
    pearson = float(fit.pearson_chi2)
    hessian = model.hessian(params, scale=1.0, observed=True)
    if p["vce"] == "robust":
        score = model.score_obs(params, scale=1.0)
        bread = np.linalg.inv(-hessian)
        cov = bread @ (score.T @ score) @ bread * n / (n - 1)
    else:
        scale = pearson / (n - k) if p["family"] == "gaussian" else 1.0
        cov = np.linalg.inv(-hessian) * scale
    for key, b, se in zip(X.columns, params, np.sqrt(np.diag(cov)), strict=True):
        row = res.coef("glm", "_cons" if key == "const" else str(key))
        close(row["coef"], b, rtol=1e-6, atol=1e-10)
        close(row["se"], se, rtol=1e-5)
    table = res.table("fit").iloc[0]
    close([table["deviance"], table["pearson_chi2"], table["df"]],
          [fit.deviance, pearson, n - k], rtol=1e-6)


def _selection_sample(seed: int, n: int = 600) -> pd.DataFrame:
    """Outcome y observed when s = 1; errors correlated −0.4; w shifts selection only."""
    rng = np.random.default_rng(seed)
    x, w = np.round(rng.normal(0, 1, n), 3), np.round(rng.normal(0, 1, n), 3)
    u, e = rng.multivariate_normal([0, 0], [[1, -0.4 * 2], [-0.4 * 2, 4]], n).T
    s = (0.3 + 0.5 * x + 0.8 * w + u > 0).astype(int)
    y = np.where(s == 1, np.round(1 + 2 * x + e, 3), np.nan)
    return pd.DataFrame({"y": y, "x": x, "w": w, "s": s})


def _shares(seed: int, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = np.round(rng.normal(0, 1, n), 3), rng.integers(0, 2, n)
    mean = stats.norm.cdf(-0.3 + 0.5 * x1 - 0.4 * x2)
    share = np.round(rng.beta(mean * 8, (1 - mean) * 8), 3)
    share[rng.uniform(size=n) < 0.05] = 1.0
    return pd.DataFrame({"share": share, "x1": x1, "x2": x2})


def _grouped(seed: int, groups: int = 80) -> pd.DataFrame:
    """Successes out of trials per group (cloglog mean), and a count with NB1-like noise."""
    rng = np.random.default_rng(seed)
    dose = np.round(rng.uniform(0, 3, groups), 2)
    male = rng.integers(0, 2, groups)
    trials = rng.integers(5, 40, groups)
    prob = 1 - np.exp(-np.exp(-1.5 + 0.6 * dose + 0.3 * male))
    mean = np.exp(0.5 + 0.4 * dose)
    return pd.DataFrame({"dead": rng.binomial(trials, prob), "exposed": trials, "dose": dose,
                         "male": male,
                         "visits": rng.poisson(mean * rng.gamma(1.0, 1.0, groups))})


EXAMPLE_CHECKS: dict[str, Check] = {
    "glm_regression": check_glm,
    "heckman_selection": check_heckman,
    "fractional_response": check_fracreg,
}

CASES = [
    Case(template="heckman_selection", variant="twostep",
         params={"depvar": "lwage", "indepvars": ["educ", "exper"],
                 "exclusion": ["kids", "nonlabinc"], "selected": "works", "method": "twostep"},
         main=example_frame("labour.csv"), check=check_heckman),
    Case(template="heckman_selection", variant="missing_outcome",
         params={"depvar": "y", "indepvars": ["x"], "exclusion": ["w"]},
         main=_selection_sample(41), check=check_heckman),
    Case(template="fractional_response", variant="probit",
         params={"depvar": "share", "indepvars": ["x1", "x2"], "link": "probit"},
         main=_shares(42), check=check_fracreg),
    Case(template="glm_regression", variant="binomial_trials_cloglog",
         params={"depvar": "dead", "indepvars": ["dose", "male"], "family": "binomial",
                 "link": "cloglog", "trials": "exposed"},
         main=_grouped(43), check=check_glm),
    Case(template="glm_regression", variant="nbinomial_robust",
         params={"depvar": "visits", "indepvars": ["dose"], "family": "nbinomial",
                 "vce": "robust"},
         main=_grouped(44), check=check_glm),
    Case(template="glm_regression", variant="binary_probit",
         params={"depvar": "d", "indepvars": ["x1", "x2"], "family": "binomial",
                 "link": "probit"},
         main=cross_section(45), check=check_glm),
]
