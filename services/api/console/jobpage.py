"""What a job's page shows: its timeline of events, its do-file and its log with the failing
line marked."""

from __future__ import annotations

from dataclasses import dataclass

from libs import names
from libs.bus.connection import Bus
from libs.bus.events import stored
from libs.contracts.errors import ErrorCode, code_descriptions
from libs.contracts.events import (
    JobCompleted,
    JobCreated,
    JobEvent,
    JobFormatting,
    JobRunning,
    event_type,
)
from libs.contracts.jobs import Artifact, JobRecord
from libs.runners.stata import last_rc_line
from libs.storage import ObjectStore

#: Largest do-file or log shown in the page (the rest is a download away).
SHOWN_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Step:
    """One event of the timeline."""

    seq: int
    kind: str
    at: str
    submission: int
    attempt: int
    detail: str


def _detail(event: JobEvent) -> str:
    if isinstance(event, JobCreated):
        return f"template {event.template_id}" if event.template_id else "do-file"
    if isinstance(event, JobRunning):
        return f"attempt {event.attempt} on {event.worker_id} ({event.engine})"
    if isinstance(event, JobFormatting):
        return f"ran in {event.duration_s:.2f} s, rc {event.rc}"
    if isinstance(event, JobCompleted):
        error = f": {event.error.error_code.value}" if event.error else ""
        return f"{event.status.value}{error}"
    return ""


async def timeline(bus: Bus, tenant: str, job_id: str) -> list[Step]:
    """Every stored event of the job, oldest first."""
    return [Step(seq=found.seq, kind=event_type(found.event), at=found.event.at,
                 submission=found.event.submission, attempt=found.event.attempt,
                 detail=_detail(found.event))
            async for found in stored(bus, names.job_events_filter(tenant, job_id))]


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    #: "" | "command" (the command that failed) | "error" (its ``r(rc);`` line)
    mark: str = ""


@dataclass(frozen=True)
class Text:
    """A raw text artifact as the page shows it."""

    artifact: Artifact
    lines: list[Line]
    #: the file was longer than ``SHOWN_BYTES``: only its end is shown
    cut: bool
    #: number of the line the page scrolls to (the failing command), if any
    focus: int | None = None


def _raw(record: JobRecord, name: str) -> Artifact | None:
    return next((a for a in record.artifacts if a.kind == "raw" and a.name == name
                 and a.attempt == record.attempt), None)


async def _text(objects: ObjectStore, artifact: Artifact) -> tuple[list[str], bool]:
    data = await objects.get_bytes(artifact.key)
    cut = len(data) > SHOWN_BYTES
    text = data[-SHOWN_BYTES:].decode("utf-8", errors="replace")
    lines = text.splitlines()
    return (lines[1:] if cut else lines), cut


def marked_log(lines: list[str], rc: int | None) -> tuple[list[Line], int | None]:
    """The log's lines with the failing command and its ``r(rc);`` marked: the command
    echoed (``. ...``) last before the last ``r(rc);``, and the first ``r(rc);`` after that
    command (batch mode repeats the code after ``end of do-file``)."""
    last = last_rc_line(lines, rc)
    command = error = None
    if last is not None:
        command = next((i for i in range(last - 1, -1, -1) if lines[i].startswith(". ")), None)
        error = next(i for i in range((command or 0) + 1, last + 1)
                     if lines[i].strip() == f"r({rc});")
    marks = {error: "error", command: "command"}
    shown = [Line(i + 1, text, marks.get(i, "")) for i, text in enumerate(lines)]
    focus = command if command is not None else error
    return shown, None if focus is None else focus + 1


async def do_file(objects: ObjectStore, record: JobRecord) -> Text | None:
    artifact = _raw(record, "main.do")
    if artifact is None:
        return None
    lines, cut = await _text(objects, artifact)
    return Text(artifact, [Line(i + 1, t) for i, t in enumerate(lines)], cut)


async def log_file(objects: ObjectStore, record: JobRecord) -> Text | None:
    artifact = _raw(record, "main.log")
    if artifact is None:
        return None
    lines, cut = await _text(objects, artifact)
    rc = None
    if record.error is not None and record.error.error_code is ErrorCode.DOFILE_ERROR:
        given = record.error.details.get("rc")
        rc = given if isinstance(given, int) else None
    shown, focus = marked_log(lines, rc)
    return Text(artifact, shown, cut, focus)


def meaning(code: str | None) -> str:
    """What the catalogue says a code means."""
    if not code:
        return ""
    try:
        return code_descriptions()[ErrorCode(code)].replace("``", "")
    except ValueError:
        return ""
