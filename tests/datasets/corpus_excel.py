"""The corpus's workbooks (xlsx and hand-built BIFF8 xls), registered into ``corpus.CASES``."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from libs.datasets import Limits, NormaliseReport
from tests.datasets import builders
from tests.datasets.corpus import Check, case, col, names_of

ROWS = [
    (1, "Ann", 10.5, dt.date(2020, 1, 31)),
    (2, "Bob", 11.25, dt.date(2021, 7, 4)),
    (3, "Cy", -3.0, dt.date(1999, 12, 31)),
]


def _rows_check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
    assert col(df, "id") == [r[0] for r in ROWS]
    assert col(df, "name") == [r[1] for r in ROWS]
    assert col(df, "value") == [r[2] for r in ROWS]
    assert [pd.Timestamp(v).date() for v in df["when"]] == [r[3] for r in ROWS]
    assert {c.name: c.format for c in report.columns}["when"] == "%td"


def _workbook(path: Path, build: Any) -> None:
    wb = xlsxwriter.Workbook(str(path))
    build(wb, wb.add_format({"num_format": "yyyy-mm-dd"}))
    wb.close()


def _write_rows(ws: Any, datefmt: Any, top: int = 0) -> None:
    ws.write_row(top, 0, ["id", "name", "value", "when"])
    for i, (a, b, c, d) in enumerate(ROWS, start=top + 1):
        ws.write_row(i, 0, [a, b, c])
        ws.write_datetime(i, 3, dt.datetime.combine(d, dt.time()), datefmt)


# ------------------------------------------------------------------ xlsx


@case("xlsx-basic-formula-cached", "book.xlsx")
def _xlsx_basic(path: Path) -> Check:
    def build(wb: Any, datefmt: Any) -> None:
        ws = wb.add_worksheet("Data")
        _write_rows(ws, datefmt)
        ws.write(0, 4, "double")
        for i, r in enumerate(ROWS, start=1):
            ws.write_formula(i, 4, f"=C{i + 1}*2", None, r[2] * 2)

    _workbook(path, build)

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        _rows_check(report, df, meta)
        assert names_of(report)["double"] == "double_"  # a reserved word
        assert col(df, "double_") == [r[2] * 2 for r in ROWS]
        assert report.source.sheet == "Data"

    return check


@case("xlsx-hidden-first-sheet", "hidden.xlsx")
def _xlsx_hidden(path: Path) -> Check:
    def build(wb: Any, datefmt: Any) -> None:
        secret = wb.add_worksheet("Lookup")
        secret.write_row(0, 0, ["k", "v"])
        secret.write_row(1, 0, [1, 2])
        _write_rows(wb.add_worksheet("Data"), datefmt)
        wb.worksheets()[1].activate()
        secret.hide()

    _workbook(path, build)

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.sheet == "Data"
        assert [(s.name, s.hidden) for s in report.source.sheets] == [
            ("Lookup", True),
            ("Data", False),
        ]
        _rows_check(report, df, meta)

    return check


@case("xlsx-select-hidden-sheet", "hidden.xlsx", sheet="lookup")
def _xlsx_select_hidden(path: Path) -> Check:
    _xlsx_hidden(path)

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.sheet == "Lookup"
        assert col(df, "v") == [2]
        assert any(n.code == "HIDDEN_SHEET" for n in report.warnings)

    return check


@case("xlsx-sheet-not-found", "book.xlsx", sheet="Nope", error="INPUT_SHEET_NOT_FOUND")
def _xlsx_missing_sheet(path: Path) -> None:
    _xlsx_basic(path)


@case("xlsx-title-and-merged-header", "survey.xlsx")
def _xlsx_merged(path: Path) -> Check:
    def build(wb: Any, datefmt: Any) -> None:
        ws = wb.add_worksheet("Survey")
        ws.merge_range(0, 0, 0, 3, "Household survey 2024")
        ws.merge_range(1, 1, 1, 2, "Income")
        ws.merge_range(1, 0, 2, 0, "id")
        ws.write(1, 3, "")
        ws.write_row(2, 1, ["2020", "2021", ""])
        for i in range(3):
            ws.write_row(3 + i, 0, [i + 1, 100.0 * i, 110.0 * i, f"note {i}"])

    _workbook(path, build)

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert [c.name for c in report.columns] == ["id", "Income_2020", "Income_2021", "v4"]
        assert col(df, "Income_2021") == [110.0 * i for i in range(3)]
        codes = {n.code for n in report.warnings}
        assert {"RECORDS_SKIPPED", "MERGED_HEADER", "BLANK_HEADER"} <= codes

    return check


@case("xlsx-mixed-column", "mixed.xlsx")
def _xlsx_mixed(path: Path) -> Check:
    def build(wb: Any, datefmt: Any) -> None:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["code", "n"])
        for i, v in enumerate([1, "A2", 3.5, "#N/A"]):
            ws.write(i + 1, 0, v)
            ws.write(i + 1, 1, "n/a" if i == 2 else i)

    _workbook(path, build)

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert col(df, "code") == ["1", "A2", "3.5", ""]
        assert col(df, "n") == [0, 1, None, 3]
        assert any(n.code == "MIXED_TYPES" for n in report.warnings)

    return check


@case("xlsx-handmade-xml-no-styles", "hand.xlsx")
def _xlsx_hand(path: Path) -> Check:
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f>A2*2</f><v>4</v></c></row>'
        '<row r="3"><c r="A3"><v>5</v></c><c r="B3"><f>A3*2</f><v>10</v></c></row>'
    )
    builders.write_zip(path, builders.xlsx_parts(cells, shared=["x", "twice"]))

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert col(df, "twice") == [4, 10]

    return check


@case("xlsx-zip-bomb", "bomb.xlsx", error="INPUT_TOO_LARGE")
def _xlsx_bomb(path: Path) -> None:
    row = '<row><c t="inlineStr"><is><t>aaaaaaaaaa</t></is></c></row>'
    builders.write_zip(path, builders.xlsx_parts(row * 1_200_000))  # ~60 MB inflated


@case("xlsx-too-many-cells", "big.xlsx", error="INPUT_TOO_MANY_CELLS", limits=Limits(max_cells=500))
def _xlsx_cells(path: Path) -> None:
    def build(wb: Any, datefmt: Any) -> None:
        ws = wb.add_worksheet()
        for r in range(100):
            ws.write_row(r, 0, list(range(10)))

    _workbook(path, build)


@case("xlsx-truncated", "cut.xlsx", error="INPUT_CORRUPT")
def _xlsx_cut(path: Path) -> None:
    _xlsx_basic(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@case("xlsb-like", "book.xlsb", error="INPUT_UNSUPPORTED_FORMAT")
def _xlsb(path: Path) -> None:
    builders.write_zip(path, {"xl/workbook.bin": b"\x00" * 10, "[Content_Types].xml": b"<a/>"})


@case("ods", "book.ods", error="INPUT_UNSUPPORTED_FORMAT")
def _ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")


@case("xlsx-named-xls", "legacy.xls")
def _xlsx_as_xls(path: Path) -> Check:
    _xlsx_basic(path)

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.format == "xlsx"
        assert any(n.code == "FORMAT_MISMATCH" for n in report.warnings)
        _rows_check(report, df, meta)

    return check


# ------------------------------------------------------------------ xls (BIFF8)


def _xls_rows() -> list[list[Any]]:
    return [["id", "name", "value", "when", "formula"]] + [
        [a, b, c, d, ("formula", c * 3)] for a, b, c, d in ROWS
    ]


@case("xls-basic-hidden-formula", "old.xls")
def _xls(path: Path) -> Check:
    path.write_bytes(builders.xls([("Notes", [["x"], [1.0]], 1), ("Data", _xls_rows(), 0)]))

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert (report.source.format, report.source.sheet) == ("xls", "Data")
        assert [s.hidden for s in report.source.sheets] == [True, False]
        _rows_check(report, df, meta)
        assert col(df, "formula") == [r[2] * 3 for r in ROWS]

    return check


@case("xls-merged-header", "merged.xls")
def _xls_merged(path: Path) -> Check:
    rows: list[list[Any]] = [
        ["id", "Score", None],
        [None, "math", "art"],
        [1.0, 90.0, 80.0],
        [2.0, 70.0, 60.0],
    ]
    path.write_bytes(builders.xls([("S", rows, 0)], merges={0: [(0, 1, 0, 2), (0, 0, 1, 0)]}))

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert [c.name for c in report.columns] == ["id", "Score_math", "Score_art"]
        assert col(df, "Score_art") == [80, 60]

    return check


@case("xls-encrypted-filepass", "secret.xls", error="INPUT_EXCEL_ENCRYPTED")
def _xls_encrypted(path: Path) -> None:
    path.write_bytes(builders.xls([("Data", _xls_rows(), 0)], encrypted=True))


@case("xlsx-encrypted-ooxml", "secret.xlsx", error="INPUT_EXCEL_ENCRYPTED")
def _ooxml_encrypted(path: Path) -> None:
    path.write_bytes(
        builders.cfb(
            {
                "EncryptionInfo": b"\x04\x00\x04\x00" + b"\x00" * 200,
                "EncryptedPackage": b"\x00" * 5000,
            }
        )
    )


@case("doc-named-xls", "letter.xls", error="INPUT_UNSUPPORTED_FORMAT")
def _doc(path: Path) -> None:
    path.write_bytes(builders.cfb({"WordDocument": b"\x00" * 100}))


@case("xls-truncated", "cut.xls", error="INPUT_CORRUPT")
def _xls_cut(path: Path) -> None:
    path.write_bytes(builders.xls([("Data", _xls_rows(), 0)])[:1100])


@case("html-disguised-as-xls", "export.xls", error="INPUT_UNSUPPORTED_FORMAT")
def _html(path: Path) -> None:
    path.write_text("<html><body><table><tr><td>a</td></tr></table></body></html>")


@case("xlsx-timestamps", "stamps.xlsx")
def _xlsx_stamps(path: Path) -> Check:
    stamps = [dt.datetime(2024, 1, 2, 3, 4, 5), dt.datetime(1990, 12, 31, 23, 59, 0)]

    def build(wb: Any, datefmt: Any) -> None:
        ws = wb.add_worksheet()
        ws.write(0, 0, "at")
        fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for i, s in enumerate(stamps, start=1):
            ws.write_datetime(i, 0, s, fmt)

    _workbook(path, build)

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.columns[0].format == "%tc"
        assert [pd.Timestamp(v).to_pydatetime() for v in df["at"]] == stamps

    return check
