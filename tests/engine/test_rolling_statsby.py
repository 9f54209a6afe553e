"""rolling and statsby against independent computations: statsmodels' RollingOLS and OLS per
window or group, pandas' rolling and groupby statistics.

Stata's rules stated here ([TS] rolling, [D] statsby): windows are spans of time periods,
``recursive`` holds the first period and grows the window, ``rrecursive`` holds the last and
moves the start; the command sees the window as ``command if`` does, so ``L.y`` at a window's
first period reads the period before it; unnamed statistics are ``_stat_#``, ``_b`` gives
``_b_x``; without a list, an estimation command gives ``_b`` and an r-class command its
``r()`` scalars; statsby leaves groups with a missing ``by()`` value out unless ``missing``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.regression.rolling import RollingOLS

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def series(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 40
    x = rng.normal(size=n)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = 0.5 * y[t - 1] + x[t] + rng.normal()
    d = pd.DataFrame({"t": np.arange(1990, 1990 + n, dtype=np.int16), "y": y, "x": x})
    d.to_stata(tmp_path / "ts.dta", write_index=False)
    return d


def test_rolling_regression_matches_rolling_ols(stata: Stata, series: pd.DataFrame) -> None:
    run = stata("use ts\ntsset t\nrolling, window(12) clear: regress y x")
    assert run.rc == 0, run.log
    ref = RollingOLS(series["y"], sm.add_constant(series["x"]), window=12).fit()
    params = ref.params.dropna()
    assert run.session.data.varnames == ["start", "end", "_b_x", "_b_cons"]
    np.testing.assert_array_equal(run.col("start"), np.arange(1990, 1990 + 29))
    np.testing.assert_array_equal(run.col("end"), np.arange(2001, 2001 + 29))
    np.testing.assert_allclose(run.col("_b_x"), params["x"], rtol=1e-6)  # stored as float
    np.testing.assert_allclose(run.col("_b_cons"), params["const"], rtol=1e-6)


def test_rolling_lag_reads_the_period_before_the_window(stata: Stata,
                                                        series: pd.DataFrame) -> None:
    run = stata("use ts\ntsset t\n"
                "rolling b=_b[L.y] se=_se[L.y], window(10) stepsize(5) clear: regress y L.y x")
    assert run.rc == 0, run.log
    y, x = series["y"].to_numpy(), series["x"].to_numpy()
    starts = run.col("start")
    np.testing.assert_array_equal(starts, [1990, 1995, 2000, 2005, 2010, 2015, 2020])
    for k, s in enumerate(starts.astype(int) - 1990):
        rows = np.arange(max(s, 1), s + 10)  # the first period has no lag in the data
        fit = sm.OLS(y[rows], sm.add_constant(np.column_stack([y[rows - 1], x[rows]]))).fit()
        assert run.col("b")[k] == pytest.approx(fit.params[1], rel=1e-6)
        assert run.col("se")[k] == pytest.approx(fit.bse[1], rel=1e-6)


@pytest.mark.parametrize("kind", ["recursive", "rrecursive"])
def test_recursive_windows(stata: Stata, series: pd.DataFrame, kind: str) -> None:
    run = stata(f"use ts\ntsset t\nrolling m=r(mean) n=r(N), window(30) {kind} clear: "
                "summarize y")
    assert run.rc == 0, run.log
    y = series["y"]
    if kind == "recursive":
        np.testing.assert_array_equal(run.col("start"), np.full(11, 1990))
        np.testing.assert_array_equal(run.col("end"), np.arange(2019, 2030))
        expected = y.expanding().mean().to_numpy()[29:]
    else:
        np.testing.assert_array_equal(run.col("start"), np.arange(1990, 2001))
        np.testing.assert_array_equal(run.col("end"), np.full(11, 2029))
        expected = np.array([y.iloc[k:].mean() for k in range(11)])
    np.testing.assert_allclose(run.col("m"), expected, rtol=1e-6)
    np.testing.assert_array_equal(run.col("n"), 40 - np.abs(np.arange(11) - (
        0 if kind == "rrecursive" else 10)))


def test_rolling_windows_are_periods_within_panels(stata: Stata, tmp_path: Path) -> None:
    d = pd.DataFrame({"id": np.repeat([1, 2], 6).astype(np.int8),
                      "t": np.tile(np.arange(1, 7), 2).astype(np.int8),
                      "v": np.arange(12, dtype=float) ** 2})
    d = d.drop(index=3)  # a gap: panel 1 has no period 4
    d.to_stata(tmp_path / "p.dta", write_index=False)
    run = stata("use p\nxtset id t\nrolling s=r(sum) n=r(N), window(3) keep(v) clear: "
                "summarize v")
    assert run.rc == 0, run.log
    assert run.session.data.varnames == ["id", "start", "end", "v", "s", "n"]
    np.testing.assert_array_equal(run.col("id"), [1, 1, 1, 1, 2, 2, 2, 2])
    np.testing.assert_array_equal(run.col("start"), [1, 2, 3, 4, 1, 2, 3, 4])
    expected = [g.loc[(g.t >= s) & (g.t <= s + 2), "v"] for _, g in d.groupby("id")
                for s in range(1, 5)]
    np.testing.assert_array_equal(run.col("n"), [len(e) for e in expected])
    np.testing.assert_allclose(run.col("s"), [e.sum() for e in expected])
    # keep(v): the value at the window's last period (missing where that period is absent)
    np.testing.assert_allclose(run.col("v"), [4, np.nan, 16, 25, 64, 81, 100, 121])


def test_rolling_if_restricts_sample_and_span(stata: Stata, series: pd.DataFrame) -> None:
    run = stata("use ts\ntsset t\nrolling m=r(mean) if t >= 2000 & x > 0, window(20) clear: "
                "summarize y")
    assert run.rc == 0, run.log
    assert run.session.data.varnames == ["start", "end", "m"]
    keep = (series["t"] >= 2000) & (series["x"] > 0)
    first, last = series.loc[keep, "t"].min(), series.loc[keep, "t"].max()
    np.testing.assert_array_equal(run.col("start"), np.arange(first, last - 18))
    expected = [series.loc[keep & series.t.between(s, s + 19), "y"].mean()
                for s in run.col("start")]
    np.testing.assert_allclose(run.col("m"), expected, rtol=1e-6)


def test_rolling_needs_tsset_and_window(stata: Stata, series: pd.DataFrame) -> None:
    assert stata("use ts\nrolling, window(5) clear: regress y x").rc == 111
    assert stata("use ts\ntsset t\nrolling, clear: regress y x").rc == 198
    run = stata("use ts\ntsset t\ngen z = 1\nrolling, window(5): regress y x")
    assert run.rc == 4


@pytest.fixture
def grouped(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 90
    g = rng.integers(1, 4, size=n).astype(float)
    g[[3, 50]] = np.nan
    x = rng.normal(size=n)
    y = 1 + g * x + rng.normal(size=n)
    d = pd.DataFrame({"g": g, "x": x, "y": y})
    d.to_stata(tmp_path / "g.dta", write_index=False)
    return d


def test_statsby_regression_per_group(stata: Stata, grouped: pd.DataFrame) -> None:
    run = stata("use g\nstatsby, by(g) clear: regress y x")
    assert run.rc == 0, run.log
    assert run.session.data.varnames == ["g", "_b_x", "_b_cons"]
    np.testing.assert_array_equal(run.col("g"), [1, 2, 3])  # the missing group left out
    for k, (_, part) in enumerate(grouped.dropna(subset=["g"]).groupby("g")):
        fit = sm.OLS(part["y"], sm.add_constant(part["x"])).fit()
        assert run.col("_b_x")[k] == pytest.approx(fit.params["x"], rel=1e-6)
        assert run.col("_b_cons")[k] == pytest.approx(fit.params["const"], rel=1e-6)


def test_statsby_expressions_total_and_missing(stata: Stata, grouped: pd.DataFrame) -> None:
    run = stata("use g\nstatsby mean=r(mean) r(sd), by(g, missing) total clear: summarize y")
    assert run.rc == 0, run.log
    assert run.session.data.varnames == ["g", "mean", "_stat_2"]
    assert run.session.data.n == 5  # three groups, the missing group, the total
    by = grouped.groupby("g", dropna=False)["y"]
    np.testing.assert_allclose(run.col("mean")[:4], by.mean().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(run.col("_stat_2")[:4], by.std().to_numpy(), rtol=1e-6)
    assert np.isnan(run.col("g")[3:]).all()
    assert run.col("mean")[4] == pytest.approx(grouped["y"].mean(), rel=1e-6)


def test_statsby_default_is_r_scalars_and_if_semantics(stata: Stata,
                                                       grouped: pd.DataFrame) -> None:
    run = stata("use g\nstatsby, by(g) clear: summarize y if x > 0")
    assert run.rc == 0, run.log
    assert {"N", "mean", "sd", "min", "max"} <= set(run.session.data.varnames)
    part = grouped[grouped.x > 0].dropna(subset=["g"]).groupby("g")["y"]
    np.testing.assert_array_equal(run.col("N"), part.size().to_numpy())
    np.testing.assert_allclose(run.col("max"), part.max().to_numpy(), rtol=1e-6)


def test_statsby_saving_keeps_memory_and_failing_group(stata: Stata, tmp_path: Path) -> None:
    pd.DataFrame({"g": [1.0, 1, 1, 2], "y": [1.0, 2, 5, 3], "x": [0.0, 1, 3, 2]}).to_stata(
        tmp_path / "s.dta", write_index=False)
    run = stata("use s\nstatsby b=_b[x], by(g) saving(out): regress y x\n"
                "count\nlocal n = r(N)\nuse out, clear")
    assert run.rc == 0, run.log
    assert "x" in run.log  # the group with one observation fails: a cross in the dots
    np.testing.assert_allclose(run.col("b"), [19 / 14, np.nan])
