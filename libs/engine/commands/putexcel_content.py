"""What one ``putexcel`` output type puts in the sheet, as cell values by (row, column):
an expression, a matrix (with its names), a set of returned results, a formula, or the
coefficient table of the last estimation (``etable``); ``image()`` names its picture.
[RPT] putexcel states the layouts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from libs.engine.commands.matrices import evaluate_matrix
from libs.engine.commands.putexcel_book import Cells, check_extent
from libs.engine.errors import StataError
from libs.engine.estimation.factor_rows import factor_term, level_display
from libs.engine.estimation.output import equations
from libs.engine.estimation.post import estimation_from_e
from libs.engine.evaluator import Evaluator
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.values import is_string
from libs.engine.varlist import abbreviate

CellValue = float | str | None
#: Excel's serial day number of 01jan1960 (Stata's date 0) in the 1900 date system
EXCEL_1960 = 21916
DATE_FORMAT, DATETIME_FORMAT = "m/d/yyyy", "m/d/yyyy h:mm"


@dataclass
class Content:
    """Cell values to write, the cells the format options apply to, and for ``etable`` the
    table's own rules (top borders by row) and merged header cells."""

    values: dict[tuple[int, int], CellValue] = field(default_factory=dict)
    formats: list[Cells] = field(default_factory=list)
    formula: bool = False  #: the text values are Excel formulas
    number_format: str | None = None  #: ``asdate``/``asdatetime``: Excel's date format
    table: Cells | None = None  #: ``etable``: the table's rectangle
    title_rows: int = 0  #: ``etable``: header rows (a rule below them)
    rules: list[int] = field(default_factory=list)  #: ``etable``: rows with a rule above
    merges: list[Cells] = field(default_factory=list)
    image: Path | None = None  #: ``image()``: the picture placed at the upper-left cell


def number(value: float) -> CellValue:
    """A Stata number as a cell value: missing values leave the cell empty."""
    return None if not math.isfinite(value) else float(value)


def expression(session: Session, cells: Cells, text: str, date: str | None) -> Content:
    """``ul_cell[:lr_cell] = exp``: the value of ``exp`` (as ``display`` evaluates it) in every
    cell; ``date`` (``asdate`` ...) writes a Stata date or datetime as Excel's serial."""
    value = Evaluator(session, scalar=True).evaluate(text)
    out: CellValue
    if is_string(value):
        if date:
            raise StataError(198, f"{text}: invalid date")
        out = str(value)
    else:
        x = float(np.asarray(value, dtype=np.float64).reshape(-1)[0])
        if date in ("asdatetime", "asdatetimenum"):
            x = x / 86_400_000.0 + EXCEL_1960
        elif date:
            x += EXCEL_1960
        out = number(x)
    content = Content(formats=[cells])
    content.values = dict.fromkeys(cells.each(), out)
    if date in ("asdate", "asdatetime"):
        content.number_format = DATE_FORMAT if date == "asdate" else DATETIME_FORMAT
    return content


def formula(cells: Cells, text: str) -> Content:
    """``formula(formula)``: the formula, as given, in every cell (Stata does not check it)."""
    body = text.strip().strip('"').lstrip("=")
    return Content(values=dict.fromkeys(cells.each(), "=" + body), formats=[cells],
                   formula=True)


def _stripes(names: list[str]) -> list[list[str]]:
    """A matrix's row or column names as Stata writes them: the equation names as their own
    stripe when any name has one, then the names."""
    eqs = [name.rpartition(":")[0] for name in names]
    plain = [name.rpartition(":")[2] for name in names]
    return [eqs, plain] if any(eqs) else [plain]


def matrix(session: Session, cells: Cells, text: str, names: str) -> Content:
    """``matrix(exp)``: the matrix's values from ``ul_cell``; ``names``, ``rownames`` or
    ``colnames`` also write its row and/or column names to the left and above."""
    mat = evaluate_matrix(session, text)
    rows = _stripes(mat.rownames) if names in ("names", "rownames") else []
    cols = _stripes(mat.colnames) if names in ("names", "colnames") else []
    top, left = cells.row + len(cols), cells.col + len(rows)
    nr, nc = mat.values.shape
    check_extent(top + nr - 1, left + nc - 1)
    content = Content(formats=[Cells(cells.row, cells.col, top + nr - 1, left + nc - 1)])
    for k, stripe in enumerate(rows):
        for i, name in enumerate(stripe):
            content.values[(top + i, cells.col + k)] = name
    for k, stripe in enumerate(cols):
        for j, name in enumerate(stripe):
            content.values[(cells.row + k, left + j)] = name
    for i in range(nr):
        for j in range(nc):
            content.values[(top + i, left + j)] = number(float(mat.values[i, j]))
    return content


#: returnset keywords, (full name, shortest abbreviation) -> (class, kind, names only)
_RETURNSETS = {
    (f"{c}{word}", len(c) + short): (c, kind, names)
    for c in "er"
    for word, short, kind, names in (
        ("scalars", 4, "scalars", False), ("macros", 3, "macros", False),
        ("matrices", 3, "matrices", False), ("scalarnames", 7, "scalars", True),
        ("macronames", 6, "macros", True), ("matrixnames", 7, "matrices", True),
        ("names", 2, "all", True))
}


def returnset_kind(word: str) -> tuple[str, str, bool] | None:
    """The returnset ``word`` names (``rscalars``, ``escal``, ``e*``, ``rnames`` ...), or None."""
    if word in ("e*", "r*"):
        return word[0], "all", False
    for (full, short), kind in _RETURNSETS.items():
        if full.startswith(word) and len(word) >= short:
            return kind
    return None


def returnset(session: Session, cells: Cells, word: str, colwise: bool) -> Content:
    """``rscalars``, ``emacros``, ``r*`` ...: the values (or with ``...names`` the names) of
    r() or e() in consecutive rows (``colwise``: columns) from ``ul_cell``, in the order
    ``return list`` shows them; a matrix takes its rows and columns and one empty row (column)
    follows it; ``r*`` writes scalars, then macros, then matrices, an empty row between."""
    kind = returnset_kind(word)
    assert kind is not None
    cls, which, names_only = kind
    results: Results = session.e if cls == "e" else session.r
    groups = ["scalars", "macros", "matrices"] if which == "all" else [which]
    content = Content()
    row, col = cells.row, cells.col
    if names_only:
        listed = [name for group in groups for name in getattr(results, group)]
        for name in listed:
            content.values[(row, col)] = name
            content.formats.append(Cells(row, col, row, col))
            row, col = (row, col + 1) if colwise else (row + 1, col)
        check_extent(row, col)
        return content
    for group in groups:
        items: dict[str, float | str | Matrix] = getattr(results, group)
        if not items:
            continue
        for value in items.values():
            if isinstance(value, Matrix):
                nr, nc = value.values.shape
                for i in range(nr):
                    for j in range(nc):
                        content.values[(row + i, col + j)] = number(float(value.values[i, j]))
                content.formats.append(Cells(row, col, row + nr - 1, col + nc - 1))
                row, col = (row, col + nc + 1) if colwise else (row + nr + 1, col)
            else:
                content.values[(row, col)] = (value if isinstance(value, str)
                                              else number(float(value)))
                content.formats.append(Cells(row, col, row, col))
                row, col = (row, col + 1) if colwise else (row + 1, col)
            check_extent(row, col)
        row, col = (row, col + 1) if colwise else (row + 1, col)
    return content


def etable(session: Session, cells: Cells, which: list[int]) -> Content:
    """``etable``: the last estimation's coefficient table as Stata shows it — the header
    (dependent variable, Coefficient, Std. err., t or z, P>|t|, the interval over two merged
    cells), one row per shown coefficient (equations and factor terms as in the log,
    ``(omitted)``/``(base)`` rows), a rule above each further equation; full-precision
    numbers. The engine shows one table per estimation, so ``etable(1)`` is the only index."""
    if not session.e.macros.get("cmd") or "b" not in session.e.matrices:
        raise StataError(301, "last estimates not found")
    for index in which:
        if index != 1:
            raise StataError(125, f"table index out of range; {index} found where index "
                                  "value from 1 to 1 were expected")
    est = estimation_from_e(session)
    level = session.e.scalars.get("level", 95.0)
    table = est.table(level)
    stat = "t" if est.df_r is not None else "z"
    vcetype = est.macros.get("vcetype", "")
    rows: list[list[CellValue]] = []
    if vcetype:
        rows.append([None, None, vcetype, None, None, None, None])
    rows.append([abbreviate(est.depvar, 12) or None, "Coefficient",
                 "std. err." if vcetype else "Std. err.", stat, f"P>|{stat}|",
                 f"[{level:g}% conf. interval]", None])
    titles = len(rows)
    rules: list[int] = []
    display = level_display(session)
    groups = equations(est.names)
    headed = sum(1 for eq, _ in groups if eq != "/") > 1
    for g, (eq, columns) in enumerate(groups):
        if g and (headed or eq == "/"):
            rules.append(len(rows))
        if headed and eq != "/":
            if all(est.omitted[j] for j in columns):
                rows.append([eq, "(base outcome)"])
                continue
            rows.append([eq])
        term: str | None = None
        for j in columns:
            name = est.names[j].partition(":")[2] if eq else est.names[j]
            factor = factor_term(name, display.labels) if eq != "/" else None
            if factor is not None:
                if factor.base and not display.show_base:
                    continue
                if factor.term != term:
                    if len(rows) > titles and rows[-1] != [eq]:
                        rows.append([])
                    rows.append([factor.term])
                    term = factor.term
                label = factor.level
            else:
                if term is not None and name == "_cons":
                    rows.append([])
                term = None
                label = ("/" + name if eq == "/" and "(" not in name
                         else name.removeprefix("o."))
            rows.append(_coefficient(label, table[:, j], omitted=est.omitted[j],
                                     base=factor is not None and factor.base,
                                     ancillary=eq == "/"))
    content = Content(formats=[Cells(cells.row, cells.col, cells.row, cells.col)],
                      title_rows=titles, rules=[cells.row + r for r in rules])
    check_extent(cells.row + len(rows) - 1, cells.col + 6)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            content.values[(cells.row + i, cells.col + j)] = value
    content.table = Cells(cells.row, cells.col, cells.row + len(rows) - 1, cells.col + 6)
    at = cells.row + titles - 1
    content.merges.append(Cells(at, cells.col + 5, at, cells.col + 6))
    return content


def _coefficient(label: str, stats: np.ndarray, *, omitted: bool, base: bool,
                 ancillary: bool) -> list[CellValue]:
    """One coefficient's row: the estimate, its standard error, test and interval."""
    if omitted:
        return [label, 0.0, "(base)" if base else "(omitted)"]
    b, se, t, p, lo, hi = (number(float(x)) for x in stats[:6])
    if ancillary:
        return [label, b, se, None, None, lo, hi]
    return [label, b, se, t, p, lo, hi]
