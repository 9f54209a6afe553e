"""summarize, centile, tabulate, correlate/pwcorr and the classical tests against independent
computations (numpy, scipy.stats, statsmodels) with Stata's definitions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from libs.stata_stats import hypothesis as ht
from libs.stata_stats.correlation import correlate, pwcorr
from libs.stata_stats.sample import Weights
from libs.stata_stats.summary import DETAIL_PERCENTILES, centile, centile_interval, summarize
from libs.stata_stats.tables import fisher_exact, tabulate1, tabulate2
from tests.stata_stats.reference import assert_rel

RTOL = 1e-9


def _x(n: int = 75, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(rng.gamma(2.0, 3.0, size=n), 1)  # rounded: ties, as real data have


def test_summarize_detail() -> None:
    x = _x()
    x_missing = np.append(x, [np.nan, np.nan])
    s = summarize(x_missing, detail=True).scalars
    assert s["N"] == 75
    assert_rel(
        [s["mean"], s["Var"], s["sum"], s["min"], s["max"]],
        [x.mean(), x.var(ddof=1), x.sum(), x.min(), x.max()],
        RTOL,
    )
    assert_rel(
        [s["skewness"], s["kurtosis"]], [stats.skew(x), stats.kurtosis(x, fisher=False)], RTOL
    )
    # Stata's summarize percentile = Hyndman–Fan type 2 (averaged inverted cdf)
    expected = np.percentile(x, DETAIL_PERCENTILES, method="averaged_inverted_cdf")
    assert_rel([s[f"p{p}"] for p in DETAIL_PERCENTILES], expected, RTOL)


def test_summarize_fweights_equal_expanded_data() -> None:
    x = _x(40)
    f = (np.arange(40) % 4 + 1).astype(float)
    s = summarize(x, Weights(kind="fweight", values=f), detail=True).scalars
    e = summarize(np.repeat(x, f.astype(int)), detail=True).scalars
    for key in ("N", "mean", "Var", "skewness", "kurtosis", "p10", "p50", "p90"):
        assert_rel(s[key], e[key], RTOL, key)


def test_summarize_aweights_mean_and_variance() -> None:
    x = _x(30)
    w = np.linspace(0.5, 3.0, 30)
    s = summarize(x, Weights(kind="aweight", values=w)).scalars
    mean = np.average(x, weights=w)
    var = (w * (x - mean) ** 2).sum() / w.sum() * 30 / 29
    assert_rel([s["mean"], s["Var"], s["sum_w"]], [mean, var, w.sum()], RTOL)


def test_centile_is_type_6() -> None:
    x = _x()
    for q in (5, 25, 50, 90, 99):
        assert_rel(centile(x, q), np.percentile(x, q, method="weibull"), RTOL, str(q))


def test_tabulate_two_way_statistics() -> None:
    rng = np.random.default_rng(1)
    r = rng.integers(1, 4, 200).astype(float)
    c = (rng.random(200) < 0.3 + 0.1 * r).astype(float)
    r[[0, 5]] = np.nan  # dropped unless ``missing``
    t = tabulate2(r, c)
    assert t.counts.sum() == 198
    ref = stats.chi2_contingency(t.counts, correction=False)
    lr = stats.chi2_contingency(t.counts, correction=False, lambda_="log-likelihood")
    s = t.scalars
    assert_rel(
        [s["chi2"], s["p"], s["chi2_lr"], s["p_lr"]],
        [ref.statistic, ref.pvalue, lr.statistic, lr.pvalue],
        RTOL,
    )
    cramer = stats.contingency.association(t.counts.astype(int), method="cramer")
    assert_rel(s["CramersV"], cramer, RTOL)
    with_missing = tabulate2(r, c, missing=True)
    assert with_missing.counts.shape == (4, 2)
    one = tabulate1(r)
    assert one.freq.tolist() == [float((r == v).sum()) for v in (1, 2, 3)]
    assert_rel(one.cum[-1], 100.0, RTOL)


def test_fisher_exact_2x2_against_scipy() -> None:
    table = np.array([[8.0, 2.0], [1.0, 5.0]])
    out = fisher_exact(table)
    assert_rel(out["p_exact"], stats.fisher_exact(table).pvalue, 1e-9)
    assert_rel(out["p1_exact"], stats.fisher_exact(table, alternative="greater").pvalue, 1e-9)
    v = tabulate2(
        np.repeat([0.0, 0.0, 1.0, 1.0], [8, 2, 1, 5]), np.repeat([0.0, 1.0, 0.0, 1.0], [8, 2, 1, 5])
    ).scalars["CramersV"]
    assert_rel(v, (8 * 5 - 2 * 1) / np.sqrt(10 * 6 * 9 * 7), 1e-12)


def test_fisher_exact_r_by_c_is_a_probability() -> None:
    table = np.array([[3.0, 1.0, 4.0], [2.0, 5.0, 0.0]])
    p = fisher_exact(table)["p_exact"]
    assert 0 < p <= 1
    # the least likely table with these margins has the smallest p-value
    assert fisher_exact(np.array([[0.0, 0.0, 4.0], [5.0, 6.0, 0.0]]))["p_exact"] < p


@pytest.mark.parametrize("unequal", [False, True])
def test_ttest_two_sample(unequal: bool) -> None:
    x = _x(50)
    g = np.repeat([2.0, 1.0], 25)
    out = ht.ttest_groups(x, g, unequal=unequal)
    ref = stats.ttest_ind(x[g == 1], x[g == 2], equal_var=not unequal)
    assert_rel([out["t"], out["p"], out["df_t"]], [ref.statistic, ref.pvalue, ref.df], RTOL)
    assert out["mu_1"] == pytest.approx(x[g == 1].mean())


def test_ttest_one_sample_and_paired() -> None:
    x, y = _x(30, 1), _x(30, 2)
    one = ht.ttest_one(x, 5.0)
    ref = stats.ttest_1samp(x, 5.0)
    assert_rel([one["t"], one["p"]], [ref.statistic, ref.pvalue], RTOL)
    paired = ht.ttest_paired(x, y)
    ref = stats.ttest_rel(x, y)
    assert_rel([paired["t"], paired["p"], paired["df_t"]], [ref.statistic, ref.pvalue, 29], RTOL)


def test_prtest() -> None:
    rng = np.random.default_rng(4)
    x = (rng.random(80) < 0.4).astype(float)
    g = np.repeat([0.0, 1.0], 40)
    one = ht.prtest_one(x, 0.5)
    z, p = proportions_ztest(x.sum(), 80, 0.5, prop_var=0.5)
    assert_rel([one["z"], one["p"]], [z, p], RTOL)
    two = ht.prtest_groups(x, g)
    z, p = proportions_ztest([x[:40].sum(), x[40:].sum()], [40, 40])
    assert_rel([two["z"], two["p"]], [z, p], RTOL)


def test_ranksum_against_mann_whitney() -> None:
    x = _x(45)
    g = np.repeat([1.0, 2.0], [20, 25])
    out = ht.ranksum(x, g)
    ref = stats.mannwhitneyu(x[:20], x[20:], use_continuity=False, method="asymptotic")
    assert_rel(out["p"], ref.pvalue, RTOL)
    assert_rel(out["sum_obs"] - 20 * 21 / 2, ref.statistic, RTOL)


def test_signrank_against_wilcoxon_pratt() -> None:
    x, y = _x(40, 7), _x(40, 8)
    y[:3] = x[:3]  # zero differences
    out = ht.signrank(x, y)
    ref = stats.wilcoxon(x, y, zero_method="pratt", correction=False, method="approx")
    assert_rel(out["p"], ref.pvalue, 1e-9)
    assert out["N_tie"] == 3


def test_oneway_and_bartlett() -> None:
    x = _x(60)
    g = np.repeat([1.0, 2.0, 3.0], 20)
    out = ht.oneway(x, g)
    ref = stats.f_oneway(x[:20], x[20:40], x[40:])
    bart = stats.bartlett(x[:20], x[20:40], x[40:])
    assert_rel(
        [out["F"], out["p"], out["chi2bart"]], [ref.statistic, ref.pvalue, bart.statistic], RTOL
    )


def test_swilk_z_and_p() -> None:
    x = _x(60)
    out = ht.swilk(x)
    ref = stats.shapiro(x)
    assert_rel(
        [out["W"], out["p"], out["z"]],
        [ref.statistic, ref.pvalue, stats.norm.isf(ref.pvalue)],
        RTOL,
    )
    assert out["V"] > 0


def test_correlate_and_pwcorr() -> None:
    rng = np.random.default_rng(9)
    X = rng.normal(size=(50, 3))
    X[:, 2] += X[:, 0]
    X[[1, 2], 1] = np.nan
    listwise = correlate(X)
    ok = np.isfinite(X).all(axis=1)
    r, p = stats.pearsonr(X[ok, 0], X[ok, 2])
    assert_rel(listwise.C[0, 2], r, RTOL)
    pair = pwcorr(X)
    r, p = stats.pearsonr(X[:, 0], X[:, 2])
    assert_rel([pair.C[0, 2], pair.sig[0, 2], pair.N[0, 2]], [r, p, 50], 1e-9)
    assert pair.N[0, 1] == 48


def test_centile_interval_matches_stata_output() -> None:
    """Stata's ``centile var1, c(75)`` on 7, 8, 9, 10 (published on Statalist,
    stata.com/statalist/archive/2003-02/msg00036.html): 9.75 [7.45, 10*]."""
    x = np.array([7.0, 8.0, 9.0, 10.0])
    assert_rel(centile(x, 75), 9.75, 1e-12)
    assert_rel(centile_interval(x, 75), [7.45, 10.0], 1e-9)


def test_centile_interval_covers_at_the_level() -> None:
    """Interpolated limits lie between the order statistics that bracket the binomial tail."""
    x = np.sort(_x(60))
    lo, hi = centile_interval(x, 50)
    assert x[21] <= lo <= x[23]
    assert x[36] <= hi <= x[38]
    assert lo <= centile(x, 50) <= hi
