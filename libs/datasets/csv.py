"""Delimited text: encoding, dialect and header from a sample, then pandas' C parser."""

from __future__ import annotations

import csv as stdcsv
from pathlib import Path

import numpy as np
import pandas as pd

from libs.datasets.dialect import Dialect, sniff
from libs.datasets.encoding import detect_encoding, is_ascii_code_page, read_text
from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.infer import NA_TOKENS, infer_column
from libs.datasets.limits import Limits
from libs.datasets.report import Format, Kind, Notice, Source
from libs.datasets.table import Table, drop_empty_rows, drop_empty_unnamed_columns

_SAMPLE_BYTES = 256 * 1024
#: Codec to use once past the BOM (reading starts mid-file after skipped records).
_AFTER_BOM = {"utf-8-sig": "utf-8"}


def read_csv(path: Path, limits: Limits, *, max_rows: int | None = None) -> Table:
    """Read delimited text at ``path`` into a ``Table`` (the first ``max_rows`` data rows)."""
    detected = detect_encoding(path)
    sample, whole = read_text(path, detected, _SAMPLE_BYTES)
    if not sample.strip():
        raise DatasetError(DatasetErrorCode.INPUT_EMPTY, "The file has no data, only blanks.")
    dialect = sniff(sample, whole)
    if dialect.width == 0:
        raise DatasetError(DatasetErrorCode.INPUT_EMPTY, "The file has no records.")
    _check_size(path, sample, detected, dialect, limits, max_rows)
    codec, start = _table_start(path, detected, sample, dialect)
    # A one-byte code page is parsed as UTF-8 with its other bytes escaped, and only the
    # text is decoded after (each distinct value once) instead of the whole file up front.
    escaped = is_ascii_code_page(codec)
    frame = _parse(path, "utf-8" if escaped else codec, start, dialect, max_rows,
                   errors="surrogateescape" if escaped else "strict")
    _uncode_typed(frame)
    if escaped:
        _decode_escaped(frame, codec)
    if max_rows is None and frame.size > limits.max_cells:
        raise _too_many(frame.size, limits)
    source = Source(
        format=Format.CSV,
        encoding=detected,
        delimiter=dialect.delimiter,
        header_row=dialect.skip_records if dialect.header else None,
    )
    table = Table(
        frame=frame,
        originals=list(dialect.names),
        kinds=[],
        source=source,
        complete=max_rows is None or len(frame) < max_rows,
    )
    if dialect.skip_records:
        table.warnings.append(
            _notice(
                "RECORDS_SKIPPED",
                f"{dialect.skip_records} records above the table (titles, notes) were skipped.",
            )
        )
    if not dialect.header:
        table.warnings.append(
            _notice(
                "NO_HEADER", "The first record holds data, not names; columns are named v1, v2, ..."
            )
        )
    drop_empty_rows(table)
    _infer_kinds(table, dialect)
    drop_empty_unnamed_columns(table)
    return table


def _check_size(
    path: Path, sample: str, codec: str, dialect: Dialect, limits: Limits, max_rows: int | None
) -> None:
    """Refuse before parsing when the sample's density says the table is too big."""
    if dialect.width > limits.max_columns:
        raise DatasetError(
            DatasetErrorCode.INPUT_TOO_MANY_CELLS,
            f"The table has {dialect.width} columns; the limit is {limits.max_columns}.",
            columns=dialect.width,
            limit=limits.max_columns,
        )
    records = max(sample.count("\n"), 1)
    estimate = path.stat().st_size / max(len(sample.encode(codec, "replace")), 1) * records
    if max_rows is None and estimate * dialect.width > 1.5 * limits.max_cells:
        raise _too_many(int(estimate * dialect.width), limits)


def _too_many(cells: int, limits: Limits) -> DatasetError:
    return DatasetError(
        DatasetErrorCode.INPUT_TOO_MANY_CELLS,
        f"The table has about {cells} cells; the limit is {limits.max_cells}.",
        cells=cells,
        limit=limits.max_cells,
    )


def _table_start(path: Path, codec: str, sample: str, dialect: Dialect) -> tuple[str, int]:
    """(codec, byte offset) where the data rows start, past junk records and the header."""
    skip = dialect.skip_records + (1 if dialect.header else 0)
    if skip == 0:
        return codec, 0
    lines = sample.splitlines(keepends=True)
    reader = stdcsv.reader(iter(lines), delimiter=dialect.delimiter, quotechar='"', strict=False)
    seen = 0
    for record in reader:
        if record:
            seen += 1
        if seen == skip:
            break
    prefix = "".join(lines[: reader.line_num])
    if codec == "utf-16":
        with path.open("rb") as fh:
            codec = "utf-16-le" if fh.read(2) == b"\xff\xfe" else "utf-16-be"
        return codec, 2 + len(prefix.encode(codec))
    bom = 3 if codec == "utf-8-sig" else 0
    codec = _AFTER_BOM.get(codec, codec)
    return codec, bom + len(prefix.encode(codec))


def _parse(
    path: Path, codec: str, start: int, dialect: Dialect, max_rows: int | None, *, errors: str
) -> pd.DataFrame:
    with path.open("rb") as fh:
        fh.seek(start)
        try:
            return pd.read_csv(
                fh,
                sep=dialect.delimiter,
                header=None,
                names=list(range(dialect.width)),
                dtype=_dtypes(dialect),
                encoding=codec,
                encoding_errors=errors,
                quotechar='"',
                keep_default_na=False,
                na_values=NA_TOKENS,
                skip_blank_lines=True,
                nrows=max_rows,
                low_memory=False,
                engine="c",
            )
        except pd.errors.EmptyDataError:
            return pd.DataFrame(columns=list(range(dialect.width)))
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            if "out of memory" in str(exc):  # the C tokenizer's failed allocation
                raise MemoryError(str(exc)) from exc
            raise DatasetError(
                DatasetErrorCode.INPUT_CORRUPT,
                f"The text could not be parsed as a table: {exc}",
                reason=str(exc),
            ) from exc


def _dtypes(dialect: Dialect) -> dict[int, str]:
    """Codes with leading zeros as text; other text columns as codes over their distinct
    values (categorical: no Python string per cell). The parser turns categories that all
    read as numbers into numbers, which would drop a code's leading zeros."""
    dtypes = dict.fromkeys(dialect.coded_columns, "category")
    dtypes.update(dict.fromkeys(dialect.text_columns, "str"))
    return dtypes


def _uncode_typed(frame: pd.DataFrame) -> None:
    """A categorical column whose categories the parser read as numbers or booleans (the
    sample's text did not reach them) goes back to plain values."""
    for j in frame.columns:
        column = frame[j]
        if isinstance(column.dtype, pd.CategoricalDtype) and not pd.api.types.is_string_dtype(
            column.cat.categories.dtype
        ):
            frame[j] = pd.Series(column.to_numpy(), index=column.index)


def _decode_escaped(frame: pd.DataFrame, codec: str) -> None:
    """Text parsed as UTF-8 with undecodable bytes escaped, given back its bytes and decoded
    with ``codec`` (a byte sequence that happened to be valid UTF-8 is undone too)."""

    def decode(text: str) -> str:
        return text.encode("utf-8", "surrogateescape").decode(codec)

    for j in frame.columns:
        column = frame[j]
        if isinstance(column.dtype, pd.CategoricalDtype):
            categories = column.cat.categories
            frame[j] = column.cat.rename_categories(
                pd.Index([decode(v) for v in categories], dtype=categories.dtype))
        elif not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
            codes, uniques = pd.factorize(column)
            texts = np.array([decode(str(v)) for v in uniques] + [None], dtype=object)
            frame[j] = pd.Series(texts[codes], index=column.index, dtype="str")


def _infer_kinds(table: Table, dialect: Dialect) -> None:
    kinds: list[Kind] = []
    for j in range(len(table.originals)):
        column = table.frame[j]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            kinds.append(Kind.NUMERIC)
            continue
        if j in dialect.text_columns:
            kinds.append(Kind.STRING)
            continue
        converted, kind, notices = infer_column(
            column, table.originals[j] or f"column {j + 1}", dialect.number_style
        )
        table.frame[j] = converted
        kinds.append(kind)
        table.warnings.extend(notices)
    table.kinds = kinds


def _notice(code: str, message: str) -> Notice:
    return Notice(code=code, message=message)
