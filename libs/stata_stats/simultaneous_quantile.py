"""``sqreg``: simultaneous-quantile regression ([R] qreg).

The coefficients of each quantile are ``qreg``'s (:func:`quantile.quantile_fit`); the VCE is
bootstrapped: each replication draws N observations with replacement (``rng.integers(0, N,
size=N)``, one draw per replication), refits every quantile on them, and ``e(V)`` is the
sample covariance (divisor R − 1) of the stacked coefficient vectors, so it has blocks
between quantiles and ``test [q25]x = [q75]x`` is possible. Equations are named ``q#``
after the quantile in percent (``q25``, ``q50``); t statistics on N − k degrees of freedom.
"""

from __future__ import annotations

import numpy as np

from libs.stata_stats.errors import INVALID_SYNTAX, StatsError
from libs.stata_stats.estimation import Estimation, FloatArray
from libs.stata_stats.quantile import check_loss, order_quantile, quantile_design, quantile_fit


def quantile_name(q: float) -> str:
    """The equation name of quantile ``q``: ``q`` and the percentage (``q25``, ``q2.5``)."""
    return "q" + f"{round(q * 100, 6):g}"


def fit_sqreg(y: FloatArray, X: FloatArray, names: tuple[str, ...], *, depvar: str,
              quantiles: tuple[float, ...], reps: int, rng: np.random.Generator,
              preomitted: tuple[bool, ...] | None = None) -> Estimation:
    """Stata's ``sqreg depvar indepvars, quantiles(# ...) reps(#)``."""
    qs = tuple(q / 100.0 if q >= 1 else q for q in quantiles)
    if not qs or any(not 0 < q < 1 for q in qs):
        raise StatsError(INVALID_SYNTAX, "quantiles() must be between 0 and 1")
    if reps < 2:
        raise StatsError(INVALID_SYNTAX, "reps() must be an integer greater than 1")
    mask, ys, D, reg = quantile_design(y, X, names, preomitted)
    n, p = D.shape
    point = np.concatenate([quantile_fit(ys, D, q) for q in qs])
    draws = np.empty((reps, point.size))
    for r in range(reps):
        rows = rng.integers(0, n, size=n)
        draws[r] = np.concatenate([quantile_fit(ys[rows], D[rows], q) for q in qs])
    Vk = np.cov(draws, rowvar=False, ddof=1)
    k = X.shape[1]
    idx = np.append(reg.keep, k)
    width = k + 1
    b = np.zeros(width * len(qs))
    V = np.zeros((b.size, b.size))
    full = np.concatenate([idx + j * width for j in range(len(qs))])
    b[full] = point
    V[np.ix_(full, full)] = (Vk + Vk.T) / 2
    scalars: dict[str, float] = {"N": float(n), "df_r": float(n - p), "n_q": float(len(qs)),
                                 "reps": float(reps), "rank": float(p * len(qs)),
                                 "convcode": 0.0}
    for j, q in enumerate(qs, start=1):
        resid = ys - D @ point[(j - 1) * p : j * p]
        dev = ys - order_quantile(ys, q)
        adev, rdev = 2 * check_loss(resid, q), 2 * check_loss(dev, q)
        scalars.update({f"q{j}": q, f"sum_adev{j}": adev, f"sum_rdev{j}": rdev,
                        f"r2_q{j}": 1.0 - adev / rdev})
    eqs = [quantile_name(q) for q in qs]
    full_names = tuple(f"{eq}:{name}" for eq in eqs for name in (*names, "_cons"))
    omitted = tuple(om for _ in qs for om in (*reg.omitted, False))
    macros = {"cmd": "sqreg", "depvar": depvar, "eqnames": " ".join(eqs), "vce": "bootstrap",
              "vcetype": "Bootstrap", "title": "Simultaneous quantile regression",
              "properties": "b V"}
    return Estimation(cmd="sqreg", depvar=depvar, names=full_names, b=b, V=V, omitted=omitted,
                      scalars=scalars, macros=macros, df_r=float(n - p), sample=mask)
