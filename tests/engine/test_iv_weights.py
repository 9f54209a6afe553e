"""``ivregress 2sls|liml`` with weights and ``noconstant`` ([R] ivregress; weights as in
[U] 20.23): aweights are rescaled to sum to N and give the weighted k-class estimator with
σ² = Σwu²/N; fweights replicate rows (checked against linearmodels on the expanded data);
pweights imply the robust sandwich with the scores w·x̂·u ([P] _robust). References:
linearmodels IV2SLS/IVLIML with the rescaled weights, and the sandwich written out here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from linearmodels.iv import IV2SLS, IVLIML

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


@pytest.fixture
def iv(tmp_path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(21)
    n = 300
    df = pd.DataFrame({"z1": rng.normal(size=n), "z2": rng.normal(size=n),
                       "x": rng.normal(size=n), "f": rng.integers(1, 4, size=n).astype(float),
                       "a": rng.uniform(0.2, 3.0, size=n)})
    u = rng.normal(size=n)
    df["v"] = 0.6 * df.z1 - 0.4 * df.z2 + 0.3 * df.x + 0.5 * u + rng.normal(size=n)
    df["y"] = 1 + 0.8 * df.v - 0.5 * df.x + u
    df.to_csv(tmp_path / "iv.csv", index=False)
    return df


def _b_v(run) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    e = run.session.e
    return e.matrices["b"].values[0], e.matrices["V"].values


def _lm(df: pd.DataFrame, cls: type = IV2SLS, cons: bool = True, **kw: object):  # type: ignore[no-untyped-def]
    exog = df[["x"]].assign(const=1.0) if cons else df[["x"]]
    return cls(df.y, exog, df[["v"]], df[["z1", "z2"]], **kw).fit(cov_type="unadjusted",
                                                                   debiased=False)


@pytest.mark.parametrize(("method", "cls"), [("2sls", IV2SLS), ("liml", IVLIML)])
def test_aweights_are_rescaled_weighted_k_class(stata, iv, method, cls) -> None:  # type: ignore[no-untyped-def]
    run = stata(f"import delimited iv.csv, clear asdouble\nivregress {method} y x (v = z1 z2) "
                "[aweight=a]")
    assert run.rc == 0, run.log
    w = iv.a * len(iv) / iv.a.sum()
    ref = _lm(iv, cls, weights=w)
    b, V = _b_v(run)
    order = ["v", "x", "const"]
    np.testing.assert_allclose(b, ref.params[order], rtol=1e-8)
    np.testing.assert_allclose(V, ref.cov.loc[order, order], rtol=1e-7)
    assert run.session.e.scalars["N"] == len(iv)


def test_fweights_replicate_rows(stata, iv) -> None:  # type: ignore[no-untyped-def]
    run = stata("import delimited iv.csv, clear asdouble\nivregress 2sls y x (v = z1 z2) "
                "[fweight=f], small")
    assert run.rc == 0, run.log
    long = iv.loc[iv.index.repeat(iv.f.astype(int))]
    ref = IV2SLS(long.y, long[["x"]].assign(const=1.0), long[["v"]],
                 long[["z1", "z2"]]).fit(cov_type="unadjusted", debiased=True)
    b, V = _b_v(run)
    order = ["v", "x", "const"]
    np.testing.assert_allclose(b, ref.params[order], rtol=1e-8)
    np.testing.assert_allclose(V, ref.cov.loc[order, order], rtol=1e-7)
    assert run.session.e.scalars["N"] == iv.f.sum()
    assert run.session.e.scalars["r2"] == pytest.approx(ref.rsquared, rel=1e-8)


def test_pweights_give_the_weighted_score_sandwich(stata, iv) -> None:  # type: ignore[no-untyped-def]
    run = stata("import delimited iv.csv, clear asdouble\nivregress 2sls y x (v = z1 z2) "
                "[pweight=a]")
    assert run.rc == 0, run.log
    w = (iv.a * len(iv) / iv.a.sum()).to_numpy()
    ref = _lm(iv, weights=w)
    order = ["v", "x", "const"]
    X = iv.assign(const=1.0)[order].to_numpy()
    Z = iv.assign(const=1.0)[["x", "const", "z1", "z2"]].to_numpy()
    xhat = Z @ np.linalg.solve(Z.T @ (w[:, None] * Z), Z.T @ (w[:, None] * X))
    u = iv.y.to_numpy() - X @ ref.params[order].to_numpy()
    bread = np.linalg.inv(xhat.T @ (w[:, None] * X))
    s = xhat * (w * u)[:, None]
    b, V = _b_v(run)
    np.testing.assert_allclose(b, ref.params[order], rtol=1e-8)
    np.testing.assert_allclose(V, bread @ s.T @ s @ bread, rtol=1e-7)
    assert run.session.e.macros["vcetype"] == "Robust"


def test_noconstant(stata, iv) -> None:  # type: ignore[no-untyped-def]
    run = stata("import delimited iv.csv, clear asdouble\nivregress 2sls y x (v = z1 z2), "
                "noconstant")
    assert run.rc == 0, run.log
    ref = _lm(iv, cons=False)
    b, V = _b_v(run)
    assert run.session.e.matrices["b"].colnames == ["v", "x"]
    np.testing.assert_allclose(b, ref.params[["v", "x"]], rtol=1e-8)
    np.testing.assert_allclose(V, ref.cov.loc[["v", "x"], ["v", "x"]], rtol=1e-7)
