"""Impulse responses and forecast-error variance decompositions of a VAR, with their
asymptotic standard errors, as ``irf create`` computes them after ``var``.

With the lag matrices A₁…A_p and the residual covariance Σ = PP' (P lower triangular; the
variables in the VAR's order): Φ₀ = I, Φᵢ = Σⱼ Φᵢ₋ⱼAⱼ (``irf``), Θᵢ = ΦᵢP (``oirf``), their
running sums (``cirf``, ``coirf``), and the share of the h-step forecast-error variance of
response k due to impulse j, Σᵢ<ₕ Θᵢ[k,j]² / Σᵢ<ₕ Σₘ Θᵢ[k,m]² (``fevd``, 0 at step 0).

Standard errors are Lütkepohl's (2005, §3.7) delta method: every statistic is a function of
α = vec(A₁…A_p), with covariance the VAR's ``e(V)`` block, and of vech(Σ), with covariance
2D⁺(Σ⊗Σ)D⁺'/T (D the duplication matrix); its Jacobian is taken numerically, so one rule
covers irf, oirf, cirf, coirf and fevd alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.stata_stats.estimation import FloatArray

#: The statistics ``irf create`` stores, in the order of its file's variables.
STATISTICS = ("irf", "oirf", "cirf", "coirf", "fevd")


@dataclass(frozen=True, kw_only=True)
class ImpulseResponses:
    """Each statistic and its standard error: arrays (step, response, impulse)."""

    values: dict[str, FloatArray]
    se: dict[str, FloatArray]
    steps: int


def responses(A: FloatArray, P: FloatArray, steps: int) -> dict[str, FloatArray]:
    """irf, oirf, cirf, coirf and fevd for steps 0…``steps`` (``A``: p × K × K)."""
    p, K, _ = A.shape
    phi = [np.eye(K)]
    for i in range(1, steps + 1):
        phi.append(sum((phi[i - j] @ A[j - 1] for j in range(1, min(i, p) + 1)),
                       np.zeros((K, K))))
    irf = np.array(phi)
    oirf = irf @ P
    squares = np.cumsum(oirf**2, axis=0)
    fevd = np.zeros_like(oirf)
    total = squares.sum(axis=2, keepdims=True)
    fevd[1:] = squares[:-1] / total[:-1]
    return {"irf": irf, "oirf": oirf, "cirf": np.cumsum(irf, axis=0),
            "coirf": np.cumsum(oirf, axis=0), "fevd": fevd}


def duplication(K: int) -> FloatArray:
    """D with vec(S) = D·vech(S) for a symmetric K × K matrix S."""
    D = np.zeros((K * K, K * (K + 1) // 2))
    col = 0
    for j in range(K):
        for i in range(j, K):
            D[j * K + i, col] = 1.0
            D[i * K + j, col] = 1.0
            col += 1
    return D


def _vech(S: FloatArray) -> FloatArray:
    K = S.shape[0]
    return np.array([S[i, j] for j in range(K) for i in range(j, K)])


def _unvech(v: FloatArray, K: int) -> FloatArray:
    S = np.zeros((K, K))
    col = 0
    for j in range(K):
        for i in range(j, K):
            S[i, j] = S[j, i] = v[col]
            col += 1
    return S


def impulse_responses(A: FloatArray, sigma: FloatArray, cov_alpha: FloatArray, T: float,
                      steps: int) -> ImpulseResponses:
    """The statistics and their delta-method standard errors; ``cov_alpha`` is the
    covariance of α = vec([A₁ … A_p]) (column-major, K²p square)."""
    p, K, _ = A.shape
    alpha = np.concatenate(list(A), axis=1).reshape(-1, order="F")
    D = duplication(K)
    d_plus = np.linalg.pinv(D)
    cov_sigma = 2.0 * d_plus @ np.kron(sigma, sigma) @ d_plus.T / T
    theta = np.concatenate([alpha, _vech(sigma)])
    cov = np.zeros((theta.size, theta.size))
    cov[: alpha.size, : alpha.size] = cov_alpha
    cov[alpha.size :, alpha.size :] = cov_sigma

    def stats_of(t: FloatArray) -> FloatArray:
        lags = t[: alpha.size].reshape(K, K * p, order="F")
        A_t = np.stack([lags[:, K * j : K * (j + 1)] for j in range(p)])
        P = np.linalg.cholesky(_unvech(t[alpha.size :], K))
        out = responses(A_t, P, steps)
        return np.concatenate([out[name].reshape(-1) for name in STATISTICS])

    values = responses(A, np.linalg.cholesky(sigma), steps)
    scale = np.sqrt(np.diag(sigma))
    steps_h = np.concatenate([1e-6 * np.maximum(np.abs(alpha), 1e-2),
                              1e-5 * _vech(np.outer(scale, scale))])
    jac = np.empty((stats_of(theta).size, theta.size))
    for j in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[j] += steps_h[j]
        down[j] -= steps_h[j]
        jac[:, j] = (stats_of(up) - stats_of(down)) / (2.0 * steps_h[j])
    var = np.einsum("ij,jk,ik->i", jac, cov, jac)
    se_all = np.sqrt(np.clip(var, 0.0, None))
    size = (steps + 1) * K * K
    se = {name: se_all[i * size : (i + 1) * size].reshape(steps + 1, K, K)
          for i, name in enumerate(STATISTICS)}
    return ImpulseResponses(values=values, se=se, steps=steps)
