"""Child-process plumbing shared by the runners: process groups, timeouts, cancellation, and
the limits of a run (docs/dofiles.md, "Resource limits").

Memory, CPU time and the size of any one file are the kernel's to enforce (``setrlimit`` on
the engine process: ``rlimits``); what a run adds to its workspace altogether is measured
while it runs (``OutputWatch``) and the run is stopped when it passes the limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import resource
import signal
from collections.abc import Awaitable
from enum import StrEnum
from pathlib import Path

from libs.runners.base import RunLimits

#: How often a running job's workspace is measured against its output limits (seconds).
WATCH_S = 0.5


class Stop(StrEnum):
    """Why ``supervise`` returned."""

    EXITED = "exited"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    #: the run wrote more than its limits allow (``OutputWatch.hit`` says which)
    OUTPUT = "output"


def rlimits(limits: RunLimits, address_space: int) -> dict[int, tuple[int, int]]:
    """The ``setrlimit`` values that enforce ``limits`` on an engine process whose address
    space is ``address_space`` bytes when they are set: memory on top of what it has, CPU
    seconds (SIGXCPU at the soft limit, SIGKILL 5 s later) and the size of any one file
    (SIGXFSZ)."""
    found: dict[int, tuple[int, int]] = {}
    if limits.memory_bytes:
        found[resource.RLIMIT_AS] = (address_space + limits.memory_bytes,) * 2
    if limits.cpu_s:
        seconds = math.ceil(limits.cpu_s)
        found[resource.RLIMIT_CPU] = (seconds, seconds + 5)
    if limits.output_bytes:
        found[resource.RLIMIT_FSIZE] = (limits.output_bytes,) * 2
    return found


def address_space(pid: int | None = None) -> int:
    """The virtual memory size of process ``pid`` (default: this one), in bytes."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmSize:"))
    return int(kib) * 1024


def workspace_usage(root: Path) -> tuple[int, int]:
    """Bytes and number of regular files under ``root`` (links are not followed)."""
    size = count = 0
    pending = [root]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    size += entry.stat(follow_symlinks=False).st_size
                    count += 1
            except OSError:
                continue
    return size, count


class OutputWatch:
    """What a run adds to its workspace, against ``limits``: measured from the workspace as it
    is when the watch is made (before the run)."""

    def __init__(self, root: Path, limits: RunLimits) -> None:
        self.root = root
        self.limits = limits
        self._bytes, self._files = workspace_usage(root)
        #: the limit the run passed (``output_bytes`` or ``files``), or ""
        self.hit = ""

    def exceeded(self) -> bool:
        size, count = workspace_usage(self.root)
        if self.limits.output_bytes and size - self._bytes > self.limits.output_bytes:
            self.hit = "output_bytes"
        elif self.limits.files and count - self._files > self.limits.files:
            self.hit = "files"
        return bool(self.hit)

    async def passed(self) -> None:
        """Return once the run has passed a limit (first measured ``WATCH_S`` after the
        start: the watch was made from the workspace as the run found it, and a run that
        ends sooner is measured once more when it has ended)."""
        while True:
            await asyncio.sleep(WATCH_S)
            if await asyncio.to_thread(self.exceeded):
                return


def kill_group(pid: int, sig: int = signal.SIGKILL) -> None:
    """Signal the process group led by ``pid`` (runners start children with setsid)."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        # Not a group leader (yet), or already gone: signal the process itself.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


async def supervise(
    exited: Awaitable[object], pid: int, *, timeout_s: float, cancel: asyncio.Event,
    watch: OutputWatch | None = None,
) -> Stop:
    """Wait for ``exited`` unless the time limit passes, ``cancel`` is set or the run passes
    its output limits (``watch``) first.

    Then the whole process group gets SIGTERM, then SIGKILL half a second later, and this
    waits until the child is really gone before returning.
    """
    exit_task = asyncio.ensure_future(exited)
    cancel_task = asyncio.ensure_future(cancel.wait())
    watch_task = asyncio.ensure_future(watch.passed() if watch else asyncio.Event().wait())
    try:
        done, _ = await asyncio.wait(
            {exit_task, cancel_task, watch_task}, timeout=timeout_s,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if exit_task in done:
            # A run can write past a limit between two looks and end before the next.
            if watch is not None and await asyncio.to_thread(watch.exceeded):
                return Stop.OUTPUT
            return Stop.EXITED
        reason = (Stop.CANCELLED if cancel_task in done else
                  Stop.OUTPUT if watch_task in done else Stop.TIMEOUT)
        kill_group(pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(exit_task), 0.5)
        except TimeoutError:
            kill_group(pid, signal.SIGKILL)
            await exit_task
        # Anything the child started in its group dies with it.
        kill_group(pid, signal.SIGKILL)
        return reason
    except asyncio.CancelledError:
        # Our caller is being cancelled (worker shutdown): never leave the engine running.
        kill_group(pid, signal.SIGKILL)
        raise
    finally:
        cancel_task.cancel()
        watch_task.cancel()
        if not exit_task.done():
            exit_task.cancel()


def tail_lines(path: Path, count: int = 30) -> str:
    """The last ``count`` lines of a text file (empty when it does not exist)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read()
    except FileNotFoundError:
        return ""
    lines = data.decode("utf-8", "replace").splitlines()
    return "\n".join(lines[-count:])
