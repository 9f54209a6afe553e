"""rdbwselect: MSE- and CER-optimal bandwidths for local polynomial RD estimators
(Calonico, Cattaneo and Titiunik 2014; Calonico, Cattaneo and Farrell 2020).

Each side of the cutoff gives a variance constant V, a bias constant B and a regularisation
term R from a pilot fit; a bandwidth is (V / (B² + scaleregul·R))^(1/(2o+3)) with sums or
differences over the sides as the selector asks. Three steps: a pilot d for the q+1 bias
derivative, then b for the bias correction, then h for the point estimator. The pilot of the
variance is the rule of thumb C_K·min(sd, IQR/1.349)·N^(-1/5) (N counts distinct values of the
running variable with masspoints(adjust)), kept inside the data's range and wide enough for
bwcheck distinct values per side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from libs.stata_stats.errors import StatsError
from libs.stata_stats.rd_local import (
    PILOT_CONSTANT,
    FloatArray,
    Vce,
    kernel_weights,
    meat,
    residuals,
    weighted_fit,
)

_PAD = 1 + np.sqrt(np.finfo(np.float64).eps)


@dataclass
class Side:
    """One side of the cutoff, sorted by the running variable: x, D = [y, t?, covariates],
    the user's weights (1 when none), cluster ids."""

    x: FloatArray
    D: FloatArray
    weights: FloatArray
    clusters: FloatArray | None
    fuzzy: bool = False
    n_covs: int = 0
    unique: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        self.unique = np.unique(self.x)

    def select(self, mask: np.ndarray) -> Side:
        """The observations of ``mask``."""
        return Side(self.x[mask], self.D[mask], self.weights[mask],
                    None if self.clusters is None else self.clusters[mask], self.fuzzy,
                    self.n_covs)


def combination(beta_row: FloatArray, D_cols: int, side: Side, fit: FloatArray,
                nu: int) -> FloatArray:
    """The linear combination s of the D columns the estimand is (1 for y alone; with
    covariates y - Zγ; fuzzy: the delta method of the ratio)."""
    dt = 1 if side.fuzzy else 0
    if side.n_covs == 0 and not side.fuzzy:
        return np.ones(1)
    fac = math.factorial(nu)
    if side.n_covs == 0:
        tau_y, tau_t = fac * beta_row[0], fac * beta_row[1]
        return np.array([1 / tau_t, -tau_y / tau_t**2])
    gamma = fit
    if not side.fuzzy:
        return np.concatenate([[1.0], -gamma[:, 0]])
    s_y = np.concatenate([[1.0], -gamma[:, 0]])
    s_t = np.concatenate([[1.0], -gamma[:, 1]])
    zcols = slice(1 + dt, D_cols)
    tau_y = fac * s_y @ np.concatenate([[beta_row[0]], beta_row[zcols]])
    tau_t = fac * s_t @ np.concatenate([[beta_row[1]], beta_row[zcols]])
    return np.concatenate([[1 / tau_t, -tau_y / tau_t**2],
                           -(1 / tau_t) * gamma[:, 0] + (tau_y / tau_t**2) * gamma[:, 1]])


def covariate_gamma(R: FloatArray, inv: FloatArray, w: FloatArray, D: FloatArray,
                    dt: int) -> FloatArray:
    """γ of the covariates partialled out of the local polynomial (CCFT 2019)."""
    U = R.T @ (D * w[:, None])
    Z = D[:, 1 + dt :]
    ZWD = Z.T @ (D * w[:, None])
    UiGU = U[:, 1 + dt :].T @ inv @ U
    ZWZ = ZWD[:, 1 + dt :] - UiGU[:, 1 + dt :]
    ZWY = ZWD[:, : 1 + dt] - UiGU[:, : 1 + dt]
    return np.asarray(np.linalg.pinv(ZWZ) @ ZWY)


@dataclass(frozen=True)
class Constants:
    """One side's (V, B, R) for a bandwidth of convergence rate 1/(2o+3)."""

    V: float
    B: float
    R: float
    rate: float


def _kernel_fit(side: Side, c: float, h: float, order: int, vce: Vce, kernel: str,
                purpose: str) -> tuple[Side, FloatArray,
                                       tuple[FloatArray, FloatArray, FloatArray,
                                             FloatArray | None]]:
    """The observations with positive kernel weight within ``h``, their weights and the
    order-``order`` weighted fit; r(498) when too few distinct x remain for it."""
    w_all = kernel_weights(side.x, c, h, kernel) * side.weights
    inside = side.select(w_all > 0)
    w = w_all[w_all > 0]
    if len(np.unique(inside.x)) < order + 1:
        raise StatsError(498, f"not enough distinct running-variable values {purpose}")
    return inside, w, weighted_fit(inside.x, inside.D, w, c, order, vce)


def side_constants(side: Side, c: float, o: int, nu: int, o_b: int, h_v: float, h_b: float,
                   scale: float, vce: Vce, kernel: str) -> Constants:
    """rdbwselect's per-side constants: the variance and bias constants of the order-o fit
    of derivative nu with pilot h_v, and the order-o_b bias fit with bandwidth h_b."""
    pilot, w, (R, inv, beta, lev) = _kernel_fit(side, c, h_v, o, vce, kernel,
                                                "in the pilot bandwidth to fit the polynomial")
    dt = 1 if side.fuzzy else 0
    gamma = covariate_gamma(R, inv, w, pilot.D, dt) if side.n_covs else np.zeros((0, 0))
    s = combination(beta[nu], pilot.D.shape[1], side, gamma, nu)
    res = residuals(_side_vce(vce, pilot), pilot.x, pilot.D, R @ beta, lev, o + 1)
    V_v = (inv @ meat(R * w[:, None], res, s, pilot.clusters, o + 1) @ inv)[nu, nu]
    v = (R * w[:, None]).T @ (((pilot.x - c) / h_v) ** (o + 1))
    b_const = float((h_v ** np.arange(o + 1) * (inv @ v))[nu])

    fit, wb, (Rb, inv_b, beta_b, lev_b) = _kernel_fit(side, c, h_b, o_b, vce, kernel,
                                                      "to fit the bias polynomial")
    reg = 0.0
    if scale > 0:
        res_b = residuals(_side_vce(vce, fit), fit.x, fit.D, Rb @ beta_b, lev_b, o_b + 1)
        V_b = (inv_b @ meat(Rb * wb[:, None], res_b, s, fit.clusters, o_b + 1) @ inv_b)[-1, -1]
        reg = 3 * b_const**2 * float(V_b)
    B = math.sqrt(2 * (o + 1 - nu)) * b_const * float(s @ beta_b[-1])
    V = (2 * nu + 1) * h_v ** (2 * nu + 1) * float(V_v)
    return Constants(V=V, B=B, R=scale * 2 * (o + 1 - nu) * reg, rate=1 / (2 * o + 3))


def _side_vce(vce: Vce, side: Side) -> Vce:
    return Vce(kind=vce.kind, matches=vce.matches, cluster=side.clusters)


@dataclass(frozen=True)
class Bandwidths:
    """h and b on each side, and the selector that chose them."""

    h_l: float
    h_r: float
    b_l: float
    b_r: float
    method: str


def select(left: Side, right: Side, c: float, *, p: int, q: int, deriv: int, kernel: str,
           vce: Vce, method: str = "mserd", scaleregul: float = 1.0,
           masspoints: str = "adjust", bwcheck: int | None = None,
           bwrestrict: bool = True) -> Bandwidths:
    """rdbwselect's bandwidths for ``method`` (mserd msetwo msesum msecomb1 msecomb2 and
    the cer* versions)."""
    x = np.concatenate([left.x, right.x])
    q25, q75 = _quantile_type2(x, 0.25), _quantile_type2(x, 0.75)
    spread = min(float(np.std(x, ddof=1)), (q75 - q25) / 1.349)
    n = len(x)
    m_l, m_r = len(left.unique), len(right.unique)
    mass = 1 - m_l / len(left.x) >= 0.2 or 1 - m_r / len(right.x) >= 0.2
    if mass and masspoints == "adjust" and bwcheck is None:
        bwcheck = 10
    count = m_l + m_r if masspoints == "adjust" else n
    pilot = PILOT_CONSTANT[kernel] * spread * count ** (-1 / 5)
    max_l, max_r = abs(c - x.min()), abs(c - x.max())
    widest = max(max_l, max_r)
    if bwrestrict:
        pilot = min(pilot, widest)
    min_l = min_r = 0.0
    if bwcheck is not None:
        min_l = float(np.sort(np.abs(left.unique - c))[min(bwcheck, m_l) - 1] * _PAD)
        min_r = float(np.sort(np.abs(right.unique - c))[min(bwcheck, m_r) - 1] * _PAD)
        pilot = max(pilot, min_l, min_r)

    def constants(o: int, nu: int, o_b: int, h_b: tuple[float, float],
                  scale: float) -> tuple[Constants, Constants]:
        return (side_constants(left, c, o, nu, o_b, pilot, h_b[0], scale, vce, kernel),
                side_constants(right, c, o, nu, o_b, pilot, h_b[1], scale, vce, kernel))

    def clip(value: float, cap: float) -> float:
        return min(value, cap) if bwrestrict else value

    d_l, d_r = constants(q + 1, q + 1, q + 2, (
        abs(c - left.x.min()) * _PAD, abs(right.x.max() - c) * _PAD), 0.0)
    base = method[3:] if method.startswith(("mse", "cer")) else "rd"
    found: dict[str, tuple[float, float, float, float]] = {}

    def chain(kind: str) -> tuple[float, float, float, float]:
        def pair(cl: Constants, cr: Constants, reg: float) -> tuple[float, float]:
            if kind == "two":
                return ((cl.V / (cl.B**2 + reg * cl.R)) ** cl.rate,
                        (cr.V / (cr.B**2 + reg * cr.R)) ** cr.rate)
            bias = cr.B + cl.B if kind == "sum" else cr.B - cl.B
            value = ((cl.V + cr.V) / (bias**2 + reg * (cr.R + cl.R))) ** cl.rate
            return value, value

        caps = (max_l, max_r) if kind == "two" else (widest, widest)
        dl, dr = pair(d_l, d_r, 0.0)
        dl, dr = clip(dl, caps[0]), clip(dr, caps[1])
        if bwcheck is not None:
            dl, dr = (max(dl, min_l), max(dr, min_r)) if kind == "two" else (
                max(dl, min_l, min_r), max(dr, min_l, min_r))
        bl, br = pair(*constants(q, p + 1, q + 1, (dl, dr), scaleregul), scaleregul)
        bl, br = clip(bl, caps[0]), clip(br, caps[1])
        hl, hr = pair(*constants(p, deriv, q, (bl, br), scaleregul), scaleregul)
        return clip(hl, caps[0]), clip(hr, caps[1]), bl, br

    for kind in {"rd": ["rd"], "two": ["two"], "sum": ["sum"], "comb1": ["rd", "sum"],
                 "comb2": ["rd", "sum", "two"]}.get(base, ["rd"]):
        found[kind] = chain(kind)
    if base == "comb1":
        h_l = h_r = min(found["rd"][0], found["sum"][0])
        b_l = b_r = min(found["rd"][2], found["sum"][2])
    elif base == "comb2":
        h_l, h_r, b_l, b_r = (float(np.median([found[k][i] for k in ("rd", "sum", "two")]))
                              for i in range(4))
    else:
        h_l, h_r, b_l, b_r = found[base if base in found else "rd"]
    if method.startswith("cer"):
        groups = n if vce.cluster is None else len(np.unique(vce.cluster))
        factor = groups ** (-(p / ((3 + p) * (3 + 2 * p))))
        h_l, h_r = h_l * factor, h_r * factor
    for value in (h_l, h_r, b_l, b_r):
        if not np.isfinite(value) or value <= 0:
            raise StatsError(498, "bandwidth selection failed: the pilot estimates are not "
                                  "identified (too few distinct values near the cutoff)")
    return Bandwidths(h_l, h_r, b_l, b_r, method)


def _quantile_type2(x: FloatArray, prob: float) -> float:
    """Hyndman-Fan type 2 quantile (averages at discontinuities)."""
    xs = np.sort(x)
    h = len(xs) * prob
    j = int(np.floor(h))
    return float(0.5 * (xs[j - 1] + xs[j])) if h == j else float(xs[j])
