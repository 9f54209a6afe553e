"""Job events on ``ss.events.<tenant>.<job_id>.<type>``: a tagged union, one Struct per type."""

from __future__ import annotations

import typing

import msgspec

from libs.contracts.errors import ErrorInfo
from libs.contracts.jobs import JobRecord, JobState, now_iso


class _Event(
    msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True, tag_field="type"
):
    tenant: str
    job_id: str
    at: str
    submission: int = 0
    attempt: int = 0


class JobCreated(_Event, kw_only=True, frozen=True, tag="created"):
    template_id: str


class JobQueued(_Event, kw_only=True, frozen=True, tag="queued"):
    pass


class JobRunning(_Event, kw_only=True, frozen=True, tag="running"):
    worker_id: str
    engine: str


class JobFormatting(_Event, kw_only=True, frozen=True, tag="formatting"):
    rc: int
    duration_s: float


class JobCompleted(_Event, kw_only=True, frozen=True, tag="completed"):
    """The one terminal event: ``status`` says how the job ended."""

    status: JobState
    error: ErrorInfo | None = None
    outputs: list[str] = msgspec.field(default_factory=list)


def completed_of(record: JobRecord) -> JobCompleted:
    """The ``completed`` event of a finished record: the same event whichever service
    publishes (or re-publishes) it, so its ``Nats-Msg-Id`` de-duplicates."""
    return JobCompleted(
        tenant=record.tenant, job_id=record.id, at=record.finished_at or now_iso(),
        submission=record.submission, attempt=record.attempt, status=record.state,
        error=record.error, outputs=[a.name for a in record.artifacts if a.kind == "output"])


def formatting_of(record: JobRecord) -> JobFormatting:
    """The ``formatting`` event of a record whose current attempt ran (as ``completed_of``)."""
    ran = record.current_attempt()
    return JobFormatting(
        tenant=record.tenant, job_id=record.id,
        at=(ran.finished_at if ran else None) or now_iso(), submission=record.submission,
        attempt=record.attempt, rc=(ran.rc if ran else None) or 0,
        duration_s=(ran.duration_s if ran else None) or 0.0)


JobEvent = JobCreated | JobQueued | JobRunning | JobFormatting | JobCompleted

#: Every event Struct, in lifecycle order, and their tags (a subject's last token).
EVENT_CLASSES: tuple[type[_Event], ...] = typing.get_args(JobEvent)
EVENT_TYPES: tuple[str, ...] = tuple(str(c.__struct_config__.tag) for c in EVENT_CLASSES)

_decoder = msgspec.json.Decoder(JobEvent)
_encoder = msgspec.json.Encoder()


def event_type(event: JobEvent) -> str:
    """The tag of ``event`` (the last subject token)."""
    return str(type(event).__struct_config__.tag)


def encode_event(event: JobEvent) -> bytes:
    return _encoder.encode(event)


def decode_event(data: bytes) -> JobEvent:
    event: JobEvent = _decoder.decode(data)
    return event
