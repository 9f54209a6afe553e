"""``glm``: generalized linear models by maximum likelihood, as Stata's default ``ml`` fit.

Families gaussian, binomial (m trials: a number or a variable), poisson and nbinomial (fixed
k, default 1); links identity, log, logit, probit, cloglog (default: the canonical link; log
for nbinomial). Newton–Raphson on the observed information, as Stata's default ``ml`` fit;
the reported variance is the inverse observed information (``oim``) times the scale:
1 for binomial, Poisson and negative binomial, Pearson χ²/(N−k) for the Gaussian family
(Stata's ``scale(x2)`` default). ``vce(robust)``: the sandwich of the scores times N/(N−1);
clusters G/(G−1). Stored as Stata does: deviance and Pearson statistics and their
dispersions, ``e(aic)`` = (−2 ll + 2k)/N, ``e(bic)`` = deviance − (N−k)·ln N, and the
Gaussian log likelihood at the ML variance deviance/N.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import special, stats

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import maximize
from libs.stata_stats.mlmodel import ml_sample, regressors
from libs.stata_stats.sample import Weights
from libs.stata_stats.vce import VceRequest, covariance
from libs.stata_stats.wald import wald_statistic

FAMILIES = ("gaussian", "binomial", "poisson", "nbinomial")
LINKS = ("identity", "log", "logit", "probit", "cloglog")
CANONICAL = {"gaussian": "identity", "binomial": "logit", "poisson": "log",
             "nbinomial": "log"}
_LINK_TEXT = {"identity": ("u", "Identity"), "log": ("ln(u)", "Log"),
              "logit": ("ln(u/(1-u))", "Logit"), "probit": ("invnorm(u)", "Probit"),
              "cloglog": ("ln(-ln(1-u))", "Complementary log-log")}


def _inverse_link(link: str, eta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """p = g⁻¹(η) on the unit scale (mean per trial) and its first two derivatives in η."""
    if link == "identity":
        return eta, np.ones_like(eta), np.zeros_like(eta)
    if link == "log":
        mu = np.exp(eta)
        return mu, mu, mu
    if link == "logit":
        p = special.expit(eta)
        d1 = p * (1.0 - p)
        return p, d1, d1 * (1.0 - 2.0 * p)
    if link == "probit":
        d1 = stats.norm.pdf(eta)
        return special.ndtr(eta), d1, -eta * d1
    e = np.exp(eta)  # cloglog
    d1 = np.exp(eta - e)
    return -np.expm1(-e), d1, d1 * (1.0 - e)


@dataclass(frozen=True)
class _Family:
    name: str
    trials: FloatArray  #: binomial m per row (ones otherwise)
    k: float  #: nbinomial dispersion

    def variance(self, mu: FloatArray) -> FloatArray:
        if self.name == "gaussian":
            return np.ones_like(mu)
        if self.name == "binomial":
            return mu * (1.0 - mu / self.trials)
        if self.name == "poisson":
            return mu
        return mu + self.k * mu**2

    def variance_slope(self, mu: FloatArray) -> FloatArray:
        """dV/dμ."""
        if self.name == "gaussian":
            return np.zeros_like(mu)
        if self.name == "binomial":
            return 1.0 - 2.0 * mu / self.trials
        if self.name == "poisson":
            return np.ones_like(mu)
        return 1.0 + 2.0 * self.k * mu

    def loglik(self, y: FloatArray, mu: FloatArray, phi: float) -> FloatArray:
        if self.name == "gaussian":
            return np.asarray(-0.5 * ((y - mu) ** 2 / phi + np.log(2.0 * np.pi * phi)),
                              dtype=np.float64)
        if self.name == "binomial":
            m = self.trials
            p = np.clip(mu / m, 1e-300, 1.0 - 1e-16)
            return np.asarray(special.gammaln(m + 1) - special.gammaln(y + 1)
                              - special.gammaln(m - y + 1) + y * np.log(p)
                              + (m - y) * np.log1p(-p), dtype=np.float64)
        if self.name == "poisson":
            return np.asarray(y * np.log(mu) - mu - special.gammaln(y + 1), dtype=np.float64)
        k = self.k
        return np.asarray(special.gammaln(y + 1 / k) - special.gammaln(y + 1)
                          - special.gammaln(1 / k) + y * np.log(k * mu / (1 + k * mu))
                          - np.log1p(k * mu) / k, dtype=np.float64)

    def deviance(self, y: FloatArray, mu: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            ylogy = np.where(y > 0, y * np.log(y / mu), 0.0)
            if self.name == "gaussian":
                return (y - mu) ** 2
            if self.name == "binomial":
                m = self.trials
                rest = np.where(m - y > 0, (m - y) * np.log((m - y) / (m - mu)), 0.0)
                return np.asarray(2.0 * (ylogy + rest), dtype=np.float64)
            if self.name == "poisson":
                return np.asarray(2.0 * (ylogy - (y - mu)), dtype=np.float64)
            k = self.k
            return np.asarray(2.0 * (ylogy - (y + 1 / k) * np.log((1 + k * y) / (1 + k * mu))),
                              dtype=np.float64)


@dataclass(frozen=True)
class _Model:
    y: FloatArray
    X: FloatArray
    w: FloatArray
    offset: FloatArray
    family: _Family
    link: str

    def mean(self, beta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """μ (counts for binomial) and its first two derivatives in η."""
        p, d1, d2 = _inverse_link(self.link, self.X @ beta + self.offset)
        m = self.family.trials
        return p * m, d1 * m, d2 * m

    def scores(self, beta: FloatArray) -> FloatArray:
        """Per-row gradient of the log likelihood (φ = 1)."""
        mu, dmu, _ = self.mean(beta)
        factor = (self.y - mu) / self.family.variance(mu) * dmu
        return np.asarray(self.X * factor[:, None], dtype=np.float64)

    def value(self, beta: FloatArray) -> float:
        """The log likelihood (φ = 1); NaN outside the mean's domain (a step that leaves it
        is halved)."""
        mu, _, _ = self.mean(beta)
        if self.family.name == "gaussian":
            return float(-0.5 * self.w @ (self.y - mu) ** 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            return float(self.w @ self.family.loglik(self.y, mu, 1.0))

    def newton(self, beta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The gradient and the observed information (Stata's ml: Newton–Raphson)."""
        return self.w @ self.scores(beta), self.observed(beta)

    def observed(self, beta: FloatArray) -> FloatArray:
        """The observed information −H: Σ x x'·[μ'²/V − (y − μ)(μ''/V − μ'²V'/V²)]."""
        mu, d1, d2 = self.mean(beta)
        V = self.family.variance(mu)
        slope = d2 / V - d1**2 * self.family.variance_slope(mu) / V**2
        weight = self.w * (d1**2 / V - (self.y - mu) * slope)
        out: FloatArray = (self.X * weight[:, None]).T @ self.X
        return out


@dataclass(frozen=True, kw_only=True)
class GlmFit:
    """The estimates and the iteration log."""

    estimation: Estimation
    iterations: tuple[float, ...]
    notes: tuple[str, ...]


def fit_glm(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
            family: str = "gaussian", link: str | None = None,
            trials: FloatArray | float = 1.0, k: float = 1.0, cons: bool = True,
            offset: FloatArray | None = None, weights: Weights | None = None,
            vce: VceRequest | None = None,
            preomitted: tuple[bool, ...] | None = None) -> GlmFit:
    """Stata's ``glm depvar indepvars, family() link() [vce() offset() exposure()]``."""
    if family not in FAMILIES:
        raise StatsError(INVALID_SYNTAX, f"family({family}) not supported")
    link = link or CANONICAL[family]
    if link not in LINKS:
        raise StatsError(INVALID_SYNTAX, f"link({link}) not supported")
    m_all = np.broadcast_to(np.asarray(trials, dtype=float), y.shape).copy()
    ms = ml_sample(y, X, weights, vce, m_all, offset)
    mask, sample = ms.mask, ms.sample
    ys, w = ms.y, sample.w
    if weights is not None and weights.kind == "aweight":
        w = w * (w.size / w.sum())  # glm rescales analytic weights to sum to N
    reg = regressors(ms.X, w, names, preomitted, centered=cons)
    design = ms.X[:, reg.keep]
    if cons:
        design = np.column_stack([design, np.ones(ys.size)])
    fam = _Family(family, m_all[mask], k)
    off = offset[mask] if offset is not None else np.zeros(ys.size)
    model = _Model(ys, design, w, off, fam, link)
    start = _start(ys, fam, link, design.shape[1], cons)
    fit = maximize(model.value, model.newton, start)
    beta = fit.coef
    mu, _, _ = model.mean(beta)
    n, rank = sample.n_obs, design.shape[1]
    df = n - rank
    dev = float(w @ fam.deviance(ys, mu))
    pearson = float(w @ ((ys - mu) ** 2 / fam.variance(mu)))
    phi = pearson / df if family == "gaussian" else 1.0
    bread = np.linalg.inv(model.observed(beta))
    if weights is not None and weights.kind == "aweight":
        sample = replace(sample, w=w)  # the rescaled weights multiply the scores too
    cov = covariance(bread, model.scores(beta), np.ones(ys.size), sample, ms.vce, cons=False,
                     sigma2=phi, df_resid=n - 1.0, conventional="oim")
    ll_phi = dev / n if family == "gaussian" else 1.0
    ll = float(w @ fam.loglik(ys, mu, ll_phi))
    width = X.shape[1] + (1 if cons else 0)
    idx = np.append(reg.keep, X.shape[1]) if cons else reg.keep
    b = np.zeros(width)
    b[idx] = beta
    V = np.zeros((width, width))
    V[np.ix_(idx, idx)] = cov.V
    omitted = (*reg.omitted, *((False,) if cons else ()))
    chi2, df_m = wald_statistic(b, V, np.arange(X.shape[1]), omitted)
    varf, vart = {"gaussian": ("1", "Gaussian"), "binomial": ("u*(1-u/m)", "Binomial"),
                  "poisson": ("u", "Poisson"),
                  "nbinomial": (f"u+({k:g})u^2", "Neg. Binomial")}[family]
    if family == "binomial" and np.all(fam.trials == 1):
        varf, vart = "u*(1-u)", "Bernoulli"
    scalars: dict[str, float] = {
        "N": n, "k": float(width), "df_m": float(df_m), "df": df, "phi": phi,
        "deviance": dev, "deviance_s": dev / phi, "deviance_p": pearson,
        "deviance_ps": pearson / phi, "dispers": dev / df, "dispers_s": dev / df / phi,
        "dispers_p": pearson / df, "dispers_ps": pearson / df / phi, "ll": ll,
        "aic": (-2.0 * ll + 2.0 * width) / n, "bic": dev - df * np.log(n),
        "vf": 1.0, "power": 0.0, "rank": float(rank), "k_eq": 1.0, "k_dv": 1.0,
        "canonical": 1.0 if link == CANONICAL[family] else 0.0, "converged": 1.0,
        "ic": float(len(fit.iterations) - 1), "chi2": float(chi2),
        "p": float(stats.chi2.sf(chi2, df_m)) if df_m else np.nan,
    }
    macros = {"cmd": "glm", "depvar": depvar, "title": "Generalized linear models",
              "varfunct": vart, "varfuncf": varf, "linkt": _LINK_TEXT[link][1],
              "linkf": _LINK_TEXT[link][0], "family": family, "link": link,
              "opt": "moptimize", "opt1": "ML", "oim": "oim", "chi2type": "Wald",
              "predict": "glim_p", "crittype": "log likelihood"}
    cov.post(scalars, macros)
    if cov.robust:
        macros["vcetype"] = "Robust"
    else:
        macros["vcetype"] = "OIM"
    est = Estimation(cmd="glm", depvar=depvar, names=(*names, "_cons") if cons else names,
                     b=b, V=V, omitted=omitted, scalars=scalars, macros=macros, df_r=None,
                     sample=mask)
    return GlmFit(estimation=est, iterations=fit.iterations, notes=reg.notes)


def fit_fracreg(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
                link: str, cons: bool = True, offset: FloatArray | None = None,
                weights: Weights | None = None, vce: VceRequest | None = None,
                preomitted: tuple[bool, ...] | None = None) -> GlmFit:
    """Stata's ``fracreg logit|probit depvar indepvars [weight] [, vce()]``: the Bernoulli
    quasi-likelihood fit (as ``glm, family(binomial)``, robust by default) with the log
    pseudolikelihood Σ w (y ln p + (1−y) ln(1−p)), its constant-only value ``e(ll_0)`` (at
    p = the weighted mean of y) and the pseudo-R² 1 − ll/ll_0."""
    if np.any((y[np.isfinite(y)] < 0) | (y[np.isfinite(y)] > 1)):
        raise StatsError(INVALID_SYNTAX, f"{depvar} must be between 0 and 1 (inclusive)")
    fit = fit_glm(y, X, names, depvar=depvar, family="binomial", link=link, cons=cons,
                  offset=offset, weights=weights, vce=vce or VceRequest(kind="robust"),
                  preomitted=preomitted)
    est = fit.estimation
    assert est.sample is not None
    ys = y[est.sample]
    w = np.ones(ys.size) if weights is None else weights.values[est.sample]
    if weights is not None and weights.kind == "aweight":
        w = w * (w.size / w.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        # glm's binomial log likelihood less its combinatorial term ln C(1, y)
        shift = float(w @ (special.gammaln(ys + 1) + special.gammaln(2 - ys)))
        ll = est.scalars["ll"] + shift
        ybar = float(w @ ys / w.sum())
        ll_0 = float(w @ (special.xlogy(ys, ybar) + special.xlogy(1 - ys, 1 - ybar)))
    keep = ("N", "k", "df_m", "rank", "k_eq", "k_dv", "converged", "ic", "chi2", "p",
            "N_clust")
    scalars = {name: value for name, value in est.scalars.items() if name in keep}
    scalars["ll"] = ll
    if cons:
        scalars["ll_0"] = ll_0
        scalars["r2_p"] = 1.0 - ll / ll_0
    title = {"logit": "Fractional logistic regression", "probit": "Fractional probit "
             "regression"}[link]
    macros = {**est.macros, "cmd": "fracreg", "title": title, "predict": "fracreg_p",
              "crittype": "log pseudolikelihood" if est.macros.get("vcetype") == "Robust"
              else "log likelihood", "model": link}
    for name in ("varfunct", "varfuncf", "linkt", "linkf", "family", "link", "oim"):
        macros.pop(name, None)
    return replace(fit, estimation=replace(est, cmd="fracreg", scalars=scalars, macros=macros),
                   iterations=tuple(value + shift for value in fit.iterations))


def _start(y: FloatArray, family: _Family, link: str, k: int, cons: bool) -> FloatArray:
    """The constant-only fit's index as the starting constant, zero slopes."""
    start = np.zeros(k)
    if not cons:
        return start
    p = float(np.clip(y.sum() / family.trials.sum(), 1e-6, 1 - 1e-6)) if \
        family.name == "binomial" else float(np.mean(y))
    if link == "identity":
        start[-1] = p
    elif link == "log":
        start[-1] = np.log(max(p, 1e-6))
    elif link == "logit":
        start[-1] = np.log(p / (1 - p))
    elif link == "probit":
        start[-1] = float(stats.norm.ppf(p))
    else:
        start[-1] = np.log(-np.log1p(-p))
    return start
