"""Run a reader in a child process, so an input that crashes native code cannot take the
service down with it.

The readers under this library are native code (calamine in Rust, ReadStat in C, pandas'
parsers in C). A damaged XLS can make calamine request terabytes and abort the whole process
(found by tests/datasets/test_damaged.py), which no ``except`` can catch. The API (preview)
and the worker (normalise) should call these wrappers: a child killed by a signal becomes
``INPUT_CORRUPT`` with ``reader_crashed``, a child over ``timeout`` is killed and becomes
``INPUT_READ_TIMEOUT``; ``DatasetError`` crosses back unchanged, a read past
``Limits.memory_bytes`` (the reader's address space is capped for the task) becomes
``ReadMemoryExceeded``, and any other exception is re-raised as ``RuntimeError`` (a bug, not
an input problem).

Readers are long-lived children (one task at a time each, replaced after a crash, a timeout,
a large input or many tasks), so an input costs an IPC round trip rather than a fork.
Children come from multiprocessing's forkserver, so forking never copies the caller's
threads (event loop, NATS client). The forkserver's preload list is process-wide state this
module does not touch: a service should add ``FORKSERVER_PRELOAD`` to it at startup
(``multiprocessing.set_forkserver_preload``), else every call pays the pandas imports (~1 s)
instead of a fork (~20 ms).
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import multiprocessing.connection
import queue
import resource
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from libs.datasets.errors import DatasetError, DatasetErrorCode, ReadMemoryExceeded
from libs.datasets.limits import Limits
from libs.datasets.normalise import normalise_to_dta
from libs.datasets.preview import preview
from libs.datasets.report import NormaliseReport, Preview
from libs.runners.process import address_space

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


def call_isolated(function: Callable[..., Any], src: Path, *args: Any, limits: Limits,
                  timeout: float | None = None) -> Any:
    """``function(src, *args)`` in a reader child, under ``limits.memory_bytes`` (a
    module-level function, so it can be sent; its result must be JSON-encodable and comes
    back decoded). Failures cross back as for ``normalise_isolated``."""
    return msgspec.json.decode(_run("call", (src, function, args, limits), timeout))


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


@contextlib.contextmanager
def _memory_cap(limit: int) -> Iterator[None]:
    """Hold this process to ``limit`` more bytes of address space while the block runs (the
    soft limit only, so it can be lifted again for the reader's next task)."""
    if not limit:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = address_space() + limit
    for bound in (soft, hard):
        if bound != resource.RLIM_INFINITY:
            cap = min(cap, bound)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:  # back to the limit the process had, not to the hard one
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _work(task: str, args: tuple[Any, ...]) -> tuple[str, Any]:
    """One task, answered as ``(status, payload)``; runs inside a reader process."""
    limits: Limits = args[-1]
    try:
        with _memory_cap(limits.memory_bytes):
            if task == "normalise":
                src, dst, filename, sheet, _ = args
                result: Any = normalise_to_dta(src, dst, filename=filename, sheet=sheet,
                                               limits=limits)
            elif task == "call":
                src, function, call_args, _ = args
                result = function(src, *call_args)
            else:
                src, filename, sheet, rows, _ = args
                result = preview(src, filename, sheet, rows, limits=limits)
        return "ok", msgspec.json.encode(result)
    except DatasetError as exc:
        return "error", (exc.code.value, exc.message, exc.details)
    except MemoryError:
        return "memory", limits.memory_bytes
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
            return "memory", limits.memory_bytes  # mapping a file past the cap
        return "bug", f"{type(exc).__name__}: {exc}"  # the parent re-raises it as a bug


def _serve(conn: multiprocessing.connection.Connection) -> None:
    """A reader process: answer tasks until the pipe closes."""
    while True:
        try:
            task, args = conn.recv()
        except EOFError:
            return
        conn.send(_work(task, args))


class _Reader:
    """A long-lived reader child: forking one per input costs ~15 ms; a task costs ~1 ms."""

    def __init__(self) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.tasks = 0

    def alive(self) -> bool:
        return self.process.is_alive()

    def close(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


#: Idle readers; a reader is taken for one task at a time, so a crash is that task's.
_IDLE: queue.SimpleQueue[_Reader] = queue.SimpleQueue()
#: Readers are replaced after this many tasks, or after a large input, so memory a big file
#: left behind in a reader is given back.
RECYCLE_AFTER_TASKS = 200
RECYCLE_ABOVE_BYTES = 64 * 1024**2


def _run(task: str, args: tuple[Any, ...], timeout: float | None) -> bytes:
    try:
        reader = _IDLE.get_nowait()
        if not reader.alive():
            reader.close()
            reader = _Reader()
    except queue.Empty:
        reader = _Reader()
    keep = False
    try:
        reader.conn.send((task, args))
        if not reader.conn.poll(timeout):
            raise DatasetError(
                DatasetErrorCode.INPUT_READ_TIMEOUT,
                f"Reading the input took longer than {timeout} s.",
                timeout=timeout,
            )
        try:
            status, payload = reader.conn.recv()
        except EOFError:
            reader.process.join(timeout=5)
            raise DatasetError(
                DatasetErrorCode.INPUT_CORRUPT,
                "The file crashed the reader; it is damaged or deliberately malformed.",
                reader_crashed=True,
                exit_code=reader.process.exitcode,
            ) from None
        reader.tasks += 1
        src = Path(args[0])
        keep = status != "memory" and reader.tasks < RECYCLE_AFTER_TASKS and (
            not src.exists() or src.stat().st_size < RECYCLE_ABOVE_BYTES)
    finally:
        if keep:
            _IDLE.put(reader)
        else:
            reader.close()  # crashed, timed out (killed here) or due for recycling
    if status == "ok":
        return bytes(payload)
    if status == "error":
        code, message, details = payload
        raise DatasetError(DatasetErrorCode(code), message, **details)
    if status == "memory":
        raise ReadMemoryExceeded(int(payload))
    raise RuntimeError(f"dataset reader failed: {payload}")
