"""glm against Stata's own runs shipped in statsmodels: Poisson on cpunish with no weights,
fweights, aweights and pweights, each with oim, robust and cluster VCEs
(genmod/tests/results/results_glm_poisson_weights.py, made by poisson_weights_v2.do), and the
Stata-computed AIC/BIC/ll of the binomial (Lbw) and Gaussian (Longley) examples in
results_glm.py; other family/link pairs against statsmodels' GLM with the observed
information."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.datasets import cpunish, longley
from statsmodels.genmod.tests.results import results_glm as rg
from statsmodels.genmod.tests.results import results_glm_poisson_weights as rw
from statsmodels.tools.sm_exceptions import DomainWarning

from tests.engine.conftest import Run
from tests.stata_stats.reference import as_float

Stata = Callable[[str], Run]
MODEL = "executions income perpoverty perblack LN_VC100k96 south degree"


@pytest.fixture
def cpunish_dta(tmp_path: Path) -> Path:
    # as poisson_weights_v2.do made it: insheet (decimals as float), the log a float, the
    # fweights 1 1 1 2 2 2 3 3 3 1 1 1 2 2 2 3 3 and cluster ids (_n − mod(_n, 2))/2
    d = cpunish.load_pandas().data
    frame = pd.DataFrame({
        "executions": d["EXECUTIONS"].astype(np.int16), "income": d["INCOME"].astype(np.int32),
        "perpoverty": as_float(d["PERPOVERTY"]).astype(np.float32),
        "perblack": as_float(d["PERBLACK"]).astype(np.float32),
        "vc100k96": d["VC100k96"].astype(np.int16), "south": d["SOUTH"].astype(np.int8),
        "degree": as_float(d["DEGREE"]).astype(np.float32),
        "fweight": np.array([1, 1, 1, 2, 2, 2, 3, 3, 3, 1, 1, 1, 2, 2, 2, 3, 3], np.int8),
    })
    n = np.arange(1, len(frame) + 1)
    frame["id"] = ((n - n % 2) / 2).astype(np.int8)
    frame.to_stata(tmp_path / "cpunish.dta", write_index=False)
    return tmp_path / "cpunish.dta"


CASES = [(w, v) for w in ("none", "fweight", "aweight", "pweight")
         for v in ("nonrobust", "hc1", "clu1")]


@pytest.mark.parametrize(("weight", "vce"), CASES)
def test_glm_poisson_matches_stata(stata: Stata, cpunish_dta: Path, weight: str,
                                   vce: str) -> None:
    ref: Any = getattr(rw, f"results_poisson_{weight}_{vce}")
    wclause = "" if weight == "none" else f"[{weight}=fweight]"
    option = {"nonrobust": "", "hc1": "vce(robust)", "clu1": "vce(cluster id)"}[vce]
    run = stata(f"use cpunish, clear\ngenerate LN_VC100k96 = log(vc100k96)\n"
                f"glm {MODEL} {wclause}, family(poisson) {option}")
    assert run.rc == 0, run.log
    e = run.session.e
    assert e.matrices["b"].colnames == list(ref.params_table_rownames)
    table = run.session.r.matrices["table"].values.T
    # 5e-6: LN_VC100k96 is a float, rounded where the reference's run rounded it
    np.testing.assert_allclose(table[:, :6], ref.params_table[:, :6], rtol=5e-6, atol=1e-5)
    np.testing.assert_allclose(e.matrices["V"].values, ref.cov, rtol=5e-6, atol=1e-14)
    for name in ("N", "df", "df_m", "ll", "chi2", "deviance", "deviance_p", "dispers",
                 "dispers_p", "aic", "bic", "phi", "N_clust"):
        if name in ref.__dict__:
            assert e.scalars[name] == pytest.approx(ref.__dict__[name], rel=1e-6), name
    for name in ("vce", "vcetype", "varfunct", "linkt", "chi2type"):
        if name in ref.__dict__:
            assert e.macros[name] == ref.__dict__[name], name


def test_glm_binomial_logit_matches_stata_lbw(stata: Stata, tmp_path: Path) -> None:
    ref = rg.Lbw()
    frame = ref.exog.drop(columns="const").astype(float)
    frame["low"] = ref.endog.astype(float)
    frame.to_stata(tmp_path / "lbw.dta", write_index=False)
    covariates = " ".join(c for c in frame.columns if c != "low")
    run = stata(f"use lbw, clear\nglm low {covariates}, family(binomial)")
    e = run.session.e
    np.testing.assert_allclose(e.matrices["b"].values[0], ref.params, rtol=1e-6)
    # the recorded se are R's (from its last IRLS weights): 1e-4
    np.testing.assert_allclose(np.sqrt(np.diag(e.matrices["V"].values)), ref.bse, rtol=1e-4)
    assert e.scalars["aic"] == pytest.approx(ref.aic_Stata, rel=1e-8)
    assert e.scalars["bic"] == pytest.approx(ref.bic_Stata, rel=1e-8)
    assert e.scalars["ll"] == pytest.approx(ref.llf, rel=1e-8)
    assert e.scalars["deviance_p"] == pytest.approx(ref.pearson_chi2, rel=1e-7)
    assert e.macros["varfunct"] == "Bernoulli"
    assert "[Logit]" in run.log


def test_glm_gaussian_matches_stata_longley(stata: Stata, tmp_path: Path) -> None:
    ref = rg.Longley()
    d = longley.load_pandas().data
    d.to_stata(tmp_path / "longley.dta", write_index=False)
    run = stata("use longley, clear\nglm TOTEMP GNPDEFL GNP UNEMP ARMED POP YEAR")
    e = run.session.e
    np.testing.assert_allclose(e.matrices["b"].values[0], ref.params, rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(e.matrices["V"].values)), ref.bse, rtol=1e-6)
    assert e.scalars["aic"] == pytest.approx(ref.aic_Stata, rel=1e-8)
    # Stata's deviance of its copy of the data is 836424.129 (R's 836424.056): bic to 1e-6
    assert e.scalars["bic"] == pytest.approx(ref.bic_Stata, rel=1e-6)
    assert e.scalars["ll"] == pytest.approx(ref.llf, rel=1e-8)
    assert e.scalars["phi"] == pytest.approx(ref.scale, rel=1e-8)


@pytest.mark.parametrize(("family", "link", "sm_family"), [
    ("binomial", "probit", sm.families.Binomial(sm.families.links.Probit())),
    ("binomial", "cloglog", sm.families.Binomial(sm.families.links.CLogLog())),
    ("nbinomial 0.5", "log", sm.families.NegativeBinomial(alpha=0.5)),
    ("poisson", "identity", sm.families.Poisson(sm.families.links.Identity())),
])
def test_glm_other_links_against_statsmodels_oim(stata: Stata, tmp_path: Path, family: str,
                                                 link: str, sm_family: Any) -> None:
    rng = np.random.default_rng(4)
    n = 300
    x1, x2 = rng.normal(size=n), rng.uniform(size=n)
    if family.startswith("binomial"):
        y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + 0.8 * x1 - x2)))).astype(float)
    else:
        y = rng.poisson(np.exp(1.0 + 0.3 * x1 + 0.2 * x2)).astype(float)
    pd.DataFrame({"y": y, "x1": x1, "x2": x2}).to_stata(tmp_path / "g.dta", write_index=False)
    run = stata(f"use g, clear\nglm y x1 x2, family({family}) link({link})")
    assert run.rc == 0, run.log
    X = sm.add_constant(np.column_stack([x1, x2]), prepend=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DomainWarning)  # identity link with Poisson
        ref = sm.GLM(y, X, family=sm_family).fit(method="newton", tol=1e-12, maxiter=200)
    e = run.session.e
    np.testing.assert_allclose(e.matrices["b"].values[0], ref.params, rtol=1e-6)
    oim = np.linalg.inv(-ref.model.hessian(ref.params, observed=True))
    np.testing.assert_allclose(e.matrices["V"].values, oim, rtol=1e-6)
    assert e.scalars["deviance"] == pytest.approx(ref.deviance, rel=1e-8)
    assert e.scalars["ll"] == pytest.approx(ref.llf, rel=1e-8)
