"""A table as the report formats lay it out: header rows, body rows, rules and notes.

docx, pdf and html draw the same ``Grid`` in booktabs style (a rule above the header,
one under it, one at the bottom, and optional thin rules inside the body), so a table is
built once and every format shows identical text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from libs.reports import cells
from libs.reports.bundle import Table

#: Column alignment: left, centre, right.
Align = Literal["l", "c", "r"]

#: Rows of a generic table shown in docx/pdf/html; xlsx and csv always carry every row.
PREVIEW_ROWS = 200


@dataclass(frozen=True, slots=True)
class Grid:
    """A booktabs table: ``rules_after`` lists body rows followed by a thin rule; an empty
    ``title`` means the table needs no caption (its section heading says it all)."""

    title: str
    header: list[list[str]]
    body: list[list[str]]
    align: list[Align]
    rules_after: frozenset[int] = frozenset()
    notes: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        """Number of columns."""
        return len(self.align)


def table_grid(table: Table) -> Grid:
    """A generic result table, its first ``PREVIEW_ROWS`` rows, numbers right-aligned."""
    frame = table.frame
    preview = frame.head(PREVIEW_ROWS)
    numeric = [pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes]
    body = [[cells.plain(_scalar(value)) for value in row]
            for row in preview.itertuples(index=False, name=None)]
    notes = []
    if len(frame) > len(preview):
        notes.append(f"Showing the first {len(preview):,} of {len(frame):,} rows; "
                     "the xlsx and csv outputs carry every row.")
    return Grid(title=table.title, header=[[str(c) for c in frame.columns]], body=body,
                align=["r" if is_num else "l" for is_num in numeric], notes=notes)


def pairs_grid(title: str, header: tuple[str, str], pairs: list[tuple[str, str]]) -> Grid:
    """A two-column name/value table (parameters, run details)."""
    return Grid(title=title, header=[list(header)], body=[list(pair) for pair in pairs],
                align=["l", "l"])


def _scalar(value: object) -> object:
    """numpy scalars to Python ones so ``cells.plain`` sees int/float/str."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value
