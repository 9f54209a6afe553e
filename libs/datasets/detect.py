"""Which format a file really is, from its bytes; the extension only has to agree.

Policy (docs/inputs.md): content decides. A binary signature (zip with ``xl/workbook.xml``,
OLE2 with a ``Workbook`` stream, a DTA header) is unambiguous, so a wrong extension is only a
warning (``FORMAT_MISMATCH``). Text is read as delimited data only when the extension does not
claim a binary format: a ``.xlsx`` that turns out to be text is more likely a broken or wrong
file than a CSV, so it is refused with ``INPUT_FORMAT_MISMATCH``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePath

import charset_normalizer
import msgspec

from libs.datasets import cfb
from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.limits import Limits
from libs.datasets.ooxml import ZIP_ERRORS
from libs.datasets.report import Format, Notice

#: What the user is told when a file is refused; keep in step with docs/inputs.md.
SUPPORTED_FORMATS = [
    "csv: delimited text (comma, tab, semicolon, pipe), extensions .csv .tsv .tab .txt",
    "xlsx: Excel 2007+ workbook, extensions .xlsx .xlsm",
    "xls: Excel 97-2003 workbook, extension .xls",
    "dta: Stata dataset, formats 104-119 (Stata 4 to 18), extension .dta",
]

EXTENSIONS: dict[str, Format] = {
    ".csv": Format.CSV,
    ".tsv": Format.CSV,
    ".tab": Format.CSV,
    ".txt": Format.CSV,
    ".xlsx": Format.XLSX,
    ".xlsm": Format.XLSX,
    ".xls": Format.XLS,
    ".dta": Format.DTA,
}

#: First byte of a pre-117 DTA file (the release number) -> supported.
OLD_DTA_VERSIONS = frozenset({104, 105, 108, 110, 111, 113, 114, 115})
NEW_DTA_VERSIONS = frozenset({117, 118, 119})
_XML_DTA = re.compile(rb"^<stata_dta><header><release>(\d{3})</release>")
_HEAD = 64 * 1024

#: Signatures of formats people upload by mistake, so the refusal can name them.
_BINARY_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7z"),
    (b"Rar!", "rar"),
    (b"$FL2", "spss-sav"),
    (b"$FL3", "spss-zsav"),
    (b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xc2\xea\x81\x60", "sas7bdat"),
    (b"PAR1", "parquet"),
    (b"ARROW1", "arrow"),
    (b"\x04\x22\x4d\x18", "lz4"),
]
_MARKUP: list[tuple[str, str]] = [
    ("<!doctype html", "html"),
    ("<html", "html"),
    ("<table", "html"),
    ("<meta", "html"),
    ("<?xml", "xml"),
    ("{\\rtf", "rtf"),
    ("{", "json"),
    ("[", "json"),
]


class Detection(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The format found in a file, plus any warning about its extension."""

    format: Format
    dta_version: int | None = None
    warnings: list[Notice] = msgspec.field(default_factory=list)


def unsupported(detected: str, message: str | None = None) -> DatasetError:
    """The refusal for content SS cannot read; names what it saw and lists what it reads."""
    text = message or f"This file looks like {detected}, which SS cannot read."
    return DatasetError(
        DatasetErrorCode.INPUT_UNSUPPORTED_FORMAT,
        f"{text} Supported formats: {'; '.join(SUPPORTED_FORMATS)}.",
        detected=detected,
        supported=[f.split(":")[0] for f in SUPPORTED_FORMATS],
        supported_details=SUPPORTED_FORMATS,
    )


def detect_format(path: Path, filename: str, limits: Limits) -> Detection:
    """Identify ``path`` by content and check it against ``filename``'s extension.

    Raises ``DatasetError`` with INPUT_EMPTY, INPUT_TOO_LARGE, INPUT_CORRUPT,
    INPUT_EXCEL_ENCRYPTED, INPUT_UNSUPPORTED_FORMAT or INPUT_FORMAT_MISMATCH.
    """
    size = path.stat().st_size
    if size == 0:
        raise DatasetError(DatasetErrorCode.INPUT_EMPTY, "The file is empty (0 bytes).")
    if size > limits.max_file_bytes:
        raise DatasetError(
            DatasetErrorCode.INPUT_TOO_LARGE,
            f"The file is {size} bytes; the limit is {limits.max_file_bytes}.",
            size=size,
            limit=limits.max_file_bytes,
        )
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    fmt, version = _sniff(path, head)
    ext = PurePath(filename).suffix.lower()
    claimed = EXTENSIONS.get(ext)
    warnings: list[Notice] = []
    if claimed is not None and claimed is not fmt:
        if fmt is Format.CSV:
            raise DatasetError(
                DatasetErrorCode.INPUT_FORMAT_MISMATCH,
                f"{filename!r} is named {ext} but contains plain text. If it is delimited "
                "text, name it .csv, .tsv or .txt.",
                extension=ext,
                detected=fmt.value,
            )
        warnings.append(
            Notice(
                code="FORMAT_MISMATCH",
                message=f"{filename!r} is named {ext} but contains {fmt.value}; "
                f"read as {fmt.value}.",
            )
        )
    return Detection(format=fmt, dta_version=version, warnings=warnings)


def _sniff(path: Path, head: bytes) -> tuple[Format, int | None]:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(path), None
    if head.startswith(cfb.MAGIC):
        return _sniff_ole(path), None
    if head.startswith(b"<stata_dta>"):
        return Format.DTA, _xml_dta_version(head)
    if len(head) >= 4 and head[0] in range(100, 120) and head[1] in (1, 2) and head[2] == 1:
        if head[0] not in OLD_DTA_VERSIONS:
            raise unsupported(f"dta-{head[0]}", f"This is a Stata file of format {head[0]}.")
        return Format.DTA, head[0]
    for signature, name in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise unsupported(name)
    _check_text(head)
    return Format.CSV, None


def _sniff_zip(path: Path) -> Format:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except ZIP_ERRORS as exc:
        raise DatasetError(
            DatasetErrorCode.INPUT_CORRUPT,
            "The file starts like a zip/xlsx archive but cannot be opened (truncated?).",
            container="zip",
            reason=str(exc),
        ) from exc
    if "xl/workbook.xml" in names:
        return Format.XLSX
    if "xl/workbook.bin" in names:
        raise unsupported("xlsb", "This is an Excel binary workbook (.xlsb); save it as .xlsx.")
    if b"opendocument.spreadsheet" in mimetype:
        raise unsupported("ods", "This is an OpenDocument spreadsheet; save it as .xlsx.")
    if "word/document.xml" in names:
        raise unsupported("docx")
    raise unsupported("zip", "This is a zip archive without an Excel workbook in it.")


def _sniff_ole(path: Path) -> Format:
    streams = cfb.stream_names(path)
    if {"EncryptionInfo", "EncryptedPackage"} <= streams:
        raise DatasetError(
            DatasetErrorCode.INPUT_EXCEL_ENCRYPTED,
            "The workbook is password-protected. Remove the password in Excel "
            "(File > Info > Protect Workbook) and upload it again.",
            container="ooxml-encrypted",
        )
    if streams & {"Workbook", "Book"}:
        return Format.XLS
    if "WordDocument" in streams:
        raise unsupported("doc")
    raise unsupported("ole2", "This is an OLE2 container without an Excel workbook in it.")


def _xml_dta_version(head: bytes) -> int:
    match = _XML_DTA.match(head)
    if match is None:
        raise DatasetError(
            DatasetErrorCode.INPUT_CORRUPT,
            "The file starts like a Stata 13+ dataset but its header is damaged.",
            container="dta",
        )
    version = int(match.group(1))
    if version not in NEW_DTA_VERSIONS:
        raise unsupported(
            f"dta-{version}",
            f"This is a Stata file of format {version} (e.g. Stata 18 with alias variables); "
            "save it with `saveold` or without aliases.",
        )
    return version


def _check_text(head: bytes) -> None:
    """Refuse binary junk and markup; what passes is read as delimited text."""
    sample = head[:8192]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        guess = charset_normalizer.from_bytes(sample).best()
        if guess is None or not guess.encoding.startswith(("utf_16", "utf_32")):
            raise unsupported("binary", "This file is binary data of an unknown kind.")
    text = _loose_decode(sample).lstrip("\ufeff \t\r\n").lower()
    for prefix, name in _MARKUP:
        if text.startswith(prefix):
            raise unsupported(
                name,
                f"This file is {name}, not a table SS can read"
                + (
                    " (an HTML page saved with an .xls name is a common case)."
                    if name == "html"
                    else "."
                ),
            )
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if text and controls / len(text) > 0.01:
        raise unsupported("binary", "This file is binary data of an unknown kind.")


def _loose_decode(sample: bytes) -> str:
    """Decode just well enough to look for markup and control characters."""
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if sample.startswith(bom):
            return sample[2 : len(sample) // 2 * 2].decode(codec, "replace")
    if b"\x00" in sample:
        guess = charset_normalizer.from_bytes(sample).best()
        return str(guess) if guess is not None else ""
    return sample.decode("latin-1")
