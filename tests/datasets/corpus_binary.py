"""Corpus, part two: workbooks, Stata files of every format, and hostile files."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
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


# ------------------------------------------------------------------ dta

OLD_VARS: list[builders.OldVar] = [
    ("id", "b", "Identifier", [1, 2, 3]),
    ("big", "l", "Big number", [100000, -5, 7]),
    ("x", "d", "", [1.5, 2.25, -3.0]),
    ("f", "f", "single", [0.5, 1.0, 2.0]),
    ("s", "str5", "Text", ["ab", "cde", "f"]),
]


for _v in (104, 105, 108, 110, 111):

    def _build_old(path: Path, v: int = _v) -> Check:
        path.write_bytes(builders.old_dta(v, OLD_VARS))

        def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
            assert report.source.dta_version == v
            for name, _, label, values in OLD_VARS:
                assert col(df, name) == values
                assert (meta.column_names_to_labels[name] or "") == label
            assert meta.readstat_variable_types == {
                "id": "int8",
                "big": "int32",
                "x": "double",
                "f": "float",
                "s": "string",
            }

        return check

    case(f"dta-{_v}-handmade", f"old{_v}.dta")(_build_old)


LABELLED = pd.DataFrame(
    {
        "sex": pd.array([1, 2, None, 1], dtype="Int8"),
        "age": np.array([30, 41, 25, 60], dtype="int16"),
        "wage": np.array([10.5, np.nan, 7.25, 30.0], dtype="float64"),
        "ratio": np.array([0.5, 0.25, 1.0, 2.0], dtype="float32"),
        "city": ["Paris", "Köln", "", "Zürich"],
    }
)
VALUE_LABELS = {"sex": {1.0: "male", 2.0: "female"}}


def _labelled_check(version: int) -> Check:
    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.dta_version == version
        assert col(df, "age") == LABELLED["age"].tolist()
        assert col(df, "wage") == [10.5, None, 7.25, 30.0]
        assert col(df, "city") == LABELLED["city"].tolist()
        assert {
            k: {float(a): b for a, b in v.items()} for k, v in meta.variable_value_labels.items()
        } == VALUE_LABELS
        assert meta.column_names_to_labels["age"] == "Age in years"
        assert meta.readstat_variable_types["sex"] == "int8"
        assert meta.readstat_variable_types["age"] == "int16"
        assert meta.readstat_variable_types["ratio"] == "float"

    return check


for _v, _pyr in ((113, 8), (114, 10), (115, 12)):

    def _build_pyr(path: Path, v: int = _v, pyr: int = _pyr) -> Check:
        frame = LABELLED.astype({"sex": "float64"})
        pyreadstat.write_dta(
            frame,
            str(path),
            version=pyr,
            column_labels={"age": "Age in years"},
            variable_value_labels={"sex": {1: "male", 2: "female"}},
        )

        def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
            assert report.source.dta_version == v
            assert col(df, "age") == LABELLED["age"].tolist()
            assert col(df, "city") == LABELLED["city"].tolist()
            assert col(df, "sex") == [1, 2, None, 1]
            assert {
                float(a): b for a, b in meta.variable_value_labels["sex"].items()
            } == VALUE_LABELS["sex"]
            assert meta.column_names_to_labels["age"] == "Age in years"

        return check

    case(f"dta-{_v}-pyreadstat", f"d{_v}.dta")(_build_pyr)


for _v in (117, 118, 119):

    def _build_pd(path: Path, v: int = _v) -> Check:
        LABELLED.to_stata(
            path,
            write_index=False,
            version=v,
            variable_labels={"age": "Age in years"},
            value_labels=VALUE_LABELS,
        )
        return _labelled_check(v)

    case(f"dta-{_v}-pandas", f"d{_v}.dta")(_build_pd)


@case("dta-dates-and-unicode-names", "dates.dta")
def _dta_dates(path: Path) -> Check:
    days = pd.to_datetime(["2020-01-31", "1960-01-01", "2001-09-11"])
    months = pd.to_datetime(["2020-01-01", "1999-12-01", "1960-01-01"])
    frame = pd.DataFrame({"day": days, "month": months, "größe": [1.0, 2.0, 3.0]})
    frame.to_stata(path, write_index=False, version=118, convert_dates={"day": "td", "month": "tm"})

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        formats = {c.name: c.format for c in report.columns}
        assert formats == {"day": "%td", "month": "%tm", "grosse": None}
        assert meta.column_names_to_labels["grosse"] == "größe"
        assert [pd.Timestamp(v).date() for v in df["day"]] == [d.date() for d in days]

    return check


@case("dta-117-strl", "strl.dta")
def _dta_strl(path: Path) -> Check:
    long_text = ["x" * 3000, "short", "ü" * 1500]
    frame = pd.DataFrame({"doc": long_text, "k": np.array([1, 2, 3], dtype="int8")})
    frame.to_stata(path, write_index=False, version=117, convert_strl=["doc"])

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert {c.name: c.storage for c in report.columns} == {"doc": "strL", "k": "byte"}
        assert col(df, "doc") == long_text

    return check


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


@case("dta-truncated", "cut.dta", error="INPUT_CORRUPT")
def _dta_cut(path: Path) -> None:
    LABELLED.to_stata(path, write_index=False, version=118)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


@case("dta-120-aliases", "new.dta", error="INPUT_UNSUPPORTED_FORMAT")
def _dta_120(path: Path) -> None:
    path.write_bytes(b"<stata_dta><header><release>120</release><byteorder>LSF</byteorder>")


@case("dta-102-ancient", "ancient.dta", error="INPUT_UNSUPPORTED_FORMAT")
def _dta_102(path: Path) -> None:
    path.write_bytes(bytes([102, 2, 1, 0]) + b"\x00" * 200)


@case("dta-named-csv", "actually-stata.csv")
def _dta_as_csv(path: Path) -> Check:
    LABELLED.to_stata(path, write_index=False, version=118)

    def check(report: NormaliseReport, df: pd.DataFrame, meta: Any) -> None:
        assert report.source.format == "dta"
        assert any(n.code == "FORMAT_MISMATCH" for n in report.warnings)

    return check


# ------------------------------------------------------------------ hostile


@case("empty-file", "empty.csv", error="INPUT_EMPTY")
def _empty(path: Path) -> None:
    path.write_bytes(b"")


@case("random-bytes", "data.csv", error="INPUT_UNSUPPORTED_FORMAT")
def _random(path: Path) -> None:
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())


@case("pdf-named-csv", "table.csv", error="INPUT_UNSUPPORTED_FORMAT")
def _pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")


@case("gzip-csv", "data.csv.gz", error="INPUT_UNSUPPORTED_FORMAT")
def _gzip(path: Path) -> None:
    import gzip

    path.write_bytes(gzip.compress(b"a,b\n1,2\n"))


@case("text-named-xlsx", "book.xlsx", error="INPUT_FORMAT_MISMATCH")
def _text_xlsx(path: Path) -> None:
    path.write_text("a,b\n1,2\n")


@case("file-too-large", "big.csv", error="INPUT_TOO_LARGE", limits=Limits(max_file_bytes=100))
def _too_large(path: Path) -> None:
    path.write_text("a,b\n" + "1,2\n" * 100)


@case("zip-not-workbook", "data.xlsx", error="INPUT_UNSUPPORTED_FORMAT")
def _zip(path: Path) -> None:
    builders.write_zip(path, {"data.csv": b"a,b\n1,2\n"})
