"""pdf: the report laid out for print with fpdf2 — DejaVu Sans for Latin text and an
embedded CJK font for Chinese; long tables break across pages with their header repeated.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import CellBordersLayout, TableBordersLayout
from fpdf.fonts import FontFace

from libs.fonts import CJK_FONT_ENV, font_files, needs_cjk
from libs.reports.bundle import ResultBundle
from libs.reports.errors import ReportCode, ReportError
from libs.reports.files import write_bytes
from libs.reports.grid import Grid
from libs.reports.outline import Heading, Outline, Picture, Text, outline
from libs.reports.renderers.pdf_fonts import add_font, close_fonts, covers, drawn
from libs.reports.renderers.pdf_images import picture
from libs.reports.renderers.pdf_table import OneLineTable

REPORT_FILE = "report.pdf"

_FAMILY, _CJK = "DejaVu", "CJK"
_ALIGN = {"l": "LEFT", "c": "CENTER", "r": "RIGHT"}
_GREY = (90, 90, 90)

#: Smallest table font, and the size below which a wide table turns the page to landscape.
_MIN_FONT, _LANDSCAPE_BELOW = 5.0, 7.0

#: Left+right padding of a table cell (mm), on top of its text.
_PADDING = 3.0


def render_pdf(bundle: ResultBundle, out_dir: Path) -> list[Path]:
    """Write ``report.pdf`` into ``out_dir``."""
    report = outline(bundle)
    texts = report.texts()
    fonts = font_files()
    if fonts.cjk is None and any(needs_cjk(text) for text in texts):
        raise ReportError(ReportCode.FONT_MISSING,
                          "the report has Chinese/CJK text but no CJK font is installed "
                          f"(Debian fonts-wqy-microhei, or set {CJK_FONT_ENV})")
    pdf = _PagedPDF(orientation="portrait", unit="mm", format="A4")
    try:
        # The footer's page numbers are digits, in every cut of the font.
        chars = drawn(texts)
        add_font(pdf, _FAMILY, "", fonts.regular, chars)
        add_font(pdf, _FAMILY, "B", fonts.bold, chars)
        if fonts.cjk is not None and not covers(pdf, texts):
            # Glyphs DejaVu lacks (Chinese) come from the CJK font, bold text included; a
            # report DejaVu covers does not embed it.
            add_font(pdf, _CJK, "", fonts.cjk)
            pdf.set_fallback_fonts([_CJK], exact_match=False)
        pdf.set_creation_date(bundle.context.finished_at())
        _write(pdf, report)
        data = bytes(pdf.output())
    finally:
        close_fonts(pdf)
    return [write_bytes(out_dir / REPORT_FILE, data)]


def _write(pdf: FPDF, report: Outline) -> None:
    pdf.set_title(report.title)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.set_font(_FAMILY, "B", 17)
    pdf.multi_cell(0, 8, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, "", 9)
    pdf.set_text_color(*_GREY)
    pdf.multi_cell(0, 5, report.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    for block in report.blocks:
        if isinstance(block, Heading):
            pdf.ln(4)
            pdf.set_font(_FAMILY, "B", 13)
            pdf.multi_cell(0, 7, block.text, new_x="LMARGIN", new_y="NEXT")
        elif isinstance(block, Text):
            pdf.set_font(_FAMILY, "", 8 if block.style == "note" else 10)
            pdf.multi_cell(0, 5, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif isinstance(block, Picture):
            pdf.ln(2)
            pdf.image(picture(pdf, block.chart.png), x=pdf.l_margin + 10, w=pdf.epw - 20)
            pdf.set_font(_FAMILY, "", 8)
            pdf.multi_cell(0, 4, block.chart.title, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        else:
            _grid(pdf, block)


class _PagedPDF(FPDF):
    """Pages numbered "n / total" in the footer."""

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(_FAMILY, "", 7.5)
        self.set_text_color(*_GREY)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _grid(pdf: FPDF, grid: Grid) -> None:
    pdf.ln(2)
    text_widths = _text_widths(pdf, grid)
    column_widths = [max(text_widths[row[col]] for row in grid.header + grid.body)
                     for col in range(grid.width)]
    size = _fit_font(pdf, column_widths)
    widths = [w * size + _PADDING for w in column_widths]
    line = size * 0.5
    rows = grid.header + grid.body
    # Keep a table that fits on one page together rather than strand its first rows.
    height = (len(rows) + len(grid.notes)) * (line + 1.2) + 8
    if pdf.y + height > pdf.page_break_trigger and height < pdf.eph:
        pdf.add_page()
    if grid.title:
        pdf.set_font(_FAMILY, "B", 10)
        pdf.multi_cell(0, 5.5, grid.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, "", size)
    pdf.set_line_width(0.3)
    last_header, last = len(grid.header) - 1, len(rows) - 1
    table = OneLineTable(
        pdf, text_widths,
        borders_layout=TableBordersLayout.NONE, num_heading_rows=len(grid.header),
        headings_style=FontFace(emphasis=None, fill_color=None),
        col_widths=tuple(w / sum(widths) for w in widths), width=min(sum(widths), pdf.epw),
        text_align=tuple(_ALIGN[a] for a in grid.align), line_height=line,
        padding=(0.6, 1.2), align="LEFT",
    )
    for index, values in enumerate(rows):
        border = CellBordersLayout.NONE
        if index == 0:
            border |= CellBordersLayout.TOP
        if index in (last_header, last) or index - len(grid.header) in grid.rules_after:
            border |= CellBordersLayout.BOTTOM
        row = table.row()
        for text in values:
            row.cell(text, border=border)
    table.render()
    pdf.set_font(_FAMILY, "", 7.5)
    pdf.ln(1)
    for note in grid.notes:
        pdf.multi_cell(0, 3.8, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _text_widths(pdf: FPDF, grid: Grid) -> dict[str, float]:
    """The width of each text of the table (at most PREVIEW_ROWS rows) in mm per point of
    font size; text width is linear in the size, so one measurement serves every size
    tried, and the table's measuring pass."""
    pdf.set_font(_FAMILY, "", 10)
    texts = {text for row in grid.header + grid.body for text in row}
    return {text: pdf.get_string_width(text) / 10 for text in texts}


def _fit_font(pdf: FPDF, text_widths: list[float]) -> float:
    """The largest font size (9 down to 5 pt) at which the columns fit the page width;
    a table too wide for portrait at 7 pt gets a landscape page first."""
    size = 9.0
    while True:
        if sum(w * size + _PADDING for w in text_widths) <= pdf.epw or size <= _MIN_FONT:
            return size
        if size <= _LANDSCAPE_BELOW and pdf.cur_orientation.value == "P":
            pdf.add_page(orientation="landscape")
            size = 9.0
            continue
        size -= 0.5
