"""kap and alpha against independent computations: statsmodels' ``cohens_kappa`` (κ and its
standard error under H0, unweighted and with linear/quadratic weights by category position,
as Stata's ``wgt(w)``/``wgt(w2)``) and Cronbach's alpha by its textbook form k/(k−1)·(1 −
Σ var(item)/var(total)) on complete data (the standardized form from the correlation
matrix)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def raters(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 120
    a = rng.integers(1, 5, size=n)
    b = np.where(rng.random(n) < 0.6, a, rng.integers(1, 5, size=n))
    b[b == 3] = 5  # the raters' categories differ: the table runs over their union
    d = pd.DataFrame({"a": a.astype(float), "b": b.astype(float),
                      "f": rng.integers(1, 4, size=n).astype(float)})
    d.loc[7, "a"] = np.nan
    d.to_stata(tmp_path / "k.dta", write_index=False)
    return d


def _table(d: pd.DataFrame, weights: np.ndarray | None = None) -> np.ndarray:
    cats = np.union1d(d["a"], d["b"])
    table = np.zeros((cats.size, cats.size))
    w = np.ones(len(d)) if weights is None else weights
    np.add.at(table, (np.searchsorted(cats, d["a"]), np.searchsorted(cats, d["b"])), w)
    return table


@pytest.mark.parametrize(("option", "wt"), [("", None), ("wgt(w)", "linear"),
                                            ("wgt(w2)", "quadratic")])
def test_kap_against_statsmodels(stata: Stata, raters: pd.DataFrame, option: str,
                                 wt: str | None) -> None:
    run = stata(f"use k\nkap a b, {option}")
    assert run.rc == 0, run.log
    d = raters.dropna()
    table = _table(d)
    ref = cohens_kappa(table, wt=wt) if wt else cohens_kappa(table)
    r = run.session.r.scalars
    assert r["N"] == len(d)
    assert r["kappa"] == pytest.approx(ref.kappa, rel=1e-10)
    assert r["se"] == pytest.approx(ref.std_kappa0, rel=1e-10)
    assert r["z"] == pytest.approx(ref.kappa / ref.std_kappa0, rel=1e-10)
    if not wt:
        assert r["prop_o"] == pytest.approx(np.trace(table) / table.sum())


def test_kap_frequency_weights(stata: Stata, raters: pd.DataFrame) -> None:
    run = stata("use k\nkap a b [fw=f]")
    assert run.rc == 0, run.log
    d = raters.dropna()
    ref = cohens_kappa(_table(d, d["f"].to_numpy()))
    assert run.session.r.scalars["kappa"] == pytest.approx(ref.kappa, rel=1e-10)
    assert run.session.r.scalars["N"] == d["f"].sum()


@pytest.fixture
def items(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(9)
    n = 200
    f = rng.normal(size=n)
    d = pd.DataFrame({f"q{i}": np.round(f * (0.5 + 0.3 * i) + rng.normal(size=n), 1)
                      for i in range(1, 5)})
    d["neg"] = np.round(-f + rng.normal(size=n), 1)
    d.to_stata(tmp_path / "a.dta", write_index=False)
    return d


def _cronbach(X: np.ndarray) -> float:
    k = X.shape[1]
    return k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / X.sum(axis=1).var(ddof=1))


def test_alpha_unstandardized_and_std(stata: Stata, items: pd.DataFrame) -> None:
    run = stata("use a\nalpha q1-q4\nscalar a1 = r(alpha)\nalpha q1-q4, std")
    assert run.rc == 0, run.log
    X = items[["q1", "q2", "q3", "q4"]].to_numpy()
    assert run.session.scalars["a1"] == pytest.approx(_cronbach(X), rel=1e-10)
    R = np.corrcoef(X, rowvar=False)
    rho = R[~np.eye(4, dtype=bool)].mean()
    r = run.session.r.scalars
    assert r["rho"] == pytest.approx(rho, rel=1e-10)
    assert r["alpha"] == pytest.approx(_cronbach((X - X.mean(0)) / X.std(0, ddof=1)),
                                       rel=1e-10)


def test_alpha_reverses_a_negative_item(stata: Stata, items: pd.DataFrame) -> None:
    run = stata("use a\nalpha q1-q4 neg, generate(score)\nscalar a1 = r(alpha)\n"
                "alpha q1-q4 neg, asis")
    assert run.rc == 0, run.log
    assert "Reversed item:  neg" in run.log
    X = items[["q1", "q2", "q3", "q4", "neg"]].to_numpy() * np.array([1, 1, 1, 1, -1])
    assert run.session.scalars["a1"] == pytest.approx(_cronbach(X), rel=1e-10)
    np.testing.assert_allclose(run.col("score"), X.mean(axis=1), rtol=1e-6)
    assert run.session.r.scalars["alpha"] < run.session.scalars["a1"]  # asis keeps the sign
