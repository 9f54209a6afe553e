"""rdrobust: the local polynomial RD estimate with bias correction and robust standard
errors (Calonico, Cattaneo and Titiunik 2014, Econometrica 82(6)).

On each side the order-p fit with bandwidth h gives the conventional estimate; the bias of
order p+1 is estimated by the order-q fit with bandwidth b and subtracted (bias-corrected);
the robust variance accounts for the variability of that bias estimate. Covariates enter
linearly with common coefficients on both sides (CCFT 2019); a fuzzy design divides the jump
in the outcome by the jump in the treatment (delta-method variance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from libs.stata_stats.errors import StatsError
from libs.stata_stats.rd_bandwidth import Side
from libs.stata_stats.rd_local import (
    FloatArray,
    Vce,
    basis,
    inverse,
    kernel_weights,
    meat,
    residuals,
)


@dataclass(frozen=True)
class RdResult:
    """rdrobust's e() numbers."""

    tau_cl: float
    tau_bc: float
    se_cl: float
    se_rb: float
    tau_cl_l: float
    tau_cl_r: float
    tau_bc_l: float
    tau_bc_r: float
    bias_l: float
    bias_r: float
    n_h: tuple[int, int]
    n_b: tuple[int, int]
    beta_p_l: FloatArray
    beta_p_r: FloatArray
    V_cl_l: FloatArray
    V_cl_r: FloatArray
    V_rb_l: FloatArray
    V_rb_r: FloatArray
    tau_t_cl: float | None = None  #: first stage (fuzzy)
    tau_t_bc: float | None = None
    se_t_cl: float | None = None
    se_t_rb: float | None = None

    def ci(self, level: float, robust: bool = True) -> tuple[float, float]:
        """Confidence interval: robust bias-corrected, or conventional."""
        z = float(stats.norm.isf((1 - level / 100) / 2))
        centre, se = (self.tau_bc, self.se_rb) if robust else (self.tau_cl, self.se_cl)
        return centre - z * se, centre + z * se


@dataclass
class _Fit:
    """One side's fits within max(h, b)."""

    beta_p: FloatArray
    beta_bc: FloatArray
    inv_p: FloatArray
    inv_q: FloatArray
    R_p: FloatArray
    R_q: FloatArray
    w_h: FloatArray
    Q: FloatArray
    side: Side
    res_h: FloatArray
    res_b: FloatArray
    n_h: int
    n_b: int
    same_bandwidth: bool


def _side_fit(side: Side, c: float, h: float, b: float, p: int, q: int, kernel: str,
              vce: Vce) -> _Fit:
    w_h_all = kernel_weights(side.x, c, h, kernel) * side.weights
    w_b_all = kernel_weights(side.x, c, b, kernel) * side.weights
    n_h, n_b = int((w_h_all > 0).sum()), int((w_b_all > 0).sum())
    if len(np.unique(side.x[w_h_all > 0])) < p + 1 or len(np.unique(side.x[w_b_all > 0])) \
            < q + 1:
        raise StatsError(498, "not enough distinct running-variable values with positive "
                              "weight to fit the polynomials on each side of the cutoff")
    keep = (w_h_all > 0) if h > b else (w_b_all > 0)
    s = side.select(keep)
    w_h, w_b = w_h_all[keep], w_b_all[keep]
    R_q = basis(s.x - c, q)
    R_p = R_q[:, : p + 1]
    RWp = R_p * w_h[:, None]
    inv_p = inverse(R_p.T @ RWp)
    inv_q = inverse(R_q.T @ (R_q * w_b[:, None]))
    L = RWp.T @ (((s.x - c) / h) ** (p + 1))
    Q = RWp - h ** (p + 1) * ((R_q @ inv_q[p + 1]) * w_b)[:, None] * L[None, :]
    beta_p = inv_p @ (RWp.T @ s.D)
    beta_q = inv_q @ ((R_q * w_b[:, None]).T @ s.D)
    beta_bc = inv_p @ (Q.T @ s.D)
    lev_p = lev_q = None
    if vce.kind in ("hc2", "hc3"):
        lev_p = np.sum((R_p @ inv_p) * RWp, axis=1)
        lev_q = np.sum((R_q @ inv_q) * (R_q * w_b[:, None]), axis=1)
    side_vce = Vce(vce.kind, vce.matches, s.clusters)
    res_h = residuals(side_vce, s.x, s.D, R_p @ beta_p, lev_p, p + 1)
    res_b = res_h if vce.kind == "nn" else residuals(side_vce, s.x, s.D, R_q @ beta_q,
                                                     lev_q, q + 1)
    return _Fit(beta_p, beta_bc, inv_p, inv_q, R_p, R_q, w_h, Q, s, res_h, res_b, n_h, n_b,
                h == b)


def estimate(left: Side, right: Side, c: float, *, h: tuple[float, float],
             b: tuple[float, float], p: int, q: int, deriv: int, kernel: str, vce: Vce,
             scalepar: float = 1.0) -> RdResult:
    """The RD estimate at cutoff ``c`` with bandwidths ``h`` and ``b`` (left, right)."""
    fl = _side_fit(left, c, h[0], b[0], p, q, kernel, vce)
    fr = _side_fit(right, c, h[1], b[1], p, q, kernel, vce)
    fac = scalepar * math.factorial(deriv)
    dt = 1 if left.fuzzy else 0
    ncols = left.D.shape[1]
    if left.n_covs:
        gamma = _pooled_gamma(fl, fr, dt)
        s_y = np.concatenate([[1.0], -gamma[:, 0]])
        zc = list(range(1 + dt, ncols))
    else:
        gamma, s_y, zc = np.zeros((0, 1 + dt)), np.ones(1), []

    def combine(beta: FloatArray, col: int, s: FloatArray) -> float:
        return float(s @ np.concatenate([[beta[deriv, col]], beta[deriv, zc]]))

    y_cl_l, y_cl_r = fac * combine(fl.beta_p, 0, s_y), fac * combine(fr.beta_p, 0, s_y)
    y_bc_l, y_bc_r = fac * combine(fl.beta_bc, 0, s_y), fac * combine(fr.beta_bc, 0, s_y)
    tau_cl, tau_bc = y_cl_r - y_cl_l, y_bc_r - y_bc_l
    bias_l, bias_r = y_cl_l - y_bc_l, y_cl_r - y_bc_r
    s_var = np.zeros(ncols)
    s_var[0], s_var[1 + dt :] = 1.0, s_y[1:]
    first: dict[str, float] = {}
    if left.fuzzy:
        s_t = np.concatenate([[1.0], -gamma[:, 1]]) if left.n_covs else np.ones(1)
        fac_t = float(math.factorial(deriv))
        t_cl_l, t_cl_r = fac_t * combine(fl.beta_p, 1, s_t), fac_t * combine(fr.beta_p, 1, s_t)
        t_bc_l, t_bc_r = fac_t * combine(fl.beta_bc, 1, s_t), fac_t * combine(fr.beta_bc, 1,
                                                                               s_t)
        t_cl, t_bc = t_cl_r - t_cl_l, t_bc_r - t_bc_l
        y_cl = tau_cl
        tau_cl = y_cl / t_cl
        grad = np.array([1 / t_cl, -y_cl / t_cl**2])
        tau_bc = tau_cl - float(grad @ np.array([y_cl - tau_bc, t_cl - t_bc]))
        bias_l = float(grad @ np.array([y_cl_l - y_bc_l, t_cl_l - t_bc_l]))
        bias_r = float(grad @ np.array([y_cl_r - y_bc_r, t_cl_r - t_bc_r]))
        s_var = np.zeros(ncols)
        s_var[0], s_var[1] = grad
        if left.n_covs:
            s_var[2:] = -(1 / t_cl) * gamma[:, 0] + (y_cl / t_cl**2) * gamma[:, 1]
        s_first = np.zeros(ncols)
        s_first[1] = 1.0
        if left.n_covs:
            s_first[2:] = -gamma[:, 1]
        first = {"t_cl": t_cl, "t_bc": t_bc}
        v_t = [_variances(f, s_first, p, q) for f in (fl, fr)]
        first["se_t_cl"] = math.sqrt(fac_t**2 * (v_t[0][0] + v_t[1][0])[deriv, deriv])
        first["se_t_rb"] = math.sqrt(fac_t**2 * (v_t[0][1] + v_t[1][1])[deriv, deriv])
    (V_cl_l, V_rb_l), (V_cl_r, V_rb_r) = (_variances(f, s_var, p, q) for f in (fl, fr))
    scale2 = fac**2
    return RdResult(
        tau_cl=tau_cl, tau_bc=tau_bc,
        se_cl=math.sqrt(scale2 * (V_cl_l + V_cl_r)[deriv, deriv]),
        se_rb=math.sqrt(scale2 * (V_rb_l + V_rb_r)[deriv, deriv]),
        tau_cl_l=y_cl_l, tau_cl_r=y_cl_r, tau_bc_l=y_bc_l, tau_bc_r=y_bc_r,
        bias_l=bias_l, bias_r=bias_r, n_h=(fl.n_h, fr.n_h), n_b=(fl.n_b, fr.n_b),
        beta_p_l=fl.beta_p[:, 0] * scalepar, beta_p_r=fr.beta_p[:, 0] * scalepar,
        V_cl_l=V_cl_l, V_cl_r=V_cl_r, V_rb_l=V_rb_l, V_rb_r=V_rb_r,
        tau_t_cl=first.get("t_cl"), tau_t_bc=first.get("t_bc"),
        se_t_cl=first.get("se_t_cl"), se_t_rb=first.get("se_t_rb"))


def _pooled_gamma(fl: _Fit, fr: _Fit, dt: int) -> FloatArray:
    """γ from both sides' order-p fits with bandwidth h (common covariate coefficients)."""
    def parts(f: _Fit) -> tuple[FloatArray, FloatArray]:
        w = f.w_h
        R = f.R_p
        U = R.T @ (f.side.D * w[:, None])
        Z = f.side.D[:, 1 + dt :]
        ZWD = Z.T @ (f.side.D * w[:, None])
        UiGU = U[:, 1 + dt :].T @ f.inv_p @ U
        return ZWD[:, 1 + dt :] - UiGU[:, 1 + dt :], ZWD[:, : 1 + dt] - UiGU[:, : 1 + dt]

    (zz_l, zy_l), (zz_r, zy_r) = parts(fl), parts(fr)
    return np.asarray(np.linalg.pinv(zz_l + zz_r) @ (zy_l + zy_r))


def _variances(f: _Fit, s: FloatArray, p: int, q: int) -> tuple[FloatArray, FloatArray]:
    """Conventional and robust variance matrices of one side's order-p coefficients."""
    clusters = f.side.clusters
    V_cl = f.inv_p @ meat(f.R_p * f.w_h[:, None], f.res_h, s, clusters, p + 1) @ f.inv_p
    if clusters is not None and f.same_bandwidth:
        # h = b with clusters: the variance of the order-q fit itself (its first p+1 terms)
        V_q = f.inv_q @ meat(f.R_q * f.w_h[:, None], f.res_b, s, clusters, q + 1) @ f.inv_q
        return V_cl, V_q
    V_rb = f.inv_p @ meat(f.Q, f.res_b, s, clusters, q + 1) @ f.inv_p
    return V_cl, V_rb
