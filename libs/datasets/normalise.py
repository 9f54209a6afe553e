"""Any supported input -> a Stata .dta the engines read, plus a report of what was done.

The .dta keeps byte/int/float storage types (which change Stata's numbers), variable labels
and value labels; pyreadstat's writer would store every integer as long and every float as
double. ``libs.datasets.writer`` picks the engine's format-118 writer or pandas' (format 119
beyond 32,767 variables, and the rare cases the fast path leaves out).
"""

from __future__ import annotations

import time
from pathlib import Path

from libs.datasets.limits import Limits
from libs.datasets.reader import read_table
from libs.datasets.report import NormaliseReport
from libs.datasets.schema import build_schema, require_rows
from libs.datasets.writer import write_schema

#: Above this many variables Stata needs format 119 (Stata/MP).
MAX_VARS_118 = 32_767


def normalise_to_dta(
    src: Path, dst: Path, *, filename: str, sheet: str | None = None, limits: Limits
) -> NormaliseReport:
    """Read ``src`` (named ``filename`` by the user) and write it to ``dst`` as a .dta.

    ``sheet`` picks a worksheet of a workbook (default: the first visible one). Raises
    ``DatasetError`` for anything that cannot be read; see docs/inputs.md for the codes.
    """
    started = time.perf_counter()
    table = read_table(src, filename, sheet=sheet, limits=limits)
    schema = build_schema(table)
    require_rows(schema)
    version = 119 if len(schema.columns) > MAX_VARS_118 else 118
    write_schema(schema, dst, version)
    return NormaliseReport(
        source=table.source,
        rows=len(schema.frame),
        columns=schema.columns,
        warnings=schema.warnings,
        dta_version=version,
        seconds=round(time.perf_counter() - started, 3),
    )
