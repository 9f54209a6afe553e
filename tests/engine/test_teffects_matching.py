"""``teffects nnmatch``/``psmatch`` and ``tebalance summarize`` run from do-files on
cattaneo2 (shipped with statsmodels), against Stata's own output where it is published and
against pandas/statsmodels computations written here.

Stata 18's output quoted below is from Carlos Mendez, "Treatment effects in Stata: six
estimators" (https://carlos-mendez.org/post/stata_matching/, results report of the
analysis.log run on the same 4,642 births).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from tests.engine.brute_matcher import balance, frequency, match_sets, whiten
from tests.engine.conftest import Run
from tests.stata_stats.reference import SM_ROOT, assert_rel

Stata = Callable[[str], Run]

COLUMNS = {"bweight": "bweight", "mbsmoke_": "mbsmoke", "mmarried_": "mmarried",
           "prenatal1_": "prenatal1", "fbaby_": "fbaby", "mage": "mage", "fage": "fage",
           "medu": "medu"}


@pytest.fixture
def cattaneo(tmp_path: Path) -> pd.DataFrame:
    d = pd.read_csv(SM_ROOT / "treatment/tests/results/cataneo2.csv")
    d = d[list(COLUMNS)].rename(columns=COLUMNS)
    d.to_stata(tmp_path / "cattaneo2.dta", write_index=False)
    return d


def _ok(run: Run) -> Run:
    assert run.rc == 0, run.log
    return run


def test_psmatch_matches_stata(stata: Stata, cattaneo: pd.DataFrame) -> None:
    """``teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1)``: Stata
    prints ATE −229.4492 (AI robust se 25.88746) and, with ``atet``, −224.5927 (30.55147)."""
    run = _ok(stata("""
        use cattaneo2
        teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1)
        scalar ate = _b[ATE:r1vs0.mbsmoke]
        scalar ate_se = _se[ATE:r1vs0.mbsmoke]
        teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1), atet
    """))
    s = run.session.scalars
    assert_rel(s["ate"], -229.4492, 0, "ATE", decimals=4)
    assert_rel(s["ate_se"], 25.88746, 0, "ATE se", decimals=5)
    e = run.session.e
    assert_rel(e.matrices["b"].values[0, 0], -224.5927, 0, "ATET", decimals=4)
    assert_rel(np.sqrt(e.matrices["V"].values[0, 0]), 30.55147, 0, "ATET se", decimals=5)
    assert e.macros["subcmd"] == "psmatch"
    assert e.macros["stat"] == "atet"


def test_nnmatch_matches_stata(stata: Stata, cattaneo: pd.DataFrame) -> None:
    """``teffects nnmatch (bweight mmarried mage fage medu prenatal1) (mbsmoke),
    ematch(mmarried prenatal1) biasadj(mage fage medu)``: Stata prints ATE −210.0558
    (se 29.32803) and ATET −238.5204 (se 30.41661)."""
    run = _ok(stata("""
        use cattaneo2
        local opts ematch(mmarried prenatal1) biasadj(mage fage medu)
        teffects nnmatch (bweight mmarried mage fage medu prenatal1) (mbsmoke), `opts'
        scalar ate = _b[ATE:r1vs0.mbsmoke]
        scalar ate_se = _se[ATE:r1vs0.mbsmoke]
        teffects nnmatch (bweight mmarried mage fage medu prenatal1) (mbsmoke), `opts' atet
    """))
    assert_rel(run.session.scalars["ate"], -210.0558, 0, "ATE", decimals=4)
    assert_rel(run.session.scalars["ate_se"], 29.32803, 0, "ATE se", decimals=5)
    e = run.session.e
    assert_rel(e.matrices["b"].values[0, 0], -238.5204, 0, "ATET", decimals=4)
    assert_rel(np.sqrt(e.matrices["V"].values[0, 0]), 30.41661, 0, "ATET se", decimals=5)
    assert e.macros["vcetype"] == "AI Robust"


def test_tebalance_after_ipw(stata: Stata, cattaneo: pd.DataFrame) -> None:
    """Standardized differences and variance ratios, raw and inverse-probability weighted,
    recomputed with pandas from statsmodels' logit scores."""
    run = _ok(stata("""
        use cattaneo2
        teffects ipw (bweight) (mbsmoke mmarried mage medu fbaby)
        tebalance summarize
    """))
    d = cattaneo
    x = d[["mmarried", "mage", "medu", "fbaby"]]
    t = d["mbsmoke"].to_numpy(float)
    p = sm.Logit(t, sm.add_constant(x.to_numpy(float))).fit(disp=0).predict()
    w = np.where(t == 1, 1 / p, 1 / (1 - p))

    _assert_table(run, x, t, w, 1e-6)


@pytest.mark.parametrize(("line", "rc"), [
    ("teffects nnmatch (bweight mage) (mbsmoke), dtolerance(.1)", 198),
    ("teffects nnmatch (bweight mage) (mbsmoke), caliper(-1)", 198),
    ("teffects nnmatch (bweight mage) (mbsmoke), vce(iid)", 198),
    ("teffects ra (bweight mage) (mbsmoke), nneighbor(2)", 198),
    ("teffects psmatch (bweight) (mbsmoke mage), biasadj(mage)", 198),
])
def test_unsupported_options(stata: Stata, cattaneo: pd.DataFrame, line: str, rc: int) -> None:
    run = stata(f"use cattaneo2\n{line}")
    assert run.rc == rc, run.log


PS_COVARIATES = ["mmarried", "mage", "fage", "medu", "prenatal1"]


def _score(d: pd.DataFrame) -> np.ndarray:
    """statsmodels' logit score, rounded so that equal covariate rows tie exactly."""
    t = d["mbsmoke"].to_numpy(float)
    x = sm.add_constant(d[PS_COVARIATES].to_numpy(float))
    return np.round(sm.Logit(t, x).fit(disp=0).predict(), 12)


def _assert_table(run: Run, x: pd.DataFrame, t: np.ndarray, w: np.ndarray,
                  rtol: float) -> None:
    """r(table) of tebalance: raw columns to 1e-10, weighted/matched ones to ``rtol``."""
    raw, weighted = balance(x, t, np.ones(len(t))), balance(x, t, w)
    table = run.session.r.matrices["table"].values
    assert_rel(table[:, 0], raw[0], 1e-10, "raw std diff")
    assert_rel(table[:, 2], raw[1], 1e-10, "raw variance ratio")
    assert_rel(table[:, 1], weighted[0], rtol, "adjusted std diff")
    assert_rel(table[:, 3], weighted[1], rtol, "adjusted variance ratio")


def _assert_balance(run: Run, x: pd.DataFrame, t: np.ndarray, w: np.ndarray) -> None:
    _assert_table(run, x, t, w, 1e-9)
    size = run.session.r.matrices["size"].values
    expected = [[len(t), w.sum()], [(t == 1).sum(), w[t == 1].sum()],
                [(t == 0).sum(), w[t == 0].sum()]]
    assert_rel(size, np.array(expected), 1e-12, "sizes")


def test_tebalance_after_psmatch(stata: Stata, cattaneo: pd.DataFrame) -> None:
    """After ``teffects psmatch`` (ATE) the matched sample counts every observation once
    plus once per (1/#ties) use as a match: 2N observations, N in each arm — recomputed
    from a brute-force matcher on statsmodels' logit score."""
    run = _ok(stata(f"""
        use cattaneo2
        teffects psmatch (bweight) (mbsmoke {" ".join(PS_COVARIATES)})
        tebalance summarize
    """))
    t = cattaneo["mbsmoke"].to_numpy(float)
    sets = match_sets(_score(cattaneo)[:, None], t, 1, np.arange(len(t)))
    w = frequency(sets, t, "ate")
    assert w.sum() == 2 * len(t)
    assert w[t == 1].sum() == len(t)
    _assert_balance(run, cattaneo[PS_COVARIATES], t, w)
    assert "Matched" in run.log


def test_tebalance_after_nnmatch_atet(stata: Stata, cattaneo: pd.DataFrame) -> None:
    """After ``teffects nnmatch …, atet nneighbor(2)`` each treated counts once and each
    control as often as it is matched (Mahalanobis distance, ties kept)."""
    run = _ok(stata("""
        use cattaneo2
        teffects nnmatch (bweight mage fage medu) (mbsmoke), atet nneighbor(2)
        tebalance summarize
    """))
    t = cattaneo["mbsmoke"].to_numpy(float)
    x = cattaneo[["mage", "fage", "medu"]]
    sets = match_sets(whiten(x.to_numpy(float)), t, 2, np.flatnonzero(t == 1))
    w = frequency(sets, t, "atet")
    _assert_balance(run, x, t, w)


def test_caliper_osample(stata: Stata, cattaneo: pd.DataFrame) -> None:
    """``caliper(.001)`` on the score leaves observations without a match: r(459), and
    ``osample()`` flags exactly those the brute-force matcher finds unmatched."""
    run = stata(f"""
        use cattaneo2
        teffects psmatch (bweight) (mbsmoke {" ".join(PS_COVARIATES)}), caliper(.001) osample(out)
    """)
    assert run.rc == 459, run.log
    t = cattaneo["mbsmoke"].to_numpy(float)
    sets = match_sets(_score(cattaneo)[:, None], t, 1, np.arange(len(t)), caliper=0.001)
    unmatched = np.array([len(sets[i]) == 0 for i in range(len(t))])
    assert unmatched.sum() > 0
    np.testing.assert_array_equal(run.col("out") == 1, unmatched)


@pytest.fixture
def continuous(tmp_path: Path) -> pd.DataFrame:
    """Two continuous covariates (no ties), selection on x1, 400 observations."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(400, 2))
    t = (rng.random(400) < 1 / (1 + np.exp(-x[:, 0]))).astype(float)
    y = 1 + x @ np.array([1.0, -0.5]) + 2 * t + rng.normal(size=400)
    d = pd.DataFrame({"y": y, "t": t, "x1": x[:, 0], "x2": x[:, 1]})
    d.to_stata(tmp_path / "cont.dta", write_index=False)
    return d


def test_caliper_generate(stata: Stata, continuous: pd.DataFrame) -> None:
    """``nneighbor(3) caliper(c)``, c the largest nearest-match distance: everyone keeps a
    match but some lose their 2nd or 3rd; ``generate(nb)`` holds the match observation
    numbers, the ATE is the mean of y(1) − y(0) over those sets, and ``osample()`` flags
    nobody."""
    d = continuous
    t, y = d["t"].to_numpy(float), d["y"].to_numpy(float)
    z = whiten(d[["x1", "x2"]].to_numpy(float))
    first = match_sets(z, t, 1, np.arange(len(t)))
    caliper = max(float(np.sqrt(((z[s[0]] - z[i]) ** 2).sum())) for i, s in first.items()) + 1e-6
    sets = match_sets(z, t, 3, np.arange(len(t)), caliper=caliper)
    sizes = np.array([len(sets[i]) for i in range(len(t))])
    assert sizes.min() >= 1
    assert (sizes < 3).any()
    run = _ok(stata(f"""
        use cont
        teffects nnmatch (y x1 x2) (t), nneighbor(3) caliper({caliper!r}) generate(nb) osample(ov)
    """))
    assert (run.col("ov") == 0).all()  # nobody violates: osample() is all zeros
    imputed = np.array([y[sets[i]].mean() for i in range(len(t))])
    ate = np.mean(np.where(t == 1, y - imputed, imputed - y))
    assert_rel(run.session.e.matrices["b"].values[0, 0], ate, 1e-12, "ATE with caliper")
    for i in range(len(t)):
        got = [run.col(f"nb{j}")[i] for j in (1, 2, 3)]
        assert sorted(v for v in got if np.isfinite(v)) == sorted(sets[i] + 1), i


def test_psmatch_with_squared_covariate(stata: Stata, cattaneo: pd.DataFrame) -> None:
    """``c.mage##c.mage`` in the treatment model is mage and mage² (once each; a repeated
    main effect made the logit singular): the ATE equals causalinference's matching on
    statsmodels' logit score with those columns."""
    from causalinference import CausalModel

    run = _ok(stata("""
        use cattaneo2
        teffects psmatch (bweight) (mbsmoke mmarried c.mage##c.mage fbaby medu)
    """))
    d = cattaneo
    t = d["mbsmoke"].to_numpy(float)
    x = np.column_stack([d["mmarried"], d["mage"], d["mage"] ** 2, d["fbaby"], d["medu"]])
    score = np.round(sm.Logit(t, sm.add_constant(x.astype(float))).fit(disp=0).predict(), 12)
    cm = CausalModel(d["bweight"].to_numpy(float), t.astype(int), score[:, None])
    cm.est_via_matching(weights="inv", matches=1)
    assert_rel(run.session.e.matrices["b"].values[0, 0], cm.estimates["matching"]["ate"], 1e-9,
               "ATE")
