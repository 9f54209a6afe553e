"""A table of the PDF report: fpdf2's ``Table``, without its measuring pass for cells whose
text fits on one line.

fpdf2 lays a table out twice: a first pass runs ``multi_cell`` on every cell with writing
turned off, to learn each row's height, then a second draws. Its line breaking re-adds a
line's width for every character it appends, so the first pass costs as much as the drawing
(~13 ms of the ~27 ms an ``ols_robust`` report's four tables took). The report's columns
are sized to their widest text, so nearly every cell is one line, whose height
``multi_cell`` gives as the line height plus the top and bottom padding: that is what this
table answers for a cell whose text is narrower than its column by a clear margin. Any
other cell (wider, nearly as wide, several lines, an image, a span) is measured by fpdf as
before, and the drawing pass is fpdf's own, so the page comes out byte for byte the same
(tests/reports/test_pdf_table.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from fpdf.table import Cell, Table
from fpdf.util import Padding

#: How much narrower than its column (mm) a text must be to be taken as one line unmeasured;
#: text widths summed in another order differ by far less.
SLACK = 0.01


class OneLineTable(Table):
    """``Table`` whose measuring pass takes a one-line cell's height without laying it out.

    ``widths`` holds the width (mm per point of font size) of every text of the table at
    the font the table is drawn in, as ``FPDF.get_string_width`` gives it.
    """

    def __init__(self, pdf: FPDF, widths: Mapping[str, float], **kwargs: Any) -> None:
        super().__init__(pdf, **kwargs)
        self._text_widths = widths

    def _render_table_cell(self, i: int, j: int, cell: Cell, row_height: float,
                           cell_height_info: Any = None,
                           cell_x_positions: Sequence[float] | None = None,
                           **kwargs: Any) -> tuple[bool, float, float]:
        if cell_height_info is None and self._one_line(i, j, cell):
            padding = Padding.new(cell.padding) if cell.padding else self._padding
            # multi_cell's height of one line: the line, then the paddings, in its order.
            return False, 0, row_height + padding.top + padding.bottom
        return super()._render_table_cell(
            i, j, cell, row_height, cell_height_info, cell_x_positions, **kwargs)

    def _one_line(self, i: int, j: int, cell: Cell) -> bool:
        text = cell.text
        per_point = self._text_widths.get(text) if text else None
        if (per_point is None or cell.img is not None or cell.colspan != 1 or cell.rowspan != 1
                or cell.style is not None or self.rows[i].style is not None
                or (i < self._num_heading_rows and _changes_font(self._headings_style))
                or "\n" in text or self._markdown):
            return False
        padding = Padding.new(cell.padding) if cell.padding else self._padding
        room = self._get_col_width(i, j) - padding.left - padding.right
        return per_point * self._fpdf.font_size_pt < room - SLACK


def _changes_font(style: FontFace | None) -> bool:
    """Whether ``style`` draws in another font or size than the table's (its widths)."""
    return style is not None and (style.family is not None or style.emphasis is not None
                                  or style.size_pt is not None)
