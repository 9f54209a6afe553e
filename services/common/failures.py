"""Where a library's error becomes a catalogued one: the single table every service uses.

The libraries raise their own errors (``DatasetError``, ``ReportError``, ...; the tree is in
``libs.contracts.errors``); a client and a job record only ever see an ``SSError`` with a code
of the catalogue. ``catalogued(exc, cls, **context)`` makes that ``SSError`` — or the
``JobFailed`` a worker or formatter raises — from ``exc`` and what the caller knows about where
it happened (which input, which output format). An error the table does not know is a bug
and is re-raised as it is.

The table names the error classes rather than importing them: importing ``libs.datasets`` or
``libs.reports`` would pull its whole package into every service that shares this module,
and each service's image holds only the libraries it uses (the formatter has no dataset
readers, the API no report renderers; tests/deploy/test_dockerfiles.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from libs.contracts.errors import ErrorCode, SSBaseError, SSError

#: (code, message, details) of a library error, given the caller's context.
Mapped = tuple[ErrorCode, str, dict[str, Any]]


def _dataset(exc: Any, context: Mapping[str, str]) -> Mapped:
    # Every DatasetErrorCode is also a catalogued code of the same name.
    name = context["input"]
    return ErrorCode(exc.code.value), f"{name}: {exc.message}", {"input": name, **exc.details}


def _read_memory(exc: Any, context: Mapping[str, str]) -> Mapped:
    name = context["input"]
    return (ErrorCode.JOB_MEMORY_EXCEEDED, f"{name}: {exc}; the run may have "
            f"{exc.limit_bytes // 2**20} MiB", {"input": name, "limit": "memory_bytes",
                                                "step": "normalise"})


def _report(exc: Any, context: Mapping[str, str]) -> Mapped:
    fmt = context.get("format", "")
    doing = f"rendering {fmt}" if fmt else "reading the result tables"
    return (ErrorCode.OUTPUT_FORMATTER_FAILED, f"{doing} failed: {exc.message}",
            {"format": fmt, "reason": exc.code.value})


#: Each library error's conversion, by the class's dotted name.
_TABLE: dict[str, Callable[[Any, Mapping[str, str]], Mapped]] = {
    "libs.datasets.errors.DatasetError": _dataset,
    "libs.datasets.errors.ReadMemoryExceeded": _read_memory,
    "libs.reports.errors.ReportError": _report,
}


def catalogued[E: SSError](exc: SSBaseError, cls: type[E], **context: str) -> E:
    """``exc`` as a catalogued error of class ``cls`` (``SSError`` in the API, ``JobFailed``
    in a worker or formatter). ``context``: ``input`` (the upload's file name) for a dataset
    error; ``format`` (empty while reading the result tables) for a report error."""
    if isinstance(exc, SSError):
        return exc if isinstance(exc, cls) else cls(exc.code, exc.message, **exc.details)
    for kind in type(exc).__mro__:
        convert = _TABLE.get(f"{kind.__module__}.{kind.__qualname__}")
        if convert is not None:
            code, message, details = convert(exc, context)
            return cls(code, message, **details)
    raise exc
