"""The embedded engine backend: SS's own Stata interpreter in a forked child process.

Children come from a multiprocessing fork server that imported the numeric stack once, so a
run starts in milliseconds instead of paying ~1.2 s of imports, and a runaway or crashing run
cannot hurt the worker: timeout and cancel kill the child's process group exactly as they
would kill Stata.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import platform
import signal
import time
from collections.abc import Sequence
from importlib import metadata
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path

from libs.runners.base import MEMORY_RCS, RunLimits, RunOutcome, RunStatus
from libs.runners.process import OutputWatch, Stop, supervise, tail_lines

#: Modules the fork server imports before forking any child (the dataset readers too: the
#: worker reads inputs in children of the same fork server). Graph drawing (matplotlib) is
#: preloaded as well: importing it costs a child ~1.5 s, the fork server ~25 MiB once. The
#: last one warms the engine up and freezes the heap (``embedded_child.ready_to_fork``).
PRELOAD = ["libs.runners.embedded_child", "libs.datasets", "libs.engine.graphics.draw",
           "libs.runners.forkserver_ready"]
RC_FILE = "ss_rc.json"


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for dist in ("numpy", "pandas", "scipy", "statsmodels", "linearmodels", "pyreadstat"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found


class EmbeddedRunner:
    """Runs do-files on ``libs.engine`` in fork-server children."""

    name = "embedded"

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("forkserver")
        assert isinstance(ctx, ForkServerContext)
        ctx.set_forkserver_preload(PRELOAD)
        self._ctx = ctx
        self._versions = _versions()

    async def warm_up(self) -> None:
        """Start the fork server now (imports take ~1 s) rather than on the first job."""
        await self._wait(self._spawn(None, "", "", None, ()))

    def _spawn(self, workdir: Path | None, do_file: str, log_file: str,
               limits: RunLimits | None, epilogue: Sequence[str]) -> BaseProcess:
        from libs.runners.embedded_child import child_main

        process = self._ctx.Process(
            target=child_main,
            args=(str(workdir) if workdir else "", do_file, log_file, limits, tuple(epilogue)),
            name="ss-embedded", daemon=False,
        )
        process.start()
        return process

    async def _wait(self, process: BaseProcess) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()

        def on_exit() -> None:
            if not done.done():
                done.set_result(None)

        loop.add_reader(process.sentinel, on_exit)
        try:
            await done
        finally:
            loop.remove_reader(process.sentinel)
        process.join()

    async def run(
        self, workdir: Path, do_file: str, *, timeout_s: float, cancel: asyncio.Event,
        limits: RunLimits | None = None, epilogue: Sequence[str] = (),
    ) -> RunOutcome:
        workdir = workdir.resolve()  # the child chdirs into it
        log_file = Path(do_file).stem + ".log"
        (workdir / RC_FILE).unlink(missing_ok=True)
        watch = OutputWatch(workdir, limits) if limits else None
        started = time.monotonic()
        # Starting a child blocks until the fork server has forked (~10 ms for a process
        # holding the numeric stack): do it off the event loop so other jobs go on meanwhile.
        process = await asyncio.to_thread(self._spawn, workdir, do_file, log_file, limits,
                                          epilogue)
        assert process.pid is not None
        stop = await supervise(self._wait(process), process.pid, timeout_s=timeout_s,
                               cancel=cancel, watch=watch)
        duration = time.monotonic() - started
        excerpt = tail_lines(workdir / log_file)

        def outcome(status: RunStatus, rc: int, message: str = "", limit: str = "") -> RunOutcome:
            return RunOutcome(
                status=status, rc=rc, duration_s=duration, log_file=log_file, engine=self.name,
                command=["python", "-m", "libs.engine", "run", do_file],
                versions=self._versions, log_excerpt=excerpt, message=message, limit=limit,
            )

        if stop is Stop.TIMEOUT:
            return outcome(RunStatus.TIMEOUT, -1, f"run exceeded {timeout_s:g}s and was killed",
                           "time_s")
        if stop is Stop.CANCELLED:
            return outcome(RunStatus.CANCELLED, -1, "run cancelled")
        if stop is Stop.OUTPUT:
            assert watch is not None
            return outcome(RunStatus.OUTPUT, -1, f"the run passed its {watch.hit} limit and "
                           "was stopped", watch.hit)
        if process.exitcode == -signal.SIGXCPU:
            return outcome(RunStatus.TIMEOUT, -1, "the run used up its CPU time and was killed",
                           "cpu_s")
        if process.exitcode == -signal.SIGXFSZ:
            return outcome(RunStatus.OUTPUT, -1, "the run wrote a file larger than its limit "
                           "and was killed", "file_bytes")
        try:
            rc = int(json.loads((workdir / RC_FILE).read_text())["rc"])
        except (OSError, ValueError, KeyError):
            return outcome(RunStatus.CRASHED, -1,
                           f"engine exited with code {process.exitcode} and no result")
        if rc == 0:
            return outcome(RunStatus.OK, 0)
        if rc in MEMORY_RCS and limits is not None and limits.memory_bytes:
            return outcome(RunStatus.MEMORY, rc, f"the do-file needed more memory than the "
                           f"run may have (r({rc}))", "memory_bytes")
        return outcome(RunStatus.DOFILE_ERROR, rc, f"the do-file stopped with r({rc})")

    async def close(self) -> None:
        # The fork server exits by itself when its parent's pipe closes.
        return None

