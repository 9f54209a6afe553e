"""How a delimited text file is laid out: delimiter, leading junk lines, header, width.

``csv.Sniffer`` guesses from character frequencies and is easily fooled by decimal commas and
quoted text. Instead every candidate delimiter parses the sample with a real CSV reader
(quotes and embedded newlines included) and is scored by consistency: the share of records
that have the most common number of fields, when that number is at least two.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import msgspec

from libs.datasets.infer import NA_TOKENS, NumberStyle, is_date, is_number

#: Tried in this order; the order breaks exact ties.
DELIMITERS = (",", "\t", ";", "|")
_MAX_RECORDS = 2000


class Dialect(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The layout of a delimited text file, as found in its first records."""

    delimiter: str
    #: Records (not lines) before the table: titles, notes.
    skip_records: int
    header: bool
    #: Fields in the widest record of the sample table.
    width: int
    #: Header cells (empty strings when there is no header).
    names: list[str]
    #: Tie-break for "1,234"-style numbers: ';' files write decimal commas, ',' files
    #: must quote a number with a comma in it, so there it is a thousands separator.
    number_style: NumberStyle | None
    #: 0-based indexes of columns whose sample has codes with leading zeros (read as text).
    text_columns: list[int]
    #: 0-based indexes of columns whose sample has cells the parser cannot read as plain
    #: numbers (text, dates, "1,234"): parsed to codes over their distinct values.
    coded_columns: list[int] = []


def sniff(sample: str, whole: bool) -> Dialect:
    """The dialect of the text ``sample`` (the whole file when ``whole``)."""
    best: tuple[float, int, int] = (-1.0, 0, 0)
    best_records: list[list[str]] = []
    best_delimiter = DELIMITERS[0]
    for rank, delimiter in enumerate(DELIMITERS):
        records = _records(sample, delimiter, whole)
        if not records:
            continue
        counts = Counter(len(r) for r in records)
        modal, hits = counts.most_common(1)[0]
        consistency = hits / len(records) if modal >= 2 else 0.0
        score = (consistency, modal, -rank)
        if score > best:
            best, best_records, best_delimiter = score, records, delimiter
    if not best_records:
        return Dialect(
            delimiter=",",
            skip_records=0,
            header=False,
            width=0,
            names=[],
            number_style=None,
            text_columns=[],
        )
    modal = best[1] if best[0] > 0 else 1
    skip = next(i for i, r in enumerate(best_records) if len(r) == modal)
    table = best_records[skip:]
    width = max(len(r) for r in table)
    header = _has_header(table, width)
    body = table[1:] if header else table
    names = [*table[0], *[""] * (width - len(table[0]))] if header else [""] * width
    return Dialect(
        delimiter=best_delimiter,
        skip_records=skip,
        header=header,
        width=width,
        names=[n.strip() for n in names],
        number_style={";": NumberStyle.COMMA, ",": NumberStyle.DOT}.get(best_delimiter),
        text_columns=_leading_zero_columns(body, width),
        coded_columns=_coded_columns(body, width),
    )


def _records(sample: str, delimiter: str, whole: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter, quotechar='"', strict=False)
    records: list[list[str]] = []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append(record)
            if len(records) >= _MAX_RECORDS:
                return records
    except csv.Error:
        return []
    # The last record of a partial sample may be cut in half.
    return records if whole or len(records) < 2 else records[:-1]


def _kind(cell: str) -> str:
    cell = cell.strip()
    if cell in NA_TOKENS:
        return "missing"
    if is_number(cell):
        return "integer" if cell.lstrip("+-").isdigit() else "decimal"
    return "date" if is_date(cell) else "text"


def _has_header(table: list[list[str]], width: int) -> bool:
    """No header only when the first record types like the body in every typed column.

    Typed means numbers or dates. An integer over a column of decimals is a header too: it
    is how year columns look ("1960", "1961" over GDP figures, as in World Bank exports).
    """
    if len(table) < 2:
        return True
    first, body = table[0], table[1:]
    typed = 0
    for j in range(width):
        kinds = {_kind(r[j]) for r in body if j < len(r)} - {"missing"}
        if not kinds or "text" in kinds or ("date" in kinds and len(kinds) > 1):
            continue
        typed += 1
        head = _kind(first[j]) if j < len(first) else "missing"
        if head == "missing":
            continue
        if kinds == {"date"}:
            if head != "date":
                return True
        elif head not in ("integer", "decimal") or (head == "integer" and kinds == {"decimal"}):
            return True
    return typed == 0


def _leading_zero_columns(body: list[list[str]], width: int) -> list[int]:
    columns = []
    for j in range(width):
        cells = [r[j].strip() for r in body if j < len(r)]
        if any(len(c) > 1 and c[0] == "0" and c.isdigit() for c in cells):
            columns.append(j)
    return columns


def _coded_columns(body: list[list[str]], width: int) -> list[int]:
    """Columns with a present cell that reads as neither a number nor a boolean: the C
    parser would keep them as text, one Python string per cell; read as codes, each distinct
    text is made once."""
    columns = []
    for j in range(width):
        for r in body:
            cell = r[j].strip() if j < len(r) else ""
            if cell in NA_TOKENS or cell.lower() in ("true", "false"):
                continue
            try:
                float(cell)
            except ValueError:
                columns.append(j)
                break
    return columns
