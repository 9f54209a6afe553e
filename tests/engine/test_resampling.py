"""``simulate``, ``bootstrap`` (with ``estat bootstrap``) and ``permute``: exact bookkeeping
(replication counts, saved datasets, stored results) and statistics checked against their
definitions ([R] bootstrap, [R] permute Methods and formulas) or known sampling behaviour for
a fixed seed. The random streams are numpy's, so single numbers differ from Stata's; the
tests state properties that hold for any stream."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from libs.engine.dta_reader import read_dta

DATA = """
    clear
    set seed 2718
    set obs 300
    gen x = rnormal(10, 3)
    gen g = mod(_n, 3)
    gen y = 1 + 2 * x + rnormal(0, 4)
"""


def _stata_percentile(values: np.ndarray, p: float) -> float:
    """``_pctile``'s definition: with P = n p / 100, x(ceil P) unless P is whole, then the
    mean of x(P) and x(P + 1)."""
    x = np.sort(values)
    pos = len(x) * p / 100
    k = math.floor(pos)
    if pos == k:
        return float((x[k - 1] + x[k]) / 2)
    return float(x[k])


def test_bootstrap_se_of_a_mean_is_sd_over_root_n_and_the_intervals_follow_their_formulas(
        stata):
    r = stata(DATA + """
        bootstrap m=r(mean), reps(400) seed(99) saving(reps): summarize x
        estat bootstrap, all
    """)
    assert r.rc == 0, r.log
    e = r.session.e
    x = r.session.data.numeric("x")
    assert e.scalars["N_reps"] == 400
    assert e.scalars["N_misreps"] == 0
    assert e.scalars["N"] == 300
    se = e.matrices["se"].values[0, 0]
    # the bootstrap se of a mean estimates sd/sqrt(n); with 400 replications its own
    # relative error is about 1/sqrt(800) = 3.5%
    assert se == pytest.approx(x.std(ddof=0) / math.sqrt(len(x)), rel=0.15)
    saved = read_dta(r.session.workdir / "reps.dta")
    assert saved.varnames == ["m"]
    assert saved.n == 400
    assert saved.vars["m"].label == "r(mean)"
    draws = saved.numeric("m")  # float storage, as Stata saves by default
    observed = e.matrices["b"].values[0, 0]
    np.testing.assert_allclose(observed, x.mean(), rtol=1e-12)
    np.testing.assert_allclose(se, np.std(draws, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(e.matrices["V"].values[0, 0], np.var(draws, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(e.matrices["bias"].values[0, 0], draws.mean() - observed,
                               atol=1e-6)
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(e.matrices["ci_normal"].values[:, 0],
                               [observed - z * se, observed + z * se], rtol=1e-12)
    np.testing.assert_allclose(e.matrices["ci_percentile"].values[:, 0],
                               [_stata_percentile(draws, 2.5), _stata_percentile(draws, 97.5)],
                               rtol=1e-6)
    z0 = stats.norm.ppf(np.mean(draws <= observed))
    bc = [_stata_percentile(draws, 100 * stats.norm.cdf(2 * z0 - z)),
          _stata_percentile(draws, 100 * stats.norm.cdf(2 * z0 + z))]
    np.testing.assert_allclose(e.matrices["ci_bc"].values[:, 0], bc, rtol=1e-6)
    assert "Key:  N: Normal" in r.output
    assert "     BC: Bias-corrected" in r.output
    assert any(line.endswith("(P)") for line in r.output)


def test_bootstrap_of_a_regression_uses_its_sample_and_b_by_default(stata):
    r = stata(DATA + """
        replace x = . in 1/20
        bootstrap, reps(60) seed(5) saving(breg, replace): regress y x
        test x = 2
    """)
    assert r.rc == 0, r.log
    e = r.session.e
    assert e.scalars["N"] == 280  # the estimation sample: 20 missing x left out
    assert e.macros["cmd"] == "regress"
    assert e.macros["prefix"] == "bootstrap"
    assert e.macros["vcetype"] == "Bootstrap"
    assert e.matrices["b"].colnames == ["x", "_cons"]
    saved = read_dta(r.session.workdir / "breg.dta")
    assert saved.varnames == ["_b_x", "_b_cons"]
    assert saved.n == 60
    assert saved.vars["_b_x"].label == "_b[x]"
    assert "(running regress on estimation sample)" in r.output
    assert any(line.startswith("Bootstrap replications (60): .........10") for line in r.output)
    # z statistics: test after bootstrap reports chi2 with e(V) from the replicates
    draws = np.column_stack([saved.numeric("_b_x"), saved.numeric("_b_cons")])
    V = np.cov(draws, rowvar=False)
    b = e.matrices["b"].values[0, 0]
    np.testing.assert_allclose(r.session.r.scalars["chi2"], (b - 2) ** 2 / V[0, 0], rtol=1e-5)


def test_bootstrap_sample_rules_follow_stata_resampling_check(stata):
    # Stata's FAQ "Resampling and missing values": `bootstrap r(mean) r(N): summarize y` with
    # one missing y of 10 reports Number of obs = 10 and warns that every observation is
    # resampled; a program that runs an estimation command leaves e(sample), which the
    # resampling check (_resamplecheck: e() held, e(cmd) set afterwards) uses; nodrop keeps all.
    r = stata("""
        clear
        set seed 1
        set obs 10
        gen x = runiform()
        gen y = rnormal()
        replace y = . in 5
        bootstrap r(mean) r(N), reps(5) seed(3): summarize y
        scalar n_sum = e(N)
        bootstrap r(mean), reps(5) seed(3) nowarn: summarize y
        program define slope, rclass
            regress y x
            return scalar b = _b[x]
        end
        bootstrap r(b), reps(5) seed(3): slope
        scalar n_prog = e(N)
        bootstrap, reps(5) seed(3) nodrop: regress y x
        scalar n_nodrop = e(N)
    """)
    assert r.rc == 0, r.log
    s = r.session.scalars
    assert (s["n_sum"], s["n_prog"], s["n_nodrop"]) == (10, 9, 10)
    start = r.output.index("(running summarize on estimation sample)")
    assert r.output[start + 1 : start + 8] == [
        "Warning:  Because summarize is not an estimation command or does not set",
        "          e(sample), bootstrap has no way to determine which observations are",
        "          used in calculating the statistics and so assumes that all",
        "          observations are used. This means that no observations will be",
        "          excluded from the resampling because of missing values or other",
        "          reasons.",
        "          If the assumption is not true, press Break, save the data, and drop",
    ]
    assert sum(line.startswith("Warning:  Because") for line in r.output) == 1  # nowarn


def test_bootstrap_counts_failed_replications_and_respects_clusters(stata):
    r = stata(DATA + """
        global k = 0
        program define flaky, rclass
            global k = $k + 1
            if mod($k, 4) == 0 {
                exit 459
            }
            summarize x, meanonly
            return scalar m = r(mean)
        end
        bootstrap r(m), reps(20) seed(1): flaky
        scalar fails = e(N_misreps)
        bootstrap r(mean), reps(30) seed(2) cluster(g) idcluster(newg): summarize x
    """)
    assert r.rc == 0, r.log
    # runs 4, 8, ..., 20 fail: replications 3, 7, 11, 15, 19 (the first run is the observed)
    assert r.session.scalars["fails"] == 5
    assert any("..x" in line for line in r.output)
    assert r.session.e.scalars["N_clust"] == 3
    assert "newg" not in r.session.data.vars  # the resample's id variable goes with it


def test_estat_bootstrap_needs_bootstrap_results(stata):
    r = stata(DATA + """
        regress y x
        capture estat bootstrap
        di _rc
        capture bootstrap r(mean), reps(1): summarize x
        di _rc
        capture bootstrap, reps(5): summarize x
        di _rc
    """)
    assert r.output[-3:] == ["321", "198", "198"]


def test_simulate_replaces_the_data_with_one_row_per_replication(stata):
    r = stata("""
        program define onedraw, rclass
            drop _all
            set obs 40
            gen z = rnormal()
            summarize z
            return scalar mean = r(mean)
            return scalar sd = r(sd)
        end
        simulate mu=r(mean) r(sd), reps(500) seed(11) saving(sims): onedraw
    """)
    assert r.rc == 0, r.log
    ds = r.session.data
    assert ds.varnames == ["mu", "_sim_2"]
    assert ds.n == 500
    assert ds.vars["_sim_2"].label == "r(sd)"
    assert ds.vars["mu"].stype == "float"
    means = ds.numeric("mu")
    # means of 40 standard normals: mean 0, sd 1/sqrt(40); checked within ~4.5 s.e.
    assert abs(means.mean()) < 4.5 / math.sqrt(40 * 500)
    assert np.std(means, ddof=1) == pytest.approx(1 / math.sqrt(40), rel=0.15)
    assert read_dta(r.session.workdir / "sims.dta").n == 500
    assert "      Command: onedraw" in r.output
    assert "           mu: r(mean)" in r.output


def test_simulate_without_a_list_collects_every_r_scalar(stata):
    r = stata("""
        program define two, rclass
            return scalar a = runiform()
            return scalar b = 2
        end
        simulate, reps(3) seed(1) nodots: two
    """)
    assert r.rc == 0, r.log
    assert r.session.data.varnames == ["a", "b"]
    assert list(r.session.data.numeric("b")) == [2, 2, 2]
    assert not any(line.startswith("Simulations") for line in r.output)


def test_permute_p_values_and_exact_intervals(stata):
    r = stata(DATA + """
        gen t = x > 10
        permute t diff=(r(mu_2) - r(mu_1)), reps(100) seed(3): ttest x, by(t)
        matrix ci1 = r(ci)
        scalar c1 = el(r(c), 1, 1)
        permute g r(F), reps(200) seed(4) right: oneway y g
        scalar p2 = el(r(p), 1, 1)
        scalar n2 = el(r(reps), 1, 1)
    """)
    assert r.rc == 0, r.log
    # t splits x itself: no permutation reaches the observed difference, c = 0, and the
    # exact interval for 0 of 100 is [0, .0362167] (Stata's printed bound)
    assert r.session.scalars["c1"] == 0
    np.testing.assert_allclose(r.session.matrices["ci1"].values[:, 0], [0, 0.0362167],
                               atol=5e-8)
    # g is unrelated to y: the permutation p-value of F is not small, from 200 replicates
    assert r.session.scalars["n2"] == 200
    assert r.session.scalars["p2"] > 0.01
    assert "Note: c = #{T >= T(obs)}" in r.output
    assert "  permute var: t" in r.output


def test_permutation_interval_matches_stata_for_a_middle_p():
    # Stata 13's permute printed c = 5229 of n = 10000: p = .5229, SE .0050,
    # [95% CI] .513055 .5327317
    from libs.stata_stats.resampling import exact_binomial_interval

    lo, hi = exact_binomial_interval(np.array([5229.0]), np.array([10000.0]))
    np.testing.assert_allclose([lo[0], hi[0]], [0.513055, 0.5327317], atol=5e-7)
