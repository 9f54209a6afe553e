"""``teffects nnmatch`` and ``teffects psmatch``: nearest-neighbour matching estimators.

Matching is with replacement and keeps ties: the match set of observation i is every
observation of the other treatment arm whose distance to i is no larger than the m-th
smallest (``nneighbor(m)``, distances within 1e-12 counted equal), each weighted 1/#set;
``ematch()`` restricts it to observations with the same values of those variables. The
missing potential outcome of i is the mean outcome of its set; the effect averages
``y(1) − y(0)`` over everyone (ATE) or over the treated (ATET). Distances are
``‖xᵢ − xⱼ‖_S = √((xᵢ − xⱼ)ᵀ S⁻¹ (xᵢ − xⱼ))`` with S the sample covariance of the
covariates (mahalanobis), its diagonal (ivariance) or the identity (euclidean); psmatch
matches on the estimated propensity score.

``biasadj(varlist)`` (Abadie and Imbens 2011) replaces each matched outcome yⱼ by
``yⱼ + μ̂ₜ(xᵢ) − μ̂ₜ(xⱼ)``, μ̂ₜ the least-squares fit of y on the variables over the
matched observations of arm t, weighted by how often each serves as a match.

The robust variance is Abadie and Imbens (2006): the conditional variance σ²(xᵢ) is the
sample variance of y over i together with its nearest neighbours within its own arm (ties
kept, same ``ematch()`` cell, within the caliper): for nnmatch the h = ``nn(h)`` nearest
other observations, for psmatch the h − 1 nearest (i counting as the first). Both readings
of Stata's "within-treatment matching set of size h" are fixed by Stata's printed output on
cattaneo2: nnmatch with ematch() and biasadj() (ATE se 29.32803, ATET 30.41661) only with
the first, psmatch (ATE se 25.88746) only with the second. With
Kᵢ = Σₗ 1{i ∈ J(l)}/#J(l) and K′ᵢ = Σₗ 1{i ∈ J(l)}/#J(l)²,

- ATE: ``V = N⁻² Σᵢ [(ŷᵢ(1) − ŷᵢ(0) − τ)² + (Kᵢ² + 2Kᵢ − K′ᵢ) σ²(xᵢ)]``;
- ATET: ``V = N₁⁻² [Σ_{treated} (yᵢ − ŷᵢ(0) − τ)² + Σ_{controls} (Kᵢ² − K′ᵢ) σ²(xᵢ)]``
  (K counting matches of treated observations only).

psmatch adjusts for the estimated score as Abadie and Imbens (2016, Econometrica 84(2),
section 4) estimate it, with the logit/probit information I per observation:

- ATE: ``V − cᵀ I⁻¹ c / N``, c = N⁻¹ Σ f(xᵢ'θ)(cov(x, μ₁ | p)ᵢ/pᵢ + cov(x, μ₀ | p)ᵢ/(1 − pᵢ)),
  each covariance the sample covariance of (x, y) over the h nearest observations of that
  arm on the score (i among them when it is in the arm);
- ATET: ``V − c_tᵀ I⁻¹ c_t / N + dᵀ I⁻¹ d / N`` with c_t = c_t1 + c_t2,
  c_t2 = N₁⁻¹ Σ f (cov(x, μ₁ | p) + p/(1 − p) cov(x, μ₀ | p)),
  c_t1 = N₁⁻¹ Σ xᵢ f (μ̄₁ᵢ − μ̄₀ᵢ − τ), μ̄ᵥᵢ the mean outcome of the h nearest of arm w on
  the score (i itself left out of its own arm), and ∂τ_t/∂θ estimated as
  d = N₁⁻¹ Σ xᵢ f ((2tᵢ − 1)(yᵢ − ȳ_{J(i)}) − τ), J(i) the m nearest of the other arm on the
  covariates in Euclidean distance (ties kept). Stata's published cattaneo2 ATET se
  (30.55147) is reproduced to 1e-9 with h = nn(#) for the score sets and one covariate
  neighbour at the default nneighbor(1); the paper leaves both sizes generic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.likelihood import Logit, Probit, newton

DTOL = 1e-12  #: distances this close are ties (Stata keeps ties that rounding separates)
METRICS = ("mahalanobis", "ivariance", "euclidean")

PSTOLERANCE = 1e-5  #: psmatch: scores outside [tol, 1 − tol] violate overlap (Stata's default)

IndexSets = list[NDArray[np.intp]]


class OverlapError(StatsError):
    """Stata's r(459) for observations that violate overlap: no match within ``caliper()``
    or with the ``ematch()`` values, or a propensity score outside the tolerance;
    ``rows`` flags them (what ``osample()`` stores)."""

    def __init__(self, message: str, rows: NDArray[np.bool_]) -> None:
        super().__init__(459, message)
        self.rows = rows


@dataclass(frozen=True)
class Matches:
    """Match sets of every observation in the other arm, as positions in the whole sample."""

    sets: IndexSets

    def imputed(self, y: FloatArray) -> FloatArray:
        """Mean outcome of each observation's match set."""
        return np.array([y[s].mean() for s in self.sets])

    def counts(self, n: int, rows: NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        """K and K′: how often each observation serves as a match of ``rows`` (1/#set each)."""
        k, k2 = np.zeros(n), np.zeros(n)
        for i in rows:
            s = self.sets[i]
            np.add.at(k, s, 1.0 / len(s))
            np.add.at(k2, s, 1.0 / len(s) ** 2)
        return k, k2


def scaling(x: FloatArray, metric: str) -> FloatArray:
    """S⁻¹ of the metric: inverse sample covariance, inverse variances, or the identity."""
    if metric not in METRICS:
        raise StatsError(INVALID_SYNTAX, f"metric({metric}) not allowed")
    k = x.shape[1]
    if metric == "euclidean":
        return np.eye(k)
    cov = np.atleast_2d(np.cov(x, rowvar=False))
    if metric == "ivariance":
        cov = np.diag(np.diag(cov))
    return np.asarray(np.linalg.pinv(cov), dtype=np.float64)


def nearest(x: FloatArray, sinv: FloatArray, origin: NDArray[np.intp],
            pool: NDArray[np.intp], m: int, exact: NDArray[np.intp] | None = None,
            caliper: float | None = None, others: bool = False) -> IndexSets:
    """For each row of ``origin``, the rows of ``pool`` within the m-th smallest distance
    (only those with the same ``exact`` code when given: ``ematch()``; only those no farther
    than ``caliper``; only rows other than itself with ``others``). A row without any
    candidate gets an empty set."""
    w, vecs = np.linalg.eigh(sinv)
    z = x @ (vecs * np.sqrt(np.maximum(w, 0.0)))
    out: IndexSets = []
    for i in origin:
        cand = pool if exact is None else pool[exact[pool] == exact[i]]
        if others:
            cand = cand[cand != i]
        d = np.sqrt(np.maximum(((z[cand] - z[i]) ** 2).sum(axis=1), 0.0))
        if caliper is not None:
            cand, d = cand[d <= caliper + DTOL], d[d <= caliper + DTOL]
        if len(cand) == 0:
            out.append(cand)
            continue
        take = min(m, len(cand)) - 1
        cut = np.partition(d, take)[take]
        out.append(cand[d <= cut + DTOL])
    return out


def cross_matches(x: FloatArray, sinv: FloatArray, t: FloatArray, m: int,
                  exact: NDArray[np.intp] | None = None,
                  caliper: float | None = None) -> Matches:
    """Each observation's m nearest neighbours (ties kept) in the other treatment arm."""
    treated, controls = np.flatnonzero(t == 1), np.flatnonzero(t == 0)
    sets: IndexSets = [np.empty(0, dtype=np.intp)] * len(t)
    for origin, pool in ((treated, controls), (controls, treated)):
        for i, s in zip(origin, nearest(x, sinv, origin, pool, m, exact, caliper),
                        strict=True):
            sets[i] = s
    return Matches(sets)


def own_arm(x: FloatArray, sinv: FloatArray, t: FloatArray, h: int,
            exact: NDArray[np.intp] | None = None,
            caliper: float | None = None, others: bool = False) -> IndexSets:
    """Each observation with its nearest neighbours (ties kept) in its own arm: the h − 1
    nearest counting itself, or with ``others`` the h nearest other observations."""
    sets: IndexSets = [np.empty(0, dtype=np.intp)] * len(t)
    for arm in (0.0, 1.0):
        rows = np.flatnonzero(t == arm)
        near = nearest(x, sinv, rows, rows, h, exact, caliper, others)
        for i, s in zip(rows, near, strict=True):
            sets[i] = np.append(s, i) if others else s
    return sets


def conditional_variance(y: FloatArray, sets: IndexSets) -> FloatArray:
    """σ²(xᵢ): the sample variance of y over each own-arm set."""
    return np.array([y[s].var(ddof=1) if len(s) > 1 else 0.0 for s in sets])


def _matched_fit(xb: FloatArray, y: FloatArray, k: FloatArray,
                 rows: NDArray[np.intp]) -> FloatArray:
    """μ̂(x) for every observation: least squares over ``rows`` weighted by their match
    counts K (the matched sample, as in Abadie, Drukker, Herr and Imbens 2004)."""
    X = np.column_stack([xb, np.ones(len(y))])
    w = np.sqrt(k[rows])
    beta = np.linalg.lstsq(X[rows] * w[:, None], y[rows] * w, rcond=None)[0]
    return np.asarray(X @ beta, dtype=np.float64)


@dataclass(frozen=True, kw_only=True)
class MatchResult:
    """The effect, its AI variance before any score adjustment, and the pieces used."""

    effect: float
    variance: float
    y1: FloatArray  #: ŷᵢ(1) (observed for the treated)
    y0: FloatArray
    freq: FloatArray  #: matched-sample frequency weight: 1 + Kᵢ (ATE); 1 or Kᵢ (ATET)
    sets: IndexSets  #: each imputed observation's matches (empty for the others)


def match_effect(y: FloatArray, t: FloatArray, x: FloatArray, sinv: FloatArray, *,
                 stat: str, m: int, h: int, xbias: FloatArray | None,
                 exact: NDArray[np.intp] | None = None,
                 caliper: float | None = None, h_others: bool = True) -> MatchResult:
    """The matching estimate and its Abadie–Imbens robust variance (σ² over i and its h
    nearest own-arm others, or h − 1 without ``h_others``); OverlapError when an
    observation to impute has no match (within ``caliper``, with the same ``exact`` code)."""
    n = len(y)
    matches = cross_matches(x, sinv, t, m, exact, caliper)
    treated = np.flatnonzero(t == 1)
    rows = treated if stat == "atet" else np.arange(n)
    unmatched = np.zeros(n, dtype=np.bool_)
    unmatched[[i for i in rows if len(matches.sets[i]) == 0]] = True
    if unmatched.any():
        why = (f"within caliper({caliper:g})" if caliper is not None
               else "with the same values of the ematch() variables")
        raise OverlapError(f"{int(unmatched.sum())} observation(s) have no nearest-neighbor "
                           f"matches {why}; use option osample() to identify them",
                           unmatched)
    k, k2 = matches.counts(n, rows)
    shifted_1, shifted_0 = y, y
    if xbias is not None:
        mu1 = _matched_fit(xbias, y, k, treated)
        mu0 = _matched_fit(xbias, y, k, np.flatnonzero(t == 0))
        shifted_1, shifted_0 = y - mu1, y - mu0
    imputed = np.zeros(n)
    for i in rows:
        s = matches.sets[i]
        if xbias is None:
            imputed[i] = y[s].mean()
        elif t[i] == 1:
            imputed[i] = shifted_0[s].mean() + mu0[i]
        else:
            imputed[i] = shifted_1[s].mean() + mu1[i]
    y1 = np.where(t == 1, y, imputed)
    y0 = np.where(t == 0, y, imputed)
    sigma2 = conditional_variance(y, own_arm(x, sinv, t, h, exact, caliper, h_others))
    if stat == "atet":
        n1 = len(treated)
        effect = float((y1 - y0)[treated].mean())
        ctrl = t == 0
        variance = (((y1 - y0 - effect)[treated] ** 2).sum()
                    + ((k ** 2 - k2) * sigma2)[ctrl].sum()) / n1 ** 2
        freq = np.where(t == 1, 1.0, k)
    else:
        effect = float((y1 - y0).mean())
        variance = (((y1 - y0 - effect) ** 2).sum()
                    + ((k ** 2 + 2 * k - k2) * sigma2).sum()) / n ** 2
        freq = 1 + k
    sets = [s if stat == "ate" or t[i] == 1 else np.empty(0, dtype=np.intp)
            for i, s in enumerate(matches.sets)]
    return MatchResult(effect=effect, variance=float(variance), y1=y1, y0=y0, freq=freq,
                       sets=sets)


def ps_adjustment(y: FloatArray, t: FloatArray, xt: FloatArray, family: Logit | Probit,
                  gamma: FloatArray, result: MatchResult, *, stat: str, m: int,
                  h: int) -> float:
    """Abadie–Imbens (2016) correction of the matching variance for the estimated score."""
    n = len(y)
    index = xt @ gamma
    p = family.mean(index)
    dens = _density(family, index)
    _, d2 = family.derivatives(t, index)
    info = -(xt * d2[:, None]).T @ xt / n  # information per observation
    info_inv = np.linalg.inv(info)
    # cov(x, μ(w, x) | p) at every observation and for each arm w: the sample covariance of
    # (x, y) over the h nearest observations of arm w on the score (an observation of arm w
    # is its own nearest)
    own = own_arm(p[:, None], np.eye(1), t, h)
    cross = cross_matches(p[:, None], np.eye(1), t, h).sets
    cov_own = np.array([_covariance(xt[s], y[s]) for s in own])
    cov_other = np.array([_covariance(xt[s], y[s]) for s in cross])
    cov1 = np.where((t == 1)[:, None], cov_own, cov_other)
    cov0 = np.where((t == 0)[:, None], cov_own, cov_other)
    if stat == "atet":
        n1 = t.sum()
        c2 = (dens[:, None] * (cov1 + cov0 * (p / (1 - p))[:, None])).sum(axis=0) / n1
        # μ̄(w, p) at every observation: the h nearest of arm w on the score, i left out of
        # its own arm (else yᵢ itself would enter the regression estimate)
        own_mean = np.array([y[s[s != i]].mean()
                             for i, s in enumerate(own_arm(p[:, None], np.eye(1), t, h,
                                                           others=True))])
        other_mean = np.array([y[s].mean() for s in cross])
        mu1 = np.where(t == 1, own_mean, other_mean)
        mu0 = np.where(t == 0, own_mean, other_mean)
        c1 = (xt * (dens * (mu1 - mu0 - result.effect))[:, None]).sum(axis=0) / n1
        # ∂τ_t/∂θ needs μ(1, x) − μ(0, x): matching on the covariates, not on the score
        near = cross_matches(xt, np.eye(xt.shape[1]), t, m).imputed(y)
        effect = np.where(t == 1, y - near, near - y)
        dtau = (xt * (dens * (effect - result.effect))[:, None]).sum(axis=0) / n1
        c = c1 + c2
        return float((dtau @ info_inv @ dtau - c @ info_inv @ c) / n)
    c = (dens[:, None] * (cov1 / p[:, None] + cov0 / (1 - p)[:, None])).mean(axis=0)
    return float(-c @ info_inv @ c / n)


def _covariance(x: FloatArray, y: FloatArray) -> FloatArray:
    """Sample covariance of each column of x with y (0 for a single observation)."""
    if len(y) < 2:
        return np.zeros(x.shape[1])
    return np.asarray((x - x.mean(axis=0)).T @ (y - y.mean()) / (len(y) - 1),
                      dtype=np.float64)


def _density(family: Logit | Probit, index: FloatArray) -> FloatArray:
    """dF/dz of the treatment model at the linear index."""
    if isinstance(family, Probit):
        return np.asarray(np.exp(-index ** 2 / 2) / np.sqrt(2 * np.pi), dtype=np.float64)
    p = family.mean(index)
    return np.asarray(p * (1 - p), dtype=np.float64)


def fit_matching(method: str, y: FloatArray, t: FloatArray, x: FloatArray, *,
                 depvar: str, tvar: str, stat: str = "ate", m: int = 1, h: int = 2,
                 metric: str = "mahalanobis", xbias: FloatArray | None = None,
                 tmodel: str = "logit", exact: FloatArray | None = None,
                 caliper: float | None = None) -> Estimation:
    """Stata's ``teffects nnmatch (y x) (t)`` or ``teffects psmatch (y) (t x, tmodel)``.

    ``extra`` holds ``match_freq`` (each observation's frequency weight in the matched
    sample) and ``match_ids`` (each observation's matches as positions, NaN-padded to the
    largest match set)."""
    if stat not in ("ate", "atet"):
        raise StatsError(INVALID_SYNTAX, f"{stat} not allowed")
    if not np.all(np.isin(t, (0.0, 1.0))):
        raise StatsError(459, f"{tvar} must be a 0/1 treatment")
    if m < 1 or h < 2:
        raise StatsError(INVALID_SYNTAX, "nneighbor() must be ≥ 1 and vce(robust, nn()) ≥ 2")
    n = len(y)
    if method == "psmatch":
        family = Probit() if tmodel == "probit" else Logit()
        xt = np.column_stack([x, np.ones(n)])
        gamma = newton(family, t, xt, np.ones(n), np.zeros(xt.shape[1])).coef
        score = family.mean(xt @ gamma)[:, None]
        outside = (score[:, 0] < PSTOLERANCE) | (score[:, 0] > 1 - PSTOLERANCE)
        if outside.any():
            raise OverlapError(f"{int(outside.sum())} propensity score(s) outside "
                               f"[{PSTOLERANCE:g}, 1 − {PSTOLERANCE:g}]; treatment overlap "
                               "assumption has been violated", outside)
        result = match_effect(y, t, score, np.eye(1), stat=stat, m=m, h=h, xbias=None,
                              caliper=caliper, h_others=False)
        variance = result.variance + ps_adjustment(y, t, xt, family, gamma, result,
                                                   stat=stat, m=m, h=h)
    else:
        codes = None
        if exact is not None and exact.size:
            codes = np.unique(exact, axis=0, return_inverse=True)[1].reshape(-1)
        result = match_effect(y, t, x, scaling(x, metric), stat=stat, m=m, h=h, xbias=xbias,
                              exact=codes, caliper=caliper)
        variance = result.variance
    label = "ATET" if stat == "atet" else "ATE"
    scalars = {"N": float(n), "treated": 1.0, "control": 0.0, "k_levels": 2.0,
               "n1": float((t == 1).sum()), "n0": float((t == 0).sum()),
               "k_nneighbor": float(m), "k_robust": float(h), "rank": 1.0}
    macros = {"cmd": "teffects", "subcmd": method, "stat": stat, "depvar": depvar,
              "tvar": tvar, "title": "Treatment-effects estimation",
              "method": "nearest-neighbor matching" if method == "nnmatch"
              else "propensity-score matching",
              "vce": "robust", "vcetype": "AI Robust",
              "metric": metric if method == "nnmatch" else "",
              "tmodel": tmodel if method == "psmatch" else ""}
    return Estimation(cmd="teffects", depvar=depvar, names=(f"{label}:r1vs0.{tvar}",),
                      b=np.array([result.effect]), V=np.array([[variance]]),
                      omitted=(False,), scalars=scalars, macros=macros, df_r=None,
                      extra={"match_freq": result.freq, "match_ids": _padded(result.sets)})


def _padded(sets: IndexSets) -> FloatArray:
    """Match sets as an n × (largest set) matrix of positions, NaN where a set is shorter."""
    out = np.full((len(sets), max((len(s) for s in sets), default=0)), np.nan)
    for i, s in enumerate(sets):
        out[i, :len(s)] = s
    return out
