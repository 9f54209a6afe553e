"""Writing an estout table: header, one block of rows per coefficient, summary statistics.

The layout follows help estout: every row is ``begin``, the row label padded to
``varwidth()``, then for each table column the ``delimiter()`` and the cell right-aligned in
``modelwidth()`` — plus, in a column whose statistic carries stars, the stars left-aligned in
the width of the longest symbol — and ``end()``. Header labels are right-aligned in their
column (or written across the model's columns with ``span``), the ``@`` variables of the
head and foot lines are filled in (``@hline @span @M @E @width @title @note
@starlegend``), ``substitute()`` is applied last.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass

from libs.engine.esttables.models import ModelData, merge_coefficients
from libs.engine.esttables.numbers import format_value, star_width, stars
from libs.engine.esttables.spec import Element, TableSpec

_RTF_FACTOR = 120  #: twips per character in RTF row definitions (estout's)
_RTF_GAP = 108


@dataclass
class _Columns:
    """The table's physical columns: per model, one per element position."""

    per_model: int
    star: list[bool]  #: per position within a model: whether the column carries stars
    starwidth: int
    modelwidth: int
    varwidth: int
    delwidth: int

    def width(self, position: int) -> int:
        return self.modelwidth + (self.starwidth if self.star[position] else 0)

    def total(self, n_models: int) -> int:
        return self.varwidth + n_models * sum(self.delwidth + self.width(j)
                                              for j in range(self.per_model))


def abbreviate(text: str, width: int) -> str:
    """Stata's ``abbrev()`` as estout applies it to labels wider than their column."""
    if width <= 0 or len(text) <= width:
        return text
    if width > 32:
        return text[:width]
    return text[: max(width - 2, 1)] + "~" + text[-1] if width >= 3 else text[:width]


class Renderer:
    """Lays out ``spec`` for ``models``."""

    def __init__(self, spec: TableSpec, models: list[ModelData],
                 var_label: dict[str, str]) -> None:
        self.spec = spec
        self.models = models
        self.var_label = var_label
        lay = spec.layout
        per_model = max((len(row) for row in spec.cells), default=0) or 1
        star = [any(j < len(row) and row[j].star for row in spec.cells)
                for j in range(per_model)]
        has_stars = any(star) or any(s.star for s in spec.stats)
        levels = [(sym, float(lev)) for sym, lev in spec.stars]
        self.levels = levels
        self.cols = _Columns(per_model, star,
                             star_width(levels) if lay.modelwidth > 0 and has_stars else 0,
                             lay.modelwidth, lay.varwidth, len(lay.delimiter))
        self.rows = self._coefficients()

    # -- rows -------------------------------------------------------------------------------
    def _coefficients(self) -> list[str]:
        spec = self.spec
        rows = merge_coefficients(self.models)
        if not spec.omitted or not spec.baselevels:
            rows = [r for r in rows if not _omitted_or_base(r, spec)]
        if spec.keep:
            rows = [r for r in rows if _matches(r, spec.keep)]
        if spec.drop:
            rows = [r for r in rows if not _matches(r, spec.drop)]
        if spec.order:
            first = [r for pat in spec.order for r in rows if _matches(r, [pat])]
            first = list(dict.fromkeys(first))
            rows = first + [r for r in rows if r not in first]
        return rows

    # -- text pieces --------------------------------------------------------------------------
    def _label_cell(self, text: str) -> str:
        lay = self.spec.layout
        if lay.abbrev:
            text = abbreviate(text, lay.varwidth)
        return text.ljust(lay.varwidth)

    def _row(self, label: str, cells: list[str], begin: str | None = None) -> str:
        lay = self.spec.layout
        body = "".join(lay.delimiter + c for c in cells)
        return (lay.begin if begin is None else begin) + self._label_cell(label) + body + lay.end

    def _caption_cells(self, labels: list[str], *, span: bool, prefix: str = "",
                       suffix: str = "") -> list[str]:
        """One header row: ``labels[m]`` for model m (its first column, or across all)."""
        cols, lay = self.cols, self.spec.layout
        out: list[str] = []
        for label in labels:
            if span:
                width = sum(cols.width(j) for j in range(cols.per_model)) + cols.delwidth * (
                    cols.per_model - 1)
                text = (prefix + label + suffix).replace("@span", str(cols.per_model))
                out.append(text.ljust(width))
                continue
            for j in range(cols.per_model):
                text = prefix + label + suffix if j == 0 else ""
                text = text.replace("@span", "1")
                if lay.abbrev:
                    text = abbreviate(text, cols.modelwidth)
                cell = text.rjust(cols.modelwidth)
                out.append(cell + " " * (cols.starwidth if cols.star[j] else 0))
        return out

    def _collabels(self) -> list[str]:
        spec = self.spec
        names = []
        for j in range(self.cols.per_model):
            parts = [row[j].label or row[j].name for row in spec.cells if j < len(row)]
            names.append("/".join(parts))
        if spec.collabels:
            names = [spec.collabels[j] if j < len(spec.collabels) else ""
                     for j in range(self.cols.per_model)]
        return names

    def _cell(self, model: ModelData, elements: list[Element], coef: str, r: int,
              position: int) -> str:
        cols = self.cols
        text = ""
        element = elements[0] if elements else None
        if element is not None:
            text = self._value_text(model, element, coef, r)
        if cols.star[position]:
            sym = ""
            if element is not None and element.star and model.value(element.name, coef) \
                    is not None:
                sym = stars(model.star_p(coef), self.levels)
            text += sym.ljust(cols.starwidth) if cols.starwidth else sym
        width = cols.width(position)
        return text.rjust(width) if width > 0 else text

    def _value_text(self, model: ModelData, element: Element, coef: str, r: int) -> str:
        if element.keep and not _matches(coef, element.keep):
            return ""
        if element.drop and _matches(coef, element.drop):
            return ""
        lz = self.spec.layout.lz
        if element.name == "ci":
            lo, hi = model.value("ci_l", coef), model.value("ci_u", coef)
            if lo is None or hi is None:
                return element.vacant
            left, right = element.par or ("", "")
            sep = "," if element.par else " "
            return (f"{left}{format_value(lo, element.fmt(r), leading_zero=lz)}{sep}"
                    f"{format_value(hi, element.fmt(r), leading_zero=lz)}{right}")
        value = model.value(element.name, coef)
        if value is None:
            return element.vacant
        if element.abs and not math.isnan(value):
            value = abs(value)
        text = format_value(value, element.fmt(r), leading_zero=lz)
        if element.par:
            text = element.par[0] + text + element.par[1]
        return text

    # -- the table ------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        """Every line of the table, ``substitute()`` applied."""
        spec, lay, cols = self.spec, self.spec.layout, self.cols
        n = len(self.models)
        rowdefs = _RtfRows(self) if lay.rtf else None
        out: list[str] = [*self._at(lay.prehead)]
        header: list[tuple[str, list[str]]] = []
        if spec.numbers is not None:
            left, right = spec.numbers
            header.append(("", self._caption_cells(
                [f"{left}{m}{right}" for m in range(1, n + 1)], span=lay.span)))
        if spec.mlabels is not None:
            header.append(("", self._caption_cells(
                spec.mlabels, span=lay.span, prefix=lay.label_prefix, suffix=lay.label_suffix)))
        if spec.collabels is not None and spec.cells:
            header.append(("", self._collabel_cells(n)))
        for k, (label, cells) in enumerate(header):
            out.append(self._row(label, cells, rowdefs.begin("head", k, len(header))
                                 if rowdefs else None))
        out += self._at(lay.posthead)
        if lay.markdown:
            out.append(self._markdown_rule())
        out += self._body(rowdefs)
        if spec.stats:
            out += self._at(lay.prefoot)
            for k, stat in enumerate(spec.stats):
                cells = []
                for model in self.models:
                    value = model.scalar(stat.name)
                    macro = model.macro(stat.name) if value is None else None
                    text = (format_value(value, stat.fmt, leading_zero=lay.lz)
                            if value is not None else macro or "")
                    for j in range(cols.per_model):
                        cell = (text if j == 0 else "").rjust(cols.modelwidth)
                        if cols.star[j]:
                            cell += " " * cols.starwidth
                        cells.append(cell)
                out.append(self._row(stat.label or stat.name, cells, rowdefs.begin(
                    "stats", k, len(spec.stats)) if rowdefs else None))
        out += self._at(lay.postfoot)
        if spec.legend and any(c for c in cols.star):
            out.append(self.star_legend())
        for old, new in lay.substitute:
            out = [line.replace(old, new) for line in out]
        return out

    def _markdown_rule(self) -> str:
        """Markdown's alignment row: ``| ---- | :------: |`` (centred model columns)."""
        cols = self.cols
        parts = ["| " + "-" * max(cols.varwidth, 1)]
        for _ in self.models:
            for j in range(cols.per_model):
                stars = "-" * max(cols.starwidth, 1) if cols.star[j] else ""
                parts.append(" | :" + "-" * max(cols.modelwidth - 2, 1) + stars + ":")
        return "".join(parts) + " |"

    def _collabel_cells(self, n: int) -> list[str]:
        cols, lay = self.cols, self.spec.layout
        cells = []
        for _ in range(n):
            for j, name in enumerate(self._collabels()):
                text = abbreviate(name, cols.modelwidth) if lay.abbrev else name
                cells.append(text.rjust(cols.modelwidth) + " " * (
                    cols.starwidth if cols.star[j] else 0))
        return cells

    def _body(self, rowdefs: _RtfRows | None) -> list[str]:
        spec, lay = self.spec, self.spec.layout
        out: list[str] = []
        physical = []  # (label, cells) of every row, to place RTF borders afterwards
        ends: list[list[str]] = []
        for r, coef in enumerate(self.rows):
            block: list[tuple[str, list[str]]] = []
            for k, row in enumerate(spec.cells):
                present = any(model.value(el.name if el.name != "ci" else "ci_l", coef)
                              is not None for model in self.models for el in row)
                if not present and (block or k < len(spec.cells) - 1):
                    continue
                cells = [self._cell(model, [row[j]] if j < len(row) else [], coef, r, j)
                         for model in self.models for j in range(self.cols.per_model)]
                block.append(("" if block else self.row_label(coef), cells))
            physical.extend(block)
            last = r == len(self.rows) - 1
            tail = lay.var_end if (lay.var_end_last or not last) else []
            ends.extend([[]] * (len(block) - 1) + [tail])
        for k, ((label, cells), tail) in enumerate(zip(physical, ends, strict=True)):
            line = self._row(label, cells, rowdefs.begin("body", k, len(physical))
                             if rowdefs else None)
            if tail:
                line += tail[0]
                out.append(line)
                out += self._at(tail[1:])
            else:
                out.append(line)
        return out

    def row_label(self, coef: str) -> str:
        """The label of a coefficient row: ``varlabels()``, else (with ``label``) the
        variable label, else its name (interactions joined by ``interaction()``)."""
        spec = self.spec
        term = coef.rpartition(":")[2]
        for key in (coef, term):
            if key in spec.varlabels:
                return spec.varlabels[key]
        parts = []
        for part in term.split("#"):
            if spec.label:
                parts.append(self.var_label.get(part, part))
            else:
                parts.append(part)
        return spec.layout.interaction.join(parts)

    def star_legend(self) -> str:
        """``* p<0.05, ** p<0.01, *** p<0.001`` in the table's symbols and label."""
        spec = self.spec
        pieces = []
        for sym, level in spec.stars:
            label = spec.star_label
            pieces.append(sym + (label.replace("@", level) if "@" in label else label + level))
        return spec.star_delimiter.join(pieces)

    def _at(self, lines: list[str]) -> list[str]:
        spec, n = self.spec, len(self.models)
        total = self.cols.total(n)
        values = {
            "@hline": "-" * min(total, 400), "@span": str(1 + n * self.cols.per_model),
            "@M": str(n), "@E": str(n), "@width": str(total), "@title": spec.title,
            "@note": spec.note, "@starlegend": self.star_legend(),
        }
        if spec.layout.rtf:
            values.update(_RtfRows(self).at_values())
        out = []
        for line in lines:
            for key in sorted(values, key=len, reverse=True):
                line = line.replace(key, values[key])
            out.append(line)
        return out


class _RtfRows:
    """RTF row definitions (``\\cellx`` positions) with top/bottom borders."""

    def __init__(self, renderer: Renderer) -> None:
        cols, n = renderer.cols, len(renderer.models)
        self.template = renderer.spec.layout.begin
        self.lines = bool(renderer.spec.layout.prehead and renderer.spec.layout.postfoot) and \
            "@rtfrowdefbrdr" in self.template
        label = 20 if renderer.spec.label else 12
        pos = label * _RTF_FACTOR + 2 * _RTF_GAP - _RTF_GAP
        self.cellx = [pos]
        for _ in range(n):
            for j in range(cols.per_model):
                pos += 12 * _RTF_FACTOR + 2 * _RTF_GAP + (3 * _RTF_FACTOR if cols.star[j] else 0)
                self.cellx.append(pos)

    def rowdef(self, border: str = "") -> str:
        rule = {"t": "\\clbrdrt\\brdrw10\\brdrs", "b": "\\clbrdrb\\brdrw10\\brdrs"}.get(border, "")
        return "".join(f"{rule}\\cellx{x}" for x in self.cellx)

    def at_values(self) -> dict[str, str]:
        empty = "\\pard\\intbl\\ql\\cell" * len(self.cellx)
        return {"@rtfemptyrow": self.rowdef() + empty, "@rtfrowdef": self.rowdef()}

    def begin(self, part: str, k: int, count: int) -> str:
        border = ""
        if "@rtfrowdefbrdr" in self.template:
            if k == 0:
                border = "t"
            elif k == count - 1 and part != "head":
                border = "b"
        template = self.template.replace("@rtfrowdefbrdr", self.rowdef(border))
        return template.replace("@rtfrowdef", self.rowdef())


def _omitted_or_base(name: str, spec: TableSpec) -> bool:
    term = name.rpartition(":")[2]
    for part in term.split("#"):
        prefix, dot, _ = part.rpartition(".")
        if not dot:
            continue
        if "o" in prefix and not spec.omitted:
            return True
        if "b" in prefix and not spec.baselevels:
            return True
    return False


def _matches(name: str, patterns: list[str]) -> bool:
    eq, _, term = name.rpartition(":")
    for pat in patterns:
        peq, colon, pterm = pat.rpartition(":")
        if colon and not fnmatch.fnmatchcase(eq, peq):
            continue
        if colon and not pterm:
            return True
        if fnmatch.fnmatchcase(term, pterm or pat) or fnmatch.fnmatchcase(name, pat):
            return True
    return False
