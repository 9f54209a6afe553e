"""Zip-bomb guards for xlsx, run before any spreadsheet parser touches the archive.

1. The central directory's declared sizes: total and per-part compression ratio.
2. Every XML part the reader will inflate (the chosen sheet, shared strings, styles, ...) is
   streamed through zlib under one hard byte cap, so a part lying about its size is caught
   by the cap (or by zipfile's CRC/size check), and the sheet's ``<c`` elements are counted
   as its cells.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.limits import Limits

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SMALL_PART = 16 * 1024 * 1024
_RATIO_FLOOR = 10 * 1024 * 1024
#: What zipfile raises on damaged archives (NotImplementedError: unknown method/version).
ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError)
_CELL_TAGS = (b"<c ", b"<c>", b":c ")


def check_archive(path: Path, limits: Limits) -> zipfile.ZipFile:
    """Open the xlsx zip after checking its declared sizes; the caller closes it."""
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise _corrupt(str(exc)) from exc
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_compression_ratio:
            zf.close()
            raise _bomb(f"part {info.filename} inflates {ratio:.0f}-fold", limits)
    if total > limits.max_decompressed_bytes:
        zf.close()
        raise _bomb(f"the parts declare {total} bytes uncompressed", limits)
    return zf


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member holding it, from workbook.xml and its relationships."""
    try:
        workbook = ElementTree.fromstring(_read_small(zf, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_read_small(zf, "xl/_rels/workbook.xml.rels"))
    except ElementTree.ParseError as exc:
        raise _corrupt(f"workbook XML: {exc}") from exc
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_NS_PKG}Relationship")}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        if target:
            member = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
            parts[sheet.get("name", "")] = member
    return parts


def check_sheet(
    zf: zipfile.ZipFile,
    member: str,
    limits: Limits,
    observe: Callable[[bytes], None] | None = None,
) -> int:
    """Inflate every XML part the reader will parse under one byte cap; return the cells of
    sheet ``member``, whose XML goes to ``observe`` chunk by chunk as well. Other worksheets
    and media are skipped: they are never parsed."""
    budget = limits.max_decompressed_bytes
    cells = 0
    parsed = [
        name
        for name in zf.namelist()
        if name.endswith((".xml", ".rels"))
        and (not name.startswith("xl/worksheets/") or name == member)
    ]
    for name in parsed:
        tail = b""
        try:
            with zf.open(name) as fh:
                while chunk := fh.read(1 << 20):
                    budget -= len(chunk)
                    if budget < 0:
                        raise _bomb(f"{name} inflates past the limit", limits)
                    if name == member:
                        cells += _count_cells(tail + chunk) - _count_cells(tail)
                        tail = chunk[-8:]
                        if observe is not None:
                            observe(chunk)
        except ZIP_ERRORS as exc:
            raise _corrupt(str(exc)) from exc
        if name == member and cells > limits.max_cells:
            raise DatasetError(
                DatasetErrorCode.INPUT_TOO_MANY_CELLS,
                f"The sheet has {cells} cells; the limit is {limits.max_cells}.",
                cells=cells,
                limit=limits.max_cells,
            )
    return cells


def _count_cells(xml: bytes) -> int:
    """Cell elements in a stretch of sheet XML (``<c `` or ``<x:c ``; may overcount a little,
    never under)."""
    return sum(xml.count(tag) for tag in _CELL_TAGS)


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        with zf.open(name) as fh:
            data = fh.read(_SMALL_PART + 1)
    except KeyError as exc:
        raise _corrupt(f"{name} is missing") from exc
    except ZIP_ERRORS as exc:
        raise _corrupt(str(exc)) from exc
    if len(data) > _SMALL_PART:
        raise _corrupt(f"{name} is implausibly large")
    return data


def _corrupt(why: str) -> DatasetError:
    return DatasetError(
        DatasetErrorCode.INPUT_CORRUPT,
        f"The xlsx archive is damaged: {why}.",
        container="zip",
        reason=why,
    )


def _bomb(why: str, limits: Limits) -> DatasetError:
    return DatasetError(
        DatasetErrorCode.INPUT_TOO_LARGE,
        f"The workbook expands beyond the limit ({why}); refusing it as a possible zip bomb.",
        reason=why,
        limit=limits.max_decompressed_bytes,
    )
