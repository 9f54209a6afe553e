from __future__ import annotations

import msgspec
import pytest

from libs.bus.jobstore import NotChanged
from libs.contracts.errors import ErrorCode, ErrorInfo
from libs.contracts.jobs import JobRecord, JobSpec, JobState, now_iso
from libs.contracts.work import RunWork
from services.worker import transitions


def _queued(submission: int = 1) -> JobRecord:
    record = JobRecord(id="j", tenant="t", spec=JobSpec(template_id="x"), created_at=now_iso())
    return record.moved(JobState.QUEUED, submission=submission)


def test_claim_starts_a_new_attempt() -> None:
    record = transitions.claim(RunWork(tenant="t", job_id="j", submission=1), "w1", "embedded")(
        _queued())
    assert record.state is JobState.RUNNING
    assert record.attempt == 1
    assert [(a.number, a.worker_id, a.outcome) for a in record.attempts] == [(1, "w1", "running")]


def test_takeover_marks_the_previous_attempt_lost() -> None:
    work = RunWork(tenant="t", job_id="j", submission=1)
    first = transitions.claim(work, "w1", "embedded")(_queued())
    second = transitions.claim(work, "w2", "embedded")(first)
    assert second.attempt == 2
    assert [(a.worker_id, a.outcome) for a in second.attempts] == [
        ("w1", "lost"), ("w2", "running")]


def test_stale_work_is_not_claimed() -> None:
    with pytest.raises(NotChanged):
        transitions.claim(RunWork(tenant="t", job_id="j", submission=1), "w", "e")(_queued(2))
    cancelled = _queued().moved(JobState.CANCELLED)
    with pytest.raises(NotChanged):
        transitions.claim(RunWork(tenant="t", job_id="j", submission=1), "w", "e")(cancelled)


def test_a_superseded_attempt_cannot_record_its_outcome() -> None:
    work = RunWork(tenant="t", job_id="j", submission=1)
    first = transitions.claim(work, "w1", "embedded")(_queued())
    second = transitions.claim(work, "w2", "embedded")(first)
    error = ErrorInfo(error_code=ErrorCode.DOFILE_ERROR, message="r(9)")
    for change in (transitions.ran(1, 0, 1.0, []), transitions.failed(1, error, "failed", []),
                   transitions.released(1, "released", []), transitions.heartbeat(1)):
        with pytest.raises(NotChanged):
            change(second)
    done = transitions.ran(2, 0, 1.0, [])(second)
    assert done.state is JobState.FORMATTING


def test_release_and_dead_letter() -> None:
    work = RunWork(tenant="t", job_id="j", submission=1)
    running = transitions.claim(work, "w1", "embedded")(_queued())
    released = transitions.released(1, "released", [])(running)
    assert released.state is JobState.QUEUED
    assert released.attempts[0].outcome == "released"
    error = ErrorInfo(error_code=ErrorCode.DELIVERY_LIMIT_EXCEEDED, message="x")
    dead = transitions.dead_lettered(1, error)(running)
    assert dead.state is JobState.FAILED
    assert dead.error == error
    assert msgspec.structs.asdict(dead.attempts[0])["outcome"] == "lost"


def test_an_attempt_taken_over_stays_lost_when_its_worker_stops_the_engine() -> None:
    """The old worker sees the takeover and stops its engine: that is not a cancel."""
    work = RunWork(tenant="t", job_id="j", submission=1)
    second = transitions.claim(work, "w2", "embedded")(
        transitions.claim(work, "w1", "embedded")(_queued()))
    stopped = transitions.attempt_stopped(1, "cancelled", [])(second)
    assert [(a.worker_id, a.outcome) for a in stopped.attempts] == [
        ("w1", "lost"), ("w2", "running")]
    assert stopped.attempts[0].finished_at == second.attempts[0].finished_at


def test_a_cancelled_job_records_its_running_attempt_cancelled() -> None:
    running = transitions.claim(RunWork(tenant="t", job_id="j", submission=1), "w1",
                                "embedded")(_queued())
    cancelled = running.moved(JobState.CANCELLED)
    stopped = transitions.attempt_stopped(1, "cancelled", [])(cancelled)
    assert [a.outcome for a in stopped.attempts] == ["cancelled"]
