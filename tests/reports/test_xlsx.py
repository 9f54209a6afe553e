"""xlsx read back with openpyxl: the publication table, sheets, formats, injection."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from dev.report_samples import LABELS, stata_order
from libs.reports import ResultBundle, Table, render
from tests.reports.conftest import Rendered, expected_cells


def displayed(cell: Cell) -> str:
    """What Excel shows for a number under a simple format: quoted literals around 0.00…"""
    value = cell.value
    assert isinstance(value, int | float), f"{cell.coordinate} holds {value!r}, not a number"
    sections = cell.number_format.split(";")
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    shown = abs(value) if value < 0 and len(sections) > 1 else value
    # A negative section prints its own "-" literal before the absolute value.
    match = re.fullmatch(r'(-?)((?:"[^"]*")*)(#,##)?0(?:\.(0+))?((?:"[^"]*")*)', section)
    assert match, f"unexpected format {section!r}"
    sign, before, thousands, decimals, after = match.groups()
    digits = f"{shown:{',' if thousands else ''}.{len(decimals or '')}f}"
    return sign + before.replace('"', "") + digits + after.replace('"', "")


@pytest.fixture(scope="module")
def workbook(rendered: dict[str, list[Path]]) -> openpyxl.Workbook:
    (path,) = rendered["xlsx"]
    assert path.name == "report.xlsx"
    return openpyxl.load_workbook(path)


def _row_of(sheet: Worksheet, label: str) -> int:
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            return int(row[0].row)
    raise AssertionError(f"no row labelled {label!r}")


def test_sheets(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == ["Summary", "Regression", "Coefficients", "Summary statistics",
                                   "Observations by firm", "Comments", "Variables"]


def test_regression_table_prints_stars_and_parenthesised_ses(
        workbook: openpyxl.Workbook, sample: Rendered) -> None:
    sheet = workbook["Regression"]
    labels = [LABELS["value"], LABELS["capital"], "Constant"]
    for column, fit in enumerate(sample.fits, start=2):
        by_term = dict(zip(stata_order(fit.result), labels, strict=True))
        for term, (coef_text, se_text) in zip(fit.result.params.index, expected_cells(fit),
                                              strict=True):
            row = _row_of(sheet, by_term[term])
            assert displayed(sheet.cell(row, column)) == coef_text
            assert displayed(sheet.cell(row + 1, column)) == se_text
            # The value itself is the number (to Excel's 16 digits), usable in a formula.
            assert sheet.cell(row, column).value == pytest.approx(
                float(fit.result.params[term]), rel=1e-15)
        n_row = _row_of(sheet, "Observations")
        assert displayed(sheet.cell(n_row, column)) == f"{int(fit.result.nobs):,}"
        r2_row = _row_of(sheet, "R²")
        assert displayed(sheet.cell(r2_row, column)) == f"{fit.result.rsquared:.4f}"
    assert sheet.cell(3, 4).value == "OLS, clustered"
    assert sheet.freeze_panes is not None
    notes = [c.value for c in sheet["A"] if isinstance(c.value, str)]
    assert any("(3) clustered by firm" in n for n in notes)
    assert "* p<0.10, ** p<0.05, *** p<0.01." in notes


def test_summary_sheet_has_job_template_parameters(workbook: openpyxl.Workbook) -> None:
    values = [c.value for row in workbook["Summary"].iter_rows() for c in row if c.value]
    assert values[0] == "投资回归 Investment regressions"
    for expected in ("job-0001", "ols_compare v1.2.0", "embedded", "value, capital",
                     "2026-11-25T10:00:09+00:00", "grunfeld.csv"):
        assert expected in values


def test_table_sheet_numbers_stay_numbers_and_formulas_are_neutralised(
        workbook: openpyxl.Workbook) -> None:
    sheet = workbook["Comments"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["'=HYPERLINK(\"http://example.invalid\",\"x\")",
                                    "'-5 dollars", "'@SUM(A1:A2)", "'+1 call", "正常的备注"]
    assert [r[2] for r in rows] == [-3.5, 2.25, -0.125, None, 7]
    assert all(cell.data_type == "n" for cell in sheet["C"][1:4])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > 20


def test_variable_map_sheet_carries_chinese_labels(workbook: openpyxl.Workbook) -> None:
    rows = list(workbook["Variables"].iter_rows(min_row=2, values_only=True))
    assert ("grunfeld.csv", "value", "value", "公司市值", "double") in rows


@pytest.mark.parametrize("n", [5000, 20_000])  # in memory; past 50,000 cells, streamed
def test_large_table_streams_every_row(sample: Rendered, tmp_path: Path, n: int) -> None:
    frame = pd.DataFrame({"k": range(n), "x": [i / 3 for i in range(n)],
                          "s": ["=1+1" if i % 2 else "ok" for i in range(n)]})
    bundle = ResultBundle(sample.bundle.context, [], [Table("big", "Big", "table", frame)])
    (path,) = render("xlsx", bundle, sample.raw_dir, tmp_path)
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["Big"].iter_rows(min_row=2, values_only=True))
    book.close()
    assert len(rows) == n
    assert rows[n - 1] == (n - 1, pytest.approx((n - 1) / 3), "'=1+1")
