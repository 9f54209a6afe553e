"""``cross``, ``fillin`` and ``contract`` as Stata's [D] manual describes them; frequencies
checked against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from libs.engine.dta_reader import read_dta


def test_cross_pairs_every_observation_in_memory_with_every_one_in_the_file(stata):
    # [D] cross, example 1: three age categories crossed with two sexes
    r = stata("""
        set obs 2
        gen str6 sex = cond(_n == 1, "male", "female")
        gen k = 9
        save sex
        clear
        set obs 3
        gen agecat = 10 * (_n + 1)
        gen k = _n
        cross using sex
    """)
    assert r.rc == 0, r.log
    assert list(r.col("agecat")) == [20, 20, 30, 30, 40, 40]
    assert list(r.col("sex")) == ["male", "female"] * 3
    assert list(r.col("k")) == [1, 1, 2, 2, 3, 3]  # a common variable keeps the memory values


def test_fillin_adds_the_missing_combinations_and_marks_them(stata):
    r = stata("""
        input sex race edu income
        0 1 1 10
        0 2 1 11
        1 1 2 12
        . 1 1 13
        end
        fillin sex race edu
    """)
    assert r.rc == 0, r.log
    data = r.session.data.to_pandas()
    keys = ["sex", "race", "edu"]
    # every combination of the values (missing counts as a value), sorted, 3 x 2 x 2
    levels = [sorted(set(data[k].fillna(np.inf))) for k in keys]
    expected = pd.MultiIndex.from_product(levels).to_frame(index=False).to_numpy()
    np.testing.assert_array_equal(data[keys].fillna(np.inf).to_numpy(), expected)
    assert data["_fillin"].sum() == 12 - 4
    original = data[data["_fillin"] == 0]
    assert sorted(original["income"]) == [10, 11, 12, 13]
    assert data.loc[data["_fillin"] == 1, "income"].isna().all()
    assert r.session.data.vars["_fillin"].stype == "byte"
    r2 = stata("""
        set obs 2
        gen a = _n
        gen b = _n
        gen _fillin = 0
        capture fillin a b
        di _rc
    """)
    assert r2.output[-1] == "110"


def test_contract_frequencies_percentages_and_zero_combinations(stata):
    r = stata("""
        clear
        set obs 40
        gen a = mod(_n, 3)
        gen b = mod(_n * _n, 4)
        replace a = . in 1/2
        gen w = 1 + mod(_n, 2)
        save src
        contract a b [fw=w], percent(pct) cfreq(cf) cpercent(cpct)
        save out1
        use src, clear
        contract a b, zero nomiss freq(n)
    """)
    assert r.rc == 0, r.log
    src = pd.DataFrame({"n": np.arange(1, 41)})
    src["a"] = (src["n"] % 3).astype(float)
    src.loc[:1, "a"] = np.nan
    src["b"] = (src["n"] ** 2 % 4).astype(float)
    src["w"] = 1 + src["n"] % 2
    counts = src.groupby(["a", "b"], dropna=False)["w"].sum().reset_index()
    out1 = read_dta(r.session.workdir / "out1.dta")
    np.testing.assert_array_equal(out1.numeric("_freq"), counts["w"].to_numpy())
    np.testing.assert_array_equal(out1.numeric("a"), counts["a"].to_numpy())
    total = counts["w"].sum()
    np.testing.assert_allclose(out1.numeric("pct"), 100 * counts["w"] / total, rtol=1e-12)
    np.testing.assert_allclose(out1.numeric("cpct"), 100 * counts["w"].cumsum() / total,
                               rtol=1e-12)
    assert out1.vars["pct"].stype == "double"
    assert out1.vars["pct"].format == "%8.2f"
    assert out1.vars["_freq"].stype == "byte"  # compressed, as contract does
    assert out1.vars["cf"].stype == "byte"
    # zero + nomiss: every combination of the non-missing values, absent ones with 0
    plain = src.dropna().groupby(["a", "b"]).size()
    full = plain.reindex(pd.MultiIndex.from_product(plain.index.levels), fill_value=0)
    np.testing.assert_array_equal(r.col("n"), full.to_numpy())
    assert r.session.data.varnames == ["a", "b", "n"]


def test_contract_errors(stata):
    r = stata("""
        set obs 3
        gen a = _n
        gen _freq = 1
        capture contract a
        di _rc
        capture contract a, freq(f) float
        di _rc
    """)
    assert r.output[-2:] == ["110", "198"]
