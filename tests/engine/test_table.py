"""``table`` in Stata 17's syntax: one statistic by the levels of a row and a column variable,
with totals ([R] table summary). Cell values against pandas groupby / crosstab; the
statistics' definitions (sd with n − 1, percentiles by Stata's rule) as summarize's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def data(tmp_path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(21)
    df = pd.DataFrame({"a": rng.integers(1, 4, 300), "b": rng.integers(1, 3, 300),
                       "x": rng.normal(10, 3, 300)})
    df.loc[rng.random(300) < .1, "x"] = np.nan
    df.to_csv(tmp_path / "t.csv", index=False)
    return df


def _grid(output: list[str], first: str) -> dict[str, list[str]]:
    start = next(i for i, ln in enumerate(output) if ln.startswith(first))
    rows: dict[str, list[str]] = {}
    for line in output[start + 1:]:
        if line.startswith("-"):
            break
        label, _, cells = line.partition("|")
        rows[label.strip()] = cells.split()
    return rows


def test_two_way_mean_with_totals(stata, data):
    r = stata("""
        import delimited t.csv, clear asdouble
        table a b, statistic(mean x)
    """)
    assert r.rc == 0, r.log
    grid = _grid(r.output, "a ")
    d = data.dropna(subset=["x"])
    means = d.pivot_table(index="a", columns="b", values="x", aggfunc="mean")
    for a in (1, 2, 3):
        got = [float(v) for v in grid[str(a)]]
        want = [*means.loc[a].tolist(), d[d.a == a].x.mean()]
        np.testing.assert_allclose(got, want, rtol=1e-6)
    total = [float(v) for v in grid["Total"]]
    np.testing.assert_allclose(total, [*d.groupby("b").x.mean().tolist(), d.x.mean()],
                               rtol=1e-6)
    header = r.output[r.output.index(next(ln for ln in r.output if ln.startswith("a "))) - 2]
    assert header.split("|")[1].split() == ["1", "2", "Total"]


def test_frequencies_sd_and_nototals(stata, data):
    r = stata("""
        import delimited t.csv, clear asdouble
        table a
        table (a) (b), statistic(sd x) nototals
    """)
    assert r.rc == 0, r.log
    counts = _grid(r.output, "a ")
    assert [int(counts[str(a)][0]) for a in (1, 2, 3)] == \
        data.a.value_counts().sort_index().tolist()
    assert int(counts["Total"][0].replace(",", "")) == 300
    second = r.output[next(i for i, ln in enumerate(r.output) if ln.startswith("a ")) + 1:]
    sds = _grid(second, "a ")
    d = data.dropna(subset=["x"])
    want = d.pivot_table(index="a", columns="b", values="x", aggfunc="std")
    for a in (1, 2, 3):
        np.testing.assert_allclose([float(v) for v in sds[str(a)]], want.loc[a].tolist(),
                                   rtol=1e-6)
    assert "Total" not in sds


def test_unsupported_forms_are_refused(stata, data):
    r = stata("""
        import delimited t.csv, clear
        capture table a b, statistic(mean x) statistic(sd x)
        display _rc
        capture table (a b) (), statistic(mean x)
        display _rc
    """)
    assert r.output[-2:] == ["198", "198"]
