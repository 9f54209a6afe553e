"""Reading ``SS_EVENTS`` as the console does, on a real JetStream: the events stored on a
subject (from a time on, up to the last one stored) and a window followed live."""

from __future__ import annotations

import asyncio
import time
import uuid

from libs import names
from libs.bus.connection import Bus
from libs.bus.events import StreamEvent, follow, stored
from libs.bus.publish import publish_event
from libs.contracts.events import JobCreated, JobEvent, JobQueued, encode_event
from libs.contracts.jobs import now_iso
from tests.waiting import until


def _tenant() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


async def _publish(bus: Bus, tenant: str, job_id: str) -> list[JobEvent]:
    events: list[JobEvent] = [
        JobCreated(tenant=tenant, job_id=job_id, at=now_iso(), template_id="ols_robust"),
        JobQueued(tenant=tenant, job_id=job_id, at=now_iso(), submission=1)]
    for event in events:
        assert await publish_event(bus, event)
    return events


async def _junk(bus: Bus, tenant: str, job_id: str) -> None:
    await bus.js.publish(names.event_subject(tenant, job_id, "created"), b"not an event")


async def _stored(bus: Bus, subject: str, since: float | None = None,
                  max_events: int = 1000) -> list[StreamEvent]:
    return [found async for found in stored(bus, subject, since, max_events)]


async def test_stored_events_come_in_order_and_stop_at_the_last(bus: Bus) -> None:
    tenant = _tenant()
    sent = await _publish(bus, tenant, "j1")
    await _junk(bus, tenant, "j1")
    sent += await _publish(bus, tenant, "j2")
    found = await asyncio.wait_for(_stored(bus, names.tenant_events_filter(tenant)), 30)
    assert [f.event for f in found] == sent  # the undecodable message is skipped
    assert [f.data for f in found] == [encode_event(e) for e in sent]
    assert [f.type for f in found] == ["created", "queued"] * 2
    seqs = [f.seq for f in found]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 4
    one_job = await _stored(bus, names.job_events_filter(tenant, "j2"))
    assert [f.seq for f in one_job] == seqs[2:]
    assert [f.event for f in await _stored(bus, names.tenant_events_filter(tenant),
                                           max_events=3)] == sent[:2]


async def test_stored_events_from_a_time_on(bus: Bus) -> None:
    tenant = _tenant()
    await _publish(bus, tenant, "early")
    await asyncio.sleep(0.2)
    since = time.time()
    later = await _publish(bus, tenant, "late")
    found = await _stored(bus, names.tenant_events_filter(tenant), since)
    assert [f.event for f in found] == later
    assert await _stored(bus, names.tenant_events_filter(tenant), time.time() + 1) == []
    assert await _stored(bus, names.tenant_events_filter(_tenant())) == []


async def test_following_hands_over_the_window_then_each_new_event_until_closed(
        bus: Bus) -> None:
    tenant = _tenant()
    await _publish(bus, tenant, "old")
    await asyncio.sleep(0.2)
    since = time.time()
    before = await _publish(bus, tenant, "before")
    seen: list[JobEvent] = []
    following = await follow(bus, names.tenant_events_filter(tenant), since,
                             lambda found: seen.append(found.event))
    try:
        await _junk(bus, tenant, "after")
        after = await _publish(bus, tenant, "after")
        await until(lambda: len(seen) >= 4, timeout=10)
        assert seen == before + after
    finally:
        await following.close()
    await _publish(bus, tenant, "closed")
    await asyncio.sleep(0.3)
    assert seen == before + after

