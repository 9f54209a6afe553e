"""kdensity and histogram numbers against independent computations.

- The kernel estimate against statsmodels' KDEUnivariate with the same kernel and bandwidth
  (Stata's ``epanechnikov`` is statsmodels' ``epa`` on a bandwidth √5 wider: Stata writes the
  kernel with unit variance, [R] kdensity, methods and formulas).
- The default bandwidth 0.9·min(sd, IQR/1.349)/N^(1/5) written out with numpy (quartiles by
  numpy's ``averaged_inverted_cdf``, which is summarize, detail's definition), and the grid
  min − h … max + h from kdensity.ado.
- Histogram heights against numpy.histogram on Stata's bins: k = int(min(√N, 10·log10 N)) of
  equal width from the minimum (twoway__histogram_gen.ado).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.nonparametric.kde import KDEUnivariate

from libs.stata_stats import histogram as hist
from libs.stata_stats.errors import StatsError
from libs.stata_stats.kernel_density import default_bandwidth, kdensity, kernel_named
from libs.stata_stats.sample import Weights


def _sample(n: int = 300, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(size=n // 2), rng.gamma(2.0, 1.5, size=n - n // 2)])


def _statsmodels(x: np.ndarray, points: np.ndarray, kernel: str, bw: float) -> np.ndarray:
    fitted = KDEUnivariate(x)
    fitted.fit(kernel=kernel, bw=bw, fft=False)
    # evaluate() of the compact kernels takes one point at a time, and is NaN where no
    # observation falls within the kernel's window (the density there is 0)
    values = np.array([float(np.squeeze(fitted.evaluate(p))) for p in points])
    return np.nan_to_num(values, nan=0.0)


def test_default_bandwidth_is_statas_rule() -> None:
    x = _sample()
    q1, q3 = np.percentile(x, [25, 75], method="averaged_inverted_cdf")
    expected = 0.9 * min(np.std(x, ddof=1), (q3 - q1) / 1.349) / x.size**0.2
    assert default_bandwidth(x) == pytest.approx(expected, rel=1e-12)


def test_default_bandwidth_counts_frequency_weights() -> None:
    x = _sample(60)
    counts = np.arange(60) % 3 + 1.0
    expanded = np.repeat(x, counts.astype(int))
    assert default_bandwidth(x, Weights(kind="fweight", values=counts)) == pytest.approx(
        default_bandwidth(expanded), rel=1e-12)


def test_epanechnikov_default_matches_statsmodels_on_statas_grid() -> None:
    x = _sample()
    est = kdensity(x)
    h = default_bandwidth(x)
    assert est.bandwidth == h
    assert est.n == 50
    assert est.kernel == "epanechnikov"
    expected_grid = x.min() - h + np.arange(50) * (x.max() - x.min() + 2 * h) / 49
    np.testing.assert_allclose(est.at, expected_grid, rtol=1e-13)
    reference = _statsmodels(x, est.at, "epa", h * math.sqrt(5))
    np.testing.assert_allclose(est.density, reference, rtol=1e-10, atol=1e-14)
    assert est.scale == pytest.approx(1 / (50 * est.density.mean()))


@pytest.mark.parametrize(("name", "theirs"), [("epan2", "epa"), ("biweight", "biw"),
                                              ("triangle", "tri"), ("gaussian", "gau")])
def test_kernels_match_statsmodels(name: str, theirs: str) -> None:
    x = _sample(200, seed=3)
    est = kdensity(x, bandwidth=0.6, kernel_name=name, n=40)
    np.testing.assert_allclose(est.density, _statsmodels(x, est.at, theirs, 0.6),
                               rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", ["cosine", "parzen", "rectangle"])
def test_kernels_as_the_manual_writes_them_integrate_to_one(name: str) -> None:
    formulas = {
        "cosine": lambda z: np.where(np.abs(z) < 0.5, 1 + np.cos(2 * np.pi * z), 0.0),
        "parzen": lambda z: np.where(np.abs(z) <= 0.5, 4 / 3 - 8 * z**2 + 8 * np.abs(z)**3,
                                     np.where(np.abs(z) <= 1, 8 * (1 - np.abs(z))**3 / 3, 0.0)),
        "rectangle": lambda z: np.where(np.abs(z) < 1, 0.5, 0.0),
    }
    x = np.array([0.0])
    grid = np.linspace(-1.5, 1.5, 30001)
    est = kdensity(x, bandwidth=1.0, kernel_name=name, at=grid)
    np.testing.assert_allclose(est.density, formulas[name](grid), atol=1e-12)
    assert np.trapezoid(est.density, grid) == pytest.approx(1.0, abs=1e-3)


def test_kernel_names_take_statas_abbreviations() -> None:
    assert kernel_named("ep") == "epanechnikov"
    assert kernel_named("epan2") == "epan2"
    assert kernel_named("gau") == "gaussian"
    with pytest.raises(StatsError) as err:
        kernel_named("ga")
    assert err.value.code == 198


def test_histogram_bins_follow_statas_rule_and_match_numpy() -> None:
    x = _sample(250)
    spec = hist.bins(x)
    k = int(min(math.sqrt(x.size), 10 * math.log10(x.size)))
    assert spec.count == k
    assert spec.lower == x.min()
    assert spec.width == pytest.approx((x.max() - x.min()) / k)
    freq = hist.counts(x, spec)
    expected, edges = np.histogram(x, bins=k, range=(x.min(), x.max()))
    np.testing.assert_array_equal(freq, expected)
    np.testing.assert_allclose(spec.edges, edges)
    density = hist.heights(freq, spec, "density")
    np.testing.assert_allclose(density, np.histogram(x, bins=k, density=True)[0], rtol=1e-12)
    assert hist.heights(freq, spec, "fraction").sum() == pytest.approx(1.0)
    assert hist.heights(freq, spec, "percent").sum() == pytest.approx(100.0)


def test_histogram_width_start_and_discrete() -> None:
    x = np.array([1.0, 2, 2, 3, 3, 3, 7])
    spec = hist.bins(x, width=2.0, start=0.0)
    assert (spec.lower, spec.count) == (0.0, 4)  # ceil((7 - 0)/2)
    np.testing.assert_array_equal(hist.counts(x, spec), [1, 5, 0, 1])
    disc = hist.bins(x, discrete=True)
    assert disc.width == 1.0
    assert disc.lower == 0.5
    assert disc.count == 7
    np.testing.assert_array_equal(hist.counts(x, disc), [1, 2, 3, 0, 0, 0, 1])
    with pytest.raises(StatsError):
        hist.bins(x, start=2.0)  # start above the minimum
    with pytest.raises(StatsError):
        hist.bins(x, bin_count=3, width=1.0)


def test_histogram_frequency_weights_count_as_observations() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    w = np.array([1.0, 2.0, 3.0, 4.0])
    spec = hist.bins(x, w, bin_count=2)
    assert spec.n == 10.0
    np.testing.assert_array_equal(hist.counts(x, spec, w), [3, 7])
