"""The API's public bodies: what the API answers and the client decodes (the job record itself
is served as it is stored, and the error body is the one shape of every error)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec

from libs.contracts.dofile_check import FileAccess, Problem
from libs.contracts.errors import ErrorInfo
from libs.contracts.jobs import (
    Artifact,
    AttemptSummary,
    InputFile,
    JobSpec,
    JobState,
    PendingUpload,
)


class PoolState(StrEnum):
    """Whether the workers of a queued job's pool are taking work (``services.api.pools``)."""

    #: a worker has a free slot and is asking for work
    SERVING = "serving"
    #: no worker is asking, runs are in flight: every worker is busy (or one just died)
    BUSY = "busy"
    #: no worker is asking and nothing is in flight: none runs, or none can work
    NO_WORKERS = "no_workers"


class PoolStatus(msgspec.Struct, kw_only=True, frozen=True):
    """The engine pool a queued job waits for, as JetStream sees its consumer."""

    name: str
    state: PoolState
    #: pull requests the pool's workers have waiting (an idle worker has one)
    waiting_pulls: int
    #: runs delivered to the pool's workers and not finished
    in_flight: int
    #: run items not yet delivered to any worker, this job's included
    backlog: int
    #: for people, when the job may wait long: why
    message: str | None = None


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
    #: the engine a do-file job whose spec says ``any`` was given at submit
    engine: str | None = None
    #: while queued: the state of the pool it waits for (None when NATS cannot say)
    pool: PoolStatus | None = None


class JobPage(msgspec.Struct, kw_only=True, frozen=True):
    items: list[JobView]
    next_cursor: str | None = None


class ArtifactList(msgspec.Struct, kw_only=True, frozen=True):
    items: list[Artifact]


class CheckRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """``POST /v1/dofiles/check``: a do-file and the files it will have beside it."""

    #: the do-file's text
    source: str
    #: its name, as problems name it
    name: str = "main.do"
    #: the names of every file that will be uploaded beside it (data, do- and ado-files)
    files: list[str] = msgspec.field(default_factory=list)
    #: the text of the do- and ado-files it brings, by name (they are checked too)
    texts: dict[str, str] = msgspec.field(default_factory=dict)
    #: the engine to judge for: embedded, stata or any (default: the deployment's engine)
    engine: str | None = None


class CheckAnswer(msgspec.Struct, kw_only=True, frozen=True):
    """What will not work in a do-file, per line, and which engines can run it."""

    #: it can run on ``engine`` (``any``: on at least one engine)
    ok: bool
    engine: str
    #: the engines that can run it as it is
    engines: list[str]
    #: errors (``engines``: what they stop) and warnings (``engines`` empty), in line order
    problems: list[Problem]
    #: the files it reads, and whether each is uploaded or written earlier
    reads: list[FileAccess]
    #: the files it writes (each comes back as an artifact of the job)
    writes: list[FileAccess]


class ErrorBody(msgspec.Struct, kw_only=True, frozen=True):
    """The one error shape of every response."""

    error_code: str
    message: str
    details: dict[str, Any] = msgspec.field(default_factory=dict)
    request_id: str = ""
