"""The job: its spec, its record in KV, its states and the one table of legal transitions."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import msgspec

from libs.contracts.errors import ErrorCode, ErrorInfo, SSError

ParamValue = str | int | float | bool | list[str]

#: Every output format a job may ask for (the formatter renders each; see docs/outputs.md).
OUTPUT_FORMATS: tuple[str, ...] = (
    "xlsx", "docx", "pdf", "html", "json", "csv", "dta", "log", "do", "png",
)


class JobState(StrEnum):
    """Where a job is in its life. Only ``TRANSITIONS`` decides what may follow what."""

    #: Created; inputs may be uploaded; nothing runs yet.
    CREATED = "created"
    #: Submitted: a run work item is on the queue.
    QUEUED = "queued"
    #: A worker runs the do-file.
    RUNNING = "running"
    #: The raw run is stored; the formatter renders the requested outputs.
    FORMATTING = "formatting"
    #: Terminal: every requested output is stored and indexed.
    SUCCEEDED = "succeeded"
    #: Terminal: a deterministic failure (see the record's ``error``); retry is allowed.
    FAILED = "failed"
    #: Terminal: cancelled by the client; retry is allowed.
    CANCELLED = "cancelled"


TERMINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})

#: state -> states it may move to. RUNNING -> RUNNING is a takeover by another worker after
#: the previous one's lease lapsed; RUNNING -> QUEUED is a worker releasing work on shutdown.
TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    JobState.CREATED: frozenset({JobState.QUEUED}),
    JobState.QUEUED: frozenset({JobState.RUNNING, JobState.FAILED, JobState.CANCELLED}),
    JobState.RUNNING: frozenset(
        {
            JobState.RUNNING,
            JobState.QUEUED,
            JobState.FORMATTING,
            JobState.FAILED,
            JobState.CANCELLED,
        }
    ),
    JobState.FORMATTING: frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED}),
    JobState.SUCCEEDED: frozenset(),
    JobState.FAILED: frozenset({JobState.QUEUED}),
    JobState.CANCELLED: frozenset({JobState.QUEUED}),
}


def check_transition(current: JobState, target: JobState) -> None:
    """Raise ``JOB_STATE_CONFLICT`` unless ``current -> target`` is in the table."""
    if target not in TRANSITIONS[current]:
        raise SSError(
            ErrorCode.JOB_STATE_CONFLICT,
            f"a job in state {current.value!r} cannot move to {target.value!r}",
            state=current.value,
            requested=target.value,
        )


def now_iso() -> str:
    """UTC timestamp with milliseconds, the one time format on records and events."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_job_id() -> str:
    """A time-ordered id (48-bit ms clock + 64 random bits): keys sort by creation time."""
    return f"{int(time.time() * 1000):012x}{os.urandom(8).hex()}"


class Struct(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Base of every SS record."""


class InputColumn(Struct, kw_only=True, frozen=True):
    """A column of an uploaded input: the Stata name parameters use, and where it came from."""

    name: str
    original: str
    #: numeric | string | date | datetime
    kind: str


class NormalisedInput(Struct, kw_only=True, frozen=True):
    """An input as the API normalised it when it read the upload (``libs.datasets.packed``):
    the worker reads this object instead of normalising the upload itself when the same code
    wrote it under limits within its own, and its bytes have this sha256."""

    #: S3 key (``normalised/<upload id>``)
    key: str
    size: int
    sha256: str
    #: ``libs.datasets.packed.normaliser_id()`` of the code that wrote it
    normaliser: str
    #: the ``libs.datasets.Limits`` it was read under, field by field
    limits: dict[str, int]


class InputFile(Struct, kw_only=True, frozen=True):
    """One uploaded input of a job, verified and read once at upload."""

    name: str
    size: int
    sha256: str
    content_type: str = "application/octet-stream"
    uploaded_at: str
    #: S3 key of this upload (``inputs/<upload id>/<name>``)
    key: str = ""
    #: detected format: csv | xlsx | xls | dta
    format: str = ""
    #: the sheet of a workbook that was read (and that the worker reads); None: the first
    #: visible worksheet
    sheet: str | None = None
    columns: list[InputColumn] = msgspec.field(default_factory=list)
    #: the normalised input stored at upload; None: the worker normalises the upload
    normalised: NormalisedInput | None = None


class PendingUpload(Struct, kw_only=True, frozen=True):
    """A presigned upload the client has started but not completed."""

    upload_id: str
    name: str
    size: int
    sha256: str
    content_type: str
    key: str
    #: S3 multipart upload id; empty for a single presigned PUT
    multipart_id: str = ""
    part_size: int = 0
    created_at: str


#: The engines a job may run on, in SS's order of preference (the embedded engine needs no
#: licence).
ENGINES: tuple[str, ...] = ("embedded", "stata")
#: ``JobSpec.engine`` of a do-file job that lets SS choose: the first of ``ENGINES`` that can
#: run the do-file and has workers.
ANY_ENGINE = "any"


class DoFileSpec(Struct, kw_only=True, frozen=True):
    """A client's own do-file (docs/dofiles.md): its text inline, or an uploaded input."""

    #: the do-file's text (at most ``SS_DOFILE_INLINE_MAX_BYTES`` of UTF-8)
    source: str | None = None
    #: or the name of the uploaded input that is the do-file (e.g. ``analysis.do``)
    input: str | None = None


class JobSpec(Struct, kw_only=True, frozen=True):
    """What the client asked for: it never changes after creation. A job runs a template
    (``template_id`` and ``params``) or the client's own do-file (``dofile``), never both."""

    template_id: str = ""
    dofile: DoFileSpec | None = None
    params: dict[str, ParamValue] = msgspec.field(default_factory=dict)
    output_formats: list[str] = msgspec.field(default_factory=lambda: ["csv", "log", "do"])
    #: template input name -> uploaded file name; by default matched by file stem, and a
    #: template with one input takes the one upload
    inputs: dict[str, str] = msgspec.field(default_factory=dict)
    #: uploaded file name -> Excel sheet to read (default: the first visible worksheet)
    sheets: dict[str, str] = msgspec.field(default_factory=dict)
    #: the engine (= pool) to run on; a do-file job may say ``any``
    engine: str | None = None
    timeout_s: float | None = None
    labels: dict[str, str] = msgspec.field(default_factory=dict)


class AttemptSummary(Struct, kw_only=True, frozen=True):
    """One run of the do-file on an engine."""

    number: int
    worker_id: str
    engine: str
    started_at: str
    finished_at: str | None = None
    rc: int | None = None
    duration_s: float | None = None
    #: running | succeeded | failed | timeout | crashed | cancelled | released (shutdown) |
    #: transient (an outage) | interrupted (a bug) | lost (its worker vanished)
    outcome: str = "running"
    error: ErrorInfo | None = None


class Artifact(Struct, kw_only=True, frozen=True):
    """One stored file of a job, listed in its index."""

    name: str
    key: str
    size: int
    #: raw (do, log, run.json, results, normalised inputs) or output (formatted)
    kind: str
    attempt: int | None = None
    content_type: str = "application/octet-stream"


def merge_artifacts(existing: list[Artifact], new: list[Artifact]) -> list[Artifact]:
    """``existing`` with ``new`` added; a new entry replaces one with the same key."""
    keys = {a.key for a in new}
    return [a for a in existing if a.key not in keys] + new


class JobRecord(Struct, kw_only=True, frozen=True):
    """The job as stored in KV ``ss_jobs`` under ``<tenant>.<job_id>``; every change is a CAS."""

    id: str
    tenant: str
    spec: JobSpec
    state: JobState = JobState.CREATED
    inputs: list[InputFile] = msgspec.field(default_factory=list)
    pending_uploads: list[PendingUpload] = msgspec.field(default_factory=list)
    #: bumps on every submit/retry; fences stale run work items
    submission: int = 0
    #: number of the latest attempt (0 before the first run)
    attempt: int = 0
    attempts: list[AttemptSummary] = msgspec.field(default_factory=list)
    artifacts: list[Artifact] = msgspec.field(default_factory=list)
    error: ErrorInfo | None = None
    created_at: str
    queued_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    heartbeat_at: str | None = None
    #: seconds the formatter spent rendering: reading the result tables and writing each format
    #: (the rest of formatting is transfers and job updates)
    render_s: float | None = None
    #: the engine a do-file job whose spec says ``any`` was given at submit
    engine: str | None = None

    def pool(self, default: str) -> str:
        """The engine pool the job's run items go to: the engine chosen for it, else its
        spec's, else ``default`` (the deployment's, ``Settings.run_pool``)."""
        return self.engine or self.spec.engine or default

    def moved(self, target: JobState, **changes: Any) -> JobRecord:
        """A copy in state ``target`` after checking the transition table."""
        check_transition(self.state, target)
        return msgspec.structs.replace(self, state=target, **changes)

    def bind_inputs(self, wanted: list[str]) -> dict[str, InputFile]:
        """Which upload feeds each template input: ``spec.inputs``, else the upload whose
        file stem is the input's name, else the only upload for a one-input template.
        Raises ``INPUT_MISSING`` naming the input."""
        by_name = {f.name: f for f in self.inputs}
        by_stem = {f.name.rsplit(".", 1)[0]: f for f in self.inputs}
        bound: dict[str, InputFile] = {}
        for name in wanted:
            chosen = self.spec.inputs.get(name)
            if chosen is not None:
                upload = by_name.get(chosen)
            elif name in by_stem:
                upload = by_stem[name]
            elif len(wanted) == 1 and len(self.inputs) == 1:
                upload = self.inputs[0]
            else:
                upload = None
            if upload is None:
                raise SSError(ErrorCode.INPUT_MISSING, f"no upload for template input {name!r}",
                              input=name, uploads=sorted(by_name))
            bound[name] = upload
        return bound

    def current_attempt(self) -> AttemptSummary | None:
        return self.attempts[-1] if self.attempts else None

    def with_attempt(self, summary: AttemptSummary) -> JobRecord:
        """A copy whose attempt ``summary.number`` is replaced (or appended)."""
        kept = [a for a in self.attempts if a.number != summary.number]
        return msgspec.structs.replace(
            self, attempts=sorted([*kept, summary], key=lambda a: a.number)
        )
