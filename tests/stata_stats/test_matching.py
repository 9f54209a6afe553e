"""teffects nnmatch/psmatch against independent references.

- Point estimates (ATE, ATET; inverse-variance and Mahalanobis metrics; nneighbor 1 and 3;
  bias adjustment on the matching covariates) against the ``causalinference`` package
  (Laurence Wong's Abadie–Imbens matching), on cattaneo2 (shipped with statsmodels).
- The Abadie–Imbens (2006) robust variance against a brute-force computation written here
  from the paper's formulas (their eq. for the ATE and ATT population variance with the
  conditional variance σ̂²(xᵢ) the sample variance of yᵢ and its 2 nearest same-arm
  outcomes, which is Stata's ``vce(robust, nn(2))`` for nnmatch: the reading that
  reproduces Stata's printed nnmatch standard errors in tests/engine): raw match counts,
  no ties (continuous covariates), loops rather than the engine's vectorised code.
- psmatch's point estimate against causalinference matching on the score that statsmodels'
  Logit estimates.
- psmatch's variance adjusted for the estimated score against a brute-force computation of
  Abadie and Imbens (2016, section 4) on statsmodels' Logit fit: ATE and ATET, with
  nneighbor() and nn() above their defaults.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from causalinference import CausalModel

from libs.stata_stats.matching import fit_matching
from tests.stata_stats.reference import SM_ROOT, assert_rel


def _cattaneo() -> pd.DataFrame:
    return pd.read_csv(SM_ROOT / "treatment/tests/results/cataneo2.csv")


def _continuous(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Correlated continuous covariates, selection on x₁, heteroskedastic outcome."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(n, 2)) @ np.array([[1.0, 0.4], [0.0, 0.8]])
    t = (rng.random(n) < 1 / (1 + np.exp(-0.8 * x[:, 0]))).astype(float)
    y = 1 + x @ np.array([1.0, -0.5]) + 2 * t + (1 + np.abs(x[:, 1])) * rng.normal(size=n)
    return y, t, x


def _ai_variance(y: np.ndarray, t: np.ndarray, x: np.ndarray, W: np.ndarray, M: int,
                 stat: str, others: int = 2) -> tuple[float, float]:
    """Abadie–Imbens (2006) estimate and population variance, by brute force; σ̂²(xᵢ)
    over yᵢ and its ``others`` nearest same-arm outcomes."""
    n = len(y)

    def dist(i: int, j: np.ndarray) -> np.ndarray:
        d = x[j] - x[i]
        return np.einsum("jk,kl,jl->j", d, W, d)

    K = np.zeros(n)
    yhat = np.zeros(n)
    sig2 = np.zeros(n)
    for i in range(n):
        other = np.flatnonzero(t != t[i])
        near = other[np.argsort(dist(i, other), kind="stable")[:M]]
        yhat[i] = y[near].mean()
        if stat == "ate" or t[i] == 1:
            K[near] += 1
        same = np.flatnonzero((t == t[i]) & (np.arange(n) != i))
        near2 = same[np.argsort(dist(i, same), kind="stable")[:others]]
        sig2[i] = np.var(np.append(y[near2], y[i]), ddof=1)
    y1 = np.where(t == 1, y, yhat)
    y0 = np.where(t == 0, y, yhat)
    if stat == "atet":
        n1 = t.sum()
        tau = float((y - yhat)[t == 1].mean())
        v = (np.sum(((y - yhat - tau) ** 2)[t == 1])
             + np.sum((K * (K - 1) / M ** 2 * sig2)[t == 0])) / n1 ** 2
        return tau, float(v)
    tau = float((y1 - y0).mean())
    v = np.sum((y1 - y0 - tau) ** 2 + ((K / M) ** 2 + (2 * M - 1) / M * K / M) * sig2) / n ** 2
    return tau, float(v)


@pytest.mark.parametrize(("metric", "m", "bias"), [
    ("ivariance", 1, False), ("mahalanobis", 1, False), ("mahalanobis", 3, False),
    ("mahalanobis", 1, True), ("ivariance", 3, True)])
def test_nnmatch_point_estimates_causalinference(metric: str, m: int, bias: bool) -> None:
    """``teffects nnmatch (bweight mage fage medu) (mbsmoke) [, biasadj(mage fage medu)]``
    with the inverse-variance metric on cattaneo2 (integer covariates: many ties, kept);
    Mahalanobis on a continuous design (whitened distances in the reference are equal only
    up to rounding, so exact ties there would be broken arbitrarily), and with bias
    adjustment (the reference's regression counts a tied match once per appearance, the
    engine's with weight 1/#set)."""
    if metric == "ivariance" and not bias:
        d = _cattaneo()
        y, t = d["bweight"].to_numpy(float), d["mbsmoke_"].to_numpy(float)
        x = d[["mage", "fage", "medu"]].to_numpy(float)
    else:
        y, t, x = _continuous(800)
    # causalinference's default metric is inverse variance; Mahalanobis distance is the
    # Euclidean distance after whitening (z = x·L, LLᵀ = S⁻¹), whose variances are then equal
    z = x
    if metric == "mahalanobis":
        z = x @ np.linalg.cholesky(np.linalg.inv(np.cov(x, rowvar=False)))
    cm = CausalModel(y, t.astype(int), z)
    cm.est_via_matching(weights="inv", matches=m, bias_adj=bias)
    ref = cm.estimates["matching"]
    for stat, key in (("ate", "ate"), ("atet", "att")):
        est = fit_matching("nnmatch", y, t, x, depvar="bweight", tvar="mbsmoke", stat=stat,
                           m=m, metric=metric, xbias=x if bias else None)
        assert_rel(est.b[0], ref[key], 1e-10, f"{stat} {metric} m={m} bias={bias}")


@pytest.mark.parametrize(("stat", "m"), [("ate", 1), ("atet", 1), ("ate", 2), ("atet", 4)])
def test_nnmatch_ai_variance_brute_force(stat: str, m: int) -> None:
    """The AI robust variance (``vce(robust, nn(2))``) on a 600-row continuous design."""
    y, t, x = _continuous(600)
    W = np.linalg.inv(np.cov(x, rowvar=False))
    tau, v = _ai_variance(y, t, x, W, m, stat)
    est = fit_matching("nnmatch", y, t, x, depvar="y", tvar="t", stat=stat, m=m)
    assert_rel(est.b[0], tau, 1e-12, "effect")
    assert_rel(est.V[0, 0], v, 1e-10, "AI variance")


def test_psmatch_point_estimate_causalinference() -> None:
    """``teffects psmatch (bweight) (mbsmoke mmarried c.mage##c.mage fbaby medu)``: the
    score from statsmodels' Logit, matched by causalinference."""
    d = _cattaneo()
    y, t = d["bweight"].to_numpy(float), d["mbsmoke_"].to_numpy(float)
    z = d[["mmarried_", "mage"]].assign(mage2=d["mage"] ** 2, fbaby=d["fbaby_"],
                                         medu=d["medu"]).to_numpy(float)
    # equal covariate profiles must give exactly equal scores (ties, all kept): the
    # matrix product can differ in the last bit between equal rows, so round to 1e-12
    score = np.round(sm.Logit(t, sm.add_constant(z)).fit(disp=0).predict(), 12)
    cm = CausalModel(y, t.astype(int), score[:, None])
    cm.est_via_matching(weights="inv", matches=1)
    ref = cm.estimates["matching"]
    for stat, key in (("ate", "ate"), ("atet", "att")):
        est = fit_matching("psmatch", y, t, z, depvar="bweight", tvar="mbsmoke", stat=stat)
        assert_rel(est.b[0], ref[key], 1e-9, stat)
        assert est.V[0, 0] > 0


def _nearest(by: np.ndarray, i: int, pool: np.ndarray, k: int) -> np.ndarray:
    """The k observations of ``pool`` nearest to i (Euclidean on the rows of ``by``)."""
    return pool[np.argsort(((by[pool] - by[i]) ** 2).sum(axis=1), kind="stable")[:k]]


def _score_adjustment(y: np.ndarray, t: np.ndarray, x: np.ndarray, m: int, h: int,
                      stat: str) -> tuple[np.ndarray, float]:
    """Abadie and Imbens (2016), section 4: the score and the term added to the matching
    variance (per observation, so divided by N here) for a logit score. Covariances and
    μ̄(w, p) over the h nearest on the score; ∂τ_t/∂θ from the m nearest on x."""
    n = len(y)
    X = np.column_stack([x, np.ones(n)])
    p = sm.Logit(t, X).fit(disp=0).predict()
    f = p * (1 - p)
    info = (X * (f ** 2 / (p * (1 - p)))[:, None]).T @ X / n
    score = p[:, None]
    cov = np.zeros((2, n, X.shape[1]))  # cov(x, μ(w, x) | p) at each i, w = 0, 1
    mubar = np.zeros((2, n))  # μ̄(w, p(xᵢ)), i left out of its own arm
    for i in range(n):
        for w in (0, 1):
            arm = np.flatnonzero(t == w)
            if t[i] == w:
                rest = arm[arm != i]
                cov_set = np.append(_nearest(score, i, rest, h - 1), i)
                mean_set = _nearest(score, i, rest, h)
            else:
                cov_set = mean_set = _nearest(score, i, arm, h)
            cov[w, i] = np.cov(X[cov_set].T, y[cov_set])[-1, :-1]
            mubar[w, i] = y[mean_set].mean()
    if stat == "ate":
        c = (f[:, None] * (cov[1] / p[:, None] + cov[0] / (1 - p)[:, None])).mean(axis=0)
        return score, float(-c @ np.linalg.solve(info, c) / n)
    n1 = t.sum()
    tau = float(np.mean([y[i] - y[_nearest(score, i, np.flatnonzero(t == 0), m)].mean()
                         for i in np.flatnonzero(t == 1)]))
    c2 = (f[:, None] * (cov[1] + (p / (1 - p))[:, None] * cov[0])).sum(axis=0) / n1
    c1 = (X * (f * (mubar[1] - mubar[0] - tau))[:, None]).sum(axis=0) / n1
    effect = np.array([(2 * t[i] - 1) * (y[i] - y[_nearest(x, i, np.flatnonzero(t != t[i]),
                                                           m)].mean()) for i in range(n)])
    dtau = (X * (f * (effect - tau))[:, None]).sum(axis=0) / n1
    c = c1 + c2
    return score, float((dtau @ np.linalg.solve(info, dtau) - c @ np.linalg.solve(info, c))
                        / n)


@pytest.mark.parametrize(("stat", "m", "h"), [("ate", 1, 2), ("atet", 1, 2), ("ate", 2, 3),
                                              ("atet", 2, 3), ("atet", 3, 2)])
def test_psmatch_score_adjustment_brute_force(stat: str, m: int, h: int) -> None:
    """``teffects psmatch (y) (t x1 x2)[, atet nneighbor(m) vce(robust, nn(h))]`` on a
    400-row continuous design (no ties): the AI (2006) variance on the score plus the
    AI (2016) adjustment, both by brute force."""
    y, t, x = _continuous(400)
    score, adjustment = _score_adjustment(y, t, x, m, h, stat)
    tau, v = _ai_variance(y, t, score, np.eye(1), m, stat, others=h - 1)
    est = fit_matching("psmatch", y, t, x, depvar="y", tvar="t", stat=stat, m=m, h=h)
    assert_rel(est.b[0], tau, 1e-12, "effect")
    assert_rel(est.V[0, 0], v + adjustment, 1e-8, "adjusted variance")
