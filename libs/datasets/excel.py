"""Excel workbooks (xlsx and xls) through python-calamine.

Calamine returns each cell's cached value, so formulas come back as Excel last computed them
and nothing is evaluated. The table on a sheet is found the way a person reads it: title rows
(one value, or one value merged across the table) are skipped; rows with horizontally merged
cells above the header are group headers, joined to the names below them ("Income" over
"2020" gives "Income 2020"); blank header cells get ``v<n>`` names later.

An xlsx sheet whose XML outgrows one window (``sheet_windows``) is read in row windows and put
back together (``window_rows``), so calamine never holds the whole sheet's cells at once;
anything the windows cannot be shown to read like the whole sheet is read whole.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pandas as pd
import python_calamine as pc

from libs.datasets import ooxml
from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.infer import NA_TOKENS, infer_column
from libs.datasets.limits import Limits, check_sheet_size
from libs.datasets.report import Format, Kind, Notice, SheetInfo, Source
from libs.datasets.sheet_columns import Merge, SheetBody, SheetRows
from libs.datasets.sheet_windows import WindowPlan, WindowScanner, window_budget
from libs.datasets.table import Table, drop_empty_rows, drop_empty_unnamed_columns
from libs.datasets.window_rows import Unwindowable, read_windows
from libs.datasets.workbook import (
    choose_sheet,
    is_read_failure,
    open_workbook,
    read_failures,
    sheet_infos,
)

Cell = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta
#: Excel error values and the usual "nothing here" texts read as missing.
_MISSING_TEXT = [
    *NA_TOKENS,
    *("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "-"),
]
_MISSING_SET = frozenset(_MISSING_TEXT)
_HEADER_SCAN = 50
#: Rows kept as lists for finding the header; the rest go straight to columns.
_HEAD_ROWS = 1000


def list_sheets(path: Path) -> list[SheetInfo]:
    """The workbook's sheets with hidden flags, in workbook order."""
    with open_workbook(path) as wb:
        return sheet_infos(wb)


def read_excel(
    path: Path,
    fmt: Format,
    limits: Limits,
    *,
    sheet: str | None = None,
    max_rows: int | None = None,
) -> Table:
    """Read one sheet of the workbook at ``path`` (the first visible worksheet by default)."""
    zf = ooxml.check_archive(path, limits) if fmt is Format.XLSX else None
    keep = None if max_rows is None else max_rows + _HEADER_SCAN
    try:
        with open_workbook(path) as wb:
            sheets = sheet_infos(wb)
            chosen = choose_sheet(sheets, sheet)
            plan = _check_parts(zf, chosen.name, limits) if zf is not None else None
            windowed = None
            if zf is not None and plan is not None:
                windowed = _load_windows(zf, plan, chosen.name, limits, keep)
            rows, merges = windowed or _load(wb, chosen, limits, keep)
            with read_failures():
                table = _table(rows, merges, fmt, chosen, sheets)
    finally:
        if zf is not None:
            zf.close()
    if chosen.hidden:
        table.warnings.append(
            Notice(code="HIDDEN_SHEET", message=f"Sheet {chosen.name!r} is hidden in Excel.")
        )
    table.complete = max_rows is None or len(table.frame) < max_rows
    return table


def _check_parts(zf: zipfile.ZipFile, name: str, limits: Limits) -> WindowPlan | None:
    """Guard the parts of sheet ``name`` against zip bombs; where to cut the sheet into row
    windows if it is big enough to (see ``sheet_windows``)."""
    member = ooxml.sheet_parts(zf).get(name)
    if member is None:
        return None
    scanner = WindowScanner(member, window_budget(zf))
    ooxml.check_sheet(zf, member, limits, observe=scanner.feed)
    return scanner.plan()


def _load(
    wb: pc.CalamineWorkbook, info: SheetInfo, limits: Limits, keep: int | None
) -> tuple[SheetBody, list[Merge]]:
    """The sheet in one calamine read: its rows from the first used one (at most ``keep``)."""
    with read_failures():
        sheet = wb.get_sheet_by_name(info.name)
        check_sheet_size(sheet.height, sheet.width, limits)
        top, left = sheet.start or (0, 0)
        # iter_rows starts with ``top`` blank rows where to_python(skip_empty_area=True)
        # starts at the sheet's first used row; its rows are otherwise the same.
        end = None if keep is None else top + keep
        rest: Iterator[list[Cell]] = islice(sheet.iter_rows(), top, end)
        rows = SheetRows(head=list(islice(rest, _HEAD_ROWS)), rest=rest, width=sheet.width)
        merges = [
            ((a - top, b - left), (c - top, d - left))
            for (a, b), (c, d) in (sheet.merged_cell_ranges or [])
        ]
    return rows, merges


def _load_windows(
    zf: zipfile.ZipFile, plan: WindowPlan, name: str, limits: Limits, keep: int | None
) -> tuple[SheetBody, list[Merge]] | None:
    """The sheet read in row windows, or None where they cannot stand for it or fail to read:
    the whole-sheet read then gives its result, or its error, as for any sheet."""
    try:
        return read_windows(zf, plan, name, limits, head_rows=_HEAD_ROWS, keep=keep)
    except Unwindowable:
        return None
    except BaseException as exc:
        if is_read_failure(exc) or isinstance(exc, ooxml.ZIP_ERRORS):
            return None
        raise


def _is_blank(cell: Cell) -> bool:
    return cell == "" or cell is None


def _table(
    rows: SheetBody,
    merges: list[Merge],
    fmt: Format,
    info: SheetInfo,
    sheets: list[SheetInfo],
) -> Table:
    head = rows.head
    if len(head) == _HEAD_ROWS and all(all(_is_blank(c) for c in r) for r in head):
        rows.read_all()  # a blank start longer than the head: look at every row
    width = max(max((len(r) for r in head), default=0), rows.width if head else 0)
    if width == 0 or all(all(_is_blank(c) for c in r) for r in head):
        raise DatasetError(
            DatasetErrorCode.INPUT_EMPTY, f"Sheet {info.name!r} is empty.", sheet=info.name
        )
    _pad(head, width)
    first, header_end, notices, seen = _header_block(head, merges, width)
    if seen >= len(head) == _HEAD_ROWS:
        # The header search reached the end of the head: give it every row, as before.
        rows.read_all()
        _pad(head, width)
        first, header_end, notices, seen = _header_block(head, merges, width)
    names = (
        _names(head[first:header_end], merges, first, width) if header_end > first else [""] * width
    )
    columns = rows.columns(header_end)
    del head[header_end:]
    frame = (
        pd.DataFrame(dict(enumerate(columns)), copy=False)
        if len(columns[0])
        else pd.DataFrame(columns=range(width), dtype=object)
    )
    source = Source(
        format=fmt,
        sheet=info.name,
        sheets=sheets,
        header_row=header_end - 1 if header_end > first else None,
    )
    table = Table(frame=frame, originals=names, kinds=[], source=source, warnings=notices)
    drop_empty_rows(table)
    _type_columns(table)
    drop_empty_unnamed_columns(table)
    return table


def _pad(rows: list[list[Cell]], width: int) -> None:
    """Blank cells appended to rows shorter than ``width``."""
    for r in rows:
        if len(r) < width:
            r.extend([""] * (width - len(r)))


def _header_block(
    rows: list[list[Cell]], merges: list[Merge], width: int
) -> tuple[int, int, list[Notice], int]:
    """(first header row, first body row, notices, how many rows of ``rows`` it looked at)."""
    notices: list[Notice] = []
    wide = {a for (a, b), (_, d) in merges if d - b + 1 >= max(width - 1, 2)}
    grouped = {r for (a, b), (c, d) in merges if d > b for r in range(a, c + 1)}
    first = 0
    while first < len(rows) - 1:
        filled = sum(not _is_blank(c) for c in rows[first])
        title = filled == 0 or (filled == 1 and width >= 3 and first not in grouped - wide)
        if not title:
            break
        first += 1
    if first:
        notices.append(
            Notice(
                code="RECORDS_SKIPPED",
                message=f"{first} rows above the table (titles, notes) skipped.",
            )
        )
    last = first
    while last + 1 < len(rows) and last in grouped and _all_text(rows[last + 1]):
        last += 1
    if last > first:
        notices.append(
            Notice(
                code="MERGED_HEADER",
                message=f"Header rows {first + 1}-{last + 1} joined into names.",
            )
        )
    seen = min(len(rows), last + 1 + _HEADER_SCAN)
    if not _looks_like_header(rows[last], rows[last + 1 : last + 1 + _HEADER_SCAN]):
        notices.append(
            Notice(
                code="NO_HEADER",
                message="The first row holds data, not names; columns are named v1, v2, ...",
            )
        )
        return first, first, notices, seen
    return first, last + 1, notices, seen


def _all_text(row: list[Cell]) -> bool:
    return all(isinstance(c, str) for c in row)


def _kind(cell: Cell) -> str:
    if _is_blank(cell) or (isinstance(cell, str) and cell.strip() in _MISSING_SET):
        return "missing"
    if isinstance(cell, bool | int | float):
        return "number"
    return "date" if isinstance(cell, dt.date) else "text"


def _looks_like_header(row: list[Cell], body: list[list[Cell]]) -> bool:
    if not body:
        return _all_text(row)
    typed = 0
    for j, head in enumerate(row):
        kinds = {_kind(r[j]) for r in body} - {"missing"}
        if len(kinds) != 1 or kinds == {"text"}:
            continue
        typed += 1
        if _kind(head) not in kinds and _kind(head) != "missing":
            return True
    return typed == 0


def _names(block: list[list[Cell]], merges: list[Merge], top: int, width: int) -> list[str]:
    filled = [[_text(c) for c in row] for row in block]
    for (a, b), (c, d) in merges:
        for r in range(max(a, top), min(c, top + len(block) - 1) + 1):
            value = filled[a - top][b] if a >= top else ""
            for col in range(b, min(d, width - 1) + 1):
                if r - top < len(filled) and not filled[r - top][col]:
                    filled[r - top][col] = value
    names = []
    for j in range(width):
        parts: list[str] = []
        for row in filled:
            if row[j] and (not parts or parts[-1] != row[j]):
                parts.append(row[j])
        names.append(" ".join(parts))
    return names


def _text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return "" if cell is None else str(cell).strip()


def _type_columns(table: Table) -> None:
    kinds: list[Kind] = []
    for j in range(len(table.originals)):
        raw = table.frame[j]
        column = raw.mask(raw.isin(_MISSING_TEXT) | raw.isna())
        inferred = pd.api.types.infer_dtype(column, skipna=True)
        name = table.originals[j] or f"column {j + 1}"
        if inferred in ("floating", "integer", "mixed-integer-float", "boolean", "empty"):
            table.frame[j] = pd.to_numeric(column.astype("float64"), errors="coerce")
            kinds.append(Kind.NUMERIC)
        elif inferred in ("date", "datetime", "datetime64"):
            has_time = any(
                isinstance(c, dt.datetime) and c.time() != dt.time() for c in column.dropna()
            )
            table.frame[j] = pd.to_datetime(column)
            kinds.append(Kind.DATETIME if has_time else Kind.DATE)
        elif inferred == "string":
            text = column.map(str.strip, na_action="ignore")
            converted, kind, notices = infer_column(text, name, None)
            table.frame[j] = converted
            kinds.append(kind)
            table.warnings.extend(notices)
        else:
            table.frame[j] = column.map(_text, na_action="ignore")
            kinds.append(Kind.STRING)
            if inferred != "time":
                table.warnings.append(
                    Notice(
                        code="MIXED_TYPES",
                        column=name,
                        message=("The column mixes numbers, dates and text; kept as text."),
                    )
                )
    table.kinds = kinds
