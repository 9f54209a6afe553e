"""The one exception the datasets library raises, and its stable codes.

    DatasetError(code, message, details)     every refusal to read an input
    ReadMemoryExceeded(limit_bytes)          a read that needed more memory than allowed

Codes are part of the public contract (docs/inputs.md): the API and the worker map them to
job errors; nobody parses messages. ``details`` is JSON-safe (str, int, list, dict).
Anything else escaping the library is a bug, not an input problem.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from libs.contracts.errors import SSBaseError


class DatasetErrorCode(StrEnum):
    """Stable codes for inputs that cannot be read. The value is the wire string."""

    #: The content is not CSV/TSV text, XLSX, XLS or DTA 104-119 (details list what is).
    INPUT_UNSUPPORTED_FORMAT = "INPUT_UNSUPPORTED_FORMAT"
    #: The extension names one supported format and the content is plain text, which we do
    #: not trust to be what the user meant (binary content with the wrong extension is read,
    #: with a warning).
    INPUT_FORMAT_MISMATCH = "INPUT_FORMAT_MISMATCH"
    #: Zero bytes, or no rows/columns once blank lines are dropped.
    INPUT_EMPTY = "INPUT_EMPTY"
    #: Text whose character encoding could not be established.
    INPUT_ENCODING_UNDETECTED = "INPUT_ENCODING_UNDETECTED"
    #: A password-protected (encrypted) Excel workbook.
    INPUT_EXCEL_ENCRYPTED = "INPUT_EXCEL_ENCRYPTED"
    #: The container or records are damaged (truncated zip/OLE/DTA, bad CRC, ...).
    INPUT_CORRUPT = "INPUT_CORRUPT"
    #: The file, or an xlsx part once decompressed, is larger than the limits allow.
    INPUT_TOO_LARGE = "INPUT_TOO_LARGE"
    #: More cells (rows x columns) or columns than the limits allow.
    INPUT_TOO_MANY_CELLS = "INPUT_TOO_MANY_CELLS"
    #: The requested sheet does not exist (details list the sheets).
    INPUT_SHEET_NOT_FOUND = "INPUT_SHEET_NOT_FOUND"
    #: Reading took longer than the caller's timeout (isolated readers only).
    INPUT_READ_TIMEOUT = "INPUT_READ_TIMEOUT"
    #: The workbook has no worksheet with data (only charts/macros, or all empty).
    INPUT_NO_WORKSHEET = "INPUT_NO_WORKSHEET"


class DatasetError(SSBaseError):
    """An input the library refuses to read: a stable ``code``, a human ``message``, ``details``."""

    def __init__(self, code: DatasetErrorCode, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def __repr__(self) -> str:
        return f"DatasetError({self.code.value!r}, {self.message!r}, {self.details!r})"


class ReadMemoryExceeded(SSBaseError):
    """Reading an input needed more memory than ``Limits.memory_bytes`` allows: not a fault of
    the input, so not a ``DatasetError``; a worker reports it as its run's memory limit."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"reading the input needed more than {limit_bytes // 2**20} MiB")
        self.limit_bytes = limit_bytes
