"""``DatasetProbe``s: over a pandas DataFrame, and over a normalised ``.dta`` file that is
read only as far as the questions need (the worker's input, checked in a reader child)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from libs.engine.dta_reader import read_columns
from libs.templates.errors import DataShapeInvalid
from libs.templates.metadata import Template
from libs.templates.params import DatasetColumns, ValidatedParams
from libs.templates.shapes import check_shape

#: Clock formats: milliseconds, which are whole numbers without being whole days.
_CLOCK = re.compile(r"^%-?t[cC]")
_STATA_EPOCH = pd.Timestamp("1960-01-01")


class FrameProbe:
    """Answers the shape checks' questions about one DataFrame."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def columns(self) -> DatasetColumns:
        """Column names with whether each is numeric (bools and dates count as numeric, as
        in Stata, where a date is a number with a date format)."""
        return DatasetColumns.of(
            [
                (str(name), _numeric(dtype) or pd.api.types.is_datetime64_any_dtype(dtype))
                for name, dtype in self._frame.dtypes.items()
            ]
        )

    def identifies_rows(self, names: Sequence[str]) -> bool:
        """Whether ``names`` are distinct across the rows where none is missing."""
        keys = self._frame[list(names)].dropna()
        return not bool(keys.duplicated().any())

    def integer_valued(self, name: str) -> bool:
        """Whether ``name`` is numeric and every non-missing value is whole (a daily date is
        a whole number of days in Stata)."""
        column = self._frame[name]
        values = column.dropna()
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            return bool((values == values.dt.normalize()).all())
        if not _numeric(column.dtype):
            return False
        return bool((values == values.round()).all())


def _numeric(dtype: object) -> bool:
    return bool(pd.api.types.is_numeric_dtype(dtype))


class FileProbe:
    """Answers the shape checks' questions about a normalised ``.dta`` reading only the
    columns a question names (memory holds those, not the file: a panel check on 10M rows
    reads two columns). Values are those ``pandas.read_stata`` gives where it matters: clock
    times (``%tc``) are timestamps, so a time variable of clock times is whole only at
    midnight, as ``FrameProbe`` judges them."""

    def __init__(self, path: Path, columns: DatasetColumns) -> None:
        self._path = path
        self._columns = columns
        self._read: dict[str, pd.Series] = {}

    def columns(self) -> DatasetColumns:
        return self._columns

    def identifies_rows(self, names: Sequence[str]) -> bool:
        return FrameProbe(self._frame(names)).identifies_rows(names)

    def integer_valued(self, name: str) -> bool:
        return FrameProbe(self._frame([name])).integer_valued(name)

    def _frame(self, names: Sequence[str]) -> pd.DataFrame:
        missing = [name for name in names if name not in self._read]
        if missing:
            values, formats = read_columns(self._path, missing)
            for name, column in values.items():
                self._read[name] = pd.Series(
                    pd.to_datetime(column, unit="ms", origin=_STATA_EPOCH)
                    if _CLOCK.match(formats[name]) else column)
        return pd.DataFrame({name: self._read[name] for name in names})


class RowsNeeded(Exception):
    """A shape question about the rows, asked of ``ColumnsProbe``."""


class ColumnsProbe:
    """Answers from the column list alone; a question about the rows raises ``RowsNeeded``
    (most templates' shapes need only the columns, which the normalise report gives)."""

    def __init__(self, columns: DatasetColumns) -> None:
        self._columns = columns

    def columns(self) -> DatasetColumns:
        return self._columns

    def identifies_rows(self, names: Sequence[str]) -> bool:
        raise RowsNeeded

    def integer_valued(self, name: str) -> bool:
        raise RowsNeeded


def problems_by_columns(template: Template, params: ValidatedParams,
                        columns: DatasetColumns) -> dict[str, str] | None:
    """``check_shape``'s verdict when the column list settles it (empty: a shape fits; else
    the reason for each), None when it asks about the rows (then ``shape_problems``)."""
    try:
        check_shape(template, params, ColumnsProbe(columns))
    except RowsNeeded:
        return None
    except DataShapeInvalid as exc:
        return exc.reasons
    return {}


def shape_problems(path: Path, template: Template, params: ValidatedParams,
                   columns: DatasetColumns) -> dict[str, str]:
    """``check_shape`` of the normalised input at ``path``: empty when one of the template's
    shapes fits, else the reason for each (the worker runs this in a reader child, under the
    run's memory limit)."""
    try:
        check_shape(template, params, FileProbe(path, columns))
    except DataShapeInvalid as exc:
        return exc.reasons
    return {}
