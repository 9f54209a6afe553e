"""A grid of table cells as a Word (RTF), Excel (XML spreadsheet) or LaTeX document: the
companion files outreg2 writes beside its text table (``word``, ``excel``, ``tex``)."""

from __future__ import annotations

from xml.sax.saxutils import escape

_TWIPS = 1440  #: one inch per column


def rtf(rows: list[list[str]]) -> str:
    """An RTF document holding the rows as one table (first column left, others centred)."""
    width = max((len(r) for r in rows), default=1)
    cellx = "".join(f"\\cellx{_TWIPS * (k + 1) + _TWIPS}" for k in range(width))
    lines = ["{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times New Roman;}}", "\\fs24"]
    for row in rows:
        cells = "".join(
            f"\\pard\\intbl\\{'ql' if k == 0 else 'qc'} {_rtf_text(text)}\\cell"
            for k, text in enumerate(row + [""] * (width - len(row))))
        lines.append(f"\\trowd\\trgaph108{cellx}{cells}\\row")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _rtf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")


def xml(rows: list[list[str]]) -> str:
    """An Excel 2003 XML spreadsheet with one worksheet of text cells."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<?mso-application progid="Excel.Sheet"?>',
           '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">',
           ' <Worksheet ss:Name="Sheet1">', "  <Table>"]
    for row in rows:
        cells = "".join(f'<Cell><Data ss:Type="String">{escape(text)}</Data></Cell>'
                        for text in row)
        out.append(f"   <Row>{cells}</Row>")
    out += ["  </Table>", " </Worksheet>", "</Workbook>"]
    return "\n".join(out) + "\n"


def tex(rows: list[list[str]]) -> str:
    """A LaTeX document with the rows in a ``tabular`` (rules around the column titles)."""
    width = max((len(r) for r in rows), default=1)
    body = []
    for k, row in enumerate(rows):
        body.append(" & ".join(_tex_text(t) for t in row + [""] * (width - len(row))) + " \\\\")
        if row and row[0] == "VARIABLES":
            body.append("\\hline")
        if k == 0:
            body.insert(0, "\\hline")
    return "\n".join(["\\documentclass[]{article}", "\\begin{document}",
                      f"\\begin{{tabular}}{{l{'c' * (width - 1)}}}", *body, "\\hline",
                      "\\end{tabular}", "\\end{document}"]) + "\n"


def _tex_text(text: str) -> str:
    for char in ("\\", "&", "%", "$", "#", "_", "{", "}"):
        text = text.replace(char, "\\" + char if char != "\\" else "\\textbackslash{}")
    return text.replace("***", "$^{***}$") if "*" in text else text
