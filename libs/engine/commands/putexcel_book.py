"""The workbook side of ``putexcel``: cell references, opening/creating/saving the .xlsx with
openpyxl, and the format options ([RPT] putexcel's appendix: number-format codes, colours,
border styles, fill patterns), checked as putexcel.ado checks them, as openpyxl styles.
Nothing here reads Stata's results."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zipfile import BadZipFile

from libs.engine.errors import StataError
from libs.engine.macros import strip_quotes

if TYPE_CHECKING:
    # openpyxl is imported by the functions that write a workbook: loading it (~0.1-0.2 s)
    # at import would make every engine start (a CLI check, the API's do-file check) pay it.
    from openpyxl import Workbook
    from openpyxl.styles import Border
    from openpyxl.worksheet.worksheet import Worksheet

MAX_ROW, MAX_COL = 1_048_576, 16_384  #: the .xlsx grid (XFD1048576)
_CELL = re.compile(r"^([A-Za-z]{1,3})(\d+)$")

#: [RPT] putexcel's numeric-format codes, as Excel's built-in number formats (their ids)
NFORMAT_CODES = {
    "number": 1, "number_d2": 2, "number_sep": 3, "number_sep_d2": 4,
    "number_sep_negbra": 37, "number_sep_negbrared": 38, "number_d2_sep_negbra": 39,
    "number_d2_sep_negbrared": 40, "currency_negbra": 5, "currency_negbrared": 6,
    "currency_d2_negbra": 7, "currency_d2_negbrared": 8, "account": 41, "accountcur": 42,
    "account_d2": 43, "account_d2_cur": 44, "percent": 9, "percent_d2": 10,
    "scientific_d2": 11, "fraction_onedig": 12, "fraction_twodig": 13, "date": 14,
    "date_d_mon_yy": 15, "date_d_mon": 16, "date_mon_yy": 17, "time_hmm_AM": 18,
    "time_HMMSS_AM": 19, "time_HMM": 20, "time_HMMSS": 21, "time_MMSS": 45,
    "time_H0MMSS": 46, "time_MMSS0": 47, "date_time": 22, "text": 49,
}
#: the appendix's border styles, as OOXML names
BORDER_STYLES = {
    "none": None, "thin": "thin", "medium": "medium", "dashed": "dashed", "dotted": "dotted",
    "thick": "thick", "double": "double", "hair": "hair", "medium_dashed": "mediumDashed",
    "dash_dot": "dashDot", "medium_dash_dot": "mediumDashDot", "dash_dot_dot": "dashDotDot",
    "medium_dash_dot_dot": "mediumDashDotDot", "slant_dash_dot": "slantDashDot",
}
#: the appendix's background patterns (Excel's pattern names), as OOXML pattern types
FILL_PATTERNS = {
    "none": None, "solid": "solid", "gray50": "mediumGray", "gray75": "darkGray",
    "gray25": "lightGray", "horstripe": "darkHorizontal", "verstripe": "darkVertical",
    "diagstripe": "darkUp", "revdiagstripe": "darkDown", "diagcrosshatch": "darkGrid",
    "thinhorstripe": "lightHorizontal", "thinverstripe": "lightVertical",
    "thindiagstripe": "lightUp", "thinrevdiagstripe": "lightDown",
    "thinhorcrosshatch": "lightGrid", "thindiagcrosshatch": "lightTrellis",
    "thickdiagcrosshatch": "darkTrellis", "gray12p5": "gray125", "gray6p25": "gray0625",
}
BORDER_SIDES = ("all", "top", "bottom", "left", "right")


@dataclass(frozen=True)
class Cells:
    """A cell or a rectangle of cells, 1-based (``ul`` upper left, ``lr`` lower right)."""

    row: int
    col: int
    last_row: int
    last_col: int

    @property
    def is_range(self) -> bool:
        """Whether the reference named ``ul_cell:lr_cell`` rather than one cell."""
        return (self.row, self.col) != (self.last_row, self.last_col)

    def each(self) -> list[tuple[int, int]]:
        """Every (row, column) of the rectangle."""
        return [(r, c) for r in range(self.row, self.last_row + 1)
                for c in range(self.col, self.last_col + 1)]


def parse_cells(text: str) -> Cells:
    """``B3`` or ``A1:D4`` (r(198) ``invalid cell name``, ``out of range``, reversed ranges)."""
    ends = []
    for part in text.split(":") if ":" in text else [text]:
        m = _CELL.match(part.strip())
        if m is None:
            raise StataError(198, f"{part.strip()}: invalid cell name")
        col, row = _column_number(m.group(1).upper()), int(m.group(2))
        if col > MAX_COL:
            raise StataError(198, f"{part.strip()}: Excel column out of range")
        if not 1 <= row <= MAX_ROW:
            raise StataError(198, f"{part.strip()}: Excel row out of range")
        ends.append((row, col))
    if len(ends) > 2:
        raise StataError(198, f"{text}: invalid cell name")
    (r0, c0), (r1, c1) = ends[0], ends[-1]
    if c0 > c1:
        raise StataError(198, f"{text} invalid column range; upper left column is right of "
                              "lower right column")
    if r0 > r1:
        raise StataError(198, f"{text} invalid row range; upper left row is after lower right "
                              "row")
    return Cells(r0, c0, r1, c1)


def is_cell_reference(text: str) -> bool:
    """Whether ``text`` reads as a cell or a range (``A1``, ``b2:c9``)."""
    return all(_CELL.match(part) for part in text.split(":")) and text.count(":") <= 1


def check_extent(row: int, col: int) -> None:
    """r(198) when content would run past the sheet's last row or column."""
    if row > MAX_ROW:
        raise StataError(198, "rows out of Excel file range")
    if col > MAX_COL:
        raise StataError(198, "columns out of Excel file range")


def _column_number(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27: an Excel column's number (upper-case letters)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def open_book(path: Path, sheet: str, *, create: bool, clear_sheet: bool) -> Workbook:
    """The workbook to write: a new one whose only sheet is ``sheet`` (``create``), or the
    file on disk with ``sheet`` added when missing and emptied when ``clear_sheet``."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if create or not path.exists():
        book = Workbook()
        book.active.title = sheet
        return book
    try:
        book = load_workbook(path)
    except (OSError, ValueError, KeyError, BadZipFile, InvalidFileException):
        raise StataError(603, f"workbook {path.name} could not be loaded") from None
    if sheet not in book.sheetnames:
        book.create_sheet(sheet)
    elif clear_sheet:
        at = book.sheetnames.index(sheet)
        book.remove(book[sheet])
        book.create_sheet(sheet, at)
    return book


def save_book(book: Workbook, path: Path, name: str) -> None:
    """Write the workbook to disk (r(603) when it cannot be)."""
    try:
        book.save(path)
    except OSError:
        raise StataError(603, f"file {name} could not be saved") from None


@dataclass(frozen=True)
class CellFormat:
    """The format options of one ``putexcel`` command, already checked."""

    nformat: str | None = None  #: an Excel number-format string
    bold: bool | None = None
    italic: bool | None = None
    underline: bool | None = None
    strikeout: bool | None = None
    halign: str | None = None
    valign: str | None = None
    wrap: bool | None = None
    shrink: bool | None = None
    font: tuple[str, float, str | None] | None = None  #: name, size, colour (hex)
    border: tuple[str, str | None, str | None] | None = None  #: side, OOXML style, colour
    fill: tuple[str | None, str, str | None] | None = None  #: pattern, fg, bg colours (hex)
    merge: bool | None = None  #: merge (True) or unmerge (False) the range
    script: str | None = None  #: ``script()`` as OOXML's vertAlign (``baseline`` for normal)
    indent: int | None = None  #: ``txtindent()``
    rotate: int | None = None  #: ``txtrotate()``: degrees, 255 for vertical text
    locked: bool | None = None  #: ``fmtlock``
    hidden: bool | None = None  #: ``fmthidden``
    overwrite: bool = False  #: overwritefmt: start from the default format

    def __bool__(self) -> bool:
        return any(getattr(self, name) is not None for name in (
            "nformat", "bold", "italic", "underline", "strikeout", "halign", "valign", "wrap",
            "shrink", "font", "border", "fill", "merge", "script", "indent", "rotate", "locked",
            "hidden"))


def apply_format(sheet: Worksheet, cells: Cells, fmt: CellFormat) -> None:
    """Give every cell of ``cells`` the format options (merged into its existing format
    unless ``overwritefmt``), then merge or unmerge the range."""
    for row, col in cells.each():
        _format_cell(sheet, row, col, fmt)
    ref = f"{sheet.cell(cells.row, cells.col).coordinate}:" \
          f"{sheet.cell(cells.last_row, cells.last_col).coordinate}"
    if fmt.merge and cells.is_range:
        sheet.merge_cells(ref)
    elif fmt.merge is False:
        for merged in list(sheet.merged_cells.ranges):
            if (cells.row, cells.col) == (merged.min_row, merged.min_col):
                sheet.unmerge_cells(str(merged))


def _format_cell(sheet: Worksheet, row: int, col: int, fmt: CellFormat) -> None:
    from openpyxl.styles import Font, PatternFill, Protection

    cell = sheet.cell(row, col)
    if fmt.overwrite:
        cell.style = "Normal"
    if fmt.nformat is not None:
        cell.number_format = fmt.nformat
    font = copy.copy(cell.font)
    if fmt.font is not None:
        font = Font(name=fmt.font[0], size=fmt.font[1], bold=font.b, italic=font.i,
                    underline=font.u, strike=font.strike,
                    color=fmt.font[2] or font.color)
    for attr, value in (("b", fmt.bold), ("i", fmt.italic), ("strike", fmt.strikeout)):
        if value is not None:
            setattr(font, attr, value)
    if fmt.underline is not None:
        font.u = "single" if fmt.underline else None
    if fmt.script is not None:
        font.vertAlign = fmt.script
    cell.font = font
    if fmt.locked is not None or fmt.hidden is not None:
        cell.protection = Protection(
            locked=cell.protection.locked if fmt.locked is None else fmt.locked,
            hidden=cell.protection.hidden if fmt.hidden is None else fmt.hidden)
    if (fmt.halign or fmt.valign or fmt.wrap is not None or fmt.shrink is not None
            or fmt.indent is not None or fmt.rotate is not None):
        align = copy.copy(cell.alignment)
        if fmt.indent is not None:
            align.indent = fmt.indent
        if fmt.rotate is not None:
            align.textRotation = fmt.rotate
        if fmt.halign:
            align.horizontal = fmt.halign
        if fmt.valign:
            align.vertical = fmt.valign
        if fmt.wrap is not None:
            align.wrap_text = fmt.wrap
        if fmt.shrink is not None:
            align.shrink_to_fit = fmt.shrink
        cell.alignment = align
    if fmt.border is not None:
        cell.border = with_border(cell.border, *fmt.border)
    if fmt.fill is not None:
        pattern, fg, bg = fmt.fill
        cell.fill = PatternFill(fill_type=pattern, fgColor=fg, bgColor=bg or fg)


def with_border(border: Border, where: str, style: str | None, color: str | None) -> Border:
    """``border`` with ``where`` (``all``, ``top`` ...) set to ``style`` in ``color``."""
    from openpyxl.styles import Side

    side = Side(style=style, color=color)
    sides = ("left", "right", "top", "bottom") if where == "all" else (where,)
    new = copy.copy(border)
    for name in sides:
        setattr(new, name, side)
    return new


def color(text: str, option: str) -> str:
    """An appendix colour name (HTML colour names) or ``"r g b"`` as ``RRGGBB`` hex."""
    from PIL import ImageColor  # Pillow's table of the HTML colour names

    words = text.split()
    if len(words) == 3 and all(w.isdigit() and int(w) <= 255 for w in words):
        return "".join(f"{int(w):02X}" for w in words)
    rgb = ImageColor.colormap.get(text.lower())
    if not isinstance(rgb, str):
        raise StataError(198, f"{text}: invalid color specified in {option}()")
    return str(rgb).lstrip("#").upper()


def number_format(text: str) -> str:
    """``nformat()``'s argument: an appendix code or an Excel format string (a Stata
    ``%fmt`` is r(198))."""
    code = NFORMAT_CODES.get(text)
    if code is not None:
        from openpyxl.styles.numbers import BUILTIN_FORMATS

        return str(BUILTIN_FORMATS[code])
    if not text.strip() or text.lstrip().startswith("%"):
        raise StataError(198, f"{text}: invalid number format specified in nformat()")
    return text


def add_image(sheet: Worksheet, cells: Cells, path: Path) -> None:
    """Place the picture at ``path`` with its upper-left corner on the cell, not resized
    (r(198) for a file Pillow cannot read as an image)."""
    from openpyxl.drawing.image import Image  # needs Pillow, loaded on the first picture
    from PIL import UnidentifiedImageError

    try:
        picture = Image(str(path))
    except (UnidentifiedImageError, OSError):
        raise StataError(198, f"{path.name}: not an image file putexcel can insert") from None
    sheet.add_image(picture, sheet.cell(cells.row, cells.col).coordinate)


def cell_format(opts: dict[str, bool | str]) -> CellFormat:
    """The format options of a write, checked as Stata checks them."""
    def one_of(names: tuple[str, ...], values: tuple[str, ...], what: str) -> str | None:
        chosen = [v for n, v in zip(names, values, strict=True) if opts.get(n)]
        if len(chosen) > 1:
            raise StataError(198, f"only one {what} alignment may be specified")
        return chosen[0] if chosen else None

    if opts.get("txtwrap") and opts.get("shrinkfit"):
        raise StataError(198, "options txtwrap and shrinkfit are mutually exclusive")
    if opts.get("merge") and "unmerge" in opts:
        raise StataError(198, "options merge and unmerge are mutually exclusive")
    flag = {name: bool(opts[name]) if name in opts else None
            for name in ("bold", "italic", "underline", "strikeout", "txtwrap", "shrinkfit",
                         "fmtlock", "fmthidden")}
    merge = True if opts.get("merge") else False if opts.get("unmerge") else None
    return CellFormat(
        nformat=number_format(strip_quotes(str(opts["nformat"]).strip()))
        if "nformat" in opts else None,
        bold=flag["bold"], italic=flag["italic"], underline=flag["underline"],
        strikeout=flag["strikeout"], wrap=flag["txtwrap"], shrink=flag["shrinkfit"],
        halign=one_of(("hcenter", "left", "right"), ("center", "left", "right"), "horizontal"),
        valign=one_of(("top", "vcenter", "bottom"), ("top", "center", "bottom"), "vertical"),
        font=_font(str(opts["font"])) if "font" in opts else None,
        border=_border(str(opts["border"])) if "border" in opts else None,
        fill=_fill(str(opts["fpattern"])) if "fpattern" in opts else None,
        merge=merge, overwrite=bool(opts.get("overwritefmt")),
        script=_script(str(opts["script"])) if "script" in opts else None,
        indent=_degree(opts, "txtindent", 15), rotate=_degree(opts, "txtrotate", 180),
        locked=flag["fmtlock"], hidden=flag["fmthidden"])


def _script(text: str) -> str:
    word = strip_quotes(text.strip())
    scripts = {"sub": "subscript", "super": "superscript", "normal": "baseline"}
    if word not in scripts:
        raise StataError(198, f"{word}: invalid script() argument")
    return scripts[word]


def _degree(opts: dict[str, bool | str], name: str, most: int) -> int | None:
    """``txtindent(#)`` (0–15) or ``txtrotate(#)`` (0–180, or 255: vertical text)."""
    if name not in opts:
        return None
    text = str(opts[name]).strip()
    try:
        value = int(text)
    except ValueError:
        raise StataError(198, f"{text}: invalid {name}() argument") from None
    if not (0 <= value <= most or (name == "txtrotate" and value == 255)):
        raise StataError(198, f"{text}: invalid {name}() argument")
    return value


def _arguments(text: str, option: str) -> list[str]:
    parts = [strip_quotes(p.strip()) for p in text.split(",")]
    if len(parts) > 3:
        raise StataError(198, f"too many arguments specified in {option}()")
    return parts + [""] * (3 - len(parts))


def _font(text: str) -> tuple[str, float, str | None]:
    name, size, colour = _arguments(text, "font")
    if not name:
        raise StataError(198, "invalid font name specified in font()")
    try:
        points = float(size or 12)
    except ValueError:
        raise StataError(198, f"{size}: invalid font size specified in font()") from None
    return name, points, color(colour, "font") if colour else None


def _border(text: str) -> tuple[str, str | None, str | None]:
    side, style, colour = _arguments(text, "border")
    if side not in BORDER_SIDES:
        raise StataError(198, f"{side}: invalid border specified in border()")
    style = style or "thin"
    if style not in BORDER_STYLES:
        raise StataError(198, f"{style}: invalid border style specified in border()")
    return side, BORDER_STYLES[style], color(colour, "border") if colour else None


def _fill(text: str) -> tuple[str | None, str, str | None]:
    pattern, fg, bg = _arguments(text, "fpattern")
    if pattern not in FILL_PATTERNS:
        raise StataError(198, f"{pattern}: invalid fill pattern specified in fpattern()")
    return (FILL_PATTERNS[pattern], color(fg or "black", "fpattern"),
            color(bg, "fpattern") if bg else None)
