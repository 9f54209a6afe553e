"""reghdfe against pyfixest, which reproduces reghdfe's (and R fixest's) small-sample
conventions: two absorbed factors with singletons, unadjusted, robust, one-way, two-way and
nested clustering.

pyfixest stops its demeaning at 1e-8 (the engine at 1e-12), so standard errors agree to
~1e-8; 1e-6 is asserted.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from libs.stata_stats.hdfe import absorbed_df, drop_singletons, reghdfe
from libs.stata_stats.sample import group_codes
from tests.stata_stats.reference import assert_rel


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 900
    d = pd.DataFrame({"f1": rng.integers(0, 60, n), "f2": rng.integers(0, 12, n),
                      "c1": rng.integers(0, 30, n), "c2": rng.integers(0, 9, n),
                      "x1": rng.normal(size=n), "x2": rng.normal(size=n)})
    d.loc[:4, "f1"] = [100, 101, 102, 103, 104]  # five singletons of f1
    d["y"] = d.x1 - 0.5 * d.x2 + 0.05 * d.f1 + 0.2 * d.f2 + rng.normal(size=n)
    return d


CASES = [
    ("iid", "unadjusted", ()),
    ("hetero", "robust", ()),
    ({"CRV1": "c1"}, "cluster", ("c1",)),
    ({"CRV1": "c1+c2"}, "cluster", ("c1", "c2")),
    ({"CRV1": "f1"}, "cluster", ("f1",)),  # f1 nested in the cluster: its levels not counted
]


@pytest.mark.parametrize(("vcov", "vce", "clustvars"), CASES)
def test_reghdfe_against_pyfixest(vcov: object, vce: str, clustvars: tuple[str, ...]) -> None:
    """Slopes, standard errors, N after singletons, R² and within R², t df."""
    d = _panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.feols("y ~ x1 + x2 | f1 + f2", data=d, vcov=vcov, fixef_rm="singleton")
    est = reghdfe(d.y.to_numpy(float), d[["x1", "x2"]].to_numpy(float), ("x1", "x2"),
                  [d.f1.to_numpy(), d.f2.to_numpy()], depvar="y", absvars=("f1", "f2"),
                  vce=vce, clusters=[d[c].to_numpy() for c in clustvars] or None,
                  clustvars=clustvars)
    assert_rel(est.b[:2], ref.coef().to_numpy(), 1e-9, "b")
    assert_rel(est.se[:2], ref.se().to_numpy(), 1e-6, "se")
    s = est.scalars
    assert s["N"] == ref._N
    assert s["num_singletons"] == 5
    assert_rel([s["r2"], s["r2_within"]], [ref._r2, ref._r2_within], 1e-9, "r2")
    rows = est.sample
    assert rows is not None
    if vce == "cluster":
        assert s["df_r"] == min(d.loc[rows, c].nunique() for c in clustvars) - 1
    # _cons is the grand-mean intercept: ȳ − x̄'b on the estimation sample
    xbar = d.loc[rows, ["x1", "x2"]].mean().to_numpy()
    assert_rel(est.b[2], d.y[rows].mean() - xbar @ est.b[:2], 1e-9, "_cons")


def test_singletons_are_dropped_repeatedly() -> None:
    """Dropping a singleton of one factor can make a singleton of another: repeat."""
    f1 = np.array([0, 0, 1, 1, 2, 3, 3])
    f2 = np.array([0, 0, 1, 2, 2, 3, 3])
    keep = drop_singletons([f1, f2])
    # row 4 is alone in f1=2 → dropped; then row 3 is alone in f2=2 → dropped; then row 2
    # alone in f1=1 and f2=1 → dropped
    assert keep.tolist() == [True, True, False, False, False, True, True]


def test_absorbed_df_counts_connected_components() -> None:
    """Two factors splitting into two connected sets have two redundant levels, not one."""
    f1 = group_codes(np.array([0, 0, 1, 1, 2, 2, 3, 3]))[0]
    f2 = group_codes(np.array([0, 1, 0, 1, 2, 3, 2, 3]))[0]
    assert absorbed_df([f1, f2], [False, False]) == (8.0, 2.0)
    assert absorbed_df([f1, f2], [True, False]) == (8.0, 4.0)
