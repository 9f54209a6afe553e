"""ci and cii against independent formulas ([R] ci): t intervals from scipy, the proportion
intervals from statsmodels' ``proportion_confint`` (beta = Clopper–Pearson, normal = Wald,
wilson, agresti_coull, jeffreys), exact Poisson limits from the χ² quantiles, variance limits
from the χ² quantiles; and Stata's printed ``cii proportions 10 1`` (.1, .0948683, .0025286,
.4450161)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st
from statsmodels.stats.proportion import proportion_confint

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def data(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(8)
    n = 45
    d = pd.DataFrame({"y": rng.normal(3, 2, size=n), "b": (rng.random(n) < 0.3).astype(float),
                      "w": rng.integers(1, 4, size=n).astype(float),
                      "c": rng.poisson(2.5, size=n).astype(float)})
    d.loc[4, "y"] = np.nan
    d.to_stata(tmp_path / "c.dta", write_index=False)
    return d


def test_ci_means_t_interval(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use c\nci means y, level(90)")
    assert run.rc == 0, run.log
    y = data["y"].dropna()
    se = y.std() / np.sqrt(y.size)
    half = st.t.isf(0.05, y.size - 1) * se
    r = run.session.r.scalars
    assert r["N"] == 44
    assert r["se"] == pytest.approx(se, rel=1e-10)
    assert (r["lb"], r["ub"]) == pytest.approx((y.mean() - half, y.mean() + half), rel=1e-10)


def test_ci_means_frequency_weights_count_rows(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use c\nci means y [fw=w]")
    assert run.rc == 0, run.log
    y = np.repeat(data["y"].to_numpy(), data["w"].astype(int))
    y = y[np.isfinite(y)]
    r = run.session.r.scalars
    assert r["N"] == y.size
    assert r["se"] == pytest.approx(y.std(ddof=1) / np.sqrt(y.size), rel=1e-10)


@pytest.mark.parametrize(("option", "method"), [
    ("", "beta"), ("wald", "normal"), ("wilson", "wilson"), ("agresti", "agresti_coull"),
    ("jeffreys", "jeffreys")])
def test_ci_proportions(stata: Stata, data: pd.DataFrame, option: str, method: str) -> None:
    run = stata(f"use c\nci proportions b, {option}")
    assert run.rc == 0, run.log
    k, n = int(data["b"].sum()), len(data)
    lb, ub = proportion_confint(k, n, alpha=0.05, method=method)
    r = run.session.r.scalars
    assert r["proportion"] == pytest.approx(k / n)
    assert r["se"] == pytest.approx(np.sqrt(k / n * (1 - k / n) / n), rel=1e-12)
    assert (r["lb"], r["ub"]) == pytest.approx((lb, ub), rel=1e-8)


def test_ci_proportions_refuses_non_binary(stata: Stata, data: pd.DataFrame) -> None:
    assert stata("use c\nci proportions c").rc == 450


def test_cii_proportions_as_stata_prints(stata: Stata) -> None:
    run = stata("cii proportions 10 1")
    assert run.rc == 0, run.log
    r = run.session.r.scalars
    assert round(r["se"], 7) == 0.0948683
    assert round(r["lb"], 7) == 0.0025286
    assert round(r["ub"], 7) == 0.4450161
    assert run.session.r.macros["citype"] == "exact"
    edge = stata("cii proportions 20 0").session.r.scalars
    assert edge["lb"] == 0
    assert edge["ub"] == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-10)


def test_ci_poisson_exact(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use c\nci means c, poisson exposure(w)")
    assert run.rc == 0, run.log
    x, e = data["c"].sum(), data["w"].sum()
    r = run.session.r.scalars
    assert r["mean"] == pytest.approx(x / e)
    assert r["se"] == pytest.approx(np.sqrt(x) / e)
    assert r["lb"] == pytest.approx(st.chi2.ppf(0.025, 2 * x) / 2 / e, rel=1e-10)
    assert r["ub"] == pytest.approx(st.chi2.ppf(0.975, 2 * x + 2) / 2 / e, rel=1e-10)


def test_ci_variances_and_sd(stata: Stata, data: pd.DataFrame) -> None:
    run = stata("use c\nci variances y\nscalar vlb = r(lb)\nscalar v = r(Var)\n"
                "ci variances y, sd")
    assert run.rc == 0, run.log
    y = data["y"].dropna()
    n, v = y.size, y.var()
    assert run.session.scalars["v"] == pytest.approx(v, rel=1e-12)
    assert run.session.scalars["vlb"] == pytest.approx((n - 1) * v / st.chi2.isf(0.025, n - 1),
                                                       rel=1e-10)
    r = run.session.r.scalars
    assert r["sd"] == pytest.approx(np.sqrt(v), rel=1e-10)
    assert r["lb"] == pytest.approx(np.sqrt((n - 1) * v / st.chi2.isf(0.025, n - 1)), rel=1e-10)
    assert r["ub"] == pytest.approx(np.sqrt((n - 1) * v / st.chi2.ppf(0.025, n - 1)), rel=1e-10)


def test_cii_means_and_old_syntax(stata: Stata) -> None:
    run = stata("cii means 74 21.2973 5.785503\nscalar a = r(lb)\ncii 74 21.2973 5.785503\n"
                "assert r(lb) == scalar(a)")
    assert run.rc == 0, run.log
    # [R] ci: the mean of auto's mpg, 21.2973, se .6725511, interval 19.9569 to 22.63769
    r = run.session.r.scalars
    assert round(r["se"], 7) == 0.6725511
    assert round(r["ub"], 5) == 22.63769
