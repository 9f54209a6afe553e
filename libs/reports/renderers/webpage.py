"""html: the report as one self-contained page — inline CSS, charts as data: URIs, and a
Content-Security-Policy that forbids the page any request at all.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from libs.reports.bundle import ResultBundle
from libs.reports.files import write_bytes
from libs.reports.grid import Grid
from libs.reports.outline import Heading, Picture, Text, outline

REPORT_FILE = "report.html"

_CSS = """
body { font-family: "Times New Roman", "Noto Serif CJK SC", "Songti SC", SimSun, serif;
  color: #1a1a1a; max-width: 62rem; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
.subtitle { color: #555; margin-top: 0; }
.note, figcaption { font-size: 0.85rem; color: #444; }
.scroll { overflow-x: auto; margin: 1.2rem 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.35rem; }
th, td { padding: 0.18rem 0.75rem; white-space: nowrap; }
th { font-weight: normal; }
thead tr:first-child th { border-top: 2px solid #000; }
thead tr:last-child th { border-bottom: 1px solid #000; }
tbody tr:last-child td { border-bottom: 2px solid #000; }
tr.rule td { border-bottom: 1px solid #000; }
.l { text-align: left; } .c { text-align: center; } .r { text-align: right; }
figure { margin: 1.2rem 0; } figure img { max-width: min(100%, 44rem); }
"""

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def render_html(bundle: ResultBundle, out_dir: Path) -> list[Path]:
    """Write ``report.html`` into ``out_dir``."""
    report = outline(bundle)
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title>", f"<style>{_CSS}</style>", "</head>",
        "<body>", f"<h1>{escape(report.title)}</h1>",
        f'<p class="subtitle">{escape(report.subtitle)}</p>']
    for block in report.blocks:
        if isinstance(block, Heading):
            parts.append(f"<h2>{escape(block.text)}</h2>")
        elif isinstance(block, Text):
            parts.append(f'<p class="{block.style}">{escape(block.text)}</p>')
        elif isinstance(block, Picture):
            data = base64.b64encode(block.chart.png).decode("ascii")
            parts.append(f'<figure><img src="data:image/png;base64,{data}" '
                         f'alt="{escape(block.chart.title)}">'
                         f"<figcaption>{escape(block.chart.title)}</figcaption></figure>")
        else:
            parts.append(grid_html(block))
    parts += ["</body>", "</html>", ""]
    return [write_bytes(out_dir / REPORT_FILE, "\n".join(parts).encode("utf-8"))]


def grid_html(grid: Grid) -> str:
    """A booktabs table with its caption and notes."""
    lines = ['<div class="scroll"><table>']
    if grid.title:
        lines.append(f"<caption>{escape(grid.title)}</caption>")
    lines.append("<thead>")
    for row in grid.header:
        lines.append("<tr>" + "".join(f'<th class="{align}">{escape(text)}</th>'
                                      for text, align in zip(row, grid.align, strict=True))
                     + "</tr>")
    lines.append("</thead><tbody>")
    for index, row in enumerate(grid.body):
        rule = ' class="rule"' if index in grid.rules_after else ""
        lines.append(f"<tr{rule}>" + "".join(f'<td class="{align}">{escape(text)}</td>'
                                             for text, align in zip(row, grid.align,
                                                                    strict=True)) + "</tr>")
    lines.append("</tbody></table></div>")
    lines += [f'<p class="note">{escape(note)}</p>' for note in grid.notes]
    return "\n".join(lines)
