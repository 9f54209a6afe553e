"""Independent checks of the limited-dependent-variable and quantile templates.

Ordered models against statsmodels ``OrderedModel`` (its cut points are a first threshold and
log increments: turned into Stata's cuts with the delta method), multinomial logit against
``MNLogit`` with Stata's base category moved first, negative binomial (NB2) against
``NegativeBinomial``, tobit against a censored-normal likelihood maximised here with scipy,
quantile regression against scipy's linear program and the manual's formula for Stata's
default standard errors. ML standard errors are observed information; robust ones the
sandwich times N/(N−1), as Stata's ``vce(robust)`` after ML commands.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_hess3

from tests.templates.cases_regression import Params, names
from tests.templates.fixtures import cross_section
from tests.templates.support import Case, Check, Results, close


def _term(res: Results, model: str, term: str) -> pd.Series:
    """The coefficients.csv row of ``term`` (``eq:term`` names match on the part after ``:``)."""
    rows = res.table("coefficients")
    rows = rows[rows["model"] == model]
    mine = rows[(rows["term"] == term) | rows["term"].str.endswith(":" + term)]
    assert len(mine) == 1, f"no single row for {model}/{term}: {list(rows['term'])}"
    return mine.iloc[0]


def _sandwich(score: np.ndarray, hessian: np.ndarray) -> np.ndarray:
    """Stata's robust ML covariance: H⁻¹ (Σ sᵢsᵢ') H⁻¹ · N/(N−1)."""
    n = len(score)
    bread = np.linalg.inv(-hessian)
    return bread @ (score.T @ score) @ bread * n / (n - 1)


def _shares(res: Results, y: pd.Series, probs: np.ndarray) -> None:
    table = res.table("predicted_shares")
    levels = np.sort(y.unique())
    close(table["outcome"], levels)
    close(table["observed_share"], [(y == v).mean() for v in levels])
    close(table["predicted_share"], probs.mean(axis=0), rtol=1e-5)


def check_ordered(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, model = str(p["depvar"]), names(p, "indepvars"), str(p["model"])
    frame = data["main"].dropna(subset=[y, *xs])
    ordered = OrderedModel(frame[y].to_numpy(), frame[xs].to_numpy(dtype=float),
                           distr="logit" if model == "ologit" else "probit")
    rough = ordered.fit(method="bfgs", disp=0, maxiter=5000)
    fit = ordered.fit(start_params=rough.params, method="newton", disp=0, maxiter=100, tol=1e-12)
    k = len(xs)
    params = np.asarray(fit.params)
    cuts = ordered.transform_threshold_params(params)[1:-1]
    # Stata's cuts from statsmodels' increments: cut_j = a_0 + Σ_{i≤j} exp(a_i).
    jac = np.eye(len(params))
    for j in range(1, len(cuts)):
        jac[k + j, k + 1 : k + j + 1] = np.exp(params[k + 1 : k + j + 1])
        jac[k + j, k] = 1.0
    if p["vce"] == "robust":
        cov = _sandwich(ordered.score_obs(params), ordered.hessian(params))
    else:
        cov = np.asarray(fit.cov_params())
    cov = jac @ cov @ jac.T
    se = np.sqrt(np.diag(cov))
    for i, term in enumerate(xs):
        row = _term(res, model, term)
        close(row["coef"], params[i], rtol=1e-5)
        close(row["se"], se[i], rtol=1e-4)
    for j, cut in enumerate(cuts):
        row = _term(res, model, f"cut{j + 1}")
        close(row["coef"], cut, rtol=1e-5)
        close(row["se"], se[k + j], rtol=1e-4)
    close(res.stat(model, "ll"), fit.llf, rtol=1e-8)
    close(res.stat(model, "N"), len(frame))
    _shares(res, frame[y], fit.predict())


def check_mlogit(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    frame = data["main"].dropna(subset=[y, *xs])
    counts = frame[y].value_counts()
    base = p.get("base")
    # Stata's default base: the most frequent outcome (the smallest value among ties).
    base = float(base) if base is not None else float(counts[counts == counts.max()].index.min())  # type: ignore[arg-type]
    others = [v for v in np.sort(frame[y].unique()) if v != base]
    # MNLogit takes the first category as base: code the base 0, the others 1, 2, ...
    coded = frame[y].map({base: 0, **{v: i + 1 for i, v in enumerate(others)}})
    exog = sm.add_constant(frame[xs])
    mnl = sm.MNLogit(coded.to_numpy(), exog)
    fit = mnl.fit(method="newton", disp=0, maxiter=200, tol=1e-12)
    params = np.asarray(fit.params)  # (k + 1) × (J − 1)
    if p["vce"] == "robust":
        flat = params.ravel(order="F")
        cov = _sandwich(mnl.score_obs(flat), mnl.hessian(flat))
    else:
        cov = np.asarray(fit.cov_params())
    se = np.sqrt(np.diag(cov)).reshape(params.shape, order="F")
    terms = [*xs, "_cons"]
    order = [*range(1, len(terms)), 0]  # statsmodels puts const first
    rrr = res.table("rrr")
    z = stats.norm.ppf(0.975)
    for j, value in enumerate(others):
        rows = res.table("coefficients")
        eq = rows[(rows["model"] == "mlogit") & rows["term"].str.startswith(f"{value:g}:")]
        close(eq["coef"], params[order, j], rtol=1e-6, atol=1e-8)
        close(eq["se"], se[order, j], rtol=1e-5)
        mine = rrr[rrr["outcome"] == value]
        assert list(mine["term"]) == terms
        close(mine["rrr"], np.exp(params[order, j]), rtol=1e-6)
        close(mine["ci_lo"], np.exp(params[order, j] - z * se[order, j]), rtol=1e-5)
    close(res.stat("mlogit", "ll"), fit.llf, rtol=1e-10)
    probs = np.asarray(fit.predict())
    # back to the sorted outcome order of the shares table
    by_value = {base: probs[:, 0], **{v: probs[:, i + 1] for i, v in enumerate(others)}}
    _shares(res, frame[y], np.column_stack([by_value[v] for v in np.sort(frame[y].unique())]))


def _tobit_loglik(theta: np.ndarray, y: np.ndarray, X: np.ndarray, lower: float,
                  upper: float) -> float:
    beta, sigma = theta[:-1], np.exp(theta[-1])
    xb = X @ beta
    left, right = y <= lower, y >= upper
    mid = ~(left | right)
    ll = stats.norm.logpdf((y[mid] - xb[mid]) / sigma).sum() - mid.sum() * np.log(sigma)
    ll += stats.norm.logcdf((lower - xb[left]) / sigma).sum()
    ll += stats.norm.logsf((upper - xb[right]) / sigma).sum()
    return float(ll)


def check_tobit(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs = str(p["depvar"]), names(p, "indepvars")
    lower = float(p["lower"])  # type: ignore[arg-type]
    upper = float(p["upper"]) if p.get("upper") is not None else np.inf  # type: ignore[arg-type]
    frame = data["main"].dropna(subset=[y, *xs])
    # Fit on standardised columns (dollars and years differ by orders of magnitude), then map
    # the estimates back: y = s_y·y*, x_j = m_j + s_j·x*_j.
    scale_y = frame[y].std()
    means, scales = frame[xs].mean(), frame[xs].std()
    X = np.column_stack([((frame[xs] - means) / scales).to_numpy(), np.ones(len(frame))])
    ys = frame[y].to_numpy() / scale_y
    start = np.append(np.linalg.lstsq(X, ys, rcond=None)[0], 0.0)
    bounds = (lower / scale_y, upper / scale_y)
    fit = optimize.minimize(lambda t: -_tobit_loglik(t, ys, X, *bounds), start, method="BFGS",
                            options={"gtol": 1e-10, "maxiter": 10000})
    slopes = fit.x[:-1][: len(xs)] * scale_y / scales.to_numpy()
    cons = scale_y * fit.x[len(xs)] - float(slopes @ means.to_numpy())
    # standard errors: the observed information in the original units, by numerical Hessian
    Xo = np.column_stack([frame[xs].to_numpy(dtype=float), np.ones(len(frame))])
    theta = np.append(np.append(slopes, cons), np.log(scale_y) + fit.x[-1])
    y0 = frame[y].to_numpy(dtype=float)
    hess = approx_hess3(theta, lambda t: _tobit_loglik(t, y0, Xo, lower, upper))
    se = np.sqrt(np.diag(np.linalg.inv(-hess)))
    ll = _tobit_loglik(theta, y0, Xo, lower, upper)
    for i, term in enumerate([*xs, "_cons"]):
        row = _term(res, "tobit", term)
        close(row["coef"], theta[i], rtol=1e-5, atol=1e-7)
        close(row["se"], se[i], rtol=1e-3)
    sigma2 = np.exp(2 * theta[-1])
    var_row = res.table("coefficients").query("model == 'tobit'").iloc[-1]
    assert var_row["term"].startswith("/"), var_row["term"]
    assert "var(e." in var_row["term"], var_row["term"]
    close(var_row["coef"], sigma2, rtol=1e-5)
    close(res.stat("tobit", "ll"), ll, rtol=1e-8)
    censoring = res.table("censoring").iloc[0]
    n_lc, n_rc = int((y0 <= lower).sum()), int((y0 >= upper).sum())
    close([censoring["left_censored"], censoring["right_censored"], censoring["uncensored"]],
          [n_lc, n_rc, len(y0) - n_lc - n_rc])
    ols = sm.OLS(y0, Xo).fit()
    close(_term(res, "ols", xs[0])["coef"], ols.params[0])


def check_nbreg(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, exposure = str(p["depvar"]), names(p, "indepvars"), p.get("exposure")
    frame = data["main"].dropna(subset=[y, *xs, *([str(exposure)] if exposure else [])])
    exog = sm.add_constant(frame[xs])
    robust = p["vce"] == "robust"
    expo = frame[str(exposure)] if exposure else None
    nb = sm.NegativeBinomial(frame[y], exog, loglike_method="nb2", exposure=expo)
    poisson = sm.GLM(frame[y], exog, family=sm.families.Poisson(), exposure=expo).fit(tol=1e-12)
    # BFGS from the Poisson fit, then Newton to full precision (Newton alone can step to α < 0)
    rough = nb.fit(start_params=np.append(poisson.params.to_numpy(), 0.1), method="bfgs",
                   disp=0, maxiter=2000)
    fit = nb.fit(start_params=rough.params, method="newton", disp=0, maxiter=200, tol=1e-12)
    params = np.asarray(fit.params)
    cov = _sandwich(nb.score_obs(params), nb.hessian(params)) if robust else np.asarray(
        fit.cov_params())
    se = np.sqrt(np.diag(cov))
    z = stats.norm.ppf(1 - (100 - float(p["level"])) / 200)  # type: ignore[arg-type]
    irr = res.table("irr")
    terms = [*xs, "_cons"]
    order = [*range(1, len(terms)), 0]
    assert list(irr["term"]) == terms
    for i, term in zip(order, terms, strict=True):
        row = _term(res, "nbreg", term)
        close(row["coef"], params[i], rtol=1e-6, atol=1e-9)
        close(row["se"], se[i], rtol=1e-5)
    close(irr["irr"], np.exp(params[order]), rtol=1e-6)
    close(irr["ci_lo"], np.exp(params[order] - z * se[order]), rtol=1e-5)
    close(irr["ci_hi"], np.exp(params[order] + z * se[order]), rtol=1e-5)
    alpha = params[-1]
    dispersion = res.table("dispersion").iloc[0]
    close(dispersion["alpha"], alpha, rtol=1e-5)
    close(res.stat("nbreg", "ll"), fit.llf, rtol=1e-10)
    chi2 = 2 * (fit.llf - poisson.llf)
    close(dispersion["chi2_alpha0"], chi2, rtol=1e-6)
    close(dispersion["p_alpha0"], 0.5 * stats.chi2.sf(chi2, 1), rtol=1e-5, atol=1e-12)
    if not robust:  # se of ln(alpha) by the delta method: se(alpha)/alpha
        close(dispersion["lnalpha_se"], se[-1] / alpha, rtol=1e-4)


def _lp_quantile(y: np.ndarray, X: np.ndarray, q: float) -> np.ndarray:
    """The regression quantile as scipy's linear program (HiGHS), min Σ q·u⁺ + (1−q)·u⁻."""
    n, k = X.shape
    fit = optimize.linprog(np.concatenate([np.zeros(k), np.full(n, q), np.full(n, 1 - q)]),
                           A_eq=np.hstack([X, np.eye(n), -np.eye(n)]), b_eq=y,
                           bounds=[(None, None)] * k + [(0, None)] * (2 * n), method="highs")
    return np.asarray(fit.x[:k])


def _qreg_iid(y: np.ndarray, X: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """b and Stata's default standard errors (vce(iid), fitted sparsity, Hall–Sheather):
    ŝ = x̄'(b(q+h) − b(q−h))/2h, V = q(1−q)·ŝ²·(X'X)⁻¹ ([R] qreg, methods and formulas)."""
    n = len(y)
    z = stats.norm.ppf(q)
    h = n ** (-1 / 3) * stats.norm.ppf(0.975) ** (2 / 3) * (
        1.5 * stats.norm.pdf(z) ** 2 / (2 * z**2 + 1)) ** (1 / 3)
    sparsity = X.mean(axis=0) @ (_lp_quantile(y, X, q + h) - _lp_quantile(y, X, q - h)) / (2 * h)
    V = q * (1 - q) * sparsity**2 * np.linalg.inv(X.T @ X)
    return _lp_quantile(y, X, q), np.sqrt(np.diag(V))


def check_qreg(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, xs, q = str(p["depvar"]), names(p, "indepvars"), float(p["quantile"])  # type: ignore[arg-type]
    frame = data["main"].dropna(subset=[y, *xs])
    X = np.column_stack([frame[xs].to_numpy(dtype=float), np.ones(len(frame))])
    b, se = _qreg_iid(frame[y].to_numpy(dtype=float), X, q)
    for i, term in enumerate([*xs, "_cons"]):
        row = res.coef("qreg", term)
        close(row["coef"], b[i], rtol=1e-6, atol=1e-8)
        if p["vce"] == "iid":
            close(row["se"], se[i], rtol=1e-5)
    fitted = res.table("qreg_fit").iloc[0]
    resid = frame[y].to_numpy() - X @ b
    # Stata's e(sum_adev) and e(sum_rdev): 2·Σ ρ_q(r), the check function doubled (so that
    # at the median it is the sum of absolute deviations), for the model and the constant only
    adev = 2 * np.sum(resid * (q - (resid < 0)))
    close(fitted["sum_adev"], adev, rtol=1e-7)
    raw = frame[y].to_numpy() - _lp_quantile(frame[y].to_numpy(dtype=float),
                                             np.ones((len(frame), 1)), q)[0]
    close(fitted["sum_rdev"], 2 * np.sum(raw * (q - (raw < 0))), rtol=1e-7)
    close(fitted["pseudo_r2"], 1 - adev / fitted["sum_rdev"])
    if p["vce"] == "robust":
        assert res.table("models").query("model == 'qreg'")["vcetype"].iloc[0] == "Robust"
    ols = sm.OLS(frame[y], sm.add_constant(frame[xs])).fit()
    close(res.coef("ols", xs[0])["coef"], ols.params[xs[0]])


def check_quantile_process(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    y, focal, controls = str(p["depvar"]), str(p["focal"]), names(p, "controls")
    frame = data["main"].dropna(subset=[y, focal, *controls])
    X = np.column_stack([frame[[focal, *controls]].to_numpy(dtype=float), np.ones(len(frame))])
    grid = [0.25, 0.5, 0.75] if p["grid"] == "quartiles" else [k / 10 for k in range(1, 10)]
    table = res.table("quantile_coefficients")
    close(table["quantile"], grid)
    df_r = len(frame) - X.shape[1]
    for row, q in zip(table.itertuples(), grid, strict=True):
        b, se = _qreg_iid(frame[y].to_numpy(dtype=float), X, q)
        close([row.coef, row.se], [b[0], se[0]], rtol=1e-5, atol=1e-8)
        half = stats.t.ppf(0.975, df_r) * se[0]
        close([row.ci_lo, row.ci_hi], [b[0] - half, b[0] + half], rtol=1e-5, atol=1e-8)
    ols = sm.OLS(frame[y], sm.add_constant(frame[[focal, *controls]])).fit()
    close(table["ols"], ols.params[focal])
    assert (res.folder / "quantile_process.png").stat().st_size > 0


def _ordinal(seed: int) -> pd.DataFrame:
    frame = cross_section(seed, n=300)
    rng = np.random.default_rng(seed + 1000)  # not the fixture's own draws
    latent = 0.8 * frame["x1"] - 0.4 * frame["x2"] + rng.logistic(0, 1, len(frame))
    frame["rating"] = np.digitize(latent, [-2.0, -0.5, 1.0]) + 1
    frame["choice"] = np.where(latent > 0.5, 3, np.where(frame["x3"] > 5, 2, 1))
    frame.loc[rng.random(len(frame)) < 0.2, "choice"] = 2
    return frame


def _censored(seed: int) -> pd.DataFrame:
    frame = cross_section(seed, n=300)
    rng = np.random.default_rng(seed + 1000)  # not the fixture's own draws
    latent = 1 + 1.2 * frame["x1"] - 0.5 * frame["x2"] + rng.normal(0, 1.5, len(frame))
    frame["hours"] = np.round(latent.clip(0, 4), 4)
    return frame


EXAMPLE_CHECKS: dict[str, Check] = {
    "ordered_regression": check_ordered,
    "mlogit_regression": check_mlogit,
    "tobit_regression": check_tobit,
    "nbreg_regression": check_nbreg,
    "quantile_regression": check_qreg,
    "quantile_process": check_quantile_process,
}

CASES = [
    Case(
        template="ordered_regression",
        params={"depvar": "rating", "indepvars": ["x1", "x2"], "model": "oprobit",
                "vce": "robust"},
        main=_ordinal(200),
        check=check_ordered,
    ),
    Case(
        template="mlogit_regression",
        params={"depvar": "choice", "indepvars": ["x1", "x3"], "base": 1, "vce": "robust"},
        main=_ordinal(201),
        check=check_mlogit,
    ),
    Case(
        template="tobit_regression",
        params={"depvar": "hours", "indepvars": ["x1", "x2"], "lower": 0, "upper": 4},
        main=_censored(202),
        check=check_tobit,
    ),
    Case(
        template="nbreg_regression",
        params={"depvar": "count", "indepvars": ["x1", "x2"], "exposure": "t",
                "vce": "robust", "level": 90},
        main=cross_section(203).assign(t=lambda f: f["x3"] + 1),
        check=check_nbreg,
    ),
    Case(
        template="quantile_regression",
        params={"depvar": "y", "indepvars": ["x1", "x2"], "quantile": 0.25, "vce": "robust"},
        main=cross_section(204),
        check=check_qreg,
    ),
    Case(
        template="quantile_process",
        params={"depvar": "y", "focal": "x1", "controls": [], "grid": "quartiles"},
        main=cross_section(205),
        check=check_quantile_process,
    ),
]
