"""Real Stata in batch mode behind the ``Runner`` interface.

Stata's batch mode (``stata-mp -b do file.do``; Windows ``StataMP-64.exe /e do file.do``) writes
``file.log`` in the current directory and exits 0 even when the do-file fails, so the exit code
proves nothing. Each run therefore writes a wrapper do-file into the attempt's directory that

1. opens ``<stem>.log`` as a *named* log (the do-file may still open its own unnamed log),
2. prints Stata's version on a marker line,
3. puts the SS ado helpers' folder first on the adopath (referenced in place, never copied into
   the job's writable directory; its ``ssc.ado`` answers for Stata's ``ssc``, so a job never
   downloads),
4. caps Stata's data memory (``set max_memory``) at the run's memory limit,
5. runs ``capture noisily do <stem>.do``, keeps ``_rc``, runs the epilogue commands (each under
   ``capture noisily``) and writes the do-file's ``_rc`` to the sidecar ``ss_rc.txt``,
6. closes the log and leaves Stata with ``exit, clear STATA``.

The Stata process gets the run's limits from the kernel too (``prlimit`` right after it
starts: address space, CPU time, file size), as the embedded engine's child does.

The sidecar is the truth. Without it, the fallback is the last ``r(NNN);`` after the final
``end of do-file`` of the log: lines before that (``capture noisily`` of a failing command,
``display "r(199);"``) are false positives. The log can only prove an error, never success: no
sidecar and no such line means CRASHED.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import msgspec

from libs.contracts.errors import ErrorCode, SSError
from libs.runners.base import MEMORY_RCS, RunLimits, RunOutcome, RunStatus
from libs.runners.process import OutputWatch, Stop, address_space, rlimits, supervise

log = logging.getLogger(__name__)

#: wrapper do-file written into the attempt directory (Stata's batch log is ``ss_wrapper.log``)
WRAPPER_DO = "ss_wrapper.do"
#: sidecar holding the do-file's ``_rc``, written by the wrapper
RC_SIDECAR = "ss_rc.txt"
#: Stata's stdout/stderr (startup and licence failures land here, not in a log)
CONSOLE_FILE = "ss_console.txt"
#: ``rc`` of outcomes that have no Stata return code (timeout, cancel, crash)
NO_RC = -1
#: how many log lines up to the error go into ``RunOutcome.log_excerpt``
EXCERPT_LINES = 30
#: address space Stata itself may have beside a run's memory limit (its program and start-up)
STATA_OWN_BYTES = 512 * 1024**2

_LOG_NAME = "ss_main"
_VERSION_MARK = "ss-stata-version:"
_END_OF_DO = "end of do-file"
_RC_LINE = re.compile(r"r\((\d+)\);")
_DO_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.do")
# Inside a Stata string a quote ends it, and ` and $ start macro expansion.
_NOT_IN_STATA_STRING = frozenset('"`$\n\r')
# Reads are bounded: the version marker is near the start, the verdict near the end.
_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 256 * 1024


def check_stata_cmd(value: str) -> list[str]:
    """Parse ``SS_STATA_CMD`` into an argv whose first item is an absolute executable path.

    The value is a path or a command line (shlex, so quote a path with spaces); a value that is
    as a whole an existing path is taken as-is, spaces included. A bare name is looked up on
    ``PATH``. Raises ``STATA_CMD_NOT_CONFIGURED`` when empty, ``STATA_CMD_INVALID`` otherwise.
    """
    text = value.strip()
    if not text:
        raise SSError(
            ErrorCode.STATA_CMD_NOT_CONFIGURED,
            "SS_STATA_CMD is not set: engine stata needs the Stata executable, "
            "e.g. /usr/local/stata18/stata-mp",
        )
    if Path(text).is_file():
        argv = [text]
    else:
        try:
            argv = shlex.split(text)
        except ValueError as exc:
            raise SSError(
                ErrorCode.STATA_CMD_INVALID, f"SS_STATA_CMD cannot be parsed: {exc}", value=value
            ) from exc
    # which() refuses directories and files without the execute bit.
    found = shutil.which(argv[0])
    if found is None:
        raise SSError(
            ErrorCode.STATA_CMD_INVALID,
            f"SS_STATA_CMD does not name an executable file: {argv[0]!r} "
            "(quote a path that contains spaces)",
            value=value,
        )
    # Absolute, because the run's working directory is the attempt's, not ours.
    return [os.path.abspath(found), *argv[1:]]


def batch_command(argv: list[str], wrapper: str) -> list[str]:
    """The batch-mode command line: ``-b do wrapper``, or ``/e do wrapper`` for a Windows .exe."""
    flag = "/e" if argv[0].lower().endswith(".exe") else "-b"
    return [*argv, flag, "do", wrapper]


def wrapper_do(do_file: str, workdir: Path, ado_dir: Path, *, memory_mb: int | None = None,
               epilogue: Sequence[str] = ()) -> str:
    """The wrapper do-file for running ``workdir/do_file`` (absolute paths survive a ``cd``)."""
    log_path = _stata_string(workdir / log_name(do_file))
    rc_path = _stata_string(workdir / RC_SIDECAR)
    lines = [
        "* Generated by SS: runs the do-file, records its return code, leaves Stata.",
        f'log using "{log_path}", text replace name({_LOG_NAME})',
        f"display \"{_VERSION_MARK} `c(stata_version)' `c(edition_real)' `c(born_date)'\"",
        f'adopath ++ "{_stata_string(ado_dir)}"',
        *([f"set max_memory {memory_mb}m"] if memory_mb else []),
        f'capture noisily do "{do_file}"',
        "local ss_rc = _rc",
        *(f"capture noisily {command}" for command in epilogue),
        f'file open ss_rcfile using "{rc_path}", write text replace',
        'file write ss_rcfile "`ss_rc\'" _n',
        "file close ss_rcfile",
        f"log close {_LOG_NAME}",
        "exit, clear STATA",
    ]
    return "\n".join(lines) + "\n"


def log_name(do_file: str) -> str:
    """``main.do`` logs to ``main.log``."""
    return do_file.removesuffix(".do") + ".log"


def rc_from_log(text: str) -> int | None:
    """The fallback verdict: the last ``r(NNN);`` after the final ``end of do-file``, or None."""
    lines = text.splitlines()
    ends = [i for i, line in enumerate(lines) if line.strip() == _END_OF_DO]
    if not ends:
        return None
    codes = [int(m[1]) for line in lines[ends[-1] + 1 :] if (m := _RC_LINE.fullmatch(line.strip()))]
    return codes[-1] if codes else None


def log_excerpt(text: str, rc: int | None) -> str:
    """Up to ``EXCERPT_LINES`` lines ending with the last ``r(rc);`` line (or the log's end)."""
    lines = text.splitlines()
    at = last_rc_line(lines, rc)
    end = len(lines) if at is None else at + 1
    return "\n".join(lines[max(0, end - EXCERPT_LINES) : end])


def stata_version(text: str) -> str | None:
    """The wrapper's version marker (its echoed command starts with ``.`` and is skipped)."""
    for line in text.splitlines():
        if line.startswith(_VERSION_MARK):
            return line.removeprefix(_VERSION_MARK).strip()
    return None


class StataRunner:
    """Runs do-files with a real Stata installation in batch mode."""

    name = "stata"

    def __init__(self, stata_cmd: str, ado_dir: Path) -> None:
        """Validate ``stata_cmd`` (see ``check_stata_cmd``) and the ado helpers' folder."""
        self._argv = check_stata_cmd(stata_cmd)
        self._ado_dir = ado_dir.resolve()
        if not self._ado_dir.is_dir():
            raise ValueError(f"ado helpers folder {self._ado_dir} is not a directory")
        _stata_string(self._ado_dir)
        if os.access(self._ado_dir, os.W_OK):
            # Jobs run as the worker's user: only ownership or a read-only mount protects it.
            log.warning("ado helpers folder %s is writable by the jobs", self._ado_dir)

    async def run(
        self, workdir: Path, do_file: str, *, timeout_s: float, cancel: asyncio.Event,
        limits: RunLimits | None = None, epilogue: Sequence[str] = (),
    ) -> RunOutcome:
        """Run ``workdir/do_file`` in batch mode; see the module docstring for the verdict."""
        command = batch_command(self._argv, WRAPPER_DO)
        memory_mb = (limits.memory_bytes // 1024**2 or None) if limits and limits.memory_bytes \
            else None
        console = _prepare(workdir.resolve(), do_file,
                           wrapper_do(do_file, workdir.resolve(), self._ado_dir,
                                      memory_mb=memory_mb, epilogue=epilogue))
        watch = OutputWatch(workdir, limits) if limits else None
        started = time.monotonic()
        try:
            proc = await asyncio.create_subprocess_exec(
                *command,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            os.close(console)
        if limits is not None:
            _limit(proc.pid, limits)
        stop = await supervise(proc.wait(), proc.pid, timeout_s=timeout_s, cancel=cancel,
                               watch=watch)
        if stop is Stop.EXITED:
            # Children the do-file left behind (``shell ... &``) keep the group alive; the
            # leader is reaped, so only the group is signalled, never the reusable pid.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        duration = time.monotonic() - started
        outcome = await asyncio.to_thread(
            _verdict, workdir, do_file, command, duration, stop, proc.returncode, timeout_s
        )
        return _limited(outcome, stop, proc.returncode, limits, watch)

    async def warm_up(self) -> None:
        """Nothing to prepare: each run starts its own Stata process."""

    async def close(self) -> None:
        """Nothing long-lived: each run is its own Stata process."""


def _stata_string(path: Path) -> str:
    """``path`` as the inside of a Stata string; characters Stata would interpret are refused."""
    text = str(path)
    bad = sorted(_NOT_IN_STATA_STRING.intersection(text))
    if bad:
        raise ValueError(f"path {text!r} contains characters Stata cannot quote: {bad}")
    return text


def _limit(pid: int, limits: RunLimits) -> None:
    """Hold the Stata process to ``limits`` (it inherits nothing from the worker's)."""
    try:
        own = max(address_space(pid), STATA_OWN_BYTES)
        for kind, value in rlimits(limits, own).items():
            resource.prlimit(pid, kind, value)
    except (OSError, StopIteration):
        log.warning("could not limit Stata process %d (it already ended?)", pid)


def _limited(outcome: RunOutcome, stop: Stop, returncode: int | None,
             limits: RunLimits | None, watch: OutputWatch | None) -> RunOutcome:
    """The verdict again where a limit ended the run: the kernel's signals (CPU time, file
    size), the output watch, or Stata's out-of-memory codes under a memory limit."""
    if stop is Stop.OUTPUT and watch is not None:
        return msgspec.structs.replace(outcome, status=RunStatus.OUTPUT, limit=watch.hit,
                                       message=f"the run passed its {watch.hit} limit and was "
                                               "stopped")
    if stop is Stop.TIMEOUT:
        return msgspec.structs.replace(outcome, limit="time_s")
    if returncode == -signal.SIGXCPU:
        return msgspec.structs.replace(outcome, status=RunStatus.TIMEOUT, limit="cpu_s",
                                       message="Stata used up its CPU time and was killed")
    if returncode == -signal.SIGXFSZ:
        return msgspec.structs.replace(outcome, status=RunStatus.OUTPUT, limit="file_bytes",
                                       message="Stata wrote a file larger than its limit and "
                                               "was killed")
    if (outcome.status is RunStatus.DOFILE_ERROR and outcome.rc in MEMORY_RCS
            and limits is not None and limits.memory_bytes):
        return msgspec.structs.replace(outcome, status=RunStatus.MEMORY, limit="memory_bytes")
    return outcome


def _prepare(workdir: Path, do_file: str, wrapper: str) -> int:
    """Write the wrapper, drop stale results, open the console file; returns its descriptor."""
    if not _DO_FILE_NAME.fullmatch(do_file) or do_file == WRAPPER_DO:
        raise ValueError(f"do-file name {do_file!r} is not a plain .do file name")
    if not (workdir / do_file).is_file():
        raise ValueError(f"{workdir / do_file} does not exist")
    # A sidecar or log from an earlier run in this directory must never pass for this one's.
    for stale in (RC_SIDECAR, log_name(do_file)):
        (workdir / stale).unlink(missing_ok=True)
    (workdir / WRAPPER_DO).write_text(wrapper, encoding="utf-8")
    return os.open(workdir / CONSOLE_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)


def _verdict(
    workdir: Path,
    do_file: str,
    command: list[str],
    duration: float,
    stop: Stop,
    returncode: int | None,
    timeout_s: float,
) -> RunOutcome:
    """Read the sidecar and the log and decide how the run ended."""
    log_file = log_name(do_file)
    head, tail = _read_ends(workdir / log_file)
    version = stata_version(head)
    rc, message = NO_RC, ""
    status: RunStatus
    if stop is Stop.TIMEOUT:
        status, message = RunStatus.TIMEOUT, f"killed after the {timeout_s:g} s time limit"
    elif stop is Stop.CANCELLED:
        status, message = RunStatus.CANCELLED, "killed: the run was cancelled"
    elif (sidecar := _read_sidecar(workdir / RC_SIDECAR)) is not None:
        rc = sidecar
        status = RunStatus.OK if rc == 0 else RunStatus.DOFILE_ERROR
    elif (fallback := rc_from_log(tail)) is not None:
        rc, status = fallback, RunStatus.DOFILE_ERROR
        message = f"no {RC_SIDECAR}: return code taken from the end of {log_file}; "
    else:
        status = RunStatus.CRASHED
        message = (
            f"Stata exited with code {returncode} without writing {RC_SIDECAR}, and {log_file} "
            f"shows no final error; see {CONSOLE_FILE} and {Path(WRAPPER_DO).stem}.log"
        )
    if status is RunStatus.DOFILE_ERROR:
        message += f"do-file stopped with r({rc})" + _error_text(tail, rc)
    if status is not RunStatus.OK and not tail:
        # No log at all: Stata's console output is the only clue (licence, startup failures).
        tail = _read_ends(workdir / CONSOLE_FILE)[1]
    return RunOutcome(
        status=status,
        rc=rc,
        duration_s=duration,
        log_file=log_file,
        engine="stata",
        command=command,
        versions={"stata": version} if version else {},
        log_excerpt="" if status is RunStatus.OK else log_excerpt(tail, rc),
        message=message,
    )


def _read_sidecar(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        # Missing, a directory, or cut short: the log decides.
        return None


def _read_ends(path: Path) -> tuple[str, str]:
    """The first and last chunk of a possibly huge text file; ("", "") when it is missing."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - _TAIL_BYTES))
            tail = fh.read()
    except OSError:
        return "", ""
    return head.decode("utf-8", "replace"), tail.decode("utf-8", "replace")


def _error_text(log_text: str, rc: int) -> str:
    """``": <message>"`` from the line Stata printed above ``r(rc);``, if it is one."""
    lines = log_text.splitlines()
    at = last_rc_line(lines, rc)
    above = lines[at - 1].strip() if at else ""
    return f": {above}" if above and not above.startswith(".") else ""


def last_rc_line(lines: list[str], rc: int | None) -> int | None:
    """Index of the last ``r(rc);`` line; None for rc 0/None or when there is none."""
    if not rc:
        return None
    hits = [i for i, line in enumerate(lines) if line.strip() == f"r({rc});"]
    return hits[-1] if hits else None
