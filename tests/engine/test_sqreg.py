"""``sqreg`` as [R] qreg describes it: each quantile's coefficients are qreg's, the VCE is the
covariance of the coefficients refitted on bootstrap resamples (blocks between quantiles
included), equations ``q25 q50 …``. Checked against a primal linear programme solved in the
test with scipy (a formulation independent of the engine's dual one) on the same resamples
(``set seed`` then ``rng.integers(0, N, size=N)`` per replication), and ``test`` across
equations against the Wald F computed from those numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, sparse, stats

DATA = """
    clear
    set obs 300
    gen double x1 = mod(_n * 37, 101) / 10
    gen double x2 = mod(_n * 17, 7)
    gen double e = (mod(_n * 53, 97) - 48) / 20
    gen double y = 1 + .5*x1 - .3*x2 + (1 + .2*x1) * e
"""


def _primal(y: np.ndarray, X: np.ndarray, q: float) -> np.ndarray:
    """min Σ q·u⁺ + (1−q)·u⁻ subject to Xb + u⁺ − u⁻ = y."""
    n, k = X.shape
    A = sparse.hstack([sparse.csr_matrix(X), sparse.identity(n), -sparse.identity(n)])
    cost = np.concatenate([np.zeros(k), np.full(n, q), np.full(n, 1 - q)])
    res = optimize.linprog(cost, A_eq=A.tocsc(), b_eq=y,
                           bounds=[(None, None)] * k + [(0, None)] * (2 * n), method="highs")
    assert res.status == 0
    return np.asarray(res.x[:k])


def test_sqreg_coefficients_bootstrap_vce_and_cross_equation_test(stata) -> None:
    quantiles, reps = (0.25, 0.5, 0.75), 12
    run = stata(DATA + f"""
        set seed 7
        sqreg y x1 x2, quantiles({" ".join(map(str, quantiles))}) reps({reps})
        test [q25]x1 = [q75]x1
    """)
    assert run.rc == 0, run.log
    data = pd.DataFrame({n: np.asarray(run.col(n), dtype=float) for n in ("y", "x1", "x2")})
    X = np.column_stack([data["x1"], data["x2"], np.ones(len(data))])
    y = data["y"].to_numpy()
    n = len(y)
    b = np.concatenate([_primal(y, X, q) for q in quantiles])
    rng = np.random.default_rng(7)
    draws = []
    for _ in range(reps):
        rows = rng.integers(0, n, size=n)
        draws.append(np.concatenate([_primal(y[rows], X[rows], q) for q in quantiles]))
    V = np.cov(np.array(draws), rowvar=False)
    e = run.session.e
    assert e.matrices["b"].colnames == [f"{eq}:{v}" for eq in ("q25", "q50", "q75")
                                        for v in ("x1", "x2", "_cons")]
    np.testing.assert_allclose(e.matrices["b"].values[0], b, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(e.matrices["V"].values, V, rtol=1e-6, atol=1e-12)
    assert (e.scalars["N"], e.scalars["df_r"], e.scalars["n_q"], e.scalars["reps"]) == (
        n, n - 3, 3, reps)
    assert e.macros["eqnames"] == "q25 q50 q75"
    assert e.macros["vcetype"] == "Bootstrap"
    for j, q in enumerate(quantiles, start=1):
        r = y - X @ b[(j - 1) * 3 : j * 3]
        dev = y - np.sort(y)[int(np.ceil(n * q)) - 1]
        check = float(np.sum(r * (q - (r < 0))))
        raw = float(np.sum(dev * (q - (dev < 0))))
        np.testing.assert_allclose(e.scalars[f"r2_q{j}"], 1 - check / raw, rtol=1e-9)
        assert e.scalars[f"q{j}"] == q
    R = np.zeros(9)
    R[0], R[6] = 1.0, -1.0
    F = float((R @ b) ** 2 / (R @ V @ R))
    np.testing.assert_allclose(run.session.r.scalars["F"], F, rtol=1e-6)
    np.testing.assert_allclose(run.session.r.scalars["p"], stats.f.sf(F, 1, n - 3), rtol=1e-5)


def test_sqreg_refuses_weights_and_bad_quantiles(stata) -> None:
    assert stata(DATA + "sqreg y x1 [fw=x2]\n").rc == 101
    assert stata(DATA + "sqreg y x1, quantiles(1.5 200)\n").rc == 198
