"""``xtprobit`` and ``xtlogit, re`` against a direct maximisation of the random-effects
likelihood written in the test: each panel's integral over uᵢ by dense Gauss–Legendre
quadrature on ±10σᵤ (400 points, not the engine's adaptive Gauss–Hermite), maximised by
scipy's BFGS from statsmodels' pooled fit, with the covariance from statsmodels'
``approx_hess``; the LR test of ρ = 0 against statsmodels' pooled model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import optimize, special, stats
from statsmodels.tools.numdiff import approx_hess

DATA = """
    clear
    set seed 42
    set obs 120
    gen id = _n
    gen double u = rnormal()*0.8
    expand 5
    bysort id: gen t = _n
    xtset id t
    gen double x1 = rnormal()
    gen byte x2 = runiform() < .4
    gen byte y = (0.3 + 0.7*x1 - 0.5*x2 + u + rnormal()) > 0
"""

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(400)


def _loglik(theta: np.ndarray, y: np.ndarray, X: np.ndarray, ids: np.ndarray,
            link: str) -> float:
    su = np.exp(theta[-1] / 2)
    u = 10 * su * _NODES  # the integration grid on [−10σᵤ, 10σᵤ]
    z = (2 * y - 1)[:, None] * ((X @ theta[:-1])[:, None] + u[None, :])
    logf = special.log_ndtr(z) if link == "probit" else -np.logaddexp(0, -z)
    codes = np.unique(ids, return_inverse=True)[1]
    panels = np.zeros((codes.max() + 1, u.size))
    np.add.at(panels, codes, logf)
    inner = panels + stats.norm.logpdf(u, scale=su)[None, :]
    return float(special.logsumexp(inner, b=_WEIGHTS * 10 * su, axis=1).sum())


@pytest.mark.parametrize("link", ["probit", "logit"])
def test_random_effects_binary_maximises_the_integrated_likelihood(stata, link: str) -> None:
    run = stata(DATA + f"xt{link} y x1 x2\n")
    assert run.rc == 0, run.log
    data = pd.DataFrame({n: np.asarray(run.col(n), dtype=float) for n in ("y", "x1", "x2",
                                                                           "id")})
    X = sm.add_constant(data[["x1", "x2"]], prepend=False).to_numpy()
    y, ids = data["y"].to_numpy(), data["id"].to_numpy()
    pooled = (sm.Probit if link == "probit" else sm.Logit)(y, X).fit(disp=0)
    start = np.append(pooled.params, 0.0)
    best = optimize.minimize(lambda t: -_loglik(t, y, X, ids, link), start, method="BFGS",
                             options={"gtol": 1e-7})
    V = np.linalg.inv(-approx_hess(best.x, lambda t: _loglik(t, y, X, ids, link)))
    e = run.session.e
    assert e.matrices["b"].colnames == ["y:x1", "y:x2", "y:_cons", "/:lnsig2u"]
    b = e.matrices["b"].values[0]
    np.testing.assert_allclose(b, best.x, atol=2e-4)
    np.testing.assert_allclose(e.scalars["ll"], -best.fun, rtol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(e.matrices["V"].values)),
                               np.sqrt(np.diag(V)), rtol=2e-3)
    var_e = 1.0 if link == "probit" else np.pi**2 / 3
    np.testing.assert_allclose(e.scalars["rho"], np.exp(b[-1]) / (np.exp(b[-1]) + var_e),
                               rtol=1e-12)
    np.testing.assert_allclose(e.scalars["ll_c"], pooled.llf, rtol=1e-8)
    lr = 2 * (e.scalars["ll"] - pooled.llf)
    np.testing.assert_allclose(e.scalars["chi2_c"], lr, rtol=1e-8)
    np.testing.assert_allclose(e.scalars["p_c"], stats.chi2.sf(lr, 1) / 2, rtol=1e-6)
    assert (e.scalars["N"], e.scalars["N_g"]) == (600, 120)


def test_xtprobit_needs_a_panel_and_refuses_other_models(stata) -> None:
    assert stata("clear\nset obs 10\ngen y = _n > 5\ngen x = _n\nxtprobit y x\n").rc == 459
    assert stata(DATA + "xtprobit y x1, fe\n").rc == 198
    assert stata(DATA + "xtprobit y x1, vce(robust)\n").rc == 198
