"""pctile, xtile and _pctile against numpy's percentile definitions: Stata's default is
Hyndman and Fan's type 2 (numpy ``averaged_inverted_cdf``: the mean of two order statistics
when n·p/100 is whole), ``altdef`` is type 6 (numpy ``weibull``, (n+1)·p/100); frequency
weights equal repeating the rows. xtile's category i holds the values above the (i−1)-th
cut point and at or below the i-th ([D] pctile)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def data(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = 50
    d = pd.DataFrame({"x": rng.integers(0, 20, size=n).astype(float),  # ties on cut points
                      "w": rng.integers(1, 5, size=n).astype(float)})
    d.loc[[3, 17], "x"] = np.nan
    d.to_stata(tmp_path / "p.dta", write_index=False)
    return d


@pytest.mark.parametrize(("option", "method"), [("", "averaged_inverted_cdf"),
                                                ("altdef", "weibull")])
def test_pctile_quantiles(stata: Stata, data: pd.DataFrame, option: str, method: str) -> None:
    run = stata(f"use p\npctile double q = x, nquantiles(10) genp(pc) {option}")
    assert run.rc == 0, run.log
    ps = np.arange(10, 100, 10)
    ref = np.percentile(data["x"].dropna(), ps, method=method)
    np.testing.assert_allclose(run.col("q")[:9], ref, rtol=1e-12)
    assert np.isnan(run.col("q")[9:]).all()
    np.testing.assert_allclose(run.col("pc")[:9], ps, rtol=1e-6)


def test_xtile_categories(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use p\nxtile k = x, nquantiles(4)\nxtile k2 = x if x > 3, n(3) altdef")
    assert run.rc == 0, run.log
    x = data["x"].to_numpy()
    ok = ~np.isnan(x)
    cuts = np.percentile(x[ok], [25, 50, 75], method="averaged_inverted_cdf")
    expected = np.where(ok, 1 + (x[:, None] > cuts).sum(axis=1), np.nan)
    np.testing.assert_array_equal(run.col("k"), expected)
    sub = ok & (np.nan_to_num(x) > 3)
    cuts2 = np.percentile(x[sub], [100 / 3, 200 / 3], method="weibull")
    np.testing.assert_array_equal(run.col("k2"),
                                  np.where(sub, 1 + (x[:, None] > cuts2).sum(axis=1), np.nan))


def test_xtile_cutpoints_and_frequency_weights(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use p\ngen c = 5 in 1\nreplace c = 12 in 2\nxtile a = x, cutpoints(c)\n"
                "_pctile x [fw=w], percentiles(10 25 50 90)")
    assert run.rc == 0, run.log
    x = data["x"].to_numpy()
    np.testing.assert_array_equal(run.col("a"), np.where(np.isnan(x), np.nan,
                                                         1 + (x > 5) + (x > 12)))
    rows = data.dropna()
    repeated = np.repeat(rows["x"].to_numpy(), rows["w"].astype(int))
    ref = np.percentile(repeated, [10, 25, 50, 90], method="averaged_inverted_cdf")
    r = run.session.r.scalars
    np.testing.assert_allclose([r["r1"], r["r2"], r["r3"], r["r4"]], ref, rtol=1e-12)


def test_pctile_errors(stata: Stata, data: pd.DataFrame) -> None:
    assert stata("use p\npctile q = x, nquantiles(1)").rc == 198
    assert stata("use p\npctile x = x").rc == 110
    assert stata("use p\nxtile k = x [fw=w], altdef").rc == 198
