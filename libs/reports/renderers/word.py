"""docx: the report for Word and LibreOffice — title, what ran on which data, each table in
booktabs style (rules above and below the header and at the bottom, no verticals) with its
notes, and the charts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row, CT_Tbl
from docx.shared import Cm, Length, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from libs.reports.bundle import ResultBundle
from libs.reports.cells import display_width
from libs.reports.files import atomic_path
from libs.reports.grid import Grid
from libs.reports.outline import Heading, Picture, Text, outline

REPORT_FILE = "report.docx"

#: Border widths in eighths of a point, as booktabs draws them.
_HEAVY, _LIGHT = 12, 6

#: Text width of A4 portrait and landscape with the margins below (cm).
_TEXT_WIDTH_CM, _WIDE_TEXT_WIDTH_CM = 16.6, 29.7 - 4.4
#: Width of one character per point of font size, and the cell margins allowed for (cm).
_CM_PER_CHAR_PT, _CELL_MARGINS_CM, _NARROW_MARGINS_CM = 0.18 / 9.5, 0.5, 0.12
#: Table font: the usual size and the smallest a wide table may shrink to (pt).
_BODY_PT, _MIN_PT = 9.5, 5.5

#: Tables up to this many rows are kept on one page.
_KEEP_TOGETHER_ROWS = 40

_ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER,
          "r": WD_ALIGN_PARAGRAPH.RIGHT}


def render_docx(bundle: ResultBundle, out_dir: Path) -> list[Path]:
    """Write ``report.docx`` into ``out_dir``."""
    report = outline(bundle)
    document = docx.Document()
    _page_and_fonts(document)
    properties = document.core_properties
    properties.title = report.title
    properties.created = properties.modified = bundle.context.finished_at()
    document.add_heading(report.title, level=0)
    subtitle = document.add_paragraph(report.subtitle)
    subtitle.runs[0].italic = True
    for block in report.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=1)
        elif isinstance(block, Text):
            paragraph = document.add_paragraph(block.text)
            if block.style == "note":
                paragraph.runs[0].font.size = Pt(8.5)
        elif isinstance(block, Picture):
            document.add_picture(io.BytesIO(block.chart.png), width=Cm(15))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _small(document.add_paragraph(block.chart.title), italic=True)
        else:
            _grid(document, block)
    target = out_dir / REPORT_FILE
    with atomic_path(target) as partial:
        document.save(str(partial))
    return [target]


def _page_and_fonts(document: Document) -> None:
    for section in document.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin = section.bottom_margin = Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)
    # Word takes Chinese glyphs from the East Asian font slot, which name= does not set.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), "SimSun")


def _grid(document: Document, grid: Grid) -> None:
    layout = _layout(grid)
    if layout.landscape:
        _new_section(document, landscape=True)
    if grid.title:
        caption = document.add_paragraph()
        caption.add_run(grid.title).bold = True
        caption.paragraph_format.keep_with_next = True
    rows = grid.header + grid.body
    table = document.add_table(rows=len(rows), cols=grid.width)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    widths = layout.widths
    if layout.landscape:
        _narrow_cell_margins(table._tbl)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    last_header, last = len(grid.header) - 1, len(rows) - 1
    together = len(rows) <= _KEEP_TOGETHER_ROWS
    for index, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        _row_flag(row._tr, "cantSplit")
        if index <= last_header:
            _row_flag(row._tr, "tblHeader")
        body_index = index - len(grid.header)
        edges: dict[str, int] = {}
        if index == 0:
            edges["top"] = _HEAVY
        if index == last_header:
            edges["bottom"] = _LIGHT
        if body_index in grid.rules_after:
            edges["bottom"] = _LIGHT
        if index == last:
            edges["bottom"] = _HEAVY
        for cell, text, align, width in zip(row.cells, values, grid.align, widths,
                                            strict=True):
            cell.width = width  # Word reads the cell width, LibreOffice the column's
            paragraph = cell.paragraphs[0]
            paragraph.alignment = _ALIGN[align]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.keep_with_next = together and index < last
            run = paragraph.add_run(text)
            run.font.size = Pt(layout.font_pt)
            if edges:
                _borders(cell, edges)
    for note in grid.notes:
        _small(document.add_paragraph(note), italic=False)
    if layout.landscape:
        _new_section(document, landscape=False)
    else:
        document.add_paragraph()


@dataclass(frozen=True, slots=True)
class _Layout:
    """How a table fits the page: orientation, font size and column widths."""

    landscape: bool
    font_pt: float
    widths: list[Length]


def _layout(grid: Grid) -> _Layout:
    """Portrait at full size when the text fits; else landscape with narrow cell margins
    and the largest font (down to 5.5 pt) at which the columns fit; wrap beyond that."""
    rows = grid.header + grid.body
    # Slack: one character for every column, two for text, whose letters ("m", "w") are
    # wider than the digits the estimate assumes.
    chars = [max(display_width(row[col]) for row in rows) + (2 if align == "l" else 1)
             for col, align in enumerate(grid.align)]
    total = max(sum(chars), 1)
    if total * _BODY_PT * _CM_PER_CHAR_PT + _CELL_MARGINS_CM * grid.width <= _TEXT_WIDTH_CM:
        landscape, font, margins, room = False, _BODY_PT, _CELL_MARGINS_CM, _TEXT_WIDTH_CM
    else:
        landscape, margins, room = True, _NARROW_MARGINS_CM, _WIDE_TEXT_WIDTH_CM
        font = (room - margins * grid.width) / (total * _CM_PER_CHAR_PT)
        font = max(_MIN_PT, min(_BODY_PT, round(font * 2) / 2 - 0.5))
    per_char = min(font * _CM_PER_CHAR_PT, (room - margins * grid.width) / total)
    return _Layout(landscape, font, [Cm(count * per_char + margins) for count in chars])


def _narrow_cell_margins(table: CT_Tbl) -> None:
    """Left/right cell padding of ``_NARROW_MARGINS_CM`` in total instead of Word's 0.38 cm."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(round(_NARROW_MARGINS_CM / 2 / 2.54 * 1440)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table.tblPr.append(margins)


def _new_section(document: Document, *, landscape: bool) -> None:
    """Start a new page in the given orientation (A4, same margins)."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21.0)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)


def _small(paragraph: Paragraph, *, italic: bool) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(8.5)
        run.italic = italic


def _borders(cell: _Cell, edges: dict[str, int]) -> None:
    properties = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for edge, size in edges.items():
        element = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", str(size)), ("space", "0"),
                           ("color", "000000")):
            element.set(qn(f"w:{key}"), value)
        borders.append(element)
    properties.append(borders)


def _row_flag(row_element: CT_Row, flag: str) -> None:
    """Set a row property: ``tblHeader`` repeats the row atop every page the table spans,
    ``cantSplit`` keeps a row whole."""
    marker = OxmlElement(f"w:{flag}")
    marker.set(qn("w:val"), "true")
    row_element.get_or_add_trPr().append(marker)
