"""The worker's changes to a job record, as pure functions for ``JobStore.mutate``.

Each one re-checks that the record is still what this worker's attempt expects (state and
attempt number): a worker whose lease lapsed and whose job was taken over can never overwrite
the newer attempt's outcome. That check is the fence; ``NotChanged`` means "not mine anymore".
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from libs.bus.jobstore import NotChanged
from libs.contracts.errors import ErrorInfo
from libs.contracts.jobs import (
    Artifact,
    AttemptSummary,
    JobRecord,
    JobState,
    merge_artifacts,
    now_iso,
)
from libs.contracts.work import RunWork

Change = Callable[[JobRecord], JobRecord]


def claim(work: RunWork, worker_id: str, engine: str) -> Change:
    """queued -> running with a new attempt; or take over a running job whose worker vanished."""

    def change(record: JobRecord) -> JobRecord:
        if record.submission != work.submission or record.state not in (
            JobState.QUEUED, JobState.RUNNING,
        ):
            raise NotChanged
        now = now_iso()
        updated = record
        previous = record.current_attempt()
        if record.state is JobState.RUNNING and previous is not None:
            # The lease of the previous attempt lapsed (its worker died or hung).
            updated = updated.with_attempt(
                msgspec.structs.replace(previous, outcome="lost", finished_at=now)
            )
        number = record.attempt + 1
        updated = updated.with_attempt(
            AttemptSummary(number=number, worker_id=worker_id, engine=engine, started_at=now)
        )
        return updated.moved(
            JobState.RUNNING, attempt=number, started_at=now, heartbeat_at=now, error=None,
        )

    return change


def _mine(record: JobRecord, attempt: int) -> None:
    if record.state is not JobState.RUNNING or record.attempt != attempt:
        raise NotChanged


def heartbeat(attempt: int) -> Change:
    def change(record: JobRecord) -> JobRecord:
        _mine(record, attempt)
        return msgspec.structs.replace(record, heartbeat_at=now_iso())

    return change


def _finish_attempt(record: JobRecord, attempt: int, **fields: object) -> JobRecord:
    current = next(a for a in record.attempts if a.number == attempt)
    return record.with_attempt(
        msgspec.structs.replace(current, finished_at=now_iso(), **fields)
    )


def ran(attempt: int, rc: int, duration_s: float, artifacts: list[Artifact]) -> Change:
    """running -> formatting: the raw run is stored."""

    def change(record: JobRecord) -> JobRecord:
        _mine(record, attempt)
        updated = _finish_attempt(record, attempt, rc=rc, duration_s=duration_s,
                                  outcome="succeeded")
        merged = merge_artifacts(record.artifacts, artifacts)
        return updated.moved(JobState.FORMATTING, artifacts=merged)

    return change


def failed(
    attempt: int, error: ErrorInfo, outcome: str, artifacts: list[Artifact],
    rc: int | None = None, duration_s: float | None = None,
) -> Change:
    """running -> failed (deterministic: no retry)."""

    def change(record: JobRecord) -> JobRecord:
        _mine(record, attempt)
        updated = _finish_attempt(record, attempt, rc=rc, duration_s=duration_s,
                                  outcome=outcome, error=error)
        return updated.moved(JobState.FAILED, error=error, finished_at=now_iso(),
                             artifacts=merge_artifacts(record.artifacts, artifacts))

    return change


def released(attempt: int, outcome: str, artifacts: list[Artifact],
             error: ErrorInfo | None = None) -> Change:
    """running -> queued: shutdown or a transient failure hands the job back to the queue."""

    def change(record: JobRecord) -> JobRecord:
        _mine(record, attempt)
        updated = _finish_attempt(record, attempt, outcome=outcome, error=error)
        merged = merge_artifacts(record.artifacts, artifacts)
        return updated.moved(JobState.QUEUED, artifacts=merged)

    return change


def attempt_stopped(attempt: int, outcome: str, artifacts: list[Artifact]) -> Change:
    """Record how an attempt ended after the job left it (cancelled or taken over). An
    outcome already recorded stands: a worker whose attempt was taken over (the claim marked
    it ``lost``) stopped its engine because of that, not because anyone cancelled the job."""

    def change(record: JobRecord) -> JobRecord:
        found = next((a for a in record.attempts if a.number == attempt), None)
        if found is None:
            raise NotChanged
        updated = (record if found.outcome != "running"
                   else _finish_attempt(record, attempt, outcome=outcome))
        merged = merge_artifacts(record.artifacts, artifacts)
        return msgspec.structs.replace(updated, artifacts=merged)

    return change


def dead_lettered(submission: int, error: ErrorInfo) -> Change:
    """queued/running -> failed after the delivery budget is spent."""

    def change(record: JobRecord) -> JobRecord:
        if record.submission != submission or record.state not in (
            JobState.QUEUED, JobState.RUNNING,
        ):
            raise NotChanged
        updated = record
        current = record.current_attempt()
        if record.state is JobState.RUNNING and current is not None:
            updated = _finish_attempt(record, current.number, outcome="lost", error=error)
        return updated.moved(JobState.FAILED, error=error, finished_at=now_iso())

    return change
