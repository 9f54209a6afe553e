"""ivregress 2sls/liml/gmm against Stata 13's output shipped with linearmodels (Stata's hsng
data): ``ivregress 2sls|liml rent pcturban (hsngval = faminc i.region), vce(...) [small]`` and
``ivregress gmm ..., wmatrix(...) [small]``."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from libs.stata_stats.iv import ivregress
from libs.stata_stats.vce import VceRequest
from tests.stata_stats.reference import LM_ROOT, StataBlock, assert_rel, stata_blocks

RTOL = 1e-6
RESULTS = LM_ROOT / "tests/iv/results"


@cache
def _blocks() -> dict[str, StataBlock]:
    return stata_blocks(RESULTS / "stata-iv-housing-results.txt")


@pytest.mark.parametrize("key", sorted(_blocks()))
def test_housing(key: str) -> None:
    """b, t/z, e(V) and every e() scalar (r2, r2_a, mss, rss, rmse, F/chi2, p, kappa, J)."""
    method, kind, small = key.split("-")
    ref = _blocks()[key]
    d = pd.read_csv(RESULTS / "housing.csv")
    # i.region: the base level does not matter for the instrument space
    regions = pd.get_dummies(d["region"]).astype(float).to_numpy()[:, 1:]
    vce = VceRequest(
        kind=kind,
        clusters=d["division"].to_numpy() if kind == "cluster" else None,
        clustvar="division",
    )
    est, first = ivregress(
        d["rent"].to_numpy(float),
        d[["hsngval"]].to_numpy(float),
        d[["pcturban"]].to_numpy(float),
        np.column_stack([d["faminc"].to_numpy(float), regions]),
        depvar="rent",
        endog_names=("hsngval",),
        exog_names=("pcturban",),
        inst_names=("faminc", "2.region", "3.region", "4.region"),
        method=method,
        small=small == "small",
        vce=None if method == "gmm" else vce,
        wmatrix=vce if method == "gmm" else None,
    )
    assert list(est.names) == ref.names
    assert_rel(est.b, [ref.params[n][0] for n in ref.names], RTOL, "b")
    assert_rel(est.table()[2], [ref.params[n][1] for n in ref.names], RTOL, "t/z")
    assert_rel(est.V, ref.V, RTOL, "V")
    for name, value in ref.scalars.items():
        assert_rel(est.scalars[name], value, RTOL, name)
    assert est.df_r is None if small != "small" else est.df_r is not None
    assert est.macros["title"].startswith(f"Instrumental variables {method.upper()}")
    if method == "gmm":
        # e(W) is the weight the estimates were computed with: they solve the GMM normal
        # equations with it. (Stata's stored e(W) agrees in the rows of pcturban, faminc and
        # 2.region; in those of _cons, 3.region and 4.region it differs — Stata keeps the
        # base level 1b.region in the instrument set — so it is not compared.)
        Z = np.column_stack([d["pcturban"], np.ones(len(d)), d["faminc"], regions])
        X = np.column_stack([d["hsngval"], d["pcturban"], np.ones(len(d))])
        xzw = X.T @ Z @ est.extra["W"]
        assert_rel(np.linalg.solve(xzw @ Z.T @ X, xzw @ Z.T @ d["rent"].to_numpy(float)),
                   est.b, 1e-9, "W")
        assert est.macros["W_names"].split() == ["pcturban", "_cons", "faminc", "2.region",
                                                 "3.region", "4.region"]
    assert first[0].depvar == "hsngval"
    assert first[0].scalars["N"] == est.scalars["N"]

