"""The one interface every engine backend implements.

A runner takes a prepared workspace (``main.do`` written, inputs normalised) and runs the
do-file in a child process group it can kill: the worker never imports Stata-specific code and
never knows how a backend starts its process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import msgspec


class RunStatus(StrEnum):
    """How a run ended."""

    #: The do-file ran to the end (rc 0).
    OK = "ok"
    #: The do-file stopped on a Stata error (rc is Stata's r(NNN)).
    DOFILE_ERROR = "dofile_error"
    #: Killed after the time limit (or its CPU time limit: ``RunOutcome.limit`` says which).
    TIMEOUT = "timeout"
    #: Stopped for wanting more memory than the run may have (Stata's r(901)/r(909)).
    MEMORY = "memory_exceeded"
    #: Stopped for writing more than the run may (``RunOutcome.limit`` says which limit).
    OUTPUT = "output_exceeded"
    #: Killed because the job was cancelled (or the worker is shutting down).
    CANCELLED = "cancelled"
    #: The engine process died or gave no usable result.
    CRASHED = "crashed"


class RunOutcome(msgspec.Struct, kw_only=True, frozen=True):
    """What a run produced; the log and result files stay in the workspace."""

    status: RunStatus
    #: Stata return code: 0 on success, NNN of the final ``r(NNN);`` on a do-file error.
    rc: int
    duration_s: float
    #: log file name inside the workspace (``main.log``)
    log_file: str
    #: the engine's own description: command line, versions
    engine: str
    command: list[str] = msgspec.field(default_factory=list)
    versions: dict[str, str] = msgspec.field(default_factory=dict)
    #: the last lines of the log around the error, for the job record
    log_excerpt: str = ""
    message: str = ""
    #: the limit of ``RunLimits`` a TIMEOUT, MEMORY or OUTPUT run hit (``time_s`` for the
    #: time limit)
    limit: str = ""


class RunLimits(msgspec.Struct, kw_only=True, frozen=True):
    """What one run may take, so a hostile or runaway do-file cannot hurt the other runs on
    the same worker (docs/dofiles.md, "Resource limits"). None: no limit."""

    #: address space the engine process may take beyond its own at start (bytes)
    memory_bytes: int | None = None
    #: CPU time of the engine process (seconds)
    cpu_s: float | None = None
    #: bytes the run may add to its workspace: any one file, and all together
    output_bytes: int | None = None
    #: files the run may add to its workspace
    files: int | None = None


#: Stata's codes for running out of memory: no room for more observations, and
#: "op. sys. refuses to provide memory".
MEMORY_RCS = frozenset({901, 909})


class Runner(Protocol):
    """An engine backend."""

    #: engine name recorded on the attempt (``embedded``, ``stata``)
    name: str

    async def run(
        self, workdir: Path, do_file: str, *, timeout_s: float, cancel: asyncio.Event,
        limits: RunLimits | None = None, epilogue: Sequence[str] = (),
    ) -> RunOutcome:
        """Run ``workdir/do_file``; the log goes to ``workdir/<stem>.log``.

        Must kill the whole process group when ``timeout_s`` passes, ``cancel`` is set or a
        limit of ``limits`` is passed, and return (not raise) for every do-file outcome; raise
        only for a broken runner setup. Each ``epilogue`` command runs after the do-file in
        the same session under ``capture noisily`` (``ss_collect_estimates``): it never
        changes the verdict.
        """
        ...

    async def warm_up(self) -> None:
        """Do the slow part of starting (a fork server's imports...) before the first job, so
        the first run is as quick as the others; the worker calls it once at start."""
        ...

    async def close(self) -> None:
        """Release long-lived resources (fork server...)."""
        ...
