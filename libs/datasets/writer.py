"""Writing a normalised ``Schema`` as a .dta file.

The common case (format 118; byte/int/long/float/double, strN/strL, %td/%tc dates) goes
through the engine's own format-118 writer: for the small inputs most jobs send, pandas'
``to_stata`` spends ~1.7 ms on fixed per-call work against ~0.3 ms here, and that time sits
on every job's path. Everything else (format 119, other date units, unexpected column types,
numbers past Stata's range, which pandas refuses with a message) goes to pandas as before.
tests/datasets/test_writer.py checks that both writers give the same file content.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.datasets.column_types import NUMERIC_DTYPES
from libs.datasets.schema import Schema
from libs.engine.dataset import Column, Dataset, Variable
from libs.engine.dta_writer import Coded, write_dta
from libs.engine.storage_types import default_format, is_string_type

#: pandas' own limits (``pandas.io.stata``): past them it refuses a double with a clear error
#: or widens a float, so such columns go to pandas.
_MAX = {"double": 8.988465674311579e307, "float": 1.7014117331926443e38}
_EPOCH_MS = np.datetime64("1960-01-01T00:00:00", "ms").astype(np.int64)
_MS_PER_DAY = 86_400_000


def write_schema(schema: Schema, dst: Path, version: int) -> None:
    """Write ``schema`` to ``dst`` as a .dta of ``version`` (118 or 119)."""
    found = _as_dataset(schema) if version == 118 else None
    if found is not None:
        write_dta(found[0], dst, found[1])
        return
    write_with_pandas(schema, dst, version)


def write_with_pandas(schema: Schema, dst: Path, version: int) -> None:
    """``pandas.to_stata``, which would write a categorical column as numbers with value
    labels: text held as codes goes as text."""
    coded = [c for c in schema.frame.columns
             if isinstance(schema.frame[c].dtype, pd.CategoricalDtype)]
    schema.frame.astype(dict.fromkeys(coded, "str")).to_stata(
        dst,
        write_index=False,
        version=version,
        convert_dates=schema.dates,
        variable_labels=schema.variable_labels,
        value_labels=schema.value_labels,
        convert_strl=schema.strl,
    )


def _as_dataset(schema: Schema) -> tuple[Dataset, dict[str, Coded]] | None:
    """The schema as an engine dataset and its text columns held as codes, or None when the
    fast writer does not cover it."""
    ds = Dataset()
    ds.n = len(schema.frame)
    coded: dict[str, Coded] = {}
    for column in schema.columns:
        name, stype = column.name, column.storage
        values = schema.frame[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            if not is_string_type(stype) or bool((values.cat.codes < 0).any()):
                return None
            coded[name] = (values.cat.codes.to_numpy(), list(values.cat.categories))
        else:
            col = _column(values, stype, schema.dates.get(name))
            if col is None:
                return None
            ds.cols[name] = col
        fmt = column.format or default_format(stype)
        label = schema.value_labels.get(name)
        ds.vars[name] = Variable(name, stype, fmt, schema.variable_labels.get(name, ""),
                                 value_label=name if label else "")
        if label:
            ds.value_labels[name] = dict(label)
    return ds, coded


def _column(values: pd.Series, stype: str, date_unit: str | None) -> Column | None:
    if date_unit is not None:
        if date_unit not in ("td", "tc") or values.dtype.kind != "M":
            return None
        missing = values.isna().to_numpy()
        ms = values.dt.as_unit("ms").to_numpy().astype(np.int64) - _EPOCH_MS
        days: npt.NDArray[np.float64] = (ms // _MS_PER_DAY if date_unit == "td" else ms).astype(
            np.float64)
        days[missing] = np.nan
        return days
    if is_string_type(stype):
        if not pd.api.types.is_string_dtype(values.dtype):
            return None
        text: npt.NDArray[np.object_] = values.to_numpy(dtype=object)
        # Only text, no missing cells (C-level check; "empty" is a column without rows).
        if pd.api.types.infer_dtype(text, skipna=False) not in ("string", "empty"):
            return None
        return text
    if str(values.dtype) != NUMERIC_DTYPES.get(stype):
        return None
    numbers: npt.NDArray[np.float64] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    limit = _MAX.get(stype)
    if limit is not None and numbers.size and np.nanmax(np.abs(numbers), initial=0.0) > limit:
        return None
    return numbers
