"""qreg against Stata's output shipped in statsmodels (Engel's data, ``qreg foodexp income,
vce(iid, kernel(k) bwidth)``), its default ``fitted`` sparsity against the manual's formula
computed independently here; teffects against Stata's output on cattaneo2 shipped in
statsmodels (``teffects ra|ipw|aipw|ipwra``, ATE and ATET)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.datasets import engel
from statsmodels.regression.tests.results import results_quantile_regression as qref
from statsmodels.treatment.tests.results import results_teffects as tref

from libs.stata_stats.quantile import fit_qreg
from libs.stata_stats.teffects import Design, fit_teffects
from tests.stata_stats.reference import SM_ROOT, as_float, assert_rel

KERNEL_CASES = [name for name in dir(qref)
                if not name.startswith("_") and name not in ("Bunch", "Rquantreg", "np")
                and isinstance(getattr(qref, name), dict)]


def _engel() -> tuple[np.ndarray, np.ndarray]:
    d = engel.load_pandas().data
    return as_float(d["foodexp"]), as_float(d[["income"]])


@pytest.mark.parametrize("case", KERNEL_CASES)
def test_qreg_kernel_sparsity(case: str) -> None:
    """b, se, t, ci and the density estimate's bandwidths, sparsity, sums of deviations."""
    ref = getattr(qref, case)
    kernel, bw = case.split("_")[:2]
    if case == "epanechnikov_hsheather_q75":
        # this run's numbers (sparsity 223.784434936344) are those of kernel(epan2): Stata's
        # epanechnikov kernel has support ±√5, which gives the q = .5 runs exactly
        kernel = "epan2"
    y, X = _engel()
    est = fit_qreg(y, X, ("income",), depvar="foodexp", quantile=ref.q, denmethod="kernel",
                   bwmethod=bw, kernel=kernel)
    table = est.table().T
    # the table was recorded with 7 significant digits
    assert_rel(table[:, [0, 1, 4, 5]], ref.table[:, [0, 1, 4, 5]], 1e-6, "b se ci",
               decimals=7)
    s = est.scalars
    assert_rel([s["sparsity"], s["bwidth"], s["sum_adev"], s["sum_rdev"], s["q_v"],
                s["f_r"]],
               [ref.sparsity, ref.bwidth, ref.sum_adev, ref.sum_rdev, ref.q_v, ref.f_r],
               1e-6)
    if case != "epanechnikov_hsheather_q75":  # its kbwidth is recorded to 4 digits only
        assert_rel(s["kbwidth"], ref.kbwidth, 1e-9, "kbwidth")
    assert_rel(s["r2_p"], ref.psrsquared, 0, "r2_p", decimals=4)
    assert (s["N"], s["df_r"], s["df_m"], s["rank"]) == (ref.N, ref.df_r, ref.df_m, ref.rank)


def _lp_quantile(y: np.ndarray, X: np.ndarray, q: float) -> np.ndarray:
    """The regression quantile by scipy's interior-point LP (not the engine's method)."""
    n, k = X.shape
    res = optimize.linprog(np.concatenate([np.zeros(k), np.full(n, q), np.full(n, 1 - q)]),
                           A_eq=np.hstack([X, np.eye(n), -np.eye(n)]), b_eq=y,
                           bounds=[(None, None)] * k + [(0, None)] * (2 * n),
                           method="highs-ipm")
    return np.asarray(res.x[:k])


@pytest.mark.parametrize("q", [0.5, 0.25])
def test_qreg_default_fitted_sparsity(q: float) -> None:
    """Stata's default vce(iid, fitted hsheather): ŝ = x̄'(b(τ+h) − b(τ−h))/2h and
    V = τ(1−τ)ŝ²(X'X)⁻¹, with h Hall–Sheather's bandwidth at α = .05."""
    y, X = _engel()
    est = fit_qreg(y, X, ("income",), depvar="foodexp", quantile=q)
    D = np.column_stack([X, np.ones(len(y))])
    n = len(y)
    z = stats.norm.ppf(q)
    h = n ** (-1 / 3) * stats.norm.ppf(0.975) ** (2 / 3) * (
        1.5 * stats.norm.pdf(z) ** 2 / (2 * z**2 + 1)) ** (1 / 3)
    sparsity = D.mean(axis=0) @ (_lp_quantile(y, D, q + h) - _lp_quantile(y, D, q - h)) / (2 * h)
    V = q * (1 - q) * sparsity**2 * np.linalg.inv(D.T @ D)
    assert_rel(est.b, _lp_quantile(y, D, q), 1e-6, "b")
    assert_rel(est.scalars["sparsity"], sparsity, 1e-6, "sparsity")
    assert_rel(est.V, V, 1e-6, "V")
    assert est.macros["vce"] == "iid"
    assert est.macros["denmethod"] == "fitted"


def test_qreg_robust_kernel_sandwich() -> None:
    """vce(robust, kernel): τ(1−τ)(X'FX)⁻¹X'X(X'FX)⁻¹ with fᵢ = K(rᵢ/c)/c and the kernel
    bandwidth of the iid case (checked above against Stata)."""
    y, X = _engel()
    iid = fit_qreg(y, X, ("income",), depvar="foodexp", denmethod="kernel")
    rob = fit_qreg(y, X, ("income",), depvar="foodexp", denmethod="kernel", robust=True)
    D = np.column_stack([X, np.ones(len(y))])
    r = y - D @ iid.b
    c = iid.scalars["kbwidth"]
    u = r / c
    f = np.where(np.abs(u) < np.sqrt(5), 0.75 * (1 - u**2 / 5) / np.sqrt(5), 0.0) / c
    bread = np.linalg.inv((D * f[:, None]).T @ D)
    assert_rel(rob.V, 0.25 * bread @ (D.T @ D) @ bread, 1e-9, "robust V")
    assert rob.macros["vcetype"] == "Robust"


def _cattaneo() -> Design:
    d = pd.read_csv(SM_ROOT / "treatment/tests/results/cataneo2.csv")
    outcome = ["prenatal1_", "mmarried_", "mage", "fbaby_"]
    treatment = d[["mmarried_", "mage"]].assign(mage2=d["mage"] ** 2,
                                                fbaby=d["fbaby_"], medu=d["medu"])
    return Design(y=d["bweight"].to_numpy(np.float64), treat=d["mbsmoke_"].to_numpy(np.float64),
                  outcome=d[outcome].to_numpy(np.float64),
                  treatment=treatment.to_numpy(np.float64),
                  outcome_names=("prenatal1", "mmarried", "mage", "fbaby"),
                  treatment_names=("mmarried", "mage", "c.mage#c.mage", "fbaby", "medu"))


@pytest.mark.parametrize(("method", "stat"), [
    ("ra", "ate"), ("ra", "atet"), ("ipw", "ate"), ("ipw", "atet"), ("aipw", "ate"),
    ("ipwra", "ate"), ("ipwra", "atet")])
def test_teffects_cattaneo2(method: str, stat: str) -> None:
    """Every coefficient and standard error of Stata's ``teffects`` (probit treatment model),
    its row names included."""
    ref = getattr(tref, f"results_{method}")
    table = ref.table if stat == "ate" else ref.table_t
    est = fit_teffects(method, _cattaneo(), depvar="bweight", tvar="mbsmoke", stat=stat,
                       tmodel="probit")
    assert [n.partition(":")[2] for n in est.names] == list(ref.table_rownames)
    assert est.names[0] == f"{stat.upper()}:r1vs0.mbsmoke"
    # ra has no iterative part: exact. With a probit treatment model Stata's ml stops at its
    # own iterate; the probit coefficients (and all that depends on them) agree to 1e-6 and
    # their standard errors to 1.3e-6
    rtol = 1e-9 if method == "ra" else 1e-6
    assert_rel(est.b, table[:, 0], rtol, "b")
    assert_rel(est.se, table[:, 1], 1e-8 if method == "ra" else 1.5e-6, "se")
    assert_rel(est.table()[2], table[:, 2], 1e-8 if method == "ra" else 1.5e-6, "z")
