"""The numpy reader of format 118/119 data gives what pandas.read_stata gives (text aside,
which it returns as codes over the same values)."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from libs.datasets.dta_frame import read_frame
from libs.engine.dataset import Dataset
from libs.engine.dta_writer import write_dta
from libs.engine.missing import extended


def _pandas(path: Path) -> pd.DataFrame:
    """The reference: pandas' reader as ``libs.datasets.dta`` calls it (warnings ignored)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pd.io.stata.StataReader(path, convert_categoricals=False,
                                     convert_missing=False) as reader:
            frame = reader.read()
    return frame.set_axis(range(frame.shape[1]), axis=1)


def _fast(path: Path, max_rows: int | None = None) -> pd.DataFrame:
    _, meta = pyreadstat.read_dta(str(path), metadataonly=True)
    formats = [meta.original_variable_types[n] or "" for n in meta.column_names]
    frame = read_frame(path.read_bytes(), formats, max_rows)
    assert frame is not None, "the fast reader left the file to pandas"
    return frame


def _same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    for j in fast.columns:
        if isinstance(fast[j].dtype, pd.CategoricalDtype):
            fast[j] = fast[j].astype(slow[j].dtype)
    pd.testing.assert_frame_equal(fast, slow)


def _mixed(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({
        "b": rng.integers(-127, 101, rows).astype(np.int8),
        "i": rng.integers(-32767, 32741, rows).astype(np.int16),
        "l": rng.integers(-2**31 + 1, 2**31 - 28, rows).astype(np.int32),
        "f": rng.normal(size=rows).astype(np.float32),
        "d": np.where(rng.random(rows) < 0.1, np.nan, rng.normal(size=rows)),
        "s": rng.choice(["", "ja", "Zürich", "naïve café"], rows),
        "day": pd.Timestamp("1955-06-01") + pd.to_timedelta(rng.integers(0, 30000, rows), "D"),
        "stamp": pd.Timestamp("2001-02-03 04:05:06.789")
        + pd.to_timedelta(rng.integers(0, 10**9, rows), "s"),
    })


@pytest.mark.parametrize("version", [118, 119])
@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_pandas_written_files(tmp_path: Path, version: int, byteorder: str) -> None:
    path = tmp_path / "mixed.dta"
    _mixed(500).to_stata(path, write_index=False, version=version, byteorder=byteorder,
                         convert_dates={"day": "td", "stamp": "tc"})
    _same(_fast(path), _pandas(path))
    _same(_fast(path, max_rows=7), _pandas(path).iloc[:7])


def test_long_big_endian_file_read_in_blocks(tmp_path: Path) -> None:
    # Numbers are converted a block of rows at a time: more rows than two blocks, a partial
    # last one, bytes swapped, and a row limit that ends inside a block.
    path = tmp_path / "long.dta"
    _mixed(2 * 32768 + 3).to_stata(path, write_index=False, version=118, byteorder=">",
                                   convert_dates={"day": "td", "stamp": "tc"})
    _same(_fast(path), _pandas(path))
    _same(_fast(path, max_rows=40_000), _pandas(path).iloc[:40_000])


def test_missing_codes_dates_as_integers_and_odd_bytes(tmp_path: Path) -> None:
    ds = Dataset()
    ds.n = 6
    nan, a, z = float("nan"), extended(1), extended(26)
    ds.add("b", np.array([1, nan, -127, 100, a, 3.0]), "byte")
    ds.add("i", np.array([z, 2, 3, nan, 5, 6.0]), "int")
    ds.add("l", np.array([7, 8, nan, 10, 11, 12.0]), "long")
    ds.add("f", np.array([0.5, a, nan, 1e30, -1e30, 2.0]), "float")
    ds.add("d", np.array([z, 1e300, nan, -1e300, 0, 1.0]), "double")
    ds.add("day", np.array([0, -3652, nan, 21915, 1, 2.0]), "long", fmt="%td")
    ds.add("s", np.array(["ab", "ab", "xyz", "", "ab", "xyz"], dtype=object), "str3")
    path = tmp_path / "odd.dta"
    write_dta(ds, path)
    # A Latin-1 byte in UTF-8 text, and bytes after a NUL (both read as pandas reads them).
    raw = bytearray(path.read_bytes())
    data = raw.index(b"<data>") + len(b"<data>")
    width = 1 + 2 + 4 + 4 + 8 + 4 + 3
    raw[data + 2 * width - 3 : data + 2 * width] = b"\xe9t\xe9"
    raw[data + 5 * width - 3 : data + 5 * width] = b"x\x00q"
    raw[data + 3 * width] = 0x80  # byte -128, outside Stata's range: missing to pandas
    path.write_bytes(bytes(raw))
    fast, slow = _fast(path), _pandas(path)
    assert slow[6].tolist() == ["ab", "été", "xyz", "", "x", "xyz"]
    # td(01jan1950) = -3652 (Stata manual, [D] Datetime).
    assert pd.isna(slow[0][3])
    assert slow[5][1] == dt.datetime(1950, 1, 1)
    _same(fast, slow)


@pytest.mark.parametrize("fmt", ["%tm", "%tq", "%ty"])
def test_other_date_units_stay_with_pandas(tmp_path: Path, fmt: str) -> None:
    ds = Dataset()
    ds.n = 2
    ds.add("t", np.array([1.0, 2.0]), "int", fmt=fmt)
    path = tmp_path / "units.dta"
    write_dta(ds, path)
    assert read_frame(path.read_bytes(), [fmt], None) is None
