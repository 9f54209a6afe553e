"""Population-averaged models by generalized estimating equations ([XT] xtgee): the shared
core of ``xtgee``, ``xtprobit, pa`` and ``xtlogit, pa``.

Models: binomial with the logit or probit link, Poisson with the log link; the scale is 1 for
both, as Stata's default ``scale()`` for discrete families. Working correlation
``exchangeable`` (the default) or ``independent``. Liang and Zeger's iterations from the
pooled (independence) fit: with Pearson residuals rᵢₜ = (yᵢₜ − μᵢₜ)/√v(μᵢₜ),

    φ = Σ r²/N,   α = [Σᵢ Σ_{t≠s} rᵢₜrᵢₛ / Σᵢ nᵢ(nᵢ − 1)] / φ,

then a Fisher-scoring step
β ← β + (Σ Dᵢ'Vᵢ⁻¹Dᵢ)⁻¹ Σ Dᵢ'Vᵢ⁻¹(yᵢ − μᵢ), Dᵢ = diag(dμ/dη)Xᵢ, Vᵢ = Aᵢ^½ R(α) Aᵢ^½, until
the largest change in β is below 1e-10. ``e(V)``: the model-based (Σ D'V⁻¹D)⁻¹
(``vce(conventional)``, the default) or the sandwich over panels (``vce(robust)``, no
small-sample factor; ``rgf``: times (N − 1)/(N − P)); the model test is Wald on the slopes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from libs.stata_stats.errors import NO_OBSERVATIONS, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.least_squares import design_with_constant
from libs.stata_stats.likelihood import Family, Logit, Poisson, Probit, newton
from libs.stata_stats.mlmodel import regressors
from libs.stata_stats.sample import estimation_mask, group_codes
from libs.stata_stats.wald import wald_statistic

#: (family, link) → the mean function of the index
MODELS: dict[tuple[str, str], Family] = {("binomial", "logit"): Logit(),
                                         ("binomial", "probit"): Probit(),
                                         ("poisson", "log"): Poisson()}
CORRELATIONS = ("exchangeable", "independent")
_TOLERANCE = 1e-10
_MAX_ITER = 200


@dataclass(frozen=True, kw_only=True)
class GeeRequest:
    """What the GEE fit needs besides the data."""

    family: str
    link: str
    corr: str = "exchangeable"
    robust: bool = False
    rgf: bool = False  #: the robust variance times (N − 1)/(N − P)


@dataclass(frozen=True, kw_only=True)
class GeeFit:
    """The estimates, the iteration log (largest change in β) and the working correlation."""

    estimation: Estimation
    iterations: tuple[float, ...]
    alpha: float
    max_size: int


def _variance(family: str, mu: FloatArray) -> FloatArray:
    return mu * (1.0 - mu) if family == "binomial" else mu


@dataclass(frozen=True)
class _Panels:
    """Rows grouped by panel (codes sorted), with the design."""

    y: FloatArray
    D: FloatArray
    starts: NDArray[np.intp]
    sizes: NDArray[np.intp]

    def blocks(self) -> list[slice]:
        return [slice(int(s), int(s + n)) for s, n in zip(self.starts, self.sizes, strict=True)]


def _association(p: _Panels, r: FloatArray, corr: str) -> float:
    """α of the exchangeable working correlation from the Pearson residuals (0: independent)."""
    if corr == "independent":
        return 0.0
    phi = float(r @ r) / r.size
    sums = np.add.reduceat(r, p.starts)
    squares = np.add.reduceat(r * r, p.starts)
    pairs = float(np.sum(sums**2 - squares))  # Σ over t ≠ s of rₜrₛ
    count = float(np.sum(p.sizes * (p.sizes - 1)))
    return pairs / count / phi if count > 0 else 0.0


def _moments(p: _Panels, model: Family, family: str, beta: FloatArray, alpha: float
             ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(Σ D'V⁻¹D, Σ D'V⁻¹(y − μ), per-panel scores D'V⁻¹(y − μ))."""
    eta = p.D @ beta
    mu = model.mean(eta)
    dmu, _ = model.mean_derivatives(eta)
    sd = np.sqrt(_variance(family, mu))
    k = p.D.shape[1]
    bread, scores = np.zeros((k, k)), np.zeros((p.sizes.size, k))
    for g, rows in enumerate(p.blocks()):
        n = rows.stop - rows.start
        R = np.full((n, n), alpha)
        np.fill_diagonal(R, 1.0)
        Vinv = np.linalg.inv(R) / np.outer(sd[rows], sd[rows])
        Dg = p.D[rows] * dmu[rows, None]
        W = Dg.T @ Vinv
        bread += W @ Dg
        scores[g] = W @ (p.y[rows] - mu[rows])
    return bread, scores.sum(axis=0), scores


def fit_gee(request: GeeRequest, y: FloatArray, X: FloatArray, names: tuple[str, ...],
            groups: NDArray[np.generic], *, depvar: str, ivar: str,
            preomitted: tuple[bool, ...] | None = None) -> GeeFit:
    """Stata's ``xtgee depvar indepvars, family() link() corr() [vce(robust)]`` on the
    panels ``groups``."""
    model = MODELS.get((request.family, request.link))
    if model is None:
        raise StatsError(198, f"family {request.family} with link {request.link} is not "
                              "available in the embedded engine")
    mask = estimation_mask(y, X, None, None, groups)
    if not mask.any():
        raise StatsError(NO_OBSERVATIONS, "no observations")
    ys = y[mask].astype(np.float64)
    if request.family == "binomial":
        if np.any((ys != 0) & (ys != 1)):
            ys = (ys != 0).astype(np.float64)
        if ys.min() == ys.max():
            raise StatsError(NO_OBSERVATIONS, "outcome does not vary")
    codes, n_groups = group_codes(groups[mask])
    order = np.argsort(codes, kind="stable")
    reg = regressors(X[mask], np.ones(int(mask.sum())), names, preomitted)
    D = design_with_constant(X[mask][:, reg.keep], True)[order]
    ys = ys[order]
    sizes = np.bincount(codes, minlength=n_groups).astype(np.intp)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    panels = _Panels(ys, D, starts, sizes)
    beta = newton(model, ys, D, np.ones(ys.size), np.zeros(D.shape[1])).coef
    changes: list[float] = []
    alpha = 0.0
    for _ in range(_MAX_ITER):
        mu = model.mean(D @ beta)
        alpha = _association(panels, (ys - mu) / np.sqrt(_variance(request.family, mu)),
                             request.corr)
        bread, total, _scores = _moments(panels, model, request.family, beta, alpha)
        step = np.linalg.solve(bread, total)
        beta = beta + step
        changes.append(float(np.max(np.abs(step))))
        if changes[-1] < _TOLERANCE:
            break
    else:
        raise StatsError(430, "convergence not achieved")
    bread, _total, scores = _moments(panels, model, request.family, beta, alpha)
    cov = np.linalg.inv(bread)
    if request.robust:
        cov = cov @ (scores.T @ scores) @ cov
        if request.rgf:
            cov = cov * (ys.size - 1) / (ys.size - D.shape[1])
    k = X.shape[1]
    idx = np.append(reg.keep, k)
    b, V = np.zeros(k + 1), np.zeros((k + 1, k + 1))
    b[idx] = beta
    V[np.ix_(idx, idx)] = cov
    omitted = (*reg.omitted, False)
    chi2, df_m = wald_statistic(b, V, np.arange(k), omitted)
    scalars = {"N": float(ys.size), "N_g": float(n_groups), "g_min": float(sizes.min()),
               "g_avg": float(sizes.mean()), "g_max": float(sizes.max()), "chi2": chi2,
               "df_m": float(df_m), "p": float(stats.chi2.sf(chi2, df_m)), "scale": 1.0,
               "rank": float(idx.size), "tol": 1e-6, "dif": changes[-1]}
    macros = {"cmd": "xtgee", "depvar": depvar, "ivar": ivar, "model": "pa",
              "family": request.family, "link": request.link, "corr": request.corr,
              "chi2type": "Wald", "title": "GEE population-averaged model",
              "scaletype": "phi", "vce": "robust" if request.robust else "conventional",
              **({"vcetype": "Robust"} if request.robust else {})}
    est = Estimation(cmd="xtgee", depvar=depvar, names=(*names, "_cons"), b=b, V=V,
                     omitted=omitted, scalars=scalars, macros=macros, df_r=None, sample=mask)
    return GeeFit(estimation=est, iterations=tuple(changes), alpha=alpha,
                  max_size=int(sizes.max()))
