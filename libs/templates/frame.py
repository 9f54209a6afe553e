"""A ``DatasetProbe`` over a pandas DataFrame (the worker's normalised input)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from libs.templates.params import DatasetColumns


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
