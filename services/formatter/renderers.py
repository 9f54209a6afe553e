"""Rendering in child processes: one long-lived renderer process per formatter slot.

Rendering is CPU work in Python (fpdf2's layout and font subsetting, matplotlib's drawing,
xlsxwriter's cells): in threads of the formatter process the slots share one GIL, so one
formatter renders one job at a time however many slots it has, and its event loop (S3
transfers, the job store) waits behind the renders. Here each slot renders in a process of
its own, so a formatter uses as many cores as it has slots.

A job's formats are rendered by one renderer, which keeps the job's ``ResultBundle`` between
them: the tables are read once and the charts drawn once (``libs.reports.charts`` caches them
per bundle), as in one process. The renderer reads the attempt's raw files and writes the
outputs in the job's scratch folders; only small messages cross the pipe (the context, a
format, the paths written).

Failures:

- ``ReportError`` (the report cannot be built: a malformed table, a missing font) crosses
  back unchanged, so the job fails with its catalogued code, as before.
- Any other exception in the renderer is a bug: ``RenderFailed`` is raised, and the
  consumer retries and dead-letters the work as for any bug in rendering.
- A renderer that dies (a native crash, the kernel's OOM killer) raises ``RenderCrashed``;
  the next job gets a new renderer.
- A session cancelled while a format renders (the formatter stops past its grace, the
  work's lease is lost) kills its renderer: what it was writing belongs to no one.

Renderers come from multiprocessing's fork server, so forking never copies the formatter's
threads (event loop, NATS client); ``PRELOAD`` in the fork server makes a fork cheap. A
renderer whose formatter dies reads end-of-file on its pipe and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from libs.reports.context import ReportContext
from libs.reports.errors import ReportCode, ReportError
from services.common.logs import setup_logging
from services.formatter.metrics import RENDERERS_REPLACED

log = logging.getLogger(__name__)

#: Modules the fork server imports once, so each renderer starts with them loaded.
PRELOAD = ["libs.reports"]

#: A renderer is replaced after this many jobs, or when its resident memory after a job is
#: above ``RECYCLE_ABOVE_BYTES`` (a large report leaves the heap grown and fragmented; an
#: idle renderer is ~230-320 MiB resident, most of it shared with the fork server), so memory
#: one job took is given back before the next.
RECYCLE_AFTER_JOBS = 200
RECYCLE_ABOVE_BYTES = 1024**3

_CONTEXT = multiprocessing.get_context("forkserver")


class RenderFailed(RuntimeError):
    """The renderer raised something other than ``ReportError``: a bug."""


class RenderCrashed(RuntimeError):
    """The renderer process died while it rendered."""


def _resident_bytes() -> int:
    """This process's resident memory now (``/proc/self/statm``)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _serve(conn: multiprocessing.connection.Connection, log_level: str) -> None:
    """A renderer process: answer requests until the pipe closes."""
    from libs.reports import ResultBundle, render

    if log_level:  # the formatter's JSON lines (a fork server starts without its set-up)
        setup_logging("formatter", log_level)

    bundle: ResultBundle | None = None
    raw_dir = out_dir = Path()
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        kind = request[0]
        try:
            if kind == "load":
                _, raw_dir, out_dir, context = request
                bundle = None  # the previous job's tables and charts go first
                bundle = ResultBundle.load(raw_dir / "results", context)
                answer: tuple[Any, ...] = ("ok", None)
            elif kind == "render":
                assert bundle is not None, "render before load"
                answer = ("ok", render(request[1], bundle, raw_dir, out_dir))
            else:  # "end": the job is done; keep nothing of it, say what memory is left
                # (no gc.collect() here: with the reports' modules loaded a full collection
                # takes ~75 ms, and the job's completion waits for this answer)
                bundle = None
                answer = ("ok", _resident_bytes())
        except ReportError as exc:
            answer = ("report", exc.code.value, exc.message)
        except Exception as exc:
            log.exception("renderer: %s failed", kind)
            answer = ("bug", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(answer)
        except (BrokenPipeError, ConnectionResetError):
            return  # the formatter is gone


class _Renderer:
    """One renderer process and its pipe."""

    def __init__(self, log_level: str = "") -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child, log_level),
                                        name="ss-renderer", daemon=True)
        self.process.start()
        child.close()
        self.jobs = 0

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process.is_alive()

    async def ask(self, *request: Any, timeout: float | None = None) -> Any:
        """Send ``request``, wait for the answer without a thread (the pipe's descriptor in
        the event loop), return its payload or raise what it reports. Past ``timeout``
        seconds the renderer is killed and ``ReportError`` ``RENDER_TIMEOUT`` raised."""
        loop = asyncio.get_running_loop()
        if self.conn.closed:
            raise RenderCrashed("the renderer was ended")
        try:
            self.conn.send(request)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise self._crashed() from exc
        readable: asyncio.Future[None] = loop.create_future()

        def ready() -> None:
            if not readable.done():
                readable.set_result(None)

        fd = self.conn.fileno()
        loop.add_reader(fd, ready)
        try:
            await asyncio.wait_for(readable, timeout)
        except TimeoutError:
            loop.remove_reader(fd)
            self.close()
            what = f"rendering {request[1]}" if request[0] == "render" else "reading the tables"
            raise ReportError(ReportCode.RENDER_TIMEOUT,
                              f"{what} took longer than {timeout:g} s") from None
        finally:
            loop.remove_reader(fd)
        try:
            status, *payload = self.conn.recv()
        except (EOFError, ConnectionResetError) as exc:
            raise self._crashed() from exc
        if status == "ok":
            return payload[0]
        if status == "report":
            raise ReportError(ReportCode(payload[0]), payload[1])
        raise RenderFailed(f"rendering failed: {payload[0]}")

    def _crashed(self) -> RenderCrashed:
        self.process.join(timeout=5)
        return RenderCrashed(f"the renderer process died (exit code {self.process.exitcode})")

    def close(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class RenderSession:
    """One job's rendering in one renderer: ``render`` each format in turn."""

    def __init__(self, renderer: _Renderer, timeout: float | None) -> None:
        self._renderer = renderer
        self._timeout = timeout

    @property
    def pid(self) -> int:
        """The renderer's process id."""
        return self._renderer.pid

    async def render(self, fmt: str) -> list[Path]:
        """``libs.reports.render(fmt, ...)`` on the session's bundle: the files written."""
        paths: list[Path] = await self._renderer.ask("render", fmt, timeout=self._timeout)
        return paths


class RenderPool:
    """Idle renderers of this formatter, at most ``size`` of them (its slots); a request
    that takes longer than ``timeout`` seconds kills its renderer (``RENDER_TIMEOUT``)."""

    def __init__(self, size: int, timeout: float | None = None, log_level: str = "",
                 recycle_above_bytes: int = RECYCLE_ABOVE_BYTES) -> None:
        self._size = size
        self._recycle_above = recycle_above_bytes
        self._log_level = log_level
        #: longest one request (reading the tables, one format) may take
        self._timeout = timeout
        self._idle: list[_Renderer] = []
        self._closed = False

    @property
    def idle(self) -> int:
        """Renderers waiting for a job."""
        return len(self._idle)

    def warm_up(self) -> None:
        """Start the fork server and the renderers now (the imports take a second or two)
        rather than on the first jobs. Blocking: call it in a thread."""
        started = [_Renderer(self._log_level) for _ in range(self._size - len(self._idle))]
        self._idle.extend(started)

    @contextlib.asynccontextmanager
    async def session(self, raw_dir: Path, out_dir: Path,
                      context: ReportContext) -> AsyncIterator[RenderSession]:
        """A renderer holding the bundle read from ``raw_dir/results`` for ``context``; its
        formats are written to ``out_dir``. Raises ``ReportError`` if the bundle cannot be
        read."""
        renderer = await self._take()
        resident: int | None = None
        try:
            await renderer.ask("load", raw_dir, out_dir, context, timeout=self._timeout)
            yield RenderSession(renderer, self._timeout)
        except (ReportError, RenderFailed):
            # The renderer answered: it is sound, and only this job is refused.
            resident = await self._end(renderer)
            raise
        else:
            resident = await self._end(renderer)
        finally:
            # Cancelled, crashed or interrupted mid-render: its state is unknown; end it.
            self._give_back(renderer, resident)

    @staticmethod
    async def _end(renderer: _Renderer) -> int | None:
        """Have ``renderer`` drop the job: its resident bytes after that, or None if it
        cannot take another."""
        try:
            resident: int = await renderer.ask("end")
        except (RenderFailed, RenderCrashed):
            return None
        return resident

    async def _take(self) -> _Renderer:
        while self._idle:
            renderer = self._idle.pop()
            if renderer.alive():
                return renderer
            renderer.close()
        starting = asyncio.ensure_future(asyncio.to_thread(_Renderer, self._log_level))
        try:
            return await asyncio.shield(starting)
        except asyncio.CancelledError:
            # The process still starts in its thread: keep it for the next job.
            starting.add_done_callback(self._started_late)
            raise

    def _started_late(self, starting: asyncio.Future[_Renderer]) -> None:
        if not starting.cancelled() and starting.exception() is None:
            self._give_back(starting.result(), resident=0, counted=False)

    def _give_back(self, renderer: _Renderer, resident: int | None,
                   counted: bool = True) -> None:
        """Keep ``renderer`` for the next job, or end it: ``resident`` is its memory after
        the job, None when its state is unknown (crashed, killed, cancelled mid-render)."""
        renderer.jobs += counted
        if resident is None:
            reason = "failed"
        elif renderer.jobs >= RECYCLE_AFTER_JOBS:
            reason = "jobs"
        elif resident > self._recycle_above:
            reason = "memory"
            log.info("renderer %d holds %d MiB after a job: replaced", renderer.pid,
                     resident // 2**20)
        else:
            reason = ""
        if reason:
            RENDERERS_REPLACED.labels(reason).inc()
        if not reason and not self._closed and len(self._idle) < self._size:
            self._idle.append(renderer)
        else:
            renderer.close()

    def close(self) -> None:
        """End the idle renderers (busy ones end with their sessions)."""
        self._closed = True
        while self._idle:
            self._idle.pop().close()
