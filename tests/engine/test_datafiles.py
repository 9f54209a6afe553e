from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from libs.engine import missing
from libs.engine.dataset import Dataset
from libs.engine.dta_reader import read_dta
from libs.engine.dta_writer import write_dta


def _sample() -> Dataset:
    ds = Dataset.from_columns(
        {"f": np.array([1.5, np.nan, missing.extended(1), 0.1]),
         "b": np.array([1.0, 2.0, missing.extended(26), -5.0]),
         "l": np.array([2147483620.0, -3.0, np.nan, 0.0]),
         "d": np.array([1e300, -2.5, np.nan, 1 / 3]),
         "s": np.array(["x", "héllo", "", "zz"], dtype=object),
         "big": np.array(["a" * 3000, "", "b", "c"], dtype=object)},
        {"f": "float", "b": "byte", "l": "long", "d": "double", "s": "str8", "big": "strL"})
    ds.vars["b"].value_label = "bl"
    ds.value_labels["bl"] = {1.0: "one", 2.0: "two"}
    ds.vars["f"].label = "Var F"
    ds.vars["d"].format = "%9.2f"
    ds.label = "Sample data"
    ds.sortedby = ["b"]
    return ds


def test_dta_round_trip_keeps_types_labels_and_extended_missing(tmp_path):
    ds = _sample()
    write_dta(ds, tmp_path / "s.dta")
    back = read_dta(tmp_path / "s.dta")
    assert back.varnames == ds.varnames
    for name in ds.varnames:
        assert back.vars[name].stype == ds.vars[name].stype
        if ds.vars[name].is_string:
            assert list(back.cols[name]) == list(ds.cols[name])
        else:
            np.testing.assert_array_equal(missing.codes(back.cols[name]),
                                          missing.codes(ds.cols[name]))
            ok = ~np.isnan(ds.cols[name])
            np.testing.assert_array_equal(back.cols[name][ok], ds.cols[name][ok])
    assert back.value_labels == ds.value_labels
    assert (back.vars["b"].value_label, back.vars["f"].label, back.vars["d"].format) == (
        "bl", "Var F", "%9.2f")
    assert (back.label, back.sortedby) == ("Sample data", ["b"])


def test_files_we_write_read_back_in_pyreadstat_and_pandas(tmp_path):
    write_dta(_sample(), tmp_path / "s.dta")
    frame, meta = pyreadstat.read_dta(str(tmp_path / "s.dta"), user_missing=True)
    assert meta.variable_value_labels == {"b": {1: "one", 2: "two"}}
    assert meta.column_names_to_labels["f"] == "Var F"
    assert meta.missing_user_values == {"f": ["a"], "b": ["z"]}
    assert frame["s"].tolist() == ["x", "héllo", "", "zz"]
    assert frame["big"][0] == "a" * 3000
    plain = pd.read_stata(tmp_path / "s.dta", convert_categoricals=False)
    np.testing.assert_allclose(plain["d"].to_numpy()[[0, 1, 3]], [1e300, -2.5, 1 / 3])


@pytest.mark.parametrize("version", [117, 118, 119])
def test_reads_files_written_by_pandas(tmp_path, version):
    frame = pd.DataFrame({"x": np.array([1.25, np.nan, 3.0], dtype=np.float32),
                          "n": np.array([1, 2, 3], dtype=np.int16),
                          "s": ["a", "bb", ""]})
    frame.to_stata(tmp_path / "p.dta", version=version, write_index=False,
                   variable_labels={"x": "The x"}, data_label="From pandas")
    ds = read_dta(tmp_path / "p.dta")
    assert ds.vars["x"].stype == "float"
    assert ds.vars["n"].stype == "int"
    np.testing.assert_array_equal(ds.cols["x"], [1.25, np.nan, 3.0])
    assert list(ds.cols["s"]) == ["a", "bb", ""]
    assert ds.vars["x"].label == "The x"
    assert ds.label == "From pandas"


def test_reads_value_labels_written_by_pyreadstat(tmp_path):
    frame = pd.DataFrame({"g": [1.0, 2.0, 1.0], "y": [0.5, 1.5, np.nan]})
    pyreadstat.write_dta(frame, str(tmp_path / "r.dta"), variable_value_labels={
        "g": {1: "first", 2: "second"}}, column_labels=["Group", "Outcome"])
    ds = read_dta(tmp_path / "r.dta")
    assert ds.value_labels[ds.vars["g"].value_label] == {1.0: "first", 2.0: "second"}
    assert ds.vars["y"].label == "Outcome"


def test_use_save_commands_and_their_errors(stata, tmp_path):
    r = stata("""
        set obs 3
        gen x = _n
        save d
        capture save d
        di _rc
        use d
        gen y = 1
        capture use d
        di _rc
        use d, clear
        capture use nothere, clear
        di _rc
        keep if x > 1
        save d, replace
        use x if x == 3 using d, clear
    """)
    assert r.rc == 0
    assert r.output[1:] == ["602", "4", "601", "(1 observation deleted)", "file d.dta saved"]
    assert r.session.data.n == 1
    assert r.col("x")[0] == 3


def test_reads_every_row_of_a_long_file_written_by_pandas(tmp_path):
    # Past the reader's block of rows and not a multiple of it: each block and the last,
    # partial one land in the right place of every column, missing values where pandas has them.
    rows = 3 * 32768 + 5
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({
        "b": rng.integers(-100, 100, rows).astype(np.int8),
        "i": rng.integers(-30000, 30000, rows).astype(np.int16),
        "l": rng.integers(-2**31 + 1, 2**31 - 100, rows).astype(np.int32),
        "f": rng.standard_normal(rows).astype(np.float32),
        "d": rng.standard_normal(rows),
        "s": rng.choice(["a", "bb", ""], rows),
    })
    frame.loc[rng.random(rows) < 0.1, "f"] = np.nan
    frame.loc[rng.random(rows) < 0.1, "d"] = np.nan
    frame.to_stata(tmp_path / "long.dta", version=118, write_index=False)
    expected = pd.read_stata(tmp_path / "long.dta", convert_categoricals=False)
    ds = read_dta(tmp_path / "long.dta")
    assert ds.n == rows
    for name in ("b", "i", "l", "f", "d"):
        np.testing.assert_array_equal(ds.cols[name], expected[name].to_numpy(np.float64))
    assert list(ds.cols["s"]) == expected["s"].tolist()
