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
        """Column names with whether each is numeric (bools count as numeric, as in Stata)."""
        return DatasetColumns.of(
            [
                (str(name), bool(pd.api.types.is_numeric_dtype(dtype)))
                for name, dtype in self._frame.dtypes.items()
            ]
        )

    def identifies_rows(self, names: Sequence[str]) -> bool:
        """Whether ``names`` are distinct across the rows where none is missing."""
        keys = self._frame[list(names)].dropna()
        return not bool(keys.duplicated().any())

    def integer_valued(self, name: str) -> bool:
        """Whether ``name`` is numeric and every non-missing value is whole."""
        column = self._frame[name]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            return False
        values = column.dropna()
        return bool((values == values.round()).all())
