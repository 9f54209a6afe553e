"""Independent checks of the teffects and IV-diagnostics templates.

Treatment effects: each estimator written out as its moment conditions (outcome regressions by
arm, a logit or probit propensity score, the potential-outcome means and the effect), solved
in closed form with statsmodels/numpy, and its standard errors by the M-estimation sandwich
A⁻¹BA⁻ᵀ/n that Stata's teffects reports ([TE] teffects, methods and formulas). IV: linearmodels
(2SLS, LIML, two-step GMM with Stata's conventions) and statsmodels OLS for the first stage
and the Anderson–Rubin regression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from linearmodels.iv import IV2SLS, IVGMM, IVLIML
from scipy import stats
from statsmodels.tools.numdiff import approx_fprime

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close

Moments = Callable[[np.ndarray], np.ndarray]


def _sandwich(moments: Moments, theta: np.ndarray) -> np.ndarray:
    """M-estimation covariance A⁻¹ B A⁻ᵀ / n of exactly identified moments g(θ) (n × p)."""
    g = moments(theta)
    n = len(g)
    a = approx_fprime(theta, lambda t: moments(t).mean(axis=0), centered=True)
    bread = np.linalg.inv(a)
    return bread @ (g.T @ g / n) @ bread.T / n


def _propensity(treat: np.ndarray, Z: np.ndarray, link: str) -> tuple[np.ndarray, Callable]:
    """The propensity model's coefficients and its score function s(γ) (n × k)."""
    model = sm.Logit if link == "logit" else sm.Probit
    gamma = np.asarray(model(treat, Z).fit(disp=0, method="newton", tol=1e-12).params)

    def score(g: np.ndarray) -> np.ndarray:
        index = Z @ g
        if link == "logit":
            p = 1 / (1 + np.exp(-index))
            return Z * (treat - p)[:, None]
        p, dens = stats.norm.cdf(index), stats.norm.pdf(index)
        return Z * (dens * (treat - p) / (p * (1 - p)))[:, None]

    return gamma, score


def _pscore(Z: np.ndarray, g: np.ndarray, link: str) -> np.ndarray:
    index = Z @ g
    return 1 / (1 + np.exp(-index)) if link == "logit" else stats.norm.cdf(index)


def _wls(y: np.ndarray, X: np.ndarray, w: np.ndarray) -> np.ndarray:
    sw = np.sqrt(w)
    return np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]


def teffects(frame: pd.DataFrame, y: str, treat: str, xs: list[str], zs: list[str],
             method: str, estimand: str = "ate", link: str = "logit") -> dict[str, float]:
    """The effect and control potential-outcome mean of ``teffects <method>``, with their
    standard errors: θ = (effect, POmean₀, β₀, β₁, γ) as each method uses them."""
    yv, t = frame[y].to_numpy(float), (frame[treat] != 0).to_numpy(float)
    X = np.column_stack([frame[xs].to_numpy(float), np.ones(len(frame))])
    Z = np.column_stack([frame[zs].to_numpy(float), np.ones(len(frame))])
    k = X.shape[1]
    uses_ps = method != "ra"
    gamma, ps_score = _propensity(t, Z, link) if uses_ps else (np.zeros(0), None)
    att = estimand == "atet"

    def weights(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights of the treated and of the controls in the outcome fits and the means."""
        if method in ("ra", "aipw"):
            return t, 1 - t
        p = _pscore(Z, g, link)
        if att:
            return t, (1 - t) * p / (1 - p)
        return t / p, (1 - t) / (1 - p)

    def unpack(theta: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray, np.ndarray]:
        if method == "ipw":
            return theta[0], theta[1], np.zeros(0), np.zeros(0), theta[2:]
        return theta[0], theta[1], theta[2 : 2 + k], theta[2 + k : 2 + 2 * k], theta[2 + 2 * k :]

    def moments(theta: np.ndarray) -> np.ndarray:
        tau, mu0, b0, b1, g = unpack(theta)
        w1, w0 = weights(g)
        cols = []
        if method == "ipw":
            # normalised IPW means: Σ w₀(y − μ₀) = 0 and Σ w₁(y − μ₀ − τ) = 0
            cols = [(w1 * (yv - mu0 - tau))[:, None], (w0 * (yv - mu0))[:, None]]
        else:
            p0, p1 = X @ b0, X @ b1
            if method == "aipw":
                p = _pscore(Z, g, link)
                pom1 = p1 + t / p * (yv - p1)
                pom0 = p0 + (1 - t) / (1 - p) * (yv - p0)
            else:
                pom1, pom0 = p1, p0
            scale = t if att else np.ones_like(t)
            cols = [(scale * (pom1 - pom0 - tau))[:, None], (scale * (pom0 - mu0))[:, None],
                    X * (w0 * (yv - p0))[:, None], X * (w1 * (yv - p1))[:, None]]
        if uses_ps:
            cols.append(ps_score(g))  # type: ignore[misc]
        return np.hstack(cols)

    w1, w0 = weights(gamma)
    if method == "ipw":
        mu0 = np.average(yv, weights=w0)
        theta = np.concatenate([[np.average(yv, weights=w1) - mu0, mu0], gamma])
    else:
        b0, b1 = _wls(yv, X, w0), _wls(yv, X, w1)
        # solve the two mean moments for τ and μ₀ given β and γ
        start = np.concatenate([[0.0, 0.0], b0, b1, gamma])
        g0 = moments(start)
        scale = t if att else np.ones_like(t)
        theta = start.copy()
        theta[0] = g0[:, 0].sum() / scale.sum()
        theta[1] = g0[:, 1].sum() / scale.sum()
    assert np.abs(moments(theta).mean(axis=0)).max() < 1e-6 * max(1.0, np.abs(yv).mean())
    se = np.sqrt(np.diag(_sandwich(moments, theta)))
    return {"effect": theta[0], "se": se[0], "pomean": theta[1], "pomean_se": se[1]}


def _check_effect(row: pd.Series, expected: dict[str, float]) -> None:
    close(row["effect"], expected["effect"], rtol=1e-6)
    close(row["se"], expected["se"], rtol=1e-4)
    close(row["pomean_control"], expected["pomean"], rtol=1e-6)
    z = stats.norm.ppf(0.975)
    close([row["ci_lo"], row["ci_hi"]], [row["effect"] - z * row["se"],
                                         row["effect"] + z * row["se"]])


def _frame(data: Mapping[str, pd.DataFrame], p: Params, *keys: str) -> pd.DataFrame:
    columns = [str(p["depvar"]), str(p["treat"])] + [v for key in keys for v in names(p, key)]
    return data["main"].dropna(subset=columns)


def check_teffects_ra(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs = names(p, "covariates")
    frame = _frame(data, p, "covariates")
    expected = teffects(frame, str(p["depvar"]), str(p["treat"]), xs, [], "ra",
                        str(p["estimand"]))
    _check_effect(res.table("effect").iloc[0], expected)
    close(res.table("effect")["N"], len(frame))


def _check_doubly_robust(res: Results, data: Mapping[str, pd.DataFrame], p: Params,
                         method: str) -> None:
    xs, zs = names(p, "covariates"), names(p, "tcovariates") or names(p, "covariates")
    frame = _frame(data, p, "covariates", "tcovariates")
    link = str(p["link"])
    expected = teffects(frame, str(p["depvar"]), str(p["treat"]), xs, zs, method,
                        str(p.get("estimand", "ate")), link)
    _check_effect(res.table("effect").iloc[0], expected)
    overlap = res.table("overlap")
    Z = sm.add_constant(frame[zs], prepend=False)
    model = sm.Logit if link == "logit" else sm.Probit
    score = model((frame[str(p["treat"])] != 0).astype(float), Z).fit(disp=0, tol=1e-12).predict()
    treated = (frame[str(p["treat"])] != 0).to_numpy()
    close(overlap["min_pscore"], [score[~treated].min(), score[treated].min()], rtol=1e-5)
    close(overlap["mean_pscore"], [score[~treated].mean(), score[treated].mean()], rtol=1e-5)


def check_teffects_aipw(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    _check_doubly_robust(res, data, p, "aipw")


def check_teffects_ipwra(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    _check_doubly_robust(res, data, p, "ipwra")


def check_teffects_compare(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    xs, link = names(p, "covariates"), str(p["link"])
    frame = _frame(data, p, "covariates")
    y, treat = str(p["depvar"]), str(p["treat"])
    table = res.table("effects").set_index("method")
    assert list(table.index) == ["difference_in_means", "ra", "ipw", "aipw", "ipwra"]
    treated = frame[treat] != 0
    naive = frame.loc[treated, y].mean() - frame.loc[~treated, y].mean()
    close(table.loc["difference_in_means", "effect"], naive)
    for method in ("difference_in_means", "ra", "ipw", "aipw", "ipwra"):
        covs = [] if method == "difference_in_means" else xs
        expected = teffects(frame, y, treat, covs, xs, "ra" if not covs else method,
                            link=link)
        _check_effect(table.loc[method], expected)


def _iv_frame(data: Mapping[str, pd.DataFrame], p: Params) -> pd.DataFrame:
    endog = names(p, "endog") or [str(p["endog"])]
    cols = [str(p["depvar"]), *endog, *names(p, "instruments"), *names(p, "exog")]
    return data["main"].dropna(subset=cols).assign(const=1.0)


def check_iv_weak_robust(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, endog = str(p["depvar"]), str(p["endog"])
    instruments, exog = names(p, "instruments"), names(p, "exog")
    frame = _iv_frame(data, p)
    robust = p["vce"] == "robust"
    cov = "robust" if robust else "unadjusted"
    args = (frame[y], frame[["const", *exog]], frame[[endog]], frame[instruments])
    tsls = IV2SLS(*args).fit(cov_type=cov, debiased=True)
    liml = IVLIML(*args).fit(cov_type=cov, debiased=True)
    for model, fit in (("tsls", tsls), ("liml", liml)):
        for term in [endog, *exog, "_cons"]:
            key = "const" if term == "_cons" else term
            row = res.coef(model, term)
            close(row["coef"], fit.params[key])
            close(row["se"], fit.std_errors[key])
    table = res.table("weak_iv_tests")
    close(table["liml_kappa"].iloc[0], liml.kappa)
    hc = {"cov_type": "HC1"} if robust else {}
    first = sm.OLS(frame[endog], frame[[*instruments, *exog, "const"]]).fit(**hc)
    restriction = ", ".join(f"{z} = 0" for z in instruments)
    wald = first.wald_test(restriction, use_f=True, scalar=True)
    close([table["statistic"].iloc[0], table["p"].iloc[0]], [wald.statistic, wald.pvalue])
    shifted = frame[y] - float(p["null"]) * frame[endog]  # type: ignore[arg-type]
    ar = sm.OLS(shifted, frame[[*instruments, *exog, "const"]]).fit(**hc)
    ar_test = ar.wald_test(restriction, use_f=True, scalar=True)
    close([table["statistic"].iloc[1], table["p"].iloc[1]], [ar_test.statistic, ar_test.pvalue])
    close([table["df"].iloc[1], table["df_r"].iloc[1]], [len(instruments), ar.df_resid])


def check_iv_gmm(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, endog = str(p["depvar"]), names(p, "endog")
    instruments, exog, cluster = names(p, "instruments"), names(p, "exog"), p.get("clustvar")
    frame = _iv_frame(data, p)
    if cluster:
        frame = frame.dropna(subset=[str(cluster)])
    args = (frame[y], frame[["const", *exog]], frame[endog], frame[instruments])
    if cluster:
        groups = pd.factorize(frame[str(cluster)])[0]
        gmm = IVGMM(*args, weight_type="clustered", clusters=groups).fit(
            cov_type="clustered", clusters=groups)
        tsls = IV2SLS(*args).fit(cov_type="clustered", clusters=groups)
    else:
        gmm = IVGMM(*args, weight_type="robust").fit(cov_type="robust")
        tsls = IV2SLS(*args).fit(cov_type="robust")
    for model, fit in (("gmm", gmm), ("tsls", tsls)):
        for term in [*endog, *exog, "_cons"]:
            key = "const" if term == "_cons" else term
            row = res.coef(model, term)
            close(row["coef"], fit.params[key], rtol=1e-6)
            close(row["se"], fit.std_errors[key], rtol=1e-5)
    overid = res.table("overid_test").iloc[0]
    df = len(instruments) - len(endog)
    close(overid["df"], df)
    close(overid["J"], gmm.j_stat.stat, rtol=1e-6)
    close(overid["p"], stats.chi2.sf(gmm.j_stat.stat, df) if df else np.nan, rtol=1e-6)


def _selection(seed: int) -> pd.DataFrame:
    """Treatment depending on x1 and x2; outcome with a true effect of 2 and a treated slope."""
    frame = cross_section(seed, n=500)
    rng = np.random.default_rng(seed + 1000)  # not the fixture's own draws
    frame["t"] = (rng.uniform(0, 1, 500) < stats.norm.cdf(0.5 * frame["x1"] - 0.2 * frame["x2"]
                                                           + 0.3)).astype(int)
    frame["out"] = np.round(1 + 0.8 * frame["x1"] + 0.5 * frame["x2"] + 2 * frame["t"]
                            + 0.4 * frame["t"] * frame["x1"] + rng.normal(0, 1, 500), 4)
    return frame


def _instrumented(seed: int) -> pd.DataFrame:
    frame = cross_section(seed, n=400)
    rng = np.random.default_rng(seed + 1000)  # not the fixture's own draws
    u = rng.normal(0, 1, 400)
    frame["z1"], frame["z2"] = np.round(rng.normal(0, 1, (2, 400)), 4)
    frame["w"] = np.round(0.25 * frame["z1"] + 0.15 * frame["z2"] + u + rng.normal(0, 1, 400), 4)
    frame["yy"] = np.round(1 + 0.5 * frame["w"] + 0.3 * frame["x1"] + u
                           + rng.normal(0, 1 + 0.5 * np.abs(frame["z1"]), 400), 4)
    return frame


EXAMPLE_CHECKS: dict[str, Check] = {
    "teffects_ra": check_teffects_ra,
    "teffects_aipw": check_teffects_aipw,
    "teffects_ipwra": check_teffects_ipwra,
    "teffects_compare": check_teffects_compare,
    "iv_weak_robust": check_iv_weak_robust,
    "iv_gmm": check_iv_gmm,
}

CASES = [
    Case(
        template="teffects_ra",
        params={"depvar": "out", "treat": "t", "covariates": ["x1", "x2"], "estimand": "atet"},
        main=_selection(300),
        check=check_teffects_ra,
    ),
    Case(
        template="teffects_aipw",
        params={"depvar": "out", "treat": "t", "covariates": ["x1", "x2"],
                "tcovariates": ["x1", "x2", "x3"], "link": "probit"},
        main=_selection(301),
        check=check_teffects_aipw,
    ),
    Case(
        template="teffects_ipwra",
        params={"depvar": "out", "treat": "t", "covariates": ["x1", "x2"], "estimand": "atet"},
        main=_selection(302),
        check=check_teffects_ipwra,
    ),
    Case(
        template="teffects_compare",
        params={"depvar": "out", "treat": "t", "covariates": ["x1", "x2"], "link": "probit"},
        main=_selection(303),
        check=check_teffects_compare,
    ),
    Case(
        template="iv_weak_robust",
        params={"depvar": "yy", "endog": "w", "instruments": ["z1", "z2"], "exog": ["x1"],
                "null": 0.5, "vce": "unadjusted"},
        main=_instrumented(304),
        check=check_iv_weak_robust,
    ),
    Case(
        template="iv_gmm",
        params={"depvar": "yy", "endog": ["w"], "instruments": ["z1", "z2"], "exog": ["x1"],
                "clustvar": "g"},
        main=_instrumented(305),
        check=check_iv_gmm,
    ),
]
