"""The fast .dta writer gives the same file content as pandas' writer, for every corpus case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from libs.datasets import DatasetError
from libs.datasets.limits import Limits
from libs.datasets.reader import read_table
from libs.datasets.schema import build_schema
from libs.datasets.writer import _as_dataset, write_schema, write_with_pandas
from libs.engine.dta_reader import read_dta
from tests.datasets import corpus_dta, corpus_excel  # noqa: F401  (register their cases)
from tests.datasets.corpus import CASES, Case

READABLE = [c for c in CASES if c.error is None]


def _meta(meta: Any) -> dict[str, Any]:
    return {key: getattr(meta, key) for key in (
        "column_names", "column_labels", "original_variable_types",
        "readstat_variable_types", "variable_to_label", "value_labels",
        "variable_display_width", "number_rows")}


@pytest.mark.parametrize("case", READABLE, ids=[c.id for c in READABLE])
def test_same_content_as_pandas(case: Case, tmp_path: Path) -> None:
    src = tmp_path / "upload.bin"
    case.make(src)
    try:
        table = read_table(src, case.filename, sheet=case.sheet, limits=case.limits)
    except DatasetError:
        pytest.fail("a readable corpus case failed to read")
    schema = build_schema(table)
    if schema.frame.empty:
        return
    fast, slow = tmp_path / "fast.dta", tmp_path / "slow.dta"
    write_schema(schema, fast, 118)
    write_with_pandas(schema, slow, 118)
    fast_df, fast_meta = pyreadstat.read_dta(str(fast))
    slow_df, slow_meta = pyreadstat.read_dta(str(slow))
    pd.testing.assert_frame_equal(fast_df, slow_df)
    assert _meta(fast_meta) == _meta(slow_meta)
    # And the engine, which reads what the do-file uses, sees the same data in both.
    fast_ds, slow_ds = read_dta(fast), read_dta(slow)
    assert fast_ds.varnames == slow_ds.varnames
    for name in fast_ds.varnames:
        assert fast_ds.vars[name] == slow_ds.vars[name]
        a, b = fast_ds.cols[name], slow_ds.cols[name]
        if a.dtype == np.float64:
            np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64))  # missing codes too
        else:
            assert list(a) == list(b)
    assert fast_ds.value_labels == slow_ds.value_labels


def test_fast_path_covers_the_common_inputs(tmp_path: Path) -> None:
    """Most corpus inputs take the fast writer (else the test above compares pandas to itself)."""
    taken = []
    for case in READABLE:
        src = tmp_path / f"{case.id}.bin"
        case.make(src)
        schema = build_schema(read_table(src, case.filename, sheet=case.sheet,
                                         limits=case.limits))
        taken.append(_as_dataset(schema) is not None)
    assert sum(taken) >= 0.8 * len(taken), f"fast path for {sum(taken)} of {len(taken)}"


def test_numbers_beyond_stata_range_keep_pandas_refusal(tmp_path: Path) -> None:
    src = tmp_path / "big.csv"
    src.write_text("x,y\n1e308,1\n2,2\n", encoding="utf-8")
    schema = build_schema(read_table(src, "big.csv", sheet=None, limits=Limits()))
    assert _as_dataset(schema) is None
    with pytest.raises(ValueError, match="outside the range"):
        write_schema(schema, tmp_path / "big.dta", 118)
