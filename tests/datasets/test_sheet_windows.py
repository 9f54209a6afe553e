"""An xlsx sheet read in row windows gives exactly what one read of the whole sheet gives.

Windows are made tiny here (a few bytes to a few hundred: one to a handful of rows each) so
that every boundary case lands on a window edge; the whole-sheet read is forbidden while the
windows run, so a silent fallback cannot pass for a windowed read.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import msgspec
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from libs.datasets import (
    DatasetError,
    Limits,
    excel,
    normalise_to_dta,
    sheet_columns,
    sheet_windows,
)
from libs.datasets.excel import read_excel
from libs.datasets.report import Format
from libs.datasets.table import Table
from libs.datasets.window_rows import read_windows
from libs.datasets.workbook import choose_sheet, open_workbook, sheet_infos
from tests.datasets import builders, corpus_excel  # noqa: F401  (registers the corpus)
from tests.datasets.corpus import CASES

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Window budgets in bytes of sheet XML: a cut after every row, and a few rows per window.
BUDGETS = [1, 150, 400]
#: Rows kept as lists for the header search: the real number (every test sheet fits), and
#: a few, so that most rows go to column blocks as their window is read.
HEAD_ROWS = [1000, 5]
#: cellXfs 1-3: a date (built-in format 14), a date and time (22), a time of day (21).
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><cellXfs count="4">'
    '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
    '<xf numFmtId="22" applyNumberFormat="1"/><xf numFmtId="21" applyNumberFormat="1"/>'
    "</cellXfs></styleSheet>"
).encode()
SHARED = ["Income", "y2020", "y2021", "note"]


def _whole_read_forbidden(*args: Any) -> Any:
    raise AssertionError("the windowed read fell back to the whole-sheet read")


def _read(
    path: Path, budget: int | None, mp: pytest.MonkeyPatch, **kwargs: Any
) -> Table | DatasetError:
    """``read_excel`` in row windows of ``budget`` bytes (None: the whole sheet at once)."""
    with mp.context() as m:
        m.setattr(sheet_windows, "WINDOW_BYTES", budget or 1 << 60)
        if budget is not None:
            m.setattr(sheet_windows, "SHARED_STRINGS_SHARE", 0)
            m.setattr(excel, "_load", _whole_read_forbidden)
        try:
            return read_excel(path, Format.XLSX, kwargs.pop("limits", Limits()), **kwargs)
        except DatasetError as exc:
            return exc


def _assert_same(windowed: Table | DatasetError, whole: Table | DatasetError) -> None:
    if isinstance(whole, DatasetError) or isinstance(windowed, DatasetError):
        assert type(windowed) is type(whole)
        assert (windowed.code, str(windowed)) == (whole.code, str(whole))  # type: ignore[union-attr]
        return
    pd.testing.assert_frame_equal(windowed.frame, whole.frame, check_exact=True)
    for name in ("originals", "kinds", "warnings", "source", "complete"):
        assert getattr(windowed, name) == getattr(whole, name), name


def _normalised(path: Path, budget: int | None, mp: pytest.MonkeyPatch) -> tuple[Any, ...]:
    dst = path.with_suffix(f".{budget}.dta")
    with mp.context() as m:
        m.setattr(sheet_windows, "WINDOW_BYTES", budget or 1 << 60)
        m.setattr(sheet_windows, "SHARED_STRINGS_SHARE", 0)
        report = normalise_to_dta(path, dst, filename=path.name, limits=Limits())
    with pd.io.stata.StataReader(dst) as reader:
        frame = reader.read(convert_categoricals=False)
        labels = reader.variable_labels()
    return msgspec.structs.replace(report, seconds=0.0), frame, labels


# ---------------------------------------------------------------- a sheet with every quirk


def _cell(p: str, ref: str | None, body: str, t: str | None = None, s: int | None = None) -> str:
    attrs = (f' r="{ref}"' if ref else "") + (f' t="{t}"' if t else "") + (
        f' s="{s}"' if s is not None else ""
    )
    return f"<{p}c{attrs}>{body}</{p}c>" if body else f"<{p}c{attrs}/>"


def _quirky_rows(p: str) -> str:
    """Title, a blank row, a merged group header over the names, typed data rows; rows and
    cells without ``r``; a gap of rows and rows of empty styled cells; column A used only
    from row 41 and column K only from row 45; trailing empty cells right and below."""

    def v(value: object) -> str:
        return f"<{p}v>{value}</{p}v>"

    def inline(text: str) -> str:
        return f"<{p}is><{p}t>{text}</{p}t></{p}is>"

    out = [
        f'<{p}row r="1" spans="2:4">{_cell(p, "B1", inline(" Survey 2020 "), "inlineStr")}'
        f"</{p}row>",
        f'<{p}row r="2"/>',
        f'<{p}row r="3">{_cell(p, "C3", v(0), "s")}{_cell(p, "D3", "", s=0)}</{p}row>',
        f'<{p}row r="4">'
        + _cell(p, "B4", inline("id"), "inlineStr")
        + "".join(_cell(p, None, v(i), "s") for i in (1, 2))
        + "".join(
            _cell(p, None, inline(name), "inlineStr")
            for name in ("when", "stamp", "clock", "flag", "err", "twice")
        )
        + f"</{p}row>",
    ]
    for r in range(5, 61):
        if 20 <= r <= 24:
            continue  # no row elements at all
        if r in (25, 26):
            out.append(f'<{p}row r="{r}">{_cell(p, f"B{r}", "", s=1)}</{p}row>')
            continue
        i = r - 5
        specs: list[tuple[str, str, str | None, int | None]] = [
            ("B", v(i + 1), None, None),
            ("C", v(1000.5 * i), None, None),
            ("D", v(-2.25 * i) if i % 7 else "", None, None),
            ("E", v(43831 + i), None, 1),
            ("F", v(43831.5 + i / 24), None, 2),
            ("G", v((i % 24) / 24), None, 3),
            ("H", v(i % 2), "b", None),
            ("I", v("#N/A"), "e", None) if i % 4 == 0 else ("I", v(3), "s", None),
            ("J", f"<{p}f>B{r}*2</{p}f>" + v(2 * (i + 1)), None, None),
        ]
        # Every third row: cells after the first placed by counting, without r.
        cells = [
            _cell(p, None if r % 3 == 0 and k else f"{col}{r}", body, t, s)
            for k, (col, body, t, s) in enumerate(specs)
        ]
        if r >= 41:
            cells.insert(0, _cell(p, f"A{r}", inline(f"a{r}"), "inlineStr"))
        if r >= 45:
            cells.append(_cell(p, f"K{r}", f"<{p}f>C{r}</{p}f>" + v(f"k{r}"), "str"))
        # Rows placed after the previous one: no r (but another attribute).
        row_attr = ' spans="1:11"' if r % 5 == 2 else f' r="{r}"'
        out.append(f"<{p}row{row_attr}>{''.join(cells)}</{p}row>")
    out.append(f'<{p}row r="61"/>')
    out.append(f'<{p}row r="70">{_cell(p, "L70", "", s=1)}</{p}row>')
    return "".join(out)


def _quirky_book(path: Path, prefix: str = "") -> Path:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns}>'
        f'<{p}dimension ref="A1:L70"/><{p}sheetData>{_quirky_rows(p)}</{p}sheetData>'
        f'<{p}mergeCells count="1"><{p}mergeCell ref="C3:D3"/></{p}mergeCells></{p}worksheet>'
    )
    parts = builders.xlsx_parts(
        "",
        shared=SHARED,
        extra={"xl/worksheets/sheet1.xml": sheet.encode(), "xl/styles.xml": STYLES},
    )
    return builders.write_zip(path, parts)


@pytest.mark.parametrize("head_rows", HEAD_ROWS)
@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("budget", BUDGETS)
def test_quirky_sheet_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int, prefix: str, head_rows: int
) -> None:
    monkeypatch.setattr(excel, "_HEAD_ROWS", head_rows)
    monkeypatch.setattr(sheet_columns, "BLOCK_ROWS", 4)
    path = _quirky_book(tmp_path / "quirks.xlsx", prefix)
    whole = _read(path, None, monkeypatch)
    assert isinstance(whole, Table)
    # The sheet exercises what it is meant to: the header block and every cell kind.
    assert {"RECORDS_SKIPPED", "MERGED_HEADER"} <= {n.code for n in whole.warnings}
    assert whole.originals[1:4] == ["id", "Income y2020", "Income y2021"]
    _assert_same(_read(path, budget, monkeypatch), whole)
    for rows in (3, 30):
        _assert_same(
            _read(path, budget, monkeypatch, max_rows=rows),
            _read(path, None, monkeypatch, max_rows=rows),
        )


@pytest.mark.parametrize("head_rows", HEAD_ROWS)
def test_quirky_sheet_normalises_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, head_rows: int
) -> None:
    monkeypatch.setattr(excel, "_HEAD_ROWS", head_rows)
    path = _quirky_book(tmp_path / "quirks.xlsx", "x")
    whole_report, whole_frame, whole_labels = _normalised(path, None, monkeypatch)
    report, frame, labels = _normalised(path, 1, monkeypatch)
    assert report == whole_report
    pd.testing.assert_frame_equal(frame, whole_frame, check_exact=True)
    assert labels == whole_labels


@pytest.mark.parametrize("keep", [None, 12])
@pytest.mark.parametrize("head_rows", HEAD_ROWS)
@pytest.mark.parametrize("budget", BUDGETS)
def test_rows_and_columns_are_the_whole_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int, head_rows: int, keep: int | None
) -> None:
    """Before any typing: the same head rows, width, merged ranges and column arrays (blank
    rows between windows included, which the finished table would drop)."""
    monkeypatch.setattr(excel, "_HEAD_ROWS", head_rows)
    path = _quirky_book(tmp_path / "quirks.xlsx", "x")
    plan = _plan(path, budget)
    assert plan is not None
    with zipfile.ZipFile(path) as zf, open_workbook(path) as wb:
        info = choose_sheet(sheet_infos(wb), None)
        whole, whole_merges = excel._load(wb, info, Limits(), keep)
        windowed, merges = read_windows(
            zf, plan, info.name, Limits(), head_rows=head_rows, keep=keep
        )
    assert (windowed.width, windowed.head, merges) == (whole.width, whole.head, whole_merges)
    start = min(3, len(whole.head))
    for got, want in zip(windowed.columns(start), whole.columns(start), strict=True):
        assert (got.dtype, got.tolist()) == (want.dtype, want.tolist())


# ---------------------------------------------------------------- every workbook the tests use


XLSX_CASES = [c for c in CASES if c.filename.endswith(".xlsx")]


@pytest.mark.parametrize("head_rows", HEAD_ROWS)
@pytest.mark.parametrize("case", XLSX_CASES, ids=[c.id for c in XLSX_CASES])
def test_corpus_workbooks_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Any, head_rows: int
) -> None:
    monkeypatch.setattr(excel, "_HEAD_ROWS", head_rows)
    path = tmp_path / case.filename
    case.make(path)
    whole = _read(path, None, monkeypatch, sheet=case.sheet, limits=case.limits)
    with monkeypatch.context() as m:
        m.setattr(sheet_windows, "WINDOW_BYTES", 1)
        m.setattr(sheet_windows, "SHARED_STRINGS_SHARE", 0)
        try:
            windowed: Table | DatasetError = read_excel(
                path, Format.XLSX, case.limits, sheet=case.sheet
            )
        except DatasetError as exc:
            windowed = exc
    _assert_same(windowed, whole)


def _survey_book(path: Path, rows: int) -> list[tuple[Any, ...]]:
    """A workbook as xlsxwriter writes one (shared strings, styles, a merged title and group
    header, formulas with cached values); returns its data rows."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Data")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, 5, "Household survey")
    sheet.merge_range(1, 2, 1, 3, "Income")
    sheet.write_row(2, 0, ["id", "region", "2020", "2021", "when", "member"])
    data = []
    for i in range(rows):
        row = (i + 1, ["north", "south", "east"][i % 3], 10.5 * i, None if i % 9 == 0 else i / 3,
               dt.datetime(2020, 1, 1) + dt.timedelta(days=i), i % 2 == 0)
        data.append(row)
        sheet.write_row(3 + i, 0, row[:3])
        if row[3] is not None:
            sheet.write_formula(3 + i, 3, f"=A{4 + i}/3", None, row[3])
        sheet.write_datetime(3 + i, 4, row[4], day)
        sheet.write_boolean(3 + i, 5, row[5])
    book.close()
    return data


@pytest.mark.parametrize("head_rows", HEAD_ROWS)
@pytest.mark.parametrize("budget", BUDGETS)
def test_xlsxwriter_workbook_matches_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int, head_rows: int
) -> None:
    monkeypatch.setattr(excel, "_HEAD_ROWS", head_rows)
    path = tmp_path / "survey.xlsx"
    _survey_book(path, 120)
    windowed = _read(path, budget, monkeypatch)
    assert isinstance(windowed, Table)
    _assert_same(windowed, _read(path, None, monkeypatch))
    # Values against an independent reader: openpyxl's cached values, row by row.
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    expected = list(book["Data"].iter_rows(min_row=4, values_only=True))
    book.close()
    frame = windowed.frame
    assert windowed.originals == ["id", "region", "Income 2020", "Income 2021", "when", "member"]
    assert len(frame) == len(expected)
    for j in (0, 2, 3, 5):
        want = [float(r[j]) if r[j] is not None else None for r in expected]
        got = [None if pd.isna(x) else float(x) for x in frame[j]]
        assert got == want, j
    assert frame[1].tolist() == [r[1] for r in expected]
    assert [pd.Timestamp(x).to_pydatetime() for x in frame[4]] == [r[4] for r in expected]


# ---------------------------------------------------------------- the header past the head rows


def test_header_below_the_head_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More title rows than the rows kept as lists: every row is read as a list (read_all),
    from the windows as from the whole sheet."""
    monkeypatch.setattr(excel, "_HEAD_ROWS", 6)
    path = tmp_path / "long.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for i in range(9):
        sheet.write_string(i, 1, f"note {i}")
    sheet.write_row(9, 1, ["id", "name", "value"])
    for i in range(40):
        sheet.write_row(10 + i, 1 if i < 30 else 0, [i, f"n{i % 4}", i / 8])
    book.close()
    whole = _read(path, None, monkeypatch)
    assert isinstance(whole, Table)
    assert whole.source.header_row == 9
    for budget in BUDGETS:
        _assert_same(_read(path, budget, monkeypatch), whole)


# ---------------------------------------------------------------- when the windows are not used


def _plan(path: Path, budget: int, chunk: int | None = None) -> sheet_windows.WindowPlan | None:
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    scanner = sheet_windows.WindowScanner("xl/worksheets/sheet1.xml", budget)
    for start in range(0, len(xml), chunk or len(xml)):
        scanner.feed(xml[start : start + (chunk or len(xml))])
    return scanner.plan()


@pytest.mark.parametrize("chunk", [1, 2, 7, 13, 64, 1000])
def test_cut_points_do_not_depend_on_chunking(tmp_path: Path, chunk: int) -> None:
    path = _quirky_book(tmp_path / "quirks.xlsx", "x")
    for budget in BUDGETS:
        whole = _plan(path, budget)
        assert whole is not None
        assert len(whole.bounds) > 3
        assert _plan(path, budget, chunk) == whole


def _with_sheet_data(path: Path, rows: str) -> Path:
    return builders.write_zip(path, builders.xlsx_parts(rows))


ROW = (
    '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x{r}</t></is></c>'
    '<c r="B{r}"><v>{r}</v></c></row>'
)
PLAIN = "".join(ROW.format(r=r) for r in range(1, 40))


def _after_row(k: int, text: str) -> str:
    """PLAIN with ``text`` between rows ``k`` and ``k + 1``."""
    return "".join(ROW.format(r=r) for r in range(1, k + 1)) + text + "".join(
        ROW.format(r=r) for r in range(k + 1, 40)
    )


@pytest.mark.parametrize(
    ("label", "rows"),
    [
        ("comment among the rows", _after_row(5, "<!-- <row r='2'> -->")),
        ("CDATA among the rows", PLAIN.replace("<t>x7</t>", "<t><![CDATA[<row r='9'>]]></t>")),
        ("processing instruction", _after_row(3, "<?pi <row r='3'>?>")),
        ("no row has r", PLAIN.replace('<row r="', '<row s="')),
        ("merged ranges among the rows", _after_row(20, '<mergeCells><mergeCell ref="A1:B1"/>'
                                                       "</mergeCells>")),
        ("a second sheetData", _after_row(20, "<sheetData/>")),
        ("sheetData in a text", PLAIN.replace("<t>x7</t>", "<t>sheetData</t>")),
    ],
)
def test_sheets_the_windows_cannot_stand_for_are_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, label: str, rows: str
) -> None:
    path = _with_sheet_data(tmp_path / "odd.xlsx", rows)
    assert _plan(path, 1) is None, label
    assert _plan(_with_sheet_data(tmp_path / "plain.xlsx", PLAIN), 1) is not None
    with monkeypatch.context() as m:
        m.setattr(sheet_windows, "WINDOW_BYTES", 1)
        m.setattr(sheet_windows, "SHARED_STRINGS_SHARE", 0)
        windowed = read_excel(path, Format.XLSX, Limits())
    whole = _read(path, None, monkeypatch)
    _assert_same(windowed, whole)


def test_rows_out_of_order_fall_back_to_the_whole_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows whose rows overlap cannot be laid end to end: the sheet is read whole."""
    rows = "".join(ROW.format(r=r) for r in [*range(1, 20), 5, *range(20, 30)])
    path = _with_sheet_data(tmp_path / "order.xlsx", rows)
    assert _plan(path, 1) is not None
    calls = []
    real = excel._load

    def whole_read(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(excel, "_load", whole_read)
    windowed = _read(path, None, monkeypatch)
    monkeypatch.setattr(sheet_windows, "WINDOW_BYTES", 1)
    monkeypatch.setattr(sheet_windows, "SHARED_STRINGS_SHARE", 0)
    calls.clear()
    fallen_back = read_excel(path, Format.XLSX, Limits())
    assert len(calls) == 1
    _assert_same(fallen_back, windowed)


def test_small_sheet_takes_one_read(tmp_path: Path) -> None:
    path = _with_sheet_data(tmp_path / "small.xlsx", PLAIN)
    assert _plan(path, sheet_windows.WINDOW_BYTES) is None


def test_used_area_limit_is_the_whole_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few cells spread wide: the cell count passes, the used area (rows x columns, known
    only after the last window) does not, with the whole read's error."""
    rows = ROW.format(r=1) + '<row r="300"><c r="AD300"><v>1</v></c></row>'
    path = _with_sheet_data(tmp_path / "sparse.xlsx", rows)
    limits = Limits(max_cells=5000)
    whole = _read(path, None, monkeypatch, limits=limits)
    assert isinstance(whole, DatasetError)
    assert whole.code == "INPUT_TOO_MANY_CELLS"
    assert whole.details["cells"] == 300 * 30
    _assert_same(_read(path, 1, monkeypatch, limits=limits), whole)
