"""Child-process plumbing shared by the runners: process groups, timeouts, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable
from enum import StrEnum
from pathlib import Path


class Stop(StrEnum):
    """Why ``supervise`` returned."""

    EXITED = "exited"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"


def kill_group(pid: int, sig: int = signal.SIGKILL) -> None:
    """Signal the process group led by ``pid`` (runners start children with setsid)."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        # Not a group leader (yet), or already gone: signal the process itself.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


async def supervise(
    exited: Awaitable[object], pid: int, *, timeout_s: float, cancel: asyncio.Event
) -> Stop:
    """Wait for ``exited`` unless the time limit passes or ``cancel`` is set first.

    On timeout or cancel the whole process group gets SIGTERM, then SIGKILL half a second
    later, and this waits until the child is really gone before returning.
    """
    exit_task = asyncio.ensure_future(exited)
    cancel_task = asyncio.ensure_future(cancel.wait())
    try:
        done, _ = await asyncio.wait(
            {exit_task, cancel_task}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED
        )
        if exit_task in done:
            return Stop.EXITED
        reason = Stop.CANCELLED if cancel_task in done else Stop.TIMEOUT
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
