"""did_imputation (Borusyak, Jaravel and Spiess) against independent computations.

Point estimates: statsmodels OLS/WLS with unit and year dummies on the untreated observations
predicts Y(0) for the treated ones (dense least squares, not the engine's sparse normal
equations; pyfixest's fixed-effect recovery fails under this scipy). Standard errors: the
package's own algorithm written out with pandas — the imputation weights v by the iterative
projections of ``imputation_weights`` in did_imputation.ado (not the engine's direct sparse
solve), the cohort × period averages of τ̂ weighted by each cluster's weight,
Σ_clusters (Σ w v ε̃)² — and pyfixest's clustered regression of Y on the leads for the
pre-trend block (reghdfe's small-sample factor)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.formula.api as smf
from statsmodels.regression.linear_model import RegressionResults

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def het(tmp_path: Path) -> pd.DataFrame:
    """pyfixest's simulated staggered panel: cohorts 2000 and 2010 and never treated
    (missing g), a sixth of the units, with a positive weight."""
    d = pd.read_csv(os.path.join(os.path.dirname(pf.__file__), "did", "data", "df_het.csv"))
    d = d[d["unit"] % 6 == 0].copy()
    d["g"] = d["g"].where(d["g"] > 0)
    d["k"] = d["year"] - d["g"]
    d["w"] = 1.0 + (d["unit"] % 5) / 2.0
    d[["unit", "year", "g", "dep_var", "state", "w"]].to_stata(tmp_path / "het.dta",
                                                                 write_index=False)
    return d.reset_index(drop=True)


def _first_stage(d: pd.DataFrame, weights: str | None) -> RegressionResults:
    """Y on unit and year dummies, (weighted) least squares on the untreated."""
    untreated = d[~(d["k"] >= 0)]
    w = untreated[weights] if weights else 1.0
    return smf.wls("dep_var ~ C(unit) + C(year)", data=untreated, weights=w).fit()


def _imputed(d: pd.DataFrame, weights: str | None = None) -> pd.Series:
    """τ̂_it = Y − Ŷ(0) for every treated observation."""
    treated = d[d["k"] >= 0]
    y0 = _first_stage(d, weights).predict(treated)
    return pd.Series(treated["dep_var"].to_numpy() - np.asarray(y0), index=treated.index)


def _weights_by_projection(d: pd.DataFrame, wtr: pd.Series, wei: pd.Series) -> pd.Series:
    """did_imputation.ado's imputation_weights: v = wtr on the treated; on the untreated,
    alternately subtract each fixed effect's weighted sum of v over its controls' weight."""
    control = ~(d["k"] >= 0)
    v = wtr.reindex(d.index).fillna(0.0)
    n0 = {fe: wei[control].groupby(d.loc[control, fe]).sum() for fe in ("unit", "year")}
    for _ in range(10_000):
        before = v.copy()
        for fe in ("unit", "year"):
            total = (wei * v).groupby(d[fe]).transform("sum")
            denom = d[fe].map(n0[fe])
            v = v.where(~control, v - total / denom)
        if float((v - before).abs()[control].sum()) < 1e-13:
            return v
    raise AssertionError("imputation weights did not converge")


def _se_by_hand(d: pd.DataFrame, columns: list[pd.Series], wei: pd.Series,
                tau: pd.Series, leaveout: bool = False) -> np.ndarray:
    """Σ_clusters (Σ w v ε̃)² with ε̃ = τ̂ − its cohort-year average (cluster-weighted), or
    the imputation residual on the untreated."""
    fit = _first_stage(d, None if (wei == 1).all() else "w")
    resid0 = pd.Series(np.asarray(fit.resid), index=d.index[~(d["k"] >= 0)])
    scores = []
    for wtr in columns:
        v = _weights_by_projection(d, wtr, wei)
        tr = d.index[(d["k"] >= 0) & (v != 0)]
        g = d.loc[tr]
        wv = wei[tr] * v[tr]
        cw = wv.groupby([g["unit"], g["g"], g["year"]]).transform("sum")
        denom = (cw * wv).groupby([g["g"], g["year"]]).transform("sum")
        avg = (tau[tr] * cw * wv / denom).groupby([g["g"], g["year"]]).transform("sum")
        eps = tau[tr] - avg
        if leaveout:
            eps = eps * denom / (denom - cw**2)
        e = pd.concat([resid0, eps]).reindex(d.index).fillna(0.0)
        scores.append((wei * v * e).groupby(d["unit"]).sum().to_numpy())
    s = np.column_stack(scores)
    return np.asarray(s.T @ s)


def test_overall_att_and_the_packages_variance(stata: Stata,
                                                             het: pd.DataFrame) -> None:
    run = stata("""
        use het, clear
        did_imputation dep_var unit year g
    """)
    assert run.rc == 0, run.log
    e = run.session.e
    b = float(e.matrices["b"].values[0, 0])
    tau = _imputed(het)
    treated = het["k"] >= 0
    np.testing.assert_allclose(b, tau.mean(), rtol=1e-9)
    wtr = pd.Series(1.0 / treated.sum(), index=het.index[treated])
    V = _se_by_hand(het, [wtr], pd.Series(1.0, index=het.index), tau)
    np.testing.assert_allclose(e.matrices["V"].values, V, rtol=1e-8)
    assert e.scalars["N"] == len(het)
    assert e.scalars["Nc"] == int((~treated).sum())
    assert e.matrices["Nt"].values[0, 0] == treated.sum()
    assert e.macros["cmd"] == "did_imputation"
    assert "tau |" in run.log


def test_horizons_weights_and_pretrends(stata: Stata, het: pd.DataFrame) -> None:
    """aweights, three horizons and three leads: τ̂_h, the full e(V) (effects, leads and
    their covariances), pre-trend coefficients and SEs against pyfixest, e(sample)."""
    run = stata("""
        use het, clear
        did_imputation dep_var unit year g [aw=w], horizons(0 2 4) pretrends(3) ///
            saveestimates(te)
    """)
    assert run.rc == 0, run.log
    e = run.session.e
    assert e.matrices["b"].colnames == ["tau0", "tau2", "tau4", "pre1", "pre2", "pre3"]
    tau = _imputed(het, weights="w")
    wei = het["w"]
    columns = []
    for h in (0, 2, 4):
        at = het.index[het["k"] == h]
        columns.append(pd.Series(1.0 / wei[at].sum(), index=at))
        expected = float((wei[at] * tau[at]).sum() / wei[at].sum())
        np.testing.assert_allclose(e.matrices["b"].values[0, len(columns) - 1], expected,
                                   rtol=1e-9)
    V = e.matrices["V"].values
    np.testing.assert_allclose(V[:3, :3], _se_by_hand(het, columns, wei, tau), rtol=1e-8)
    untreated = het[~(het["k"] >= 0)].copy()
    for h in (1, 2, 3):
        untreated[f"pre{h}"] = (untreated["k"] == -h).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols("dep_var ~ pre1 + pre2 + pre3 | unit + year", data=untreated,
                       weights="w", vcov={"CRV1": "unit"}, fixef_rm="singleton")
    np.testing.assert_allclose(e.matrices["b"].values[0, 3:], ref.coef().to_numpy(),
                               rtol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(V)[3:]), ref.se().to_numpy(), rtol=1e-6)
    assert np.abs(V[:3, 3:]).max() > 0  # the effects and the leads share clusters
    n_clusters = het["unit"].nunique()
    assert e.scalars["pre_df"] == n_clusters - 1
    used = (~(het["k"] >= 0)) | het["k"].isin([0, 2, 4])
    assert e.scalars["N"] == used.sum()
    sample = run.session.e.sample
    assert sample is not None
    assert sample.sum() == used.sum()
    te = run.col("te")
    np.testing.assert_allclose(te[het["k"] == 2], tau[het["k"] == 2], rtol=1e-8)
    assert np.isnan(te[het["k"] == 1]).all()


def test_leaveout(stata: Stata, het: pd.DataFrame) -> None:
    run = stata("""
        use het, clear
        did_imputation dep_var unit year g, horizons(1) leaveout
    """)
    assert run.rc == 0, run.log
    tau = _imputed(het)
    at = het.index[het["k"] == 1]
    V = _se_by_hand(het, [pd.Series(1.0 / len(at), index=at)],
                    pd.Series(1.0, index=het.index), tau, leaveout=True)
    np.testing.assert_allclose(run.session.e.matrices["V"].values, V, rtol=1e-8)
    # one cluster per cohort-year group makes the leave-out variance impossible: r(498)
    lone = het.dropna(subset=["g"]).groupby("g")["unit"].first().astype(int).tolist()
    single = stata(f"""
        use het, clear
        keep if missing(g) | inlist(unit, {lone[0]}, {lone[1]})
        did_imputation dep_var unit year g, horizons(1) leaveout minn(0)
    """)
    assert single.rc == 498, single.log


@pytest.mark.usefixtures("het")
def test_autosample_trims_and_drops_what_cannot_be_imputed(stata: Stata) -> None:
    """Without never-treated units no period from 2010 on has an untreated observation:
    r(198) naming the count, or with autosample those rows leave the sample, horizons
    10+ are dropped (no unit left) and horizon 0 is trimmed to the 2000 cohort."""
    refused = stata("""
        use het, clear
        did_imputation dep_var unit year g if !missing(g)
    """)
    assert refused.rc == 198
    assert "Could not impute FE for" in refused.log
    run = stata("""
        use het, clear
        did_imputation dep_var unit year g if !missing(g), horizons(0 10) autosample minn(0)
    """)
    assert run.rc == 0, run.log
    e = run.session.e
    assert e.macros["autosample_drop"] == "tau10"
    assert e.macros["autosample_trim"] == "tau0"
    assert e.matrices["b"].values[0, 1] == 0
    assert "suppressing" in run.log


@pytest.mark.usefixtures("het")
def test_minn_and_refusals(stata: Stata) -> None:
    run = stata("""
        ssc install did_imputation
        use het, clear
        did_imputation dep_var unit year g if unit <= 120 | missing(g), horizons(0)
    """)
    assert run.rc == 0, run.log
    assert run.session.e.macros["droplist"] == "tau0"
    assert "insufficient effective sample size" in run.log
    assert "provided by the embedded engine" in run.log  # ssc install: a no-op with a note
    assert stata("ssc install ivreg2").rc == 199  # a package the engine does not provide
    for options, rc in (("wtr(w)", 198), ("fe(unit)", 198), ("bogus", 198),
                        ("horizons(1) allhorizons", 184)):
        bad = stata(f"""
            use het, clear
            did_imputation dep_var unit year g, {options}
        """)
        assert bad.rc == rc, (options, bad.log)
