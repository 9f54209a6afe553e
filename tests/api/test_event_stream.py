"""The SSE route's stream of one job's events when its event feed fails under it: it says so
with one catalogued ``error`` event and ends, rather than ending silently (the client then
resumes with Last-Event-ID; tests/client/test_async_client.py)."""

from __future__ import annotations

import logging

import msgspec
import pytest

from dev.servers import NatsServer
from libs import names
from libs.bus.connection import connect
from libs.bus.jobstore import JobStore
from libs.bus.provision import ensure_topology
from libs.bus.publish import publish_event
from libs.contracts.errors import ErrorCode
from libs.contracts.events import JobCreated
from libs.contracts.jobs import JobRecord, JobSpec, new_job_id, now_iso
from libs.contracts.views import ErrorBody
from libs.settings import Settings
from services.api.routes.events import job_events


async def test_a_closed_connection_ends_the_stream_with_an_unavailable_event(
        nats_server: NatsServer, caplog: pytest.LogCaptureFixture) -> None:
    bus = await connect(nats_server.url, name="sse-test", creds=nats_server.creds("admin"))
    try:
        await ensure_topology(bus, Settings(nats_url=nats_server.url))
        jobs = await JobStore.open(bus)
        record = JobRecord(id=new_job_id(), tenant="t", spec=JobSpec(template_id="x"),
                           created_at=now_iso())
        await jobs.create(record)
        await publish_event(bus, JobCreated(tenant="t", job_id=record.id, at=now_iso(),
                                            template_id="x"))
        stream = job_events(bus, jobs, "t", record.id, 0)
        first = await anext(stream)
        assert first.event == "created"
        await bus.nc.close()
        with caplog.at_level(logging.WARNING, logger="services.api.routes.events"):
            last = await anext(stream)
        assert last.event == "error"
        body = msgspec.json.decode(str(last.data), type=ErrorBody)
        assert body.error_code == ErrorCode.SERVICE_UNAVAILABLE.value
        assert body.request_id
        assert "event stream ended" in caplog.text
        with pytest.raises(StopAsyncIteration):
            await anext(stream)
    finally:
        await bus.close()


async def test_a_broken_event_ends_the_stream_with_an_internal_error_event(
        nats_server: NatsServer, caplog: pytest.LogCaptureFixture) -> None:
    bus = await connect(nats_server.url, name="sse-test", creds=nats_server.creds("admin"))
    try:
        await ensure_topology(bus, Settings(nats_url=nats_server.url))
        jobs = await JobStore.open(bus)
        job_id = new_job_id()
        await bus.js.publish(names.event_subject("t", job_id, "created"), b"{not an event")
        stream = job_events(bus, jobs, "t", job_id, 0)
        with caplog.at_level(logging.ERROR, logger="services.api.routes.events"):
            last = await anext(stream)
        assert last.event == "error"
        body = msgspec.json.decode(str(last.data), type=ErrorBody)
        assert body.error_code == ErrorCode.INTERNAL_ERROR.value
        assert "event stream failed" in caplog.text
        with pytest.raises(StopAsyncIteration):
            await anext(stream)
    finally:
        await bus.close()
