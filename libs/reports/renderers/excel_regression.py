"""The regression sheets of the xlsx: the publication table and the long coefficients.

Coefficients and standard errors stay numbers in their cells; the stars and parentheses
live in each cell's number format (``0.0000"***"``, ``"("0.0000")"``), so a co-author can
copy a value into a formula and still sees the table as printed.
"""

from __future__ import annotations

import io
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from libs.reports import cells
from libs.reports.bundle import ResultBundle
from libs.reports.charts import coefficient_chart
from libs.reports.regtable import coefficient_cells, header_rows, notes, shown_stats

#: One cell of the publication table: a value and, for numbers, its number format.
_Cell = tuple[str | float, str | None]


class Styles:
    """The workbook's cell formats, created once and shared by every sheet."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[Any, ...], Format] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.heading = workbook.add_format({"bold": True, "font_size": 12})
        self.bold = workbook.add_format({"bold": True})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True,
                                           "valign": "bottom"})
        self.note = workbook.add_format({"italic": True, "font_size": 9})

    def cell(self, *, number: str | None = None, top: int = 0, bottom: int = 0,
             bold: bool = False, align: str = "center") -> Format:
        """A table cell format; ``top``/``bottom`` are xlsxwriter border styles (0, 1, 2)."""
        key = (number, top, bottom, bold, align)
        if key not in self._cache:
            spec: dict[str, Any] = {"top": top, "bottom": bottom, "bold": bold, "align": align}
            if number is not None:
                spec["num_format"] = number
            self._cache[key] = self._workbook.add_format(spec)
        return self._cache[key]


def coefficient_format(value: float, p: float | None) -> str:
    """Number format showing ``value`` rounded with its stars, negatives included."""
    code = _digits(value)
    mark = cells.stars(p)
    return f'{code}"{mark}";-{code}"{mark}"' if mark else code


def se_format(value: float) -> str:
    """Number format showing a standard error in parentheses."""
    return f'"("{_digits(value)}")"'


def stat_format(name: str) -> str:
    """Number format of a model statistic."""
    return "#,##0" if name in cells.COUNT_STATS else "0." + "0" * cells.DECIMALS


def write_regression(sheet: Worksheet, bundle: ResultBundle, styles: Styles) -> None:
    """The models side by side, as in a paper, with notes below and the coefficient plot."""
    models = bundle.models
    header = header_rows(models, bundle.context.variable_labels())
    body: list[list[_Cell]] = []
    for term, found in coefficient_cells(models):
        coef_row: list[_Cell] = [(term.label, None)]
        se_row: list[_Cell] = [("", None)]
        for coef in found:
            coef_row.append((coef.coef, coefficient_format(coef.coef, coef.p)) if coef
                            else ("", None))
            se_row.append((coef.se, se_format(coef.se)) if coef and coef.se is not None
                          else ("", None))
        body += [coef_row, se_row]
    first_stat = len(body)
    for stat, label in shown_stats(models):
        body.append([(label, None)] + [(m.stats[stat], stat_format(stat))
                                       if stat in m.stats else ("", None) for m in models])

    label_width = max((cells.display_width(str(r[0][0])) for r in body), default=10)
    sheet.set_column(0, 0, max(label_width, 18) + 2)
    sheet.set_column(1, len(models), 16)
    sheet.write_string(0, 0, "Regression results", styles.title)
    for offset, texts in enumerate(header):
        top, bottom = (2 if offset == 0 else 0), (1 if offset == len(header) - 1 else 0)
        for col, text in enumerate(texts):
            sheet.write_string(1 + offset, col, cells.neutralised(text), styles.cell(
                top=top, bottom=bottom, bold=True, align="left" if col == 0 else "center"))
    start = 1 + len(header)
    for index, values in enumerate(body):
        top = 1 if index == first_stat and index > 0 else 0
        bottom = 2 if index == len(body) - 1 else 0
        for col, (value, number) in enumerate(values):
            style = styles.cell(number=number, top=top, bottom=bottom,
                                align="left" if col == 0 else "center")
            if isinstance(value, str):
                sheet.write_string(start + index, col, cells.neutralised(value), style)
            else:
                sheet.write_number(start + index, col, value, style)
    row = start + len(body) + 1
    for text in notes(models):
        sheet.write_string(row, 0, text, styles.note)
        row += 1
    sheet.freeze_panes(start, 1)
    plot = coefficient_chart(bundle)
    if plot is not None:
        sheet.insert_image(row + 1, 0, plot.file, {
            "image_data": io.BytesIO(plot.png), "x_scale": 0.55, "y_scale": 0.55})


def write_coefficients(sheet: Worksheet, bundle: ResultBundle, styles: Styles) -> None:
    """Every coefficient in long form with its p-value and confidence interval."""
    header = ["Model", "Term", "Label", "Coefficient", "Std. error", "Statistic",
              "Statistic type", "p-value", "CI low", "CI high", "Omitted"]
    widths = [12, 18, 28, 14, 14, 12, 10, 10, 14, 14, 9]
    for col, (name, width) in enumerate(zip(header, widths, strict=True)):
        sheet.write_string(0, col, name, styles.header)
        sheet.set_column(col, col, width)
    number = styles.cell(number="0." + "0" * 6, align="right")
    row = 1
    for model in bundle.models:
        for coef in model.coefficients:
            for col, text in enumerate((model.name, coef.term, coef.label)):
                sheet.write_string(row, col, cells.neutralised(text))
            for col, value in enumerate((coef.coef, coef.se, coef.stat), start=3):
                if value is not None:
                    sheet.write_number(row, col, value, number)
            sheet.write_string(row, 6, coef.stat_type)
            for col, value in enumerate((coef.p, coef.ci_lo, coef.ci_hi), start=7):
                if value is not None:
                    sheet.write_number(row, col, value, number)
            sheet.write_number(row, 10, int(coef.omitted))
            row += 1
    sheet.freeze_panes(1, 2)


def _digits(value: float) -> str:
    tiny = value != 0 and abs(value) < 0.5 * 10**-cells.DECIMALS
    return "0.00E+00" if tiny else "0." + "0" * cells.DECIMALS
