"""Do-files with the estimators (discrete, ordered, count, censored and panel models...) run
end to end through the engine against Stata's own output shipped in the statsmodels/
linearmodels wheels (datasets written as .dta files), and the commands' Stata behaviour:
e() names, predict, margins, ssc install, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.datasets import anes96, engel
from statsmodels.discrete.tests.results.results_discrete import Anes
from statsmodels.regression.tests.results import results_quantile_regression as qref
from statsmodels.treatment.tests.results import results_teffects as tref

from tests.engine.conftest import Run
from tests.stata_stats.reference import LM_ROOT, SM_ROOT, assert_rel, stata_blocks

Stata = Callable[[str], Run]


def _ok(run: Run) -> Run:
    assert run.rc == 0, run.log
    return run


def test_ologit_ucla_do_file(stata: Stata, tmp_path: Path) -> None:
    """``ologit apply pared public gpa`` (the UCLA example, Stata's printed numbers), the
    cutpoints as ``_b[/cut1]``, ``e(cat)``, and ``predict`` of the outcome probabilities."""
    d = pd.read_csv(SM_ROOT / "miscmodels/tests/results/ologit_ucla.csv")
    d["apply"] = d["apply"].map({"unlikely": 0, "somewhat likely": 1, "very likely": 2})
    d["gpa"] = d["gpa"].astype(np.float32)
    d.to_stata(tmp_path / "ologit.dta", write_index=False)
    run = _ok(stata("""
        use ologit
        ologit apply pared public gpa
        scalar c1 = _b[/cut1]
        predict p0 p1 p2
        generate total = p0 + p1 + p2
        predict pm, outcome(1)
    """))
    e = run.session.e
    assert e.matrices["b"].colnames == ["apply:pared", "apply:public", "apply:gpa", "/:cut1",
                                        "/:cut2"]
    assert_rel(e.matrices["b"].values[0], [1.047664, -0.0586828, 0.6157458, 2.203323,
                                           4.298767], 0, "b", decimals=6)
    assert run.session.scalars["c1"] == pytest.approx(2.203323, abs=5e-7)
    assert e.matrices["cat"].values.tolist() == [[0.0, 1.0, 2.0]]
    assert e.macros["cmd"] == "ologit"
    assert e.scalars["k_cat"] == 3
    np.testing.assert_allclose(run.col("total"), 1.0, atol=1e-6)
    np.testing.assert_allclose(run.col("pm"), run.col("p1"))
    assert "/cut1" in run.log
    assert "(option pr assumed; predicted probabilities)" in run.log


def test_mlogit_anes_do_file(stata: Stata, tmp_path: Path) -> None:
    """``mlogit PID ..., baseoutcome(0)``: Stata's ll and coefficients, equations named by
    the outcome values, the base equation with zeros, and probabilities from predict."""
    d = anes96.load_pandas().data[["PID", "logpopul", "selfLR", "age", "educ", "income"]]
    d = d.assign(logpopul=d["logpopul"].astype(np.float32))
    d.to_stata(tmp_path / "anes.dta", write_index=False)
    run = _ok(stata("""
        use anes
        mlogit PID logpopul selfLR age educ income, baseoutcome(0)
        predict p0 p1 p2 p3 p4 p5 p6
        egen total = rowtotal(p0-p6)
    """))
    e = run.session.e
    assert_rel(e.scalars["ll"], Anes.mnlogit_basezero.llf, 1e-9, "ll")
    assert e.matrices["b"].colnames[6] == "1:logpopul"
    assert_rel(e.matrices["b"].values[0, 6:].reshape(6, 6).T, Anes.mnlogit_basezero.params,
               2e-6, "b", decimals=8)
    assert e.scalars["baseout"] == 0
    assert e.scalars["k_out"] == 7
    np.testing.assert_allclose(run.col("total"), 1.0, atol=1e-6)
    assert "(base outcome)" in run.log


def test_qreg_do_file(stata: Stata, tmp_path: Path) -> None:
    """``qreg foodexp income, vce(iid, kernel(biweight) bofinger)``: Stata's table."""
    engel.load_pandas().data.astype(np.float32).to_stata(tmp_path / "engel.dta",
                                                          write_index=False)
    run = _ok(stata("""
        use engel
        qreg foodexp income, vce(iid, kernel(biweight) bofinger)
        predict fit
    """))
    ref = qref.biweight_bofinger
    table = run.session.r.matrices["table"].values.T
    assert_rel(table[:, [0, 1, 4, 5]], ref.table[:, [0, 1, 4, 5]], 1e-6, "table", decimals=7)
    assert_rel(run.session.e.scalars["sparsity"], ref.sparsity, 1e-6, "sparsity")
    assert "Median regression" in run.log
    assert "Raw sum of deviations" in run.log
    assert run.session.e.macros["kernel"] == "biweight"


def test_ivregress_liml_gmm_do_file(stata: Stata, tmp_path: Path) -> None:
    """``ivregress liml ..., small`` and ``ivregress gmm ..., wmatrix(cluster division)``
    against Stata 13's runs."""
    d = pd.read_csv(LM_ROOT / "tests/iv/results/housing.csv")
    pd.DataFrame({  # the storage types of Stata's hsng.dta
        "rent": d["rent"].astype(np.int16), "hsngval": d["hsngval"].astype(np.int32),
        "pcturban": d["pcturban"].astype(np.float32), "faminc": d["faminc"].astype(np.int32),
        "region": pd.Categorical(d["region"]).codes.astype(np.int8) + 1,
        "division": pd.factorize(d["division"])[0].astype(np.int8),
    }).to_stata(tmp_path / "hsng.dta", write_index=False)
    blocks = stata_blocks(LM_ROOT / "tests/iv/results/stata-iv-housing-results.txt")
    for line, key in (
        ("ivregress liml rent pcturban (hsngval = faminc i.region), vce(robust) small",
         "liml-robust-small"),
        ("ivregress gmm rent pcturban (hsngval = faminc i.region), wmatrix(cluster division)",
         "gmm-cluster-asymptotic"),
    ):
        run = _ok(stata(f"use hsng\n{line}\n"))
        ref = blocks[key]
        e = run.session.e
        assert_rel(e.matrices["b"].values[0], [ref.params[n][0] for n in ref.names], 1e-6)
        assert_rel(e.matrices["V"].values, ref.V, 1e-6, key)
        assert e.macros["estimator"] == key.split("-")[0]
    assert "W" in run.session.e.matrices
    assert run.session.e.scalars["J"] > 0


def test_teffects_do_file(stata: Stata, tmp_path: Path) -> None:
    """``teffects ra (bweight prenatal1 mmarried mage fbaby) (mbsmoke), atet``."""
    d = pd.read_csv(SM_ROOT / "treatment/tests/results/cataneo2.csv")
    d = d[["bweight", "prenatal1_", "mmarried_", "mage", "fbaby_", "mbsmoke_"]]
    d.columns = ["bweight", "prenatal1", "mmarried", "mage", "fbaby", "mbsmoke"]
    d.to_stata(tmp_path / "cattaneo2.dta", write_index=False)
    run = _ok(stata("""
        use cattaneo2
        teffects ra (bweight prenatal1 mmarried mage fbaby) (mbsmoke), atet
        scalar effect = _b[ATET:r1vs0.mbsmoke]
    """))
    ref = tref.results_ra.table_t
    e = run.session.e
    assert_rel(e.matrices["b"].values[0], ref[:, 0], 1e-9, "b")
    assert_rel(np.sqrt(np.diag(e.matrices["V"].values)), ref[:, 1], 1e-8, "se")
    assert run.session.scalars["effect"] == pytest.approx(ref[0, 0], rel=1e-12)
    assert e.macros["stat"] == "atet"


def test_nbreg_tobit_predict_margins(stata: Stata) -> None:
    """After nbreg, predict gives exp(xb) and margins, dydx() the derivative of it; after
    tobit predict is xb; e() of both carries Stata's names."""
    run = _ok(stata("""
        set obs 300
        set seed 5
        generate x = rnormal()
        generate y = floor(exp(0.3 + 0.4*x) * runiform() * 4)
        nbreg y x
        predict n
        predict xb, xb
        scalar bx = _b[x]
        margins, dydx(x)
        matrix M = r(b)
        scalar me = el(M, 1, 1)
        generate check = n - exp(xb)
        generate double dn = bx * exp(xb)
        summarize dn, meanonly
        scalar me_check = r(mean)
        generate ys = max(0, x + rnormal())
        tobit ys x, ll(0)
        predict t
    """))
    assert np.abs(run.col("check")).max() < 1e-5  # float storage of n and xb
    # the average marginal effect of x on exp(xb) is mean(b_x·exp(xb)) (xb stored as float)
    assert run.session.scalars["me"] == pytest.approx(run.session.scalars["me_check"],
                                                      rel=1e-6)
    b = run.session.e.matrices["b"]
    assert b.colnames == ["model:x", "model:_cons", "/:var(e.ys)"]
    assert run.session.e.scalars["N_lc"] + run.session.e.scalars["N_unc"] == 300
    assert "LR test of alpha=0" in run.log
    assert "var(e.ys)" in run.log


def test_reghdfe_do_file(stata: Stata) -> None:
    """``reghdfe y x, absorb(f1 f2) vce(cluster c)``: the slope equals regress with both
    factors' indicators written out; singletons are dropped with reghdfe's note."""
    run = _ok(stata("""
        set obs 400
        set seed 9
        generate f1 = ceil(runiform()*20)
        generate f2 = ceil(runiform()*6)
        generate c = ceil(runiform()*25)
        generate x = rnormal()
        generate y = x + f1/10 + f2/4 + rnormal()
        replace f1 = 99 in 1
        reghdfe y x, absorb(f1 f2) vce(cluster c)
        scalar b_hdfe = _b[x]
        scalar n_hdfe = e(N)
        regress y x i.f1 i.f2 if f1 != 99
        scalar b_ols = _b[x]
    """))
    s = run.session.scalars
    assert s["b_hdfe"] == pytest.approx(s["b_ols"], rel=1e-9)
    assert s["n_hdfe"] == 399
    assert "(dropped 1 singleton observations)" in run.log


def test_ssc_install(stata: Stata) -> None:
    """An SSC package the engine provides installs as a no-op with a note; one it lacks is
    r(199) naming it; other ssc uses need the network and are refused."""
    run = stata("""
        ssc install reghdfe, replace
        ssc install ftools
        capture ssc install nosuchpkg
        scalar rc1 = _rc
        capture ssc describe reghdfe
        scalar rc2 = _rc
        ssc install nosuchpkg
    """)
    assert run.rc == 199
    assert "(ssc install reghdfe: provided by the embedded engine; nothing installed)" in run.log
    assert "package nosuchpkg is not available" in run.log
    assert run.session.scalars["rc1"] == 199
    assert run.session.scalars["rc2"] == 199


@pytest.mark.parametrize("line", [
    "ivregress 3sls y (x = z)",
    "tobit y x",
    "qreg y x, vce(bootstrap)",
    "nbreg y x, dispersion(constant)",
    "reghdfe y x",
    "teffects psmatch (y) (t x), pstolerance(.1)",
])
def test_refusals_are_stata_errors(stata: Stata, line: str) -> None:
    """Unsupported variants are r(198) with a message, never a traceback."""
    run = stata(f"""
        set obs 20
        generate x = _n
        generate z = mod(_n, 3)
        generate t = mod(_n, 2)
        generate y = x + z
        {line}
    """)
    assert run.rc == 198, run.log
    assert "Traceback" not in run.log


def test_xtlogit_fe_do_file(stata: Stata) -> None:
    """``xtset id`` then ``xtlogit y x, fe``: the conditional logit; the default (random
    effects, tests/engine/test_xt_random_effects.py) refuses an outcome that does not vary."""
    run = _ok(stata("""
        set obs 400
        set seed 12
        generate id = ceil(_n/5)
        generate x = rnormal()
        generate y = runiform() < invlogit(x + mod(id, 3) - 1)
        xtset id
        xtlogit y x, fe
    """))
    e = run.session.e
    assert e.macros["model"] == "fe"
    assert e.matrices["b"].colnames == ["x"]
    assert "Conditional fixed-effects logistic regression" in run.log
    assert 0 < e.scalars["N_g"] <= 80
    refused = stata("set obs 10\ngenerate id = _n\ngenerate x = _n\ngenerate y = 1\n"
                    "xtset id\nxtlogit y x")
    assert refused.rc == 2000
