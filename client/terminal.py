"""What the ``ss`` command prints: progress bars and a live status line on a terminal, one
plain line per step otherwise (logs, pipes, CI), so both read well."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from client.records import Progress, RunObserver
from client.sse import EventMessage
from libs.contracts.events import JobCompleted, JobFormatting, JobRunning
from libs.contracts.views import JobView

_BAR = 24
_SPINNER = "|/-\\"
_CLEAR = "\r\x1b[K"


def human_size(size: float) -> str:
    """``27.1 KiB``-style size."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def describe_event(message: EventMessage) -> str:
    """One line saying what an event means (``running on worker-a (embedded), attempt 1``)."""
    event = message.event
    if isinstance(event, JobRunning):
        return f"running on {event.worker_id} ({event.engine}), attempt {event.attempt}"
    if isinstance(event, JobFormatting):
        return f"formatting (rc {event.rc}, ran {event.duration_s:.2f} s)"
    if isinstance(event, JobCompleted):
        text = f"completed: {event.status.value}"
        if event.error is not None:
            text += f" [{event.error.error_code.value}] {event.error.message}"
        return text
    return message.type


class Terminal:
    """Writes to ``stream``; ``tty`` (default: ``stream.isatty()``) picks bars vs lines."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self._status = ""
        self._started = time.monotonic()
        self._tick = 0
        #: what the followed job is doing, for the status line
        self.state = "starting"

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def line(self, text: str) -> None:
        """Print a line, keeping the live status line (if any) below it."""
        if self.tty and self._status:
            self._write(f"{_CLEAR}{text}\n{self._status}")
        else:
            self._write(text + "\n")

    def status(self, text: str) -> None:
        """Replace the live status line (terminals only; elsewhere it is dropped)."""
        if self.tty:
            self._status = text
            self._write(_CLEAR + text)

    def end_status(self) -> None:
        """Clear the live status line."""
        if self.tty and self._status:
            self._status = ""
            self._write(_CLEAR)

    def elapsed(self) -> str:
        return f"{time.monotonic() - self._started:6.1f}s"

    def event(self, message: EventMessage) -> None:
        """Show a job event as a line, and what the job is doing as the status line."""
        self.line(f"{self.elapsed()}  {describe_event(message)}")
        self.state = message.type

    def tick(self) -> None:
        """Redraw the status line (spinner, state, elapsed time) while waiting."""
        self._tick += 1
        spinner = _SPINNER[self._tick % len(_SPINNER)]
        self.status(f"{spinner} {self.state} {self.elapsed().strip()}")

    def bar(self, label: str) -> Progress:
        """A progress callback drawing ``label``'s transfer: a bar redrawn in place on a
        terminal, otherwise a line at 0%, every quarter and 100%."""
        shown = {"at": -1.0, "step": -1}

        def progress(done: int, total: int | None) -> None:
            fraction = done / total if total else (1.0 if total == 0 else 0.0)
            finished = total is not None and done >= total
            if self.tty:
                now = time.monotonic()
                if not finished and now - shown["at"] < 0.1:
                    return
                shown["at"] = now
                filled = int(fraction * _BAR)
                size = human_size(done) + (f" / {human_size(total)}" if total else "")
                self._write(f"{_CLEAR}{label} [{'#' * filled}{'.' * (_BAR - filled)}] "
                            f"{fraction:4.0%}  {size}" + ("\n" if finished else ""))
                return
            step = int(fraction * 4)
            if step > shown["step"]:
                shown["step"] = step
                size = human_size(total if total is not None else done)
                self._write(f"{label}: {step * 25}% of {size}\n")

        return progress


class TerminalObserver(RunObserver):
    """Draws a run on the terminal: the job's creation, upload and download bars, events."""

    def __init__(self, term: Terminal) -> None:
        self.term = term

    def created(self, job: JobView) -> None:
        spec = job.spec
        what = (spec.dofile.input or "inline do-file") if spec.dofile else spec.template_id
        self.term.line(f"job {job.id} created ({what})")

    def upload(self, name: str) -> Progress:
        return self.term.bar(f"upload {name}")

    def event(self, message: EventMessage) -> None:
        self.term.event(message)

    def download(self, name: str) -> Progress:
        return self.term.bar(f"download {name}")
