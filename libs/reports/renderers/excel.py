"""xlsx: a Summary sheet, the publication regression table, one sheet per result table
and the variable map.

Written with xlsxwriter in ``constant_memory`` mode: rows stream to disk in order, so a
100k-row table costs little memory (and it beats openpyxl on time). Strings from user data
go through ``cells.neutralised``; numbers are written as numbers.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from libs.reports import cells
from libs.reports.bundle import ResultBundle, Table
from libs.reports.errors import ReportCode, ReportError
from libs.reports.files import atomic_path
from libs.reports.outline import parameter_pairs, run_pairs, summary
from libs.reports.renderers.excel_regression import Styles, write_coefficients, write_regression

REPORT_FILE = "report.xlsx"

#: Rows an Excel sheet holds, header included.
MAX_ROWS = 1_048_576

#: How much the Figures sheet shrinks each picture, and the height of a default row (pixels).
_FIGURE_SCALE, _ROW_PIXELS = 0.6, 20

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WIDTH_SAMPLE = 500
#: Up to this many result-table cells a workbook is built in memory (a few MB at most).
_IN_MEMORY_CELLS = 50_000


def _buffering(bundle: ResultBundle) -> dict[str, bool]:
    """Big tables stream each row to a temp file (memory stays at one row); a report of
    model tables and small results is assembled in memory, which spares the ~16 temp files
    xlsxwriter otherwise writes, reads back and removes (12 -> 5 ms of CPU for a one-model
    report)."""
    cells = sum(table.frame.size for table in bundle.tables)
    return {"in_memory": True} if cells <= _IN_MEMORY_CELLS else {"constant_memory": True}


def render_xlsx(bundle: ResultBundle, out_dir: Path) -> list[Path]:
    """Write ``report.xlsx`` into ``out_dir``."""
    target = out_dir / REPORT_FILE
    # The workbook's context closes it (and its streaming temp files) even when a sheet
    # fails; atomic_path then drops the half-written file.
    with atomic_path(target) as partial, xlsxwriter.Workbook(str(partial), {
            **_buffering(bundle), "strings_to_numbers": False,
            "strings_to_formulas": False, "strings_to_urls": False}) as workbook:
        workbook.set_properties({"title": bundle.context.template_title,
                                 "created": bundle.context.finished_at()})
        styles = Styles(workbook)
        names = _SheetNames()
        _write_summary(workbook.add_worksheet(names.take("Summary")), bundle, styles)
        if bundle.models:
            write_regression(workbook.add_worksheet(names.take("Regression")), bundle, styles)
            write_coefficients(workbook.add_worksheet(names.take("Coefficients")), bundle, styles)
        for table in bundle.tables:
            _write_table(workbook, workbook.add_worksheet(names.take(table.title)), table, styles)
        if bundle.figures:
            _write_figures(workbook.add_worksheet(names.take("Figures")), bundle, styles)
        if any(data.columns for data in bundle.context.inputs):
            _write_variables(workbook.add_worksheet(names.take("Variables")), bundle, styles)
        for sheet in workbook.worksheets():
            sheet.set_paper(9)  # A4
            sheet.fit_to_pages(1, 0)  # print every column on the page width
    return [target]


class _SheetNames:
    """Valid, unique sheet names: at most 31 characters, none of []:*?/\\."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, wanted: str) -> str:
        base = _SHEET_FORBIDDEN.sub("_", wanted).strip("'") or "Sheet"
        name, number = base[:31], 2
        while name.lower() in self._taken:
            suffix = f" ({number})"
            name, number = base[: 31 - len(suffix)] + suffix, number + 1
        self._taken.add(name.lower())
        return name


def _write_summary(sheet: Worksheet, bundle: ResultBundle, styles: Styles) -> None:
    context = bundle.context
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 70)
    sheet.write_string(0, 0, cells.neutralised(context.template_title), styles.title)
    sheet.set_row(1, 48)
    sheet.merge_range(1, 0, 1, 1, cells.neutralised(summary(bundle)), styles.wrap)
    row = 3
    sections: list[tuple[str, list[tuple[str, str]]]] = [
        ("Run", run_pairs(context)), ("Parameters", parameter_pairs(context)),
        ("Data", [(d.name, f"{d.rows:,} observations, {len(d.columns)} variables")
                  for d in context.inputs])]
    for heading, pairs in sections:
        if not pairs:
            continue
        sheet.write_string(row, 0, heading, styles.heading)
        row += 1
        for name, value in pairs:
            sheet.write_string(row, 0, cells.neutralised(name), styles.bold)
            sheet.write_string(row, 1, cells.neutralised(value))
            row += 1
        row += 1


def _write_variables(sheet: Worksheet, bundle: ResultBundle, styles: Styles) -> None:
    header = ["Input", "Variable", "Stata name", "Label", "Type"]
    rows = [[data.name, c.name, c.stata_name, c.label, c.type]
            for data in bundle.context.inputs for c in data.columns]
    for col, name in enumerate(header):
        sheet.write_string(0, col, name, styles.header)
        width = max([cells.display_width(name)] + [cells.display_width(r[col]) for r in rows])
        sheet.set_column(col, col, min(max(width + 2, 10), 60))
    for number, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            sheet.write_string(number, col, cells.neutralised(value))
    sheet.freeze_panes(1, 0)


def _write_figures(sheet: Worksheet, bundle: ResultBundle, styles: Styles) -> None:
    """The run's figures one under the other, each under its caption."""
    sheet.set_column(0, 0, 12)
    row = 0
    for figure in bundle.figures:
        sheet.write_string(row, 0, cells.neutralised(figure.title), styles.bold)
        height = int.from_bytes(figure.png[20:24], "big")  # from the PNG's IHDR chunk
        sheet.insert_image(row + 1, 0, figure.file, {
            "image_data": io.BytesIO(figure.png), "x_scale": _FIGURE_SCALE,
            "y_scale": _FIGURE_SCALE, "object_position": 3})
        row += 3 + math.ceil(height * _FIGURE_SCALE / _ROW_PIXELS)


def _write_table(workbook: Workbook, sheet: Worksheet, table: Table, styles: Styles) -> None:
    frame = table.frame
    if len(frame) + 1 > MAX_ROWS:
        raise ReportError(ReportCode.TABLE_TOO_LARGE,
                          f"results/{table.name}.csv has {len(frame):,} rows, more than an "
                          f"Excel sheet holds ({MAX_ROWS - 1:,}); use the csv output")
    columns: list[list[Any]] = []
    formats: list[Any] = []
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
                series.dtype):
            columns.append(series.astype("float64").tolist())
            formats.append(workbook.add_format({"num_format": _number_format(series)}))
        else:
            text = cells.neutralised_column(series)
            columns.append(text.astype(object).where(text.notna(), None).tolist())
            formats.append(None)
    header = [cells.neutralised(str(name)) for name in frame.columns]
    for col, name in enumerate(header):
        sheet.write_string(0, col, name, styles.header)
        sheet.set_column(col, col, _width(name, columns[col][:_WIDTH_SAMPLE], formats[col]))
    write_number, write_string = sheet.write_number, sheet.write_string
    # The hot loop of a 100k-row table: plain locals, one call per non-missing cell.
    for row, values in enumerate(zip(*columns, strict=True), start=1):
        for col, value in enumerate(values):
            if value is None or value != value:
                continue
            fmt = formats[col]
            if fmt is None:
                write_string(row, col, value)
            else:
                write_number(row, col, value, fmt)
    sheet.freeze_panes(1, 0)
    if len(frame):
        sheet.autofilter(0, 0, len(frame), len(header) - 1)


def _number_format(series: pd.Series) -> str:
    values = series.dropna()
    if values.empty or (values % 1 == 0).all():
        return "0"
    nonzero = values[values != 0].abs()
    if not nonzero.empty and nonzero.max() < 10**-cells.DECIMALS:
        return "0.00E+00"
    return "0." + "0" * cells.DECIMALS


def _width(header: str, sample: list[Any], number_format: Any) -> float:
    if number_format is not None:
        longest = max((len(cells.plain(v)) for v in sample), default=0)
    else:
        longest = max((cells.display_width(v) for v in sample if v is not None), default=0)
    return float(min(max(cells.display_width(header), longest) + 2, 50))

