"""The first rows of an input as SS would read it, for the API's preview endpoint."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from libs.datasets.limits import Limits
from libs.datasets.reader import read_table
from libs.datasets.report import Cell, Kind, Preview
from libs.datasets.schema import build_schema, require_rows

#: Rows read to infer types and count missing values; the preview shows fewer.
SCAN_ROWS = 10_000


def preview(
    src: Path,
    filename: str,
    sheet: str | None = None,
    rows: int = 20,
    *,
    limits: Limits | None = None,
) -> Preview:
    """Detected format, encoding, sheets, columns (with Stata names and types) and first rows.

    Types and missing counts come from the first ``SCAN_ROWS`` rows (``complete`` says if
    that was all of them), so a preview of a large file stays fast. A table read whole that
    has a header and no rows is ``INPUT_EMPTY``, as normalising it would be.
    """
    table = read_table(
        src, filename, sheet=sheet, limits=limits or Limits(), max_rows=max(rows, SCAN_ROWS)
    )
    schema = build_schema(table)
    if table.complete:
        require_rows(schema)
    kinds = {c.name: c.kind for c in schema.columns}
    head = schema.frame.head(rows)
    shown = [
        [_cell(v, kinds[name]) for name, v in zip(head.columns, row, strict=True)]
        for row in head.itertuples(index=False)
    ]
    return Preview(
        source=table.source,
        columns=schema.columns,
        rows=shown,
        rows_scanned=len(schema.frame),
        complete=table.complete,
        warnings=schema.warnings,
    )


def _cell(value: object, kind: Kind) -> Cell:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return str(value.date().isoformat() if kind is Kind.DATE else value.isoformat())
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None
        return value
    if hasattr(value, "item"):
        inner: object = value.item()
        return _cell(inner, kind)
    return str(value)
