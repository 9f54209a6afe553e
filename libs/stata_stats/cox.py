"""``stcox``: the Cox proportional-hazards model by partial likelihood, and ``estat phtest``.

Records are intervals (t0, t] (late entry and several records per subject allowed); the risk
set at a failure time τ holds the records with t0 < τ ≤ t. Ties: Breslow (Stata's default)
or Efron — each of the d failures at τ is a pseudo-event l = 0…d−1 whose risk sum is
S₀ − (l/d)·A₀ (A₀: the failures' own sum), Breslow being every fraction 0. Newton–Raphson
from β = 0 with Stata's ``ml`` rules. ``vce(robust)`` is the Lin–Wei sandwich of the efficient
score residuals with the N/(N−1) factor (G/(G−1) by cluster, the subjects when ``stset`` has
an ``id()``); the model test is LR against β = 0 (Wald with a sandwich).

``estat phtest`` is Grambsch and Therneau's test on the Schoenfeld residuals rᵢ (per failure,
x minus the risk-set mean; the Efron mean averaged over its pseudo-events): with d failures,
V the conventional variance and g(t) the time function, per covariate
χ² = (dV·Σ(g−ḡ)r)ⱼ² / (dVⱼⱼ·Σ(g−ḡ)²) and globally (Σ(g−ḡ)r)'dV(Σ(g−ḡ)r)/Σ(g−ḡ)²; ρ is the
correlation of the scaled residuals β + dV·r with g.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from libs.stata_stats.errors import INVALID_SYNTAX, NO_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import maximize
from libs.stata_stats.sample import group_codes
from libs.stata_stats.vce import sum_by_group
from libs.stata_stats.wald import wald_statistic

TIES = ("breslow", "efron")


class _Partial:
    """The partial likelihood of one sample: sums over risk sets by sorted cumulation."""

    def __init__(self, t0: FloatArray, t: FloatArray, d: FloatArray, X: FloatArray,
                 ties: str) -> None:
        self.t0, self.t, self.X = t0, t, X
        fail = np.flatnonzero(d > 0)
        self.times, inverse = np.unique(t[fail], return_inverse=True)
        self.fail = fail[np.argsort(inverse, kind="stable")]
        self.fail_time = np.sort(inverse)  # time index of each failure
        counts = np.bincount(self.fail_time, minlength=self.times.size)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank = np.arange(self.fail.size) - first[self.fail_time]
        # pseudo-events: one per failure, its fraction l/d (Breslow: 0)
        self.frac = rank / counts[self.fail_time] if ties == "efron" else np.zeros(rank.size)
        self.order_t, self.order_0 = np.argsort(t), np.argsort(t0)
        self.pos_t = np.searchsorted(t[self.order_t], self.times, side="left")
        self.pos_0 = np.searchsorted(t0[self.order_0], self.times, side="left")

    def _risk_sums(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Σ over each failure time's risk set of the rows of ``values`` (n × …)."""
        def tail(order: NDArray[np.intp], pos: NDArray[np.intp]) -> NDArray[np.float64]:
            v = values[order]
            cum = np.concatenate([np.cumsum(v[::-1], axis=0)[::-1],
                                  np.zeros((1, *v.shape[1:]))])
            out: NDArray[np.float64] = cum[pos]
            return out
        return tail(self.order_t, self.pos_t) - tail(self.order_0, self.pos_0)

    def _event_sums(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Σ over each failure time's failures (A₀, A₁, A₂)."""
        out = np.zeros((self.times.size, *values.shape[1:]))
        np.add.at(out, self.fail_time, values[self.fail])
        return out

    def pieces(self, beta: FloatArray) -> tuple[float, FloatArray, FloatArray, FloatArray,
                                                FloatArray]:
        """ll, gradient, −Hessian, and per pseudo-event c and m (risk sum and mean of x)."""
        xb = self.X @ beta
        w = np.exp(xb)
        wx = self.X * w[:, None]
        wxx = self.X[:, :, None] * wx[:, None, :]
        S0, S1, S2 = (self._risk_sums(v) for v in (w, wx, wxx))
        A0, A1, A2 = (self._event_sums(v) for v in (w, wx, wxx))
        k, f = self.fail_time, self.frac
        c = S0[k] - f * A0[k]
        s1 = S1[k] - f[:, None] * A1[k]
        m = s1 / c[:, None]
        s2 = S2[k] - f[:, None, None] * A2[k]
        ll = float(xb[self.fail].sum() - np.log(c).sum())
        grad = self.X[self.fail].sum(axis=0) - m.sum(axis=0)
        neg_h = (s2 / c[:, None, None]).sum(axis=0) - m.T @ m
        return ll, grad, neg_h, c, m

    def value(self, beta: FloatArray) -> float:
        return self.pieces(beta)[0]

    def derivatives(self, beta: FloatArray) -> tuple[FloatArray, FloatArray]:
        _, grad, neg_h, _, _ = self.pieces(beta)
        return grad, neg_h

    def residuals(self, beta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Efficient score residuals (n × p) and Schoenfeld residuals (failures × p)."""
        _, _, _, c, m = self.pieces(beta)
        w = np.exp(self.X @ beta)
        k = self.fail_time
        counts = np.bincount(k, minlength=self.times.size)
        mean_m = np.zeros((self.times.size, self.X.shape[1]))
        np.add.at(mean_m, k, m)
        mean_m /= counts[:, None]
        schoenfeld = self.X[self.fail] - mean_m[k]
        # Σ over pseudo-events in (t0, t] of 1/c and m/c, by cumulation over event times
        h0 = np.bincount(k, weights=1.0 / c, minlength=self.times.size)
        h1 = np.zeros_like(mean_m)
        np.add.at(h1, k, m / c[:, None])
        cum0 = np.concatenate([[0.0], np.cumsum(h0)])
        cum1 = np.vstack([np.zeros((1, h1.shape[1])), np.cumsum(h1, axis=0)])
        hi = np.searchsorted(self.times, self.t, side="right")
        lo = np.searchsorted(self.times, self.t0, side="right")
        H0, H1 = cum0[hi] - cum0[lo], cum1[hi] - cum1[lo]
        score = -(w[:, None] * (self.X * H0[:, None] - H1))
        # the failures: their own term, and their Efron weight 1 − l/d (not 1) in every
        # pseudo-event of their own time
        f0 = np.bincount(k, weights=self.frac / c, minlength=self.times.size)
        f1 = np.zeros_like(mean_m)
        np.add.at(f1, k, (self.frac / c)[:, None] * m)
        Xf = self.X[self.fail]
        score[self.fail] += schoenfeld + w[self.fail][:, None] * (Xf * f0[k][:, None] - f1[k])
        return score, schoenfeld


@dataclass(frozen=True, kw_only=True)
class CoxFit:
    """The estimates and the iteration log."""

    estimation: Estimation
    iterations: tuple[float, ...]


@dataclass(frozen=True, kw_only=True)
class Schoenfeld:
    """Schoenfeld residuals at the estimates, what ``estat phtest`` works from."""

    residuals: FloatArray  #: per failure, in failure-time order
    times: FloatArray  #: the failure time of each residual
    information_inv: FloatArray  #: the conventional variance (inverse information)


def schoenfeld(t0: FloatArray, t: FloatArray, d: FloatArray, X: FloatArray, beta: FloatArray,
               ties: str = "breslow") -> Schoenfeld:
    """The Schoenfeld residuals of a fitted Cox model (``beta`` from ``e(b)``)."""
    model = _Partial(t0, t, d, X, ties)
    _, residuals = model.residuals(beta)
    _, neg_h = model.derivatives(beta)
    return Schoenfeld(residuals=residuals, times=t[model.fail],
                      information_inv=np.linalg.inv(neg_h))


def fit_cox(t0: FloatArray, t: FloatArray, d: FloatArray, X: FloatArray,
            names: tuple[str, ...], *, ties: str = "breslow", vce: str = "oim",
            clusters: NDArray[np.generic] | None = None, clustvar: str = "") -> CoxFit:
    """Stata's ``stcox indepvars [, breslow|efron vce(oim|robust|cluster)]`` on the st
    records (``clusters``: the cluster of each record for robust variances)."""
    if ties not in TIES:
        raise StatsError(INVALID_SYNTAX, f"ties method {ties} not supported")
    if not np.any(d > 0):
        raise StatsError(NO_OBSERVATIONS, "no failures")
    model = _Partial(t0, t, d, X, ties)
    fit = maximize(model.value, model.derivatives, np.zeros(X.shape[1]))
    beta = fit.coef
    bread = fit.neg_hessian_inv
    ll_0 = fit.iterations[0]
    n = float(t.size)
    score, _ = model.residuals(beta)
    macros = {"cmd": "cox", "cmd2": "stcox", "depvar": "_t", "ties": ties,
              "title": "Cox regression", "vce": vce, "method": ties,
              "predict": "stcox_p", "estat_cmd": "stcox_estat"}
    scalars: dict[str, float] = {"N": n, "N_fail": float((d > 0).sum()),
                                 "risk": float((t - t0).sum()), "ll": fit.ll, "ll_0": ll_0,
                                 "df_m": float(X.shape[1]), "k_eq": 1.0, "rank": float(X.shape[1]),
                                 "converged": 1.0}
    V = bread
    if vce in ("robust", "cluster"):
        if clusters is not None:
            codes, g = group_codes(clusters)
            s = sum_by_group(score, codes, g)
            factor = g / (g - 1.0)
            scalars["N_clust"] = float(g)
            macros["clustvar"] = clustvar
        else:
            s, factor = score, n / (n - 1.0)
        V = bread @ (s.T @ s) @ bread * factor
        V = (V + V.T) / 2.0
        macros["vcetype"] = "Robust"
        chi2, _ = wald_statistic(beta, V, np.arange(beta.size), (False,) * beta.size)
        scalars["chi2"], macros["chi2type"] = chi2, "Wald"
    else:
        scalars["chi2"], macros["chi2type"] = 2.0 * (fit.ll - ll_0), "LR"
    scalars["p"] = float(stats.chi2.sf(scalars["chi2"], X.shape[1])) if X.shape[1] else np.nan
    est = Estimation(cmd="cox", depvar="_t", names=names, b=beta, V=V,
                     omitted=(False,) * beta.size, scalars=scalars, macros=macros, df_r=None)
    return CoxFit(estimation=est, iterations=fit.iterations)


@dataclass(frozen=True, kw_only=True)
class PhTest:
    """``estat phtest``: per covariate ρ, χ² (1 df), p; and the global test."""

    rho: FloatArray
    chi2: FloatArray
    p: FloatArray
    global_chi2: float
    global_df: int
    global_p: float


def ph_test(beta: FloatArray, sch: Schoenfeld, g: FloatArray) -> PhTest:
    """Grambsch–Therneau test of proportional hazards with time function values ``g`` (one
    per Schoenfeld residual)."""
    r = sch.residuals
    V = sch.information_inv
    d = float(r.shape[0])
    gc = g - g.mean()
    ss = float(gc @ gc)
    u = gc @ r
    dvu = d * V @ u
    chi2 = dvu**2 / (d * np.diag(V) * ss)
    scaled = beta + d * r @ V
    rho = np.array([np.corrcoef(scaled[:, j], g)[0, 1] for j in range(r.shape[1])])
    global_chi2 = float(u @ dvu / ss)
    df = r.shape[1]
    return PhTest(rho=rho, chi2=chi2, p=stats.chi2.sf(chi2, 1), global_chi2=global_chi2,
                  global_df=df, global_p=float(stats.chi2.sf(global_chi2, df)))
