"""``putexcel`` ([RPT] putexcel): ``set``, ``describe``, ``clear``, ``save``/``close``, and
writes ``ul_cell[:lr_cell] = exp | matrix() | returnset | formula() | etable | image()``
(several per command, as the advanced syntax allows) or formats alone (``A1:D1, bold``).

As Stata does, each write opens the workbook, writes and saves it at once ("file x.xlsx
saved"), unless ``putexcel set ..., open`` keeps it in memory until ``putexcel save``. Without
``modify``/``replace`` the file must not exist yet (r(602) at ``set``); ``replace`` replaces
it at the first write, after which writes modify it. Paths are confined to the workspace."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from libs.engine import textscan
from libs.engine.commands import putexcel_content as content_of
from libs.engine.commands.putexcel_book import (
    CellFormat,
    Cells,
    add_image,
    apply_format,
    cell_format,
    is_cell_reference,
    open_book,
    parse_cells,
    save_book,
    with_border,
)
from libs.engine.commands.putexcel_content import Content
from libs.engine.errors import StataError
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import ExcelTarget, Session
from libs.engine.syntax import Args

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Options = dict[str, bool | str]
#: option -> (shortest abbreviation, takes an argument), as putexcel.ado declares them
_SET_OPTIONS = {"replace": (7, False), "modify": (3, False), "sheet": (2, True),
                "locale": (6, True), "open": (4, False)}
_WRITE_OPTIONS = {
    "overwritefmt": (6, False), "asdate": (6, False), "asdatetime": (10, False),
    "asdatenum": (9, False), "asdatetimenum": (13, False), "names": (5, False),
    "rownames": (8, False), "colnames": (8, False), "colwise": (4, False),
    "nformat": (4, True), "bold": (4, False), "italic": (6, False), "underline": (5, False),
    "strikeout": (6, False), "txtwrap": (7, False), "shrinkfit": (6, False),
    "hcenter": (7, False), "left": (4, False), "right": (5, False), "top": (3, False),
    "vcenter": (7, False), "bottom": (6, False), "font": (4, True), "border": (4, True),
    "fpattern": (4, True), "merge": (5, False), "unmerge": (7, False),
    "script": (6, True), "fmtlock": (4, False), "fmthidden": (4, False),
    "txtindent": (5, True), "txtrotate": (5, True), "dborder": (5, True),
}
#: flags Stata also takes with ``no`` (``nobold``)
_NEGATABLE = {"bold", "italic", "underline", "strikeout", "txtwrap", "shrinkfit", "fmtlock",
              "fmthidden"}
#: options Stata has that the engine does not provide (r(198) naming them)
_NOT_PROVIDED = {"dborder"}
_SINGLE_EQUALS = re.compile(r"(?<![=<>!~])=(?!=)")
_CALL = re.compile(r"^(\w+)\s*\((.*)\)$", re.DOTALL)
_DATES = ("asdate", "asdatetime", "asdatenum", "asdatetimenum")


def parse_options(text: str, table: dict[str, tuple[int, bool]]) -> Options:
    """Options as typed (``nobold``, ``nfor(number_d2)``) against ``table``: flags as
    True/False (False for ``no...``), argument options as their text; r(198) naming any
    option Stata does not have or the engine does not provide."""
    found: Options = {}
    for token in textscan.split_top(text):
        typed, paren, value = token.partition("(")
        typed = typed.lower()
        name, negated = _option_name(typed, table)
        takes = table[name][1]
        if name in _NOT_PROVIDED:
            raise StataError(198, f"option {name}{'()' if takes else ''} is not provided by "
                                  "the embedded engine")
        if takes != bool(paren):
            raise StataError(198, f"option {name}{'()' if takes else ''} incorrectly specified")
        found[name] = value[:-1] if takes else not negated
    return found


def _option_name(typed: str, table: dict[str, tuple[int, bool]]) -> tuple[str, bool]:
    for candidate, negated in ((typed, False), (typed[2:], True)):
        for name, (shortest, _) in table.items():
            if (name.startswith(candidate) and len(candidate) >= shortest
                    and (not negated or name in _NEGATABLE)):
                return name, negated
    raise StataError(198, f"option {typed} not allowed")


def _split(text: str) -> tuple[str, str]:
    at = textscan.find_top(text, ",")
    return (text, "") if at < 0 else (text[:at], text[at + 1 :])


def check(text: str) -> StataError | None:
    """What ``putexcel`` refuses in its argument text alone (for the do-file check)."""
    main, options = _split(text)
    sub = main.split(None, 1)[0].lower() if main.split() else ""
    try:
        if sub in ("describe", "clear", "save", "close"):
            return None
        parse_options(options, _SET_OPTIONS if sub == "set" else _WRITE_OPTIONS)
    except StataError as exc:
        return exc
    return None


@command("putexcel", syntax=None, check=check)
def putexcel(session: Session, args: Args) -> None:
    """``putexcel set|describe|clear|save|close ...`` or ``putexcel spec [spec ...] [, opts]``."""
    main, options = _split(args.raw.strip())
    sub, _, rest = main.strip().partition(" ")
    if sub in ("describe", "clear", "save", "close"):
        if rest.strip() or options.strip():
            raise StataError(198, "invalid syntax")
        {"describe": _describe, "clear": _clear, "save": _save, "close": _save}[sub](session)
    elif sub == "set":
        _set(session, rest, parse_options(options, _SET_OPTIONS))
    else:
        _write(session, main, parse_options(options, _WRITE_OPTIONS))


def _target(session: Session) -> ExcelTarget:
    if session.putexcel is None:
        raise StataError(198, "no Excel file specified")
    return session.putexcel


def _set(session: Session, text: str, opts: Options) -> None:
    """``putexcel set filename [, sheet(name[, replace]) replace modify open]``."""
    if session.putexcel is not None and session.putexcel.keep_open:
        raise StataError(198, "Excel file open; type putexcel save to save the existing open "
                              "file, putexcel describe to see current settings")
    if opts.get("modify") and opts.get("replace"):
        raise StataError(198, "options modify and replace are mutually exclusive")
    name = strip_quotes(text.strip())
    if name.lower().endswith(".xls"):
        raise StataError(198, f"{name}: the embedded engine writes .xlsx workbooks only "
                              "(Excel 1997/2003 .xls files need real Stata)")
    path = session.path(name, ext=".xlsx")
    shown = name if "." in name.rpartition("/")[2] else name + ".xlsx"
    target = ExcelTarget(path=path, name=shown, keep_open=bool(opts.get("open")))
    if "sheet" in opts:
        _sheet_option(target, str(opts["sheet"]))
    if opts.get("replace"):
        target.mode = "replace"
        when = "putexcel save command" if target.keep_open else "the first putexcel command"
        session.log.out(f"Note: file will be replaced when {when} is issued")
    elif opts.get("modify"):
        target.mode = "modify"
        if target.keep_open:
            session.log.out("Note: file will be modified when putexcel save command is issued")
    elif path.exists():
        raise StataError(602, "file already exists; you must specify either the modify or "
                              "replace option")
    session.putexcel = target


def _sheet_option(target: ExcelTarget, text: str) -> None:
    name, _, rest = text.partition(",")
    target.sheet = strip_quotes(name.strip())
    if not target.sheet:
        raise StataError(198, "sheet() requires a sheet name")
    for word in rest.split():
        if word == "replace":
            target.sheet_replace = True
        elif word in ("nogrid", "grid"):
            target.gridlines = word == "grid"
        else:
            raise StataError(198, f"{word}: is invalid sheet() argument; use replace")


def _describe(session: Session) -> None:
    t = _target(session)
    width = min(max(len(t.name), 11), 60) + 3
    rows = [("Filename", t.name), ("Filetype", "xlsx"), ("Write mode", t.mode),
            ("Sheetname", t.sheet), ("Locale", "UTF-8"),
            ("Open file handle", "yes" if t.keep_open else "no")]
    session.log.lines(["", "  " + "-" * 17 + "+" + "-" * width,
                       *(f"  {label:<17}|  {value}" for label, value in rows)])


def _clear(session: Session) -> None:
    """Forget the settings (and a workbook held open: Stata does not save it either)."""
    session.putexcel = None


def _save(session: Session) -> None:
    """``putexcel save``: write the workbook held open by ``set ..., open``."""
    t = _target(session)
    if not t.keep_open:
        return
    t.keep_open = False
    if t.book is None:
        session.log.out("no data written")
        return
    book, t.book = t.book, None
    save_book(book, t.path, t.name)
    session.log.out(f"file {t.name} saved")


def _specs(main: str) -> list[tuple[str, str | None]]:
    """``A1 = "x" B1 = r(mean) C1:D2`` → (cells, expression or None for formats alone)."""
    flags = textscan.top_level(main)
    spaced = "".join(f" {ch} " if ch == "=" and flags[i] and _SINGLE_EQUALS.match(main, i)
                     else ch for i, ch in enumerate(main))
    tokens = textscan.split_top(spaced)
    specs: list[tuple[str, list[str] | None]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        opens = is_cell_reference(token) and i + 1 < len(tokens) and tokens[i + 1] == "="
        if opens:
            specs.append((token, []))
            i += 2
            continue
        current = specs[-1][1] if specs else None
        if current is not None and (current == [] or not is_cell_reference(token)):
            current.append(token)
        elif is_cell_reference(token):
            specs.append((token, None))
        else:
            raise StataError(198, f"{token}: invalid cell name")
        i += 1
    if not specs:
        raise StataError(198, "cellexplist is required")
    out: list[tuple[str, str | None]] = []
    for cells, words in specs:
        if words == []:
            raise StataError(198, "nothing found where expression expected")
        out.append((cells, None if words is None else " ".join(words)))
    return out


def _write(session: Session, main: str, opts: Options) -> None:
    """Evaluate every spec, then write them into the workbook and save it (unless open)."""
    target = _target(session)
    if textscan.find_word(main, "using") >= 0:
        raise StataError(198, "putexcel ... using (Stata 13's syntax) is not provided by the "
                              "embedded engine; use putexcel set")
    fmt = cell_format(opts)
    dates = [d for d in _DATES if opts.get(d)]
    names = [n for n in ("names", "rownames", "colnames") if opts.get(n)]
    for group, what in ((dates, "asdate, asdatetime, asdatenum and asdatetimenum"),
                        (names, "names, rownames and colnames")):
        if len(group) > 1:
            raise StataError(198, f"options {what} are mutually exclusive")
    contents: list[Content] = []
    for cells_text, expression in _specs(main):
        cells = parse_cells(cells_text)
        if expression is None:
            if not fmt:
                raise StataError(198, "no format option specified")
            contents.append(Content(formats=[cells]))
            continue
        contents.append(_content(session, cells, expression, opts,
                                 dates[0] if dates else None, names[0] if names else ""))
    book = target.book
    if book is None:
        if target.mode == "create" and target.path.exists():
            raise StataError(198, "file already exists; you must specify either the modify "
                                  "or replace option")
        book = open_book(target.path, target.sheet, create=target.mode == "replace",
                         clear_sheet=target.sheet_replace)
    sheet = book[target.sheet]
    if target.gridlines is not None:
        sheet.sheet_view.showGridLines = target.gridlines
    for content in contents:
        _put(sheet, content, fmt)
    target.mode, target.sheet_replace = "modify", False
    if target.keep_open:
        target.book = book
    else:
        save_book(book, target.path, target.name)
        session.log.out(f"file {target.name} saved")
    tables = [c.table for c in contents if c.table is not None]
    if tables:
        t = tables[-1]
        session.r = Results(scalars={"tbl1_ul_col": float(t.col), "tbl1_ul_row": float(t.row),
                                     "tbl1_lr_col": float(t.last_col),
                                     "tbl1_lr_row": float(t.last_row)})


def _content(session: Session, cells: Cells, text: str, opts: Options, date: str | None,
             names: str) -> Content:
    """What one ``cells = text`` spec writes."""
    call = _CALL.match(text.strip())
    word = call.group(1).lower() if call else text.strip().lower()
    kind = ("matrix" if len(word) >= 3 and "matrix".startswith(word) else
            "formula" if len(word) >= 4 and "formula".startswith(word) else
            "image" if word == "image" or (len(word) >= 3 and "picture".startswith(word)) else
            "etable" if word == "etable" else "")
    if call is None and kind in ("matrix", "formula", "image"):
        kind = ""
    returnset = content_of.returnset_kind(word) if call is None else None
    if (kind in ("matrix", "etable", "image") or returnset) and cells.is_range:
        label = "a resultset()" if returnset else f"{kind}()"
        raise StataError(198, f"Cannot use a cell range with {label}")
    if kind == "image" and call is not None:
        path = session.path(strip_quotes(call.group(2).strip()), ext=".png", must_exist=True)
        return Content(formats=[cells], image=path)
    if kind == "matrix" and call is not None:
        return content_of.matrix(session, cells, call.group(2), names)
    if kind == "formula" and call is not None:
        return content_of.formula(cells, call.group(2))
    if kind == "etable":
        numbers = call.group(2).split() if call else []
        if not all(n.isdigit() for n in numbers):
            raise StataError(198, "etable() takes a list of table numbers")
        return content_of.etable(session, cells, [int(n) for n in numbers])
    if returnset:
        return content_of.returnset(session, cells, word, bool(opts.get("colwise")))
    return content_of.expression(session, cells, text, date)


def _put(sheet: Worksheet, content: Content, fmt: CellFormat) -> None:
    """Format, then write one spec's cells (an ``etable`` also gets its rules and merges)."""
    from openpyxl.cell.cell import MergedCell

    for (row, col), value in content.values.items():
        cell = sheet.cell(row, col)
        if isinstance(cell, MergedCell):
            if value is None:
                continue
            for merged in list(sheet.merged_cells.ranges):
                if (row, col) in merged.cells:
                    sheet.unmerge_cells(str(merged))
            cell = sheet.cell(row, col)
        cell.value = value
        if isinstance(value, str) and value.startswith("=") and not content.formula:
            cell.data_type = "s"  # text, not a formula
        if content.number_format:
            cell.number_format = content.number_format
    if content.table is not None:
        _table_rules(sheet, content, content.table)
    if content.image is not None:
        add_image(sheet, cells_of(content), content.image)
    if fmt:
        for cells in content.formats:
            apply_format(sheet, cells, fmt)


def cells_of(content: Content) -> Cells:
    """Where a spec's output starts (its first formatted rectangle)."""
    return content.formats[0]


def _table_rules(sheet: Worksheet, content: Content, t: Cells) -> None:
    """An etable's look as putexcel draws it: right-aligned cells, a rule above and below
    the table, under the header and above each further equation, one after the first
    column; the interval's heading merged over its two columns."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.styles import Alignment

    ruled = {t.row, t.row + content.title_rows, *content.rules}
    for row, col in t.each():
        cell = sheet.cell(row, col)
        if isinstance(cell, MergedCell):
            continue
        cell.alignment = Alignment(horizontal="right")
        sides = [side for side, on in (("top", row in ruled), ("bottom", row == t.last_row),
                                       ("right", col == t.col)) if on]
        if sides:
            border = cell.border
            for side in sides:
                border = with_border(border, side, "thin", None)
            cell.border = border
    for merge in content.merges:
        sheet.merge_cells(start_row=merge.row, start_column=merge.col,
                          end_row=merge.last_row, end_column=merge.last_col)
