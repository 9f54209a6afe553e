"""What one estout table shows: the parsed ``cells()``, ``stats()`` and layout options.

esttab translates its own options into this (as the package's esttab wraps estout); estout's
options fill it directly. The renderer (:mod:`render`) only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: estout's default significance symbols and thresholds (help estout, starlevels()).
DEFAULT_STARS: tuple[tuple[str, str], ...] = (("*", "0.05"), ("**", "0.01"), ("***", "0.001"))


@dataclass
class Element:
    """One statistic of ``cells()``: ``b``, ``se``, ``t``, ``z``, ``p``, ``ci``, ``ci_l``,
    ``ci_u``, ``var``, ``_star`` or the name of an ``e()`` matrix (``mean`` after estpost)."""

    name: str
    fmts: list[str] = field(default_factory=lambda: ["%9.0g"])
    star: bool = False
    par: tuple[str, str] | None = None
    abs: bool = False
    label: str | None = None
    vacant: str = ""
    keep: list[str] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)

    def fmt(self, row: int) -> str:
        """The format of the ``row``-th coefficient (the last format repeats)."""
        return self.fmts[min(row, len(self.fmts) - 1)] if self.fmts else "%9.0g"


@dataclass
class Stat:
    """One row of ``stats()``."""

    name: str
    fmt: str
    label: str
    star: bool = False


@dataclass
class Layout:
    """The text around the cells: widths, delimiters, header and footer lines."""

    varwidth: int = 0
    modelwidth: int = 0
    abbrev: bool = False
    begin: str = ""
    delimiter: str = "\t"
    end: str = ""
    substitute: list[tuple[str, str]] = field(default_factory=list)
    interaction: str = " # "
    prehead: list[str] = field(default_factory=list)
    posthead: list[str] = field(default_factory=list)
    prefoot: list[str] = field(default_factory=list)
    postfoot: list[str] = field(default_factory=list)
    #: lines written after each coefficient's rows (``varlabels(, end())``) ...
    var_end: list[str] = field(default_factory=list)
    #: ... except after the last one (``nolast``)
    var_end_last: bool = True
    lz: bool = False
    #: RTF: rows start with ``\trowd...`` row definitions built from the column widths
    rtf: bool = False
    #: ``mlabels``/``numbers`` written across the model's columns (estout's ``span``)
    span: bool = False
    markdown: bool = False  #: a Markdown alignment row follows the header
    label_prefix: str = ""
    label_suffix: str = ""


@dataclass
class TableSpec:
    """A whole estout table."""

    models: list[str]
    cells: list[list[Element]]
    stats: list[Stat] = field(default_factory=list)
    stars: tuple[tuple[str, str], ...] = DEFAULT_STARS
    star_label: str = " p<"
    star_delimiter: str = ", "
    layout: Layout = field(default_factory=Layout)
    numbers: tuple[str, str] | None = None
    #: model titles; None suppresses the row (``mlabels(none)``)
    mlabels: list[str] | None = None
    #: column labels: [] = the element names (estout's default), None = none
    collabels: list[str] | None = field(default_factory=list)
    varlabels: dict[str, str] = field(default_factory=dict)
    label: bool = False
    keep: list[str] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    omitted: bool = True
    baselevels: bool = True
    level: float = 95.0
    title: str = ""
    note: str = ""
    legend: bool = False
