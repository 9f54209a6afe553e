"""``lpoly``: the smooth against statsmodels' kernel regression (Gaussian kernel) and an
independent weighted polynomial fit, the grid and ``generate()`` as [R] lpoly describes
them, and the rule-of-thumb constants against Fan and Gijbels (1996), Table 3.2."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.nonparametric.kernel_regression import KernelReg

from libs.stata_stats.lpoly import rot_constant


@pytest.fixture
def curve(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(8)
    x = np.sort(rng.uniform(0, 10, 150))
    y = np.sin(x) + 0.1 * x**1.5 + rng.normal(0, 0.4, 150)
    frame = pd.DataFrame({"x": x, "y": y})
    frame.to_stata(tmp_path / "curve.dta", write_index=False)
    return frame


@pytest.mark.parametrize(("degree", "reg_type"), [(0, "lc"), (1, "ll")])
def test_gaussian_smooth_matches_statsmodels_kernel_regression(stata, curve, degree, reg_type):
    r = stata(f"""
        use curve, clear
        lpoly y x, kernel(gaussian) bwidth(0.6) degree({degree}) n(25) gen(gx gy) nograph
    """)
    assert r.rc == 0, r.log
    grid = r.col("gx")[:25]
    np.testing.assert_allclose(grid, np.linspace(curve.x.min(), curve.x.max(), 25), rtol=1e-12)
    with warnings.catch_warnings():  # statsmodels' notice about its future random state
        warnings.simplefilter("ignore", FutureWarning)
        ref = KernelReg(curve.y.to_numpy(), curve.x.to_numpy(), "c", reg_type=reg_type,
                        bw=[0.6]).fit(grid)[0]
    np.testing.assert_allclose(r.col("gy")[:25], ref, rtol=1e-8)
    assert np.isnan(r.col("gy")[25:]).all()  # the grid fills observations 1..n only
    rr = r.session.r
    assert rr.scalars == {"N": 150.0, "bwidth": 0.6, "degree": float(degree), "ngrid": 25.0}
    assert rr.macros["kernel"] == "gaussian"
    ds = r.session.data
    assert ds.vars["gx"].label == "lpoly smoothing grid"
    assert ds.vars["gy"].label == "lpoly smooth: y"


def test_epanechnikov_local_quadratic_at_values_of_a_variable(stata, curve):
    r = stata("""
        use curve, clear
        gen at = 1 + _n / 10 in 1/60
        lpoly y x, degree(2) bwidth(1.5) at(at) gen(fit) nograph title("a graph option")
    """)
    assert r.rc == 0, r.log
    at = r.col("at")[:60]
    x, y = curve.x.to_numpy(), curve.y.to_numpy()
    expected = []
    for x0 in at:
        z = (x - x0) / 1.5
        k = np.where(np.abs(z) < np.sqrt(5), 0.75 * (1 - z**2 / 5) / np.sqrt(5), 0.0)
        keep = k > 0
        coef = np.polyfit(x[keep] - x0, y[keep], 2, w=np.sqrt(k[keep]))
        expected.append(coef[-1])
    np.testing.assert_allclose(r.col("fit")[:60], expected, rtol=1e-8)
    assert np.isnan(r.col("fit")[60:]).all()
    assert r.session.r.macros["kernel"] == "epanechnikov"


def test_rule_of_thumb_constants_are_fan_and_gijbels_table_values():
    # C_{0,p}(K), Fan and Gijbels (1996) Table 3.2, kernels on [-1, 1]
    table = {("gaussian", 1): 0.776, ("rectangle", 1): 1.351, ("epan2", 1): 1.719,
             ("biweight", 1): 2.036, ("rectangle", 3): 2.813,
             ("epan2", 3): 3.243, ("biweight", 3): 3.633}
    for (kernel, order), value in table.items():
        assert rot_constant(kernel, order) == pytest.approx(value, abs=6e-4), kernel
    # Stata's epanechnikov is epan2 stretched to |z| < sqrt(5)
    assert rot_constant("epanechnikov", 1) == pytest.approx(1.719 / np.sqrt(5), abs=3e-4)


def test_default_bandwidth_approaches_the_optimal_one_for_a_known_curve(stata, tmp_path):
    # y = x^2 + e, x ~ U(0, 1), sd(e) = .2: m'' = 2, so the AMISE-optimal local-linear
    # bandwidth over the inner 90% of the range is C (sigma^2 / (4 n))^(1/5)
    rng = np.random.default_rng(3)
    n = 4000
    x = rng.uniform(0, 1, n)
    pd.DataFrame({"x": x, "y": x**2 + rng.normal(0, 0.2, n)}).to_stata(
        tmp_path / "quad.dta", write_index=False)
    r = stata("""
        use quad, clear
        lpoly y x, degree(1) kernel(gaussian) nograph
    """)
    assert r.rc == 0, r.log
    optimal = 0.776 * (0.2**2 / (4 * n)) ** 0.2
    assert r.session.r.scalars["bwidth"] == pytest.approx(optimal, rel=0.1)


def test_grid_size_errors_and_graph_options(stata, curve):
    r = stata("""
        use curve, clear
        keep in 1/30
        lpoly y x, n(40) gen(a b) lineopts(lcolor(red)) noscatter
        scalar ng = r(ngrid)
        capture lpoly y x, gen(onlyone)
        di _rc
        capture lpoly y x, ci
        di _rc
        capture lpoly y x, kernel(nosuch)
        di _rc
        capture lpoly y x, bwidth(-1)
        di _rc
    """)
    assert r.rc == 0, r.log
    assert "(n() set to 30)" in r.output
    assert r.session.scalars["ng"] == 30
    assert r.output[-4:] == ["198", "198", "198", "198"]
