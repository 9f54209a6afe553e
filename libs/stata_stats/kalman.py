"""The exact Gaussian log likelihood of a regression with ARMA errors, by the Kalman filter.

Hamilton's (1994, §13.1) state-space form of ``u_t = φ(L)⁻¹θ(L)ε_t``, the one Stata's arima
uses: the state ``ξₜ = (μₜ, μₜ₋₁, …, μₜ₋ᵣ₊₁)`` of the AR process ``φ(L)μₜ = εₜ`` (r =
max(p, q+1)), transition ``F`` (φ in the first row, an identity below the diagonal) and
observation ``uₜ = (1, θ₁, …, θᵣ₋₁)·ξₜ``. The filter starts from the unconditional mean 0 and
variance — the solution of ``P = FPF' + σ²e₁e₁'`` — or from the diffuse ``P₀ = 10⁹·I``
(``diffuse``; the likelihood then depends on this basis, which is why it is Stata's). The
prediction-error decomposition gives one log-likelihood term per observation,
``−½(ln 2π + ln fₜ + vₜ²/fₜ)``; a missing observation only propagates the state. Once the
state variance has converged the gain is fixed and its update is skipped.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_discrete_lyapunov

from libs.stata_stats.estimation import FloatArray

#: The diffuse prior's variance (Stata's ``diffuse`` option).
DIFFUSE = 1e9
_CONVERGED = 1e-13


def state_space(phi: FloatArray, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``F`` and the observation vector ``H`` of the ARMA(p, q) state, ``phi``/``theta``
    the expanded lag polynomials' coefficients (``φ(L) = 1 − ΣφᵢLⁱ``, ``θ(L) = 1 + ΣθⱼLʲ``)."""
    r = max(phi.size, theta.size + 1, 1)
    F = np.zeros((r, r))
    F[0, : phi.size] = phi
    F[np.arange(1, r), np.arange(r - 1)] = 1.0
    H = np.zeros(r)
    H[0] = 1.0
    H[1 : theta.size + 1] = theta
    return F, H


def stationary(phi: FloatArray) -> bool:
    """Whether every root of φ(z) lies outside the unit circle."""
    if phi.size == 0 or not np.any(phi):
        return True
    roots = np.roots(np.r_[-phi[::-1], 1.0])
    return bool(np.all(np.abs(roots) > 1.0 + 1e-10))


def loglik_terms(u: FloatArray, phi: FloatArray, theta: FloatArray, sigma2: float, *,
                 diffuse: bool = False) -> FloatArray:
    """The log-likelihood contribution of every observation of ``u`` (NaN: missing, 0)."""
    F, H = state_space(phi, theta)
    r = F.shape[0]
    Q = np.zeros((r, r))
    Q[0, 0] = sigma2
    if diffuse:
        P = DIFFUSE * np.eye(r)
    else:
        if not stationary(phi):
            return np.full(u.size, -np.inf)
        P = solve_discrete_lyapunov(F, Q)
    a = np.zeros(r)
    out = np.zeros(u.size)
    log2pi = np.log(2.0 * np.pi)
    t = 0
    f = 1.0
    gain = np.zeros(r)
    # the transient: full updates of the state variance until it has converged
    while t < u.size:
        obs = u[t]
        if not np.isfinite(obs):
            a = F @ a
            P = F @ P @ F.T + Q
            t += 1
            continue
        PH = P @ H
        f = float(H @ PH)
        if f <= 0:
            return np.full(u.size, -np.inf)
        gain = (F @ PH) / f
        v = obs - float(H @ a)
        out[t] = -0.5 * (log2pi + np.log(f) + v * v / f)
        a = F @ a + gain * v
        new = F @ (P - np.outer(PH, PH) / f) @ F.T + Q
        steady = bool(np.max(np.abs(new - P)) <= _CONVERGED * max(1.0, abs(f)))
        P = new
        t += 1
        if steady and np.isfinite(u[t:]).all():
            break
    if t < u.size:
        out[t:] = _steady(u[t:], a, F[0], H, gain, f)
    return out


def _steady(u: FloatArray, a: FloatArray, phi: FloatArray, H: FloatArray, gain: FloatArray,
            f: float) -> FloatArray:
    """The filter with a fixed gain: ``vₜ = uₜ − H·aₜ``, ``aₜ₊₁ = Faₜ + Kvₜ`` (scalar
    arithmetic: the state is small and this loop is the likelihood's cost)."""
    state = [float(x) for x in a]
    coef = [float(x) for x in phi]
    obs_w = [float(x) for x in H]
    k = [float(x) for x in gain]
    r = len(state)
    v = np.empty(u.size)
    for t, obs in enumerate(u.tolist()):
        e = obs - sum(w * s for w, s in zip(obs_w, state, strict=True))
        v[t] = e
        head = sum(c * s for c, s in zip(coef, state, strict=True))
        state = [head + k[0] * e] + [state[i - 1] + k[i] * e for i in range(1, r)]
    return np.asarray(-0.5 * (np.log(2.0 * np.pi) + np.log(f) + v * v / f), dtype=np.float64)
