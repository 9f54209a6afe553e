"""One entry point over the format readers: detect, then read into a ``Table``."""

from __future__ import annotations

from pathlib import Path

from libs.datasets.csv import read_csv
from libs.datasets.detect import detect_format
from libs.datasets.dta import read_dta
from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.excel import read_excel
from libs.datasets.limits import Limits
from libs.datasets.report import Format
from libs.datasets.table import Table


def read_table(
    src: Path, filename: str, *, sheet: str | None, limits: Limits, max_rows: int | None = None
) -> Table:
    """Detect the format of ``src`` and read it (only the first ``max_rows`` rows if given)."""
    detection = detect_format(src, filename, limits)
    if sheet is not None and detection.format not in (Format.XLSX, Format.XLS):
        raise DatasetError(
            DatasetErrorCode.INPUT_SHEET_NOT_FOUND,
            f"A sheet was requested but the file is {detection.format.value}, not a workbook.",
            sheet=sheet,
            sheets=[],
        )
    if detection.format is Format.CSV:
        table = read_csv(src, limits, max_rows=max_rows)
    elif detection.format is Format.DTA:
        table = read_dta(src, detection.dta_version or 0, limits, max_rows=max_rows)
    else:
        table = read_excel(src, detection.format, limits, sheet=sheet, max_rows=max_rows)
    table.warnings[:0] = detection.warnings
    if not table.originals:
        raise DatasetError(DatasetErrorCode.INPUT_EMPTY, "The input has no columns.")
    return table
