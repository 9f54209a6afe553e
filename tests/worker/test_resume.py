"""A service that dies between its CAS and its publishes: the redelivered run item finishes
the job's announcements, exactly once (real NATS JetStream and S3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from dev.servers import NatsServer, S3Server
from libs import names
from libs.bus.connection import Bus, connect
from libs.bus.consumer import Delivery
from libs.bus.jobstore import JobStore
from libs.bus.provision import ensure_topology
from libs.bus.publish import publish_event, publish_format
from libs.contracts.errors import ErrorCode, ErrorInfo
from libs.contracts.events import JobCompleted, JobEvent, completed_of
from libs.contracts.jobs import (
    Artifact,
    AttemptSummary,
    JobRecord,
    JobSpec,
    JobState,
    new_job_id,
    now_iso,
)
from libs.contracts.work import FormatWork, RunWork
from libs.runners.embedded import EmbeddedRunner
from libs.settings import Settings
from libs.storage import ObjectStore
from services.common.library import catalogue_for
from services.worker.attempt import RunHandler
from tests.jetstream import heard, job_events

TENANT = "resume"


@pytest.fixture
async def parts(nats_server: NatsServer, s3_server: S3Server, tmp_path: Any
                ) -> AsyncIterator[tuple[Bus, JobStore, RunHandler]]:
    settings = Settings(nats_url=nats_server.url, nats_creds=nats_server.creds("admin"),
                        s3_endpoint=s3_server.endpoint,
                        s3_access_key=s3_server.access_key, s3_secret_key=s3_server.secret_key,
                        workdir=str(tmp_path / "work"))
    bus = await connect(settings.nats_url, name="resume-test", creds=settings.nats_creds)
    await ensure_topology(bus, settings)
    objects = await ObjectStore.open(settings)
    store = await JobStore.open(bus)
    handler = RunHandler(bus=bus, store=store, objects=objects, runner=EmbeddedRunner(),
                         catalogue=catalogue_for(settings), settings=settings, worker_id="w2")
    yield bus, store, handler
    await objects.close()
    await bus.close()


async def _stored(store: JobStore, state: JobState, **fields: Any) -> JobRecord:
    """A record as the dying service left it: moved by its CAS, nothing published."""
    now = now_iso()
    record = JobRecord(id=new_job_id(), tenant=TENANT, created_at=now, queued_at=now,
                       spec=JobSpec(template_id="ols_robust"), submission=1, attempt=1,
                       attempts=[AttemptSummary(number=1, worker_id="w1", engine="embedded",
                                                started_at=now, finished_at=now, rc=0,
                                                duration_s=0.25, outcome="succeeded")])
    record = msgspec.structs.replace(record, state=state, **fields)
    await store.create(record)
    return record


async def _redeliver(handler: RunHandler, record: JobRecord, submission: int = 1) -> None:
    work = RunWork(tenant=record.tenant, job_id=record.id, submission=submission)
    await handler.handle(Delivery(data=msgspec.json.encode(work), num_delivered=2,
                                  stream_seq=1))


async def _events(bus: Bus, record: JobRecord) -> list[JobEvent]:
    return await job_events(bus, record.tenant, record.id)


async def test_failed_job_gets_its_completed_event_once(
    parts: tuple[Bus, JobStore, RunHandler],
) -> None:
    bus, store, handler = parts
    error = ErrorInfo(error_code=ErrorCode.DOFILE_ERROR, message="r(111)",
                      details={"rc": 111})
    record = await _stored(store, JobState.FAILED, error=error, finished_at=now_iso())
    async with heard(bus, names.event_subject(TENANT, record.id, "*")) as published:
        await _redeliver(handler, record)
        await _redeliver(handler, record)  # and again: not published a second time
    assert len(published) == 1
    events = await _events(bus, record)
    assert len(events) == 1
    (event,) = events
    assert isinstance(event, JobCompleted)
    assert event.status is JobState.FAILED
    assert event.error == error
    assert event.at == record.finished_at


async def test_formatting_job_gets_its_format_item_and_event(
    parts: tuple[Bus, JobStore, RunHandler],
) -> None:
    bus, store, handler = parts
    record = await _stored(store, JobState.FORMATTING)
    async with heard(bus, names.event_subject(TENANT, record.id, "*")) as published:
        await _redeliver(handler, record)
        await _redeliver(handler, record)
    assert len(published) == 1
    events = await _events(bus, record)
    assert [type(e).__name__ for e in events] == ["JobFormatting"]
    # The format item went out: publishing it again is dropped as a duplicate of it. (A work
    # queue stream cannot be read by a second consumer next to the formatter's.)
    assert not await publish_format(bus, FormatWork(tenant=TENANT, job_id=record.id, attempt=1))


async def test_cancel_announced_once_even_if_the_api_died(
    parts: tuple[Bus, JobStore, RunHandler],
) -> None:
    bus, store, handler = parts
    record = await _stored(store, JobState.CANCELLED, finished_at=now_iso())
    await _redeliver(handler, record)
    events = await _events(bus, record)
    assert [(type(e).__name__, getattr(e, "status", None)) for e in events] == [
        ("JobCompleted", JobState.CANCELLED)]


async def test_an_announced_job_is_not_announced_again(
    parts: tuple[Bus, JobStore, RunHandler],
) -> None:
    bus, store, handler = parts
    output = Artifact(name="results.csv", key="k", size=1, kind="output")
    record = await _stored(store, JobState.SUCCEEDED, finished_at=now_iso(), artifacts=[output])
    await publish_event(bus, completed_of(record))  # the formatter did announce
    async with heard(bus, names.event_subject(TENANT, record.id, "*")) as published:
        await _redeliver(handler, record)
    assert published == []
    events = await _events(bus, record)
    assert len(events) == 1
    assert isinstance(events[0], JobCompleted)
    assert events[0].outputs == ["results.csv"]


async def test_stale_item_of_an_earlier_submission_announces_nothing(
    parts: tuple[Bus, JobStore, RunHandler],
) -> None:
    bus, store, handler = parts
    record = await _stored(store, JobState.FAILED, finished_at=now_iso(), submission=2)
    await _redeliver(handler, record, submission=1)
    assert await _events(bus, record) == []
