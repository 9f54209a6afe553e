"""``matrix list``: a matrix laid out as Stata prints it.

Every element is formatted with ``format()`` (default ``%10.0g``) and trimmed; all columns are
as wide as the widest element or column name of the matrix, plus two spaces of separation, so
``-1.5`` and ``-2.25`` never run together (Stata 19's ``matrix list e(b)``:
``y1  -49.512221   1.7465592   1946.0687``; a matrix of small integers lists as
``r1   1   2``). Row names are right-aligned in a column as wide as the longest. A symmetric
matrix shows its lower triangle (``symmetric A[3,3]``) unless ``nohalf``. Columns that do not
fit the line continue in further blocks, each with its header, separated by a blank line.
"""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.formats import format_number, is_valid
from libs.engine.results import Matrix
from libs.engine.syntax import Args, Spec

LINESIZE = 79
OPTIONS = Spec("[, noBlank noHAlf noHeader noNames FORmat(string) nodotz]")


def listing(name: str, mat: Matrix, opts: Args) -> list[str]:
    """The lines ``matrix list name`` prints for ``mat`` under the parsed ``OPTIONS``."""
    fmt = opts.opt("format") or "%10.0g"
    if not is_valid(fmt):
        raise StataError(120, f"invalid %format {fmt}")
    rows, cols = mat.values.shape
    half = rows == cols and rows > 1 and not opts.opt("nohalf") and bool(
        np.array_equal(mat.values, mat.values.T, equal_nan=True))
    shown = [[j <= i or not half for j in range(cols)] for i in range(rows)]
    cells = [[_cell(float(mat.values[i, j]), fmt, opts) if shown[i][j] else ""
              for j in range(cols)] for i in range(rows)]
    names = not opts.opt("nonames")
    widest = max([len(c) for row in cells for c in row] + [1])
    if names:
        widest = max([widest] + [len(c) for c in mat.colnames])
    width = widest + 2
    label = max(len(r) for r in mat.rownames) if names and rows else 0
    out: list[str] = [] if opts.opt("noblank") else [""]
    if not opts.opt("noheader"):
        out.append(f"{'symmetric ' if half else ''}{name}[{rows},{cols}]")
    per_block = max(1, (LINESIZE - label) // width)
    for start in range(0, cols, per_block):
        block = range(start, min(cols, start + per_block))
        if start:
            out.append("")
        if names:
            out.append(" " * label + "".join(f"{mat.colnames[j]:>{width}}" for j in block))
        for i in range(rows):
            if half and i < start:
                continue
            text = (f"{mat.rownames[i]:>{label}}" if names else "") + "".join(
                f"{cells[i][j]:>{width}}" for j in block)
            out.append(text.rstrip())
    return out


def _cell(value: float, fmt: str, opts: Args) -> str:
    """One element as Stata shows it (``nodotz``: ``.z`` as blank)."""
    text = format_number(value, fmt).strip()
    if opts.opt("nodotz") and text == ".z":
        return ""
    return text
