"""eventstudyinteract (Sun and Abraham's interaction-weighted estimator) against independent
computations: the cohort × relative-period regression by pyfixest (reghdfe's conventions,
clustered), the cohort shares as pandas group frequencies with the multinomial covariance
(s_e·1[e = f] − s_e·s_f)/N_l (what the package's HC0 ``avar`` sandwich reduces to when the
relative-period indicators are mutually exclusive), and the IW sum and its two-part
variance composed from those (Sun and Abraham 2021, section 4.2)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from tests.engine.conftest import Run

Stata = Callable[[str], Run]
LEADS, LAGS = (5, 4, 3, 2), (0, 1, 2, 3, 4, 5)
NAMES = [f"g_{k}" for k in LEADS] + [f"g{k}" for k in LAGS]
SETUP = """
    use het, clear
    gen ry = year - g
    gen never = missing(g)
    foreach k in 5 4 3 2 {
        gen g_`k' = ry == -`k'
    }
    forvalues k = 0/5 {
        gen g`k' = ry == `k'
    }
"""


@pytest.fixture
def het(tmp_path: Path) -> pd.DataFrame:
    """pyfixest's simulated staggered panel (cohorts 2000 and 2010, never treated), a sixth
    of the units, with relative-period indicators −5…−2 and 0…5."""
    d = pd.read_csv(os.path.join(os.path.dirname(pf.__file__), "did", "data", "df_het.csv"))
    d = d[d["unit"] % 6 == 0].copy()
    d["g"] = d["g"].where(d["g"] > 0)
    d[["unit", "year", "g", "dep_var", "state"]].to_stata(tmp_path / "het.dta",
                                                           write_index=False)
    ry = d["year"] - d["g"]
    for name, k in zip(NAMES, [-k for k in LEADS] + list(LAGS), strict=True):
        d[name] = (ry == k).astype(float)
    return d.reset_index(drop=True)


def _reference(d: pd.DataFrame, cluster: str) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                       np.ndarray]:
    """IW effects and covariance, the shares and the interaction coefficients."""
    cohorts = sorted(d["g"].dropna().unique())
    terms = []
    for name in NAMES:
        for c in cohorts:
            col = f"{name}_x_{int(c)}"
            d[col] = d[name] * (d["g"] == c)
            terms.append(col)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(f"dep_var ~ {' + '.join(terms)} | unit + year", data=d,
                       vcov={"CRV1": cluster}, fixef_rm="singleton")
    delta = fit.coef()[terms].to_numpy().reshape(len(NAMES), len(cohorts)).T
    V_delta = fit._vcov[: len(terms), : len(terms)]
    treated = d.dropna(subset=["g"])
    shares = np.zeros((len(cohorts), len(NAMES)))
    b = np.zeros(len(NAMES))
    V = np.zeros((len(NAMES), len(NAMES)))
    for i, name in enumerate(NAMES):
        at = treated[treated[name] == 1]
        s = at["g"].value_counts(normalize=True).reindex(cohorts).fillna(0).to_numpy()
        shares[:, i] = s
        b[i] = s @ delta[:, i]
        # share covariance is zero across different relative periods (disjoint observations)
        V[i, i] += delta[:, i] @ ((np.diag(s) - np.outer(s, s)) / len(at)) @ delta[:, i]
    for i in range(len(NAMES)):
        for j in range(len(NAMES)):
            block = V_delta[i * len(cohorts):(i + 1) * len(cohorts),
                            j * len(cohorts):(j + 1) * len(cohorts)]
            V[i, j] += shares[:, i] @ block @ shares[:, j]
    return b, V, shares, delta


@pytest.mark.parametrize("cluster", ["unit", "state"])
def test_iw_effects_and_variance(stata: Stata, het: pd.DataFrame, cluster: str) -> None:
    run = stata(SETUP + f"""
        eventstudyinteract dep_var g_5 g_4 g_3 g_2 g0-g5, cohort(g) control_cohort(never) ///
            absorb(i.unit i.year) vce(cluster {cluster})
        matrix b = e(b_iw)
        matrix V = e(V_iw)
    """)
    assert run.rc == 0, run.log
    b, V, shares, delta = _reference(het, cluster)
    e = run.session.e
    np.testing.assert_allclose(e.matrices["b_iw"].values[0], b, rtol=1e-7)
    np.testing.assert_allclose(e.matrices["V_iw"].values, V, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(e.matrices["ff_w"].values, shares, rtol=1e-12)
    np.testing.assert_allclose(e.matrices["b_interact"].values, delta, rtol=1e-7)
    assert e.matrices["b_iw"].colnames == NAMES
    assert e.matrices["ff_w"].rownames == ["2000", "2010"]
    assert e.macros["title"] == "IW estimates for dynamic effects"
    assert e.scalars["N"] == len(het)
    assert e.scalars["N_clust"] == het[cluster].nunique()
    se = np.sqrt(np.diag(V))
    table = run.session.r.matrices["table"].values
    np.testing.assert_allclose(table[1], se, rtol=1e-6)
    assert " g_5 |" in run.log


def test_covariates_and_refusals(stata: Stata, het: pd.DataFrame) -> None:
    """A covariate enters the interacted regression (not the shares); weights and a
    missing absorb() are refused."""
    run = stata(SETUP + """
        gen x = mod(unit, 7) * year / 1000
        eventstudyinteract dep_var g_2 g0 g1, cohort(g) control_cohort(never) ///
            absorb(unit year) covariates(x) vce(cluster unit)
    """)
    assert run.rc == 0, run.log
    het["x"] = (het["unit"] % 7) * het["year"] / 1000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        terms = []
        for name in ("g_2", "g0", "g1"):
            for c in (2000, 2010):
                het[f"{name}_{c}"] = het[name] * (het["g"] == c)
                terms.append(f"{name}_{c}")
        fit = pf.feols(f"dep_var ~ {' + '.join(terms)} + x | unit + year", data=het,
                       vcov={"CRV1": "unit"})
    e = run.session.e
    np.testing.assert_allclose(e.matrices["b_interact"].values.T.ravel(),
                               fit.coef()[terms].to_numpy(), rtol=1e-6)  # pyfixest's 1e-8 demeaning
    assert e.matrices["b"].colnames[-2:] == ["x", "_cons"]
    for line, rc in (("[aw=unit], cohort(g) control_cohort(never) absorb(unit)", 198),
                     (", cohort(g) control_cohort(never)", 198)):
        bad = stata(SETUP + f"eventstudyinteract dep_var g0 g1 {line}")
        assert bad.rc == rc, bad.log
