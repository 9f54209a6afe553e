"""Request and response bodies of the API (the job record itself is served as it is stored)."""

from __future__ import annotations

from typing import Any

import msgspec

from libs.contracts.errors import ErrorInfo
from libs.contracts.jobs import (
    Artifact,
    AttemptSummary,
    InputFile,
    JobSpec,
    JobState,
    PendingUpload,
)


class JobView(msgspec.Struct, kw_only=True, frozen=True):
    """A job as clients see it."""

    id: str
    state: JobState
    spec: JobSpec
    inputs: list[InputFile]
    pending_uploads: list[PendingUpload]
    submission: int
    attempt: int
    attempts: list[AttemptSummary]
    artifacts: list[Artifact]
    created_at: str
    revision: int
    # Optional fields default, so a client built against an older view keeps decoding.
    error: ErrorInfo | None = None
    queued_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    heartbeat_at: str | None = None
    render_s: float | None = None


class JobPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[JobView]
    next_cursor: str | None = None


class ArtifactList(msgspec.Struct, kw_only=True, frozen=True):
    items: list[Artifact]


class ErrorBody(msgspec.Struct, kw_only=True, frozen=True):
    """The one error shape of every response."""

    error_code: str
    message: str
    details: dict[str, Any] = msgspec.field(default_factory=dict)
    request_id: str = ""
