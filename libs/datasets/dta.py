"""Stata datasets, formats 104-119: data through numpy (118, 119: ``dta_frame``) or pandas,
labels and types through pyreadstat.

``pandas.read_stata`` reads the data several times faster than pyreadstat, but widens integer
columns that hold missing values to float64; pyreadstat's metadata-only pass (milliseconds)
supplies what pandas drops: the storage type of every variable, variable labels and value
labels. Date variables come back as datetimes and are written back in their own unit
(%td, %tc, %tw, %tm, %tq, %th, %ty).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pyreadstat

from libs.datasets.dta_frame import read_frame
from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.limits import Limits
from libs.datasets.report import Format, Kind, Source
from libs.datasets.table import Table

DATE_UNITS = ("tc", "td", "tw", "tm", "tq", "th", "ty")


def read_dta(path: Path, version: int, limits: Limits, *, max_rows: int | None = None) -> Table:
    """Read the Stata dataset at ``path`` with its labels and storage types."""
    try:
        _, meta = pyreadstat.read_dta(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat raises several unrelated types for damaged files
        raise _corrupt(exc) from exc
    names = [str(n) if n is not None else "" for n in meta.column_names]
    rows = int(meta.number_rows or 0)
    if rows * len(names) > limits.max_cells and max_rows is None:
        raise DatasetError(
            DatasetErrorCode.INPUT_TOO_MANY_CELLS,
            f"The dataset has {rows} x {len(names)} cells; the limit is {limits.max_cells}.",
            cells=rows * len(names),
            limit=limits.max_cells,
        )
    formats = {k: v or "" for k, v in meta.original_variable_types.items()}
    frame = _read_frame(path, names, [formats.get(n, "") for n in names], max_rows)
    if version < 118:
        _recover_utf8(frame)
    types: dict[str, str] = dict(meta.readstat_variable_types)
    kinds: list[Kind] = []
    declared: dict[int, str] = {}
    date_units: dict[int, str] = {}
    for j, name in enumerate(names):
        unit = _date_unit(formats.get(name, ""))
        if types.get(name) == "string":
            kinds.append(Kind.STRING)
        elif unit is not None and pd.api.types.is_datetime64_any_dtype(frame[j]):
            kinds.append(Kind.DATETIME if unit == "tc" else Kind.DATE)
            date_units[j] = unit
        elif pd.api.types.is_numeric_dtype(frame[j]):
            kinds.append(Kind.NUMERIC)
            declared[j] = types.get(name, "double")
        else:
            raise _corrupt(ValueError(f"variable {name!r} is declared numeric but holds text"))
    labels = {j: meta.column_names_to_labels.get(n) or "" for j, n in enumerate(names)}
    value_labels = {
        j: {float(k): str(v) for k, v in meta.variable_value_labels[n].items()}
        for j, n in enumerate(names)
        if n in meta.variable_value_labels
    }
    return Table(
        frame=frame,
        originals=names,
        kinds=kinds,
        source=Source(format=Format.DTA, dta_version=version, encoding=meta.file_encoding),
        labels={j: v for j, v in labels.items() if v},
        value_labels=value_labels,
        declared_types=declared,
        date_units=date_units,
        complete=max_rows is None or len(frame) >= rows,
    )


def _read_frame(
    path: Path, names: list[str], formats: list[str], max_rows: int | None
) -> pd.DataFrame:
    fast = read_frame(path.read_bytes(), formats, max_rows)
    if fast is not None:
        return fast
    try:
        with warnings.catch_warnings():
            # Old files trigger informational warnings (e.g. dates outside pandas' range).
            warnings.simplefilter("ignore")
            with pd.io.stata.StataReader(
                path, convert_categoricals=False, convert_missing=False
            ) as reader:
                frame = reader.read(nrows=max_rows)
    except Exception:  # pandas lacks some corner cases pyreadstat handles
        try:
            frame, _ = pyreadstat.read_dta(str(path), row_limit=max_rows or 0)
        except Exception as exc:
            raise _corrupt(exc) from exc
    if max_rows is not None:
        frame = frame.iloc[:max_rows]
    if frame.shape[1] != len(names):
        raise _corrupt(ValueError(f"{frame.shape[1]} columns read, {len(names)} declared"))
    return frame.set_axis(range(len(names)), axis=1)


def _recover_utf8(frame: pd.DataFrame) -> None:
    """Undo Latin-1 decoding of UTF-8 text in pre-118 files.

    Stata before 14 wrote Latin-1 (pandas decodes so), but R's haven and pyreadstat write
    UTF-8 bytes into old formats too. Latin-1 text with accents is almost never valid UTF-8,
    so a column whose bytes all decode as UTF-8 was written as UTF-8.
    """
    for j in frame.columns:
        column = frame[j]
        if (
            not pd.api.types.is_string_dtype(column)
            or not column.str.contains(r"[\x80-\xff]", regex=True, na=False).any()
        ):
            continue
        try:
            frame[j] = column.map(
                lambda v: v.encode("latin-1").decode("utf-8") if isinstance(v, str) else v
            )
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue


def _date_unit(fmt: str) -> str | None:
    unit = fmt.lstrip("%-").lower()[:2]
    return unit if unit in DATE_UNITS else None


def _corrupt(exc: BaseException) -> DatasetError:
    return DatasetError(
        DatasetErrorCode.INPUT_CORRUPT,
        f"The Stata dataset could not be read: {exc}",
        reason=str(exc),
    )
