"""Records the library returns: what it detected, how it mapped columns, what it warned about.

One set of msgspec Structs serves the worker's ``run.json`` and the API's preview response.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Format(StrEnum):
    """Input formats the library reads, named by content, not by extension."""

    #: Delimited text: comma, tab, semicolon or pipe separated.
    CSV = "csv"
    #: Office Open XML workbook (zip with ``xl/workbook.xml``).
    XLSX = "xlsx"
    #: BIFF5/BIFF8 workbook in an OLE2 container.
    XLS = "xls"
    #: Stata dataset, format 104-119.
    DTA = "dta"


class Kind(StrEnum):
    """What a column holds, after inference."""

    NUMERIC = "numeric"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"


class Notice(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A warning about something the reader decided on the user's behalf."""

    #: Stable code, e.g. ``FORMAT_MISMATCH`` or ``AMBIGUOUS_DATE`` (docs/inputs.md).
    code: str
    message: str
    #: Original name of the column concerned, if any.
    column: str | None = None


class SheetInfo(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One sheet of a workbook."""

    name: str
    index: int
    #: Hidden or "very hidden" in Excel; never picked by default.
    hidden: bool
    #: False for chart sheets, macro sheets and dialog sheets.
    worksheet: bool = True


class Column(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One column: the name the user had, the Stata name templates use, and its type."""

    position: int
    original: str
    #: Valid, unique Stata identifier: pass template parameters by this name.
    name: str
    #: Stata variable label written to the .dta (the original name when it had to change).
    label: str
    kind: Kind
    #: Stata storage type: byte, int, long, float, double, str1..str2045 or strL.
    storage: str
    #: Stata display format for dates (``%td``/``%tc``), else None.
    format: str | None = None
    missing: int
    value_labels: bool = False


class Source(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """How the input was read."""

    format: Format
    dta_version: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    #: 0-based row (CSV record or sheet row) holding the header; None when there was none.
    header_row: int | None = None
    sheet: str | None = None
    sheets: list[SheetInfo] = msgspec.field(default_factory=list)


class NormaliseReport(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """What ``normalise_to_dta`` read and wrote; the worker stores it in ``run.json``."""

    source: Source
    rows: int
    columns: list[Column]
    warnings: list[Notice]
    #: Format of the .dta written (118, or 119 beyond 32,767 variables).
    dta_version: int
    seconds: float


Cell = str | int | float | bool | None


class Preview(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The first rows of an input as SS would read it (served by the API)."""

    source: Source
    columns: list[Column]
    #: First rows; dates as ISO strings, missing as null.
    rows: list[list[Cell]]
    #: Rows examined to infer types and count missing values.
    rows_scanned: int
    #: True when ``rows_scanned`` is every row of the input.
    complete: bool
    warnings: list[Notice]
