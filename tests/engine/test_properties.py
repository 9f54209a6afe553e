"""Property tests against pandas: collapse, reshape round trips, merge outcomes, egen."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libs.engine.batch import run_source
from libs.engine.dataset import Dataset
from libs.engine.dta_writer import write_dta
from libs.engine.log import Log
from libs.engine.session import Session

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

groups = st.lists(st.integers(0, 4), min_size=1, max_size=30)
values = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))


def run(workdir: Path, data: dict[str, np.ndarray], source: str) -> Session:
    session = Session(workdir, Log(io.StringIO()))
    session.data = Dataset.from_columns(data, dict.fromkeys(data, "double"))
    rc = run_source(session, source)
    assert rc == 0, session.log
    return session


@SETTINGS
@given(g=groups, data=st.data())
def test_collapse_matches_pandas_groupby(tmp_path, g, data):
    x = np.array(data.draw(st.lists(values | st.just(np.nan), min_size=len(g), max_size=len(g))))
    gcol = np.array(g, dtype=float)
    session = run(tmp_path, {"g": gcol, "x": x},
                  "collapse (mean) m=x (sum) s=x (count) n=x (max) hi=x (min) lo=x, by(g)")
    frame = pd.DataFrame({"g": gcol, "x": x}).groupby("g")["x"]
    out = session.data
    np.testing.assert_array_equal(out.cols["g"], np.sort(np.unique(gcol)))
    np.testing.assert_allclose(out.cols["m"], frame.mean().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(out.cols["s"], frame.sum().to_numpy(), rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(out.cols["n"], frame.count().to_numpy())
    np.testing.assert_array_equal(out.cols["hi"], frame.max().to_numpy())
    np.testing.assert_array_equal(out.cols["lo"], frame.min().to_numpy())


@SETTINGS
@given(n_id=st.integers(1, 6), years=st.lists(st.integers(1990, 2030), min_size=1, max_size=4,
                                              unique=True), data=st.data())
def test_reshape_long_then_wide_is_the_identity(tmp_path, n_id, years, data):
    cols: dict[str, np.ndarray] = {"id": np.arange(1, n_id + 1, dtype=float)}
    for y in sorted(years):
        cols[f"v{y}"] = np.array(data.draw(st.lists(values, min_size=n_id, max_size=n_id)))
    session = run(tmp_path, cols, "reshape long v, i(id) j(year)")
    long = session.data
    frame = pd.DataFrame(cols).melt(id_vars="id", var_name="year", value_name="v")
    frame["year"] = frame["year"].str[1:].astype(float)
    frame = frame.sort_values(["id", "year"]).reset_index(drop=True)
    np.testing.assert_array_equal(long.cols["year"], frame["year"].to_numpy())
    np.testing.assert_array_equal(long.cols["v"], frame["v"].to_numpy())
    assert run_source(session, "reshape wide v, i(id) j(year)") == 0
    wide = session.data
    assert wide.varnames == list(cols)
    for name, col in cols.items():
        np.testing.assert_array_equal(wide.cols[name], col)


@SETTINGS
@given(master=st.lists(st.integers(0, 8), min_size=0, max_size=15),
       using=st.lists(st.integers(0, 8), min_size=0, max_size=10, unique=True))
def test_merge_m1_outcomes_match_pandas_indicator(tmp_path, master, using):
    u = Dataset.from_columns({"k": np.array(using, dtype=float),
                              "uv": np.array(using, dtype=float) * 10},
                             {"k": "double", "uv": "double"})
    write_dta(u, tmp_path / "u.dta")
    session = Session(tmp_path, Log(io.StringIO()))
    session.data = Dataset.from_columns({"k": np.array(master, dtype=float),
                                         "row": np.arange(len(master), dtype=float)},
                                        {"k": "double", "row": "double"})
    if not master and not using:
        return
    assert run_source(session, "merge m:1 k using u") == 0
    got = session.data
    expected = pd.DataFrame({"k": master, "row": range(len(master))}).merge(
        pd.DataFrame({"k": using, "uv": np.array(using) * 10.0}), on="k", how="outer",
        indicator=True)
    codes = {"left_only": 1.0, "right_only": 2.0, "both": 3.0}
    want = sorted(zip(expected["k"].astype(float), expected["_merge"].map(codes).astype(float),
                      strict=True))
    have = sorted(zip(got.cols["k"].tolist(), got.cols["_merge"].tolist(), strict=True))
    assert have == want
    matched = got.cols["_merge"] == 3
    np.testing.assert_array_equal(got.cols["uv"][matched], got.cols["k"][matched] * 10)
    assert np.isnan(got.cols["uv"][got.cols["_merge"] == 1]).all()
    # master observations keep their order, using-only observations come last
    rows = got.cols["row"][~np.isnan(got.cols["row"])]
    np.testing.assert_array_equal(rows, np.arange(len(master)))


@SETTINGS
@given(g=groups, data=st.data())
def test_egen_group_statistics_match_pandas_transform(tmp_path, g, data):
    x = np.array(data.draw(st.lists(values | st.just(np.nan), min_size=len(g), max_size=len(g))))
    gcol = np.array(g, dtype=float)
    session = run(tmp_path, {"g": gcol, "x": x}, """
        egen double m = mean(x), by(g)
        egen double t = total(x), by(g)
        egen double c = count(x), by(g)
        egen double s = sd(x), by(g)
        egen double md = median(x), by(g)
        egen grp = group(g)
    """)
    frame = pd.DataFrame({"g": gcol, "x": x}).groupby("g")["x"]
    out = session.data.cols
    np.testing.assert_allclose(out["m"], frame.transform("mean").to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(out["t"], frame.transform("sum").to_numpy(), rtol=1e-12,
                               atol=1e-9)
    np.testing.assert_array_equal(out["c"], frame.transform("count").to_numpy())
    np.testing.assert_allclose(out["s"], frame.transform("std").to_numpy(), rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(out["md"], frame.transform("median").to_numpy(), rtol=1e-12)
    ranks = pd.Series(gcol).rank(method="dense").to_numpy()
    np.testing.assert_array_equal(out["grp"], ranks)


@SETTINGS
@given(data=st.data(), n=st.integers(1, 20))
def test_comparisons_and_arithmetic_follow_stata_missing_rules(tmp_path, data, n):
    a = np.array(data.draw(st.lists(values | st.just(np.nan), min_size=n, max_size=n)))
    b = np.array(data.draw(st.lists(values | st.just(np.nan), min_size=n, max_size=n)))
    session = run(tmp_path, {"a": a, "b": b}, """
        gen double lt = a < b
        gen double ge = a >= b
        gen double eq = a == b
        gen double sm = a + b
        gen double dv = a / b
        gen double mx = max(a, b)
    """)
    out = session.data.cols
    ka, kb = np.where(np.isnan(a), np.inf, a), np.where(np.isnan(b), np.inf, b)  # . is largest
    np.testing.assert_array_equal(out["lt"], (ka < kb).astype(float))
    np.testing.assert_array_equal(out["ge"], (ka >= kb).astype(float))
    np.testing.assert_array_equal(out["eq"], (ka == kb).astype(float))
    np.testing.assert_array_equal(out["sm"], a + b)
    with np.errstate(all="ignore"):
        expected_div = np.where(b == 0, np.nan, a / b)
    np.testing.assert_array_equal(out["dv"], expected_div)
    np.testing.assert_array_equal(out["mx"], np.fmax(a, b))
