"""Independent checks of the matching template (``teffects psmatch`` / ``nnmatch``).

psmatch: the propensity score from statsmodels' Logit or Probit, matched by the
``causalinference`` package (Abadie–Imbens matching with replacement, ties kept); the
Abadie–Imbens (2016) score-adjusted standard error is checked here to be positive and finite
(it is checked against Stata's published psmatch ATE and ATET standard errors in
tests/engine and against a brute-force computation of the paper's formulas in
tests/stata_stats). nnmatch: matching written out below by brute force from
Abadie and Imbens (2006, 2011) — Mahalanobis distances, exact-match cells, the regression bias
correction on the matched sample, and the AI robust variance with the conditional variance
from each unit and its 2 nearest own-arm neighbours (Stata's ``vce(robust, nn(2))``) — on continuous
covariates (no ties); without exact matching the point estimate also against
causalinference. The balance table (``tebalance summarize``) against standardized differences
and variance ratios recomputed with pandas from the matches of an independent brute-force
matcher (tests/engine/brute_matcher.py), each unit weighted by how often it appears in the
matched sample.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from causalinference import CausalModel
from scipy import stats

from tests.engine.brute_matcher import balance, frequency, match_sets, whiten
from tests.templates.cases_regression import Params, names
from tests.templates.cases_treatment import _selection
from tests.templates.support import Case, Check, Results, close, example_frame


def _sample(data: Mapping[str, pd.DataFrame], p: Params) -> pd.DataFrame:
    cols = [str(p["depvar"]), str(p["treat"]), *names(p, "covariates"),
            *names(p, "biasadj"), *names(p, "ematch")]
    return data["main"].dropna(subset=cols)


def _score(frame: pd.DataFrame, treat: str, xs: list[str], link: str) -> np.ndarray:
    """Fitted propensity score; equal covariate rows must give equal scores (ties, all
    kept), so the last bits that the matrix product can add are rounded away."""
    model = sm.Logit if link == "logit" else sm.Probit
    t = (frame[treat] != 0).astype(float)
    fit = model(t, sm.add_constant(frame[xs])).fit(disp=0, method="newton", tol=1e-12)
    return np.round(np.asarray(fit.predict()), 12)


def _check_common(res: Results, frame: pd.DataFrame, p: Params, score: np.ndarray) -> pd.Series:
    row = res.table("effect").iloc[0]
    treated = (frame[str(p["treat"])] != 0).to_numpy()
    close([row["N"], row["N_treated"], row["N_control"]],
          [len(frame), treated.sum(), (~treated).sum()])
    z = stats.norm.ppf(0.975)
    close([row["ci_lo"], row["ci_hi"]], [row["effect"] - z * row["se"],
                                         row["effect"] + z * row["se"]])
    close(row["p"], 2 * stats.norm.sf(abs(row["effect"] / row["se"])))
    coef = res.table("coefficients").iloc[0]
    label = "ATET" if p["estimand"] == "atet" else "ATE"
    assert coef["term"] == f"{label}:r1vs0.{p['treat']}", coef["term"]
    close([coef["coef"], coef["se"]], [row["effect"], row["se"]])
    overlap = res.table("overlap")
    close(overlap["n"], [(~treated).sum(), treated.sum()])
    close(overlap["min_pscore"], [score[~treated].min(), score[treated].min()], rtol=1e-5)
    close(overlap["mean_pscore"], [score[~treated].mean(), score[treated].mean()], rtol=1e-5)
    return row


def _check_balance(res: Results, frame: pd.DataFrame, p: Params, z: np.ndarray,
                   group: np.ndarray | None = None) -> None:
    """The balance table against a brute-force matcher on ``z`` (score or whitened x)."""
    t = (frame[str(p["treat"])] != 0).to_numpy(float)
    stat = "atet" if p["estimand"] == "atet" else "ate"
    rows = np.flatnonzero(t == 1) if stat == "atet" else np.arange(len(t))
    sets = match_sets(z, t, int(p["nneighbor"]), rows, group=group)  # type: ignore[call-overload]
    xs = names(p, "covariates")
    raw, matched = balance(frame[xs], t, np.ones(len(t))), balance(frame[xs], t,
                                                                  frequency(sets, t, stat))
    table = res.table("balance")
    assert list(table["covariate"]) == xs
    close(table["std_diff_raw"], raw[0])
    close(table["ratio_raw"], raw[1])
    close(table["std_diff_matched"], matched[0])
    close(table["ratio_matched"], matched[1])


def check_psmatch(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    assert p["method"] == "psmatch"
    frame = _sample(data, p)
    y, treat = str(p["depvar"]), str(p["treat"])
    score = _score(frame, treat, names(p, "covariates"), str(p["link"]))
    row = _check_common(res, frame, p, score)
    cm = CausalModel(frame[y].to_numpy(float), (frame[treat] != 0).to_numpy(int),
                     score[:, None])
    cm.est_via_matching(weights="inv", matches=int(p["nneighbor"]))  # type: ignore[call-overload]
    ref = cm.estimates["matching"]["att" if p["estimand"] == "atet" else "ate"]
    close(row["effect"], ref, rtol=1e-9)
    assert np.isfinite(row["se"])
    assert row["se"] > 0
    _check_balance(res, frame, p, score[:, None])


def _brute_force_nnmatch(y: np.ndarray, t: np.ndarray, x: np.ndarray, cell: np.ndarray,
                         xb: np.ndarray | None, m: int, atet: bool) -> tuple[float, float]:
    """Matching estimate and Abadie–Imbens variance, one unit at a time (no ties)."""
    n = len(y)
    W = np.linalg.inv(np.cov(x, rowvar=False))

    def near(i: int, pool: np.ndarray, k: int) -> np.ndarray:
        d = np.einsum("jk,kl,jl->j", x[pool] - x[i], W, x[pool] - x[i])
        return pool[np.argsort(d, kind="stable")[:k]]

    origins = [int(i) for i in (np.flatnonzero(t == 1) if atet else range(n))]
    match = {i: near(i, np.flatnonzero((t != t[i]) & (cell == cell[i])), m) for i in origins}
    kraw = np.zeros(n)  # how many units use j as a match
    for s in match.values():
        kraw[s] += 1
    fit = {}
    if xb is not None:  # μ̂_w: least squares of y on xb over arm w's matched units, by use
        X = np.column_stack([xb, np.ones(n)])
        for arm in (0, 1):
            rows = np.flatnonzero((t == arm) & (kraw > 0))
            if len(rows) == 0:  # ATET: the treated are never matches
                continue
            beta = sm.WLS(y[rows], X[rows], weights=kraw[rows]).fit().params
            fit[arm] = X @ beta
    yhat = np.zeros(n)
    for i, s in match.items():
        other = 1 - int(t[i])
        adj = fit[other][i] - fit[other][s] if other in fit else 0.0
        yhat[i] = np.mean(y[s] + adj)
    sig2 = np.zeros(n)
    for i in range(n):  # σ²: yᵢ and its 2 nearest same-arm outcomes (Stata's nn(2))
        j = near(i, np.flatnonzero((t == t[i]) & (cell == cell[i]) & (np.arange(n) != i)), 2)
        sig2[i] = np.var(np.append(y[j], y[i]), ddof=1)
    if atet:
        tr = t == 1
        tau = float((y - yhat)[tr].mean())
        v = (np.sum((y - yhat - tau)[tr] ** 2)
             + np.sum((kraw * (kraw - 1) / m**2 * sig2)[~tr])) / tr.sum() ** 2
        return tau, float(v)
    diff = np.where(t == 1, y - yhat, yhat - y)
    tau = float(diff.mean())
    v = np.sum((diff - tau) ** 2 + ((kraw / m) ** 2 + (2 * m - 1) / m * kraw / m) * sig2) / n**2
    return tau, float(v)


def check_nnmatch(res: Results, data: Mapping[str, pd.DataFrame], p: Params) -> None:
    assert p["method"] == "nnmatch"
    assert p["metric"] == "mahalanobis"
    frame = _sample(data, p)
    y, treat, xs = str(p["depvar"]), str(p["treat"]), names(p, "covariates")
    row = _check_common(res, frame, p, _score(frame, treat, xs, str(p["link"])))
    ematch, bias = names(p, "ematch"), names(p, "biasadj")
    cell = (pd.factorize(pd.MultiIndex.from_frame(frame[ematch]))[0] if ematch
            else np.zeros(len(frame), dtype=int))
    tau, v = _brute_force_nnmatch(
        frame[y].to_numpy(float), (frame[treat] != 0).to_numpy(float),
        frame[xs].to_numpy(float), cell, frame[bias].to_numpy(float) if bias else None,
        int(p["nneighbor"]), p["estimand"] == "atet")  # type: ignore[call-overload]
    close(row["effect"], tau, rtol=1e-9)
    close(row["se"], np.sqrt(v), rtol=1e-8)
    _check_balance(res, frame, p, whiten(frame[xs].to_numpy(float)), cell)
    if not ematch and bias in ([], xs):
        # causalinference as a second reference: Mahalanobis distance is the Euclidean one
        # after whitening z = x·L (LLᵀ = S⁻¹), whose inverse-variance weights are then equal;
        # its bias correction regresses on z, the same fit as on x
        x = frame[xs].to_numpy(float)
        z = x @ np.linalg.cholesky(np.linalg.inv(np.cov(x, rowvar=False)))
        cm = CausalModel(frame[y].to_numpy(float), (frame[treat] != 0).to_numpy(int), z)
        cm.est_via_matching(weights="inv", matches=int(p["nneighbor"]),  # type: ignore[call-overload]
                            bias_adj=bool(bias))
        ref = cm.estimates["matching"]["att" if p["estimand"] == "atet" else "ate"]
        close(row["effect"], ref, rtol=1e-9)


EXAMPLE_CHECKS: dict[str, Check] = {"teffects_matching": check_psmatch}

CASES = [
    Case(
        template="teffects_matching",
        params={"depvar": "out", "treat": "t", "covariates": ["x1", "x2", "x3"],
                "method": "nnmatch", "estimand": "atet", "nneighbor": 2,
                "biasadj": ["x1", "x2", "x3"], "ematch": ["d"]},
        main=_selection(306),
        check=check_nnmatch,
        variant="nnmatch_atet_ematch_biasadj",
    ),
    Case(
        template="teffects_matching",
        params={"depvar": "out", "treat": "t", "covariates": ["x1", "x2"], "method": "nnmatch",
                "nneighbor": 3, "biasadj": ["x1", "x2"]},
        main=_selection(307),
        check=check_nnmatch,
        variant="nnmatch_ate",
    ),
    Case(
        template="teffects_matching",
        params={"depvar": "re78", "treat": "treat",
                "covariates": ["age", "educ", "black", "nodegree", "re75"],
                "estimand": "atet", "nneighbor": 2, "link": "probit"},
        main=example_frame("job_training.csv"),
        check=check_psmatch,
        variant="psmatch_probit_atet",
    ),
]
