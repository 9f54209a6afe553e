"""Run a reader in a child process, so an input that crashes native code cannot take the
service down with it.

The readers under this library are native code (calamine in Rust, ReadStat in C, pandas'
parsers in C). A damaged XLS can make calamine request terabytes and abort the whole process
(found by tests/datasets/test_damaged.py), which no ``except`` can catch. The API (preview)
and the worker (normalise) should call these wrappers: a child killed by a signal becomes
``INPUT_CORRUPT`` with ``reader_crashed``, a child over ``timeout`` is killed and becomes
``INPUT_READ_TIMEOUT``; ``DatasetError`` crosses back unchanged, and any other exception is
re-raised as ``RuntimeError`` (a bug, not an input problem).

Children come from multiprocessing's forkserver, so forking never copies the caller's
threads (event loop, NATS client). The forkserver's preload list is process-wide state this
module does not touch: a service should add ``FORKSERVER_PRELOAD`` to it at startup
(``multiprocessing.set_forkserver_preload``), else every call pays the pandas imports (~1 s)
instead of a fork (~20 ms).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
from pathlib import Path
from typing import Any

import msgspec

from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.limits import Limits
from libs.datasets.normalise import normalise_to_dta
from libs.datasets.preview import preview
from libs.datasets.report import NormaliseReport, Preview

#: Modules to preload in the forkserver for cheap isolated calls.
FORKSERVER_PRELOAD = ["libs.datasets"]
_CONTEXT = multiprocessing.get_context("forkserver")


def normalise_isolated(
    src: Path,
    dst: Path,
    *,
    filename: str,
    sheet: str | None = None,
    limits: Limits,
    timeout: float | None = None,
) -> NormaliseReport:
    """``normalise_to_dta`` in a child process (see the module docstring)."""
    raw = _run("normalise", (src, dst, filename, sheet, limits), timeout)
    return msgspec.json.decode(raw, type=NormaliseReport)


def preview_isolated(
    src: Path,
    filename: str,
    sheet: str | None = None,
    rows: int = 20,
    *,
    limits: Limits | None = None,
    timeout: float | None = None,
) -> Preview:
    """``preview`` in a child process (see the module docstring)."""
    raw = _run("preview", (src, filename, sheet, rows, limits or Limits()), timeout)
    return msgspec.json.decode(raw, type=Preview)


def _child(conn: multiprocessing.connection.Connection, task: str, args: tuple[Any, ...]) -> None:
    try:
        if task == "normalise":
            src, dst, filename, sheet, limits = args
            result: Any = normalise_to_dta(src, dst, filename=filename, sheet=sheet, limits=limits)
        else:
            src, filename, sheet, rows, limits = args
            result = preview(src, filename, sheet, rows, limits=limits)
        conn.send(("ok", msgspec.json.encode(result)))
    except DatasetError as exc:
        conn.send(("error", (exc.code.value, exc.message, exc.details)))
    except Exception as exc:  # reported to the parent, which re-raises it as a bug
        conn.send(("bug", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _run(task: str, args: tuple[Any, ...], timeout: float | None) -> bytes:
    parent, child = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_child, args=(child, task, args), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            process.kill()
            raise DatasetError(
                DatasetErrorCode.INPUT_READ_TIMEOUT,
                f"Reading the input took longer than {timeout} s.",
                timeout=timeout,
            )
        try:
            status, payload = parent.recv()
        except EOFError:
            process.join()
            raise DatasetError(
                DatasetErrorCode.INPUT_CORRUPT,
                "The file crashed the reader; it is damaged or deliberately malformed.",
                reader_crashed=True,
                exit_code=process.exitcode,
            ) from None
    finally:
        parent.close()
        process.join(timeout=5)
    if status == "ok":
        return bytes(payload)
    if status == "error":
        code, message, details = payload
        raise DatasetError(DatasetErrorCode(code), message, **details)
    raise RuntimeError(f"dataset reader failed: {payload}")
