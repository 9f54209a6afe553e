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
    ParamValue,
    PendingUpload,
)


class CreateJob(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Body of ``POST /v1/jobs``."""

    template_id: str
    params: dict[str, ParamValue] = msgspec.field(default_factory=dict)
    output_formats: list[str] = msgspec.field(default_factory=lambda: ["csv", "log", "do"])
    inputs: dict[str, str] = msgspec.field(default_factory=dict)
    sheets: dict[str, str] = msgspec.field(default_factory=dict)
    engine: str | None = None
    timeout_s: float | None = None
    labels: dict[str, str] = msgspec.field(default_factory=dict)

    def spec(self) -> JobSpec:
        return JobSpec(**msgspec.structs.asdict(self))


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
    error: ErrorInfo | None
    created_at: str
    queued_at: str | None
    started_at: str | None
    finished_at: str | None
    heartbeat_at: str | None
    render_s: float | None
    revision: int


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
