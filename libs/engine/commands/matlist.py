"""``matlist``: a matrix as a table, laid out like Stata's [P] matlist.

A table is a column of row names (``twidth()`` wide, default 12) and one column per matrix
column (as wide as ``format()`` makes the number 1, default ``%9.0g``). Separators sit before
each column: spaces, and a vertical bar where the line style draws one; ``lines(oneline)``
(the default) divides the names from the numbers. A symmetric matrix shows its lower triangle
(``nohalf`` shows all). Columns that do not fit the line (79 characters) continue in further
blocks, as Stata wraps them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.engine import missing, smcl, textscan
from libs.engine.errors import StataError
from libs.engine.formats import format_number, is_valid
from libs.engine.macros import strip_quotes
from libs.engine.registry import command
from libs.engine.results import Matrix
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.engine.varlist import abbreviate

LINESIZE = 79
_LINES = ("oneline", "none", "rows", "columns", "cells", "rowtotal", "coltotal", "rctotal", "eq")
_BORDERS = {"all": "top bottom left right", "rows": "top bottom", "columns": "left right",
            "none": "", "top": "top", "bottom": "bottom", "left": "left", "right": "right"}
_BORDER_WORDS = frozenset({"bor", "bord", "borde", "border"})
_OPTIONS = Spec("[, TITle(string) TINDent(integer 0) ROWtitle(string) NAMes(string) "
                "noNAMes noBlank noHAlf FORmat(string) TWidth(integer 12) LEFT(integer 0) "
                "RIGHT(integer 0) LINes(string) BORder(string) nodotz UNDERscore]")


@dataclass
class _Separator:
    """What stands before a table column: ``before`` spaces, a bar or not, ``after`` spaces."""

    before: int = 1
    bar: bool = False
    after: int = 1


@command("matlist", syntax=None)
def matlist(session: Session, args: Args) -> None:
    """``matlist matrix_exp [, title() rowtitle() format() twidth() left() right() lines()
    border[()] names() nonames noblank nohalf underscore]``."""
    text = args.raw
    comma = textscan.find_top(text, ",")
    name = (text[:comma] if comma >= 0 else text).strip()
    if not name:
        raise StataError(198, "matrix name or matrix expression required")
    # ``border`` alone means border(all): Stata declares it twice (BORder BORder2(str))
    words = textscan.split_top(text[comma + 1 :]) if comma >= 0 else []
    words = ["border(all)" if w.lower() in _BORDER_WORDS else w for w in words]
    opts = _OPTIONS.parse(", " + " ".join(words), session)
    session.log.lines(table(session.matrix(name), opts))


def table(mat: Matrix, opts: Args) -> list[str]:
    """The lines of ``matlist`` for ``mat`` under the parsed options.

    Table column 0 holds the row names, 1..c the matrix columns; separator j stands before
    table column j and separator c+1 after the last, as in Stata's matlist.ado."""
    fmt = opts.opt("format") or "%9.0g"
    if not is_valid(fmt):
        raise StataError(120, f"invalid %format {fmt}")
    names = "none" if opts.opt("nonames") else (opts.opt("names") or "all")
    if names not in ("all", "rows", "columns", "none"):
        raise StataError(198, f"names({names}) invalid")
    rows_on, cols_on = names in ("all", "rows"), names in ("all", "columns")
    style = opts.opt("lines") or "oneline"
    if style not in _LINES:
        raise StataError(198, f"lines({style}) invalid")
    border_spec = opts.opt("border") or "none"
    border = " ".join(_BORDERS.get(word, "?") for word in border_spec.split())
    if "?" in border:
        raise StataError(198, f"border({border_spec}) invalid")
    r, c = mat.values.shape
    c1 = 0 if rows_on else 1  # the first table column shown
    seps = [_Separator() for _ in range(c + 2)]
    seps[c1] = _Separator(opts.opt("left", 0), False, 0)
    seps[c + 1] = _Separator(1, False, opts.opt("right", 0))
    hlines = [False] * (r + 2)  # [i]: a line before matrix row i; [r+1]: after the last row
    r1 = 0 if cols_on else 1
    if style in ("oneline", "rowtotal", "coltotal", "rctotal", "eq"):
        seps[1].bar = seps[1].bar or rows_on
        hlines[1] = cols_on
    if style in ("rowtotal", "rctotal"):
        hlines[r] = True
    if style in ("coltotal", "rctotal"):
        seps[c].bar = True
    if style in ("cells", "columns"):
        for j in range(c1 + 1, c + 1):
            seps[j].bar = True
    if style == "columns":
        hlines[r1 + 1] = cols_on
    if style in ("cells", "rows"):
        for i in range(r1 + 1, r + 1):
            hlines[i] = True
    if style == "rows":
        seps[c1 + 1].bar = rows_on
    if "top" in border:
        hlines[r1] = True
    if "bottom" in border:
        hlines[r + 1] = True
    if "left" in border:
        seps[c1].bar, seps[c1].after = True, 1
    if "right" in border:
        seps[c + 1].bar, seps[c + 1].before = True, 1
    widths = [int(opts.opt("twidth", 12))] + [len(format_number(1.0, fmt))] * c
    cell = [seps[j].after + widths[j] + seps[j + 1].before for j in range(c + 1)]
    lower = r == c and not opts.opt("nohalf") and bool(
        np.array_equal(mat.values, mat.values.T, equal_nan=True))
    row_names = [_label(n, widths[0], opts) for n in mat.rownames]
    col_names = [_label(n.split(":", 1)[-1], 10**6, opts) for n in mat.colnames]
    out: list[str] = [] if opts.opt("noblank") else [""]
    if opts.opt("title"):
        out += [" " * opts.opt("tindent", 0) + strip_quotes(opts.opt("title")), ""]

    def bar(j: int, char: str = "{c |}") -> str:
        return char if seps[j].bar else ""

    def rule(block: list[int], left: str, mid: str, right: str) -> str:
        line = " " * seps[c1].before + bar(c1, left)
        if rows_on:
            line += "-" * cell[0] + bar(1, mid)
        for j in block[:-1]:
            line += "-" * cell[j] + bar(j + 1, mid)
        return line + "-" * cell[block[-1]] + bar(c + 1, right)

    def row(block: list[int], label: str, cells: list[str]) -> str:
        line = " " * seps[c1].before + bar(c1)
        if rows_on:
            line += " " * seps[0].after + f"{label:>{widths[0]}}" + " " * seps[1].before
            line += bar(1)
        for j, text in zip(block, cells, strict=True):
            line += " " * seps[j].after + f"{text:>{widths[j]}}" + " " * seps[j + 1].before
            line += bar(c + 1 if j == block[-1] else j + 1)
        return line

    first = 1
    while first <= c:
        block = _block(first, c, c1, seps, cell, rows_on)
        if first > 1:
            out.append("")
        if hlines[r1]:
            out.append(rule(block, "{c TLC}", "{c TT}", "{c TRC}"))
        if cols_on:
            depth = max(-(-len(col_names[j - 1]) // widths[j]) for j in block)
            for level in range(depth):
                title = (opts.opt("rowtitle") or "")[: widths[0]] if level == depth - 1 else ""
                out.append(row(block, title, [_piece(col_names[j - 1], widths[j], level, depth)
                                             for j in block]))
        start = block[0] if lower else 1
        for i in range(start, r + 1):
            if (hlines[1] and cols_on) if lower and i == start else (
                    hlines[i] and (i != 1 or cols_on)):
                out.append(rule(block, "{c LT}", "{c +}", "{c RT}"))
            values = mat.values[i - 1]
            out.append(row(block, row_names[i - 1], [
                " " if (lower and j > i) or (opts.opt("nodotz") and _is_dotz(values[j - 1]))
                else format_number(values[j - 1], fmt) for j in block]))
        if hlines[r + 1]:
            out.append(rule(block, "{c BLC}", "{c BT}", "{c BRC}"))
        first = block[-1] + 1
    return [smcl.to_text(line) for line in out]


def _block(first: int, c: int, c1: int, seps: list[_Separator], cell: list[int],
           rows_on: bool) -> list[int]:
    """The matrix columns (1-based) from ``first`` that fit one line; at least one."""
    used = seps[c1].before + seps[c1].bar + cell[first] + seps[c + 1].bar + seps[c + 1].after
    if rows_on:
        used += cell[0] + seps[1].bar
    last = first
    while last < c and used < LINESIZE:
        extra = seps[last + 1].bar + cell[last + 1]
        if used + extra > LINESIZE:
            break
        used += extra
        last += 1
    return list(range(first, last + 1))


def _label(name: str, width: int, opts: Args) -> str:
    text = abbreviate(name, width) if len(name) > width else name
    return text.replace("_", " ") if opts.opt("underscore") else text


def _piece(name: str, width: int, level: int, depth: int) -> str:
    """Line ``level`` of ``depth`` header lines of a column name cut into ``width`` chunks,
    the last chunk on the bottom line."""
    chunks = [name[k : k + width] for k in range(0, len(name), width)] or [""]
    offset = depth - len(chunks)
    return chunks[level - offset] if level >= offset else ""


def _is_dotz(value: float) -> bool:
    return bool(np.isnan(value)) and missing.label(float(value)) == ".z"
