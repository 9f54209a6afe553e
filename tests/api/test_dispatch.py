"""An API process that dies between its CAS and its publishes loses nothing: the shared
``api-dispatch`` consumer of hand-over checks publishes what the record still owes (real
NATS). Each test does what the API does (store a check, CAS) and dies where noted."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from dev.servers import NatsServer
from libs import names
from libs.bus.connection import Bus, connect
from libs.bus.consumer import ConsumerLoop
from libs.bus.jobstore import JobStore
from libs.bus.provision import DISPATCH_BUDGET, ensure_dispatch_consumer, ensure_topology
from libs.bus.publish import publish_check, publish_run
from libs.bus.retries import RetryPolicy
from libs.contracts.events import JobCompleted, JobEvent, JobQueued
from libs.contracts.jobs import (
    InputFile,
    JobRecord,
    JobSpec,
    JobState,
    NormalisedInput,
    new_job_id,
    now_iso,
)
from libs.contracts.work import HandOverCheck, RunWork
from libs.settings import Settings
from services.api.dispatch import Dispatcher, publish_queued
from services.api.packed_memory import PackedMemory
from tests.jetstream import heard, job_events

TENANT = "dispatch"
POOL = "dispatchpool"  # a pool no worker consumes: the items stay in the stream


@pytest.fixture
async def bus(nats_server: NatsServer) -> AsyncIterator[Bus]:
    settings = Settings(nats_url=nats_server.url, nats_creds=nats_server.creds("admin"))
    b = await connect(settings.nats_url, name="dispatch-test", creds=settings.nats_creds)
    await ensure_topology(b, settings)
    await ensure_dispatch_consumer(b, settings)
    yield b
    await b.close()


@contextlib.asynccontextmanager
async def dispatching(bus: Bus, memory: PackedMemory | None = None) -> AsyncIterator[None]:
    """One API replica's dispatcher, with a short grace period (and the normalised inputs
    that replica holds, ``memory``)."""
    dispatcher = Dispatcher(bus, await JobStore.open(bus), POOL, grace_s=0.2, memory=memory)
    loop = ConsumerLoop(bus, durable=names.DISPATCH_CONSUMER, handler=dispatcher.handle,
                        on_exhausted=dispatcher.on_exhausted, slots=64, heartbeat_s=5.0,
                        policy=RetryPolicy.of(Settings(), crash_budget=DISPATCH_BUDGET),
                        fetch_timeout_s=0.2)
    task = asyncio.create_task(loop.run())
    try:
        yield
    finally:
        await loop.drain(0.5)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _events(bus: Bus, job_id: str) -> list[JobEvent]:
    return await job_events(bus, TENANT, job_id)


async def _queued_without_publishing(bus: Bus, store: JobStore,
                                     inputs: list[InputFile] | None = None) -> JobRecord:
    """What a dying API leaves: a check stored, the record moved to queued, nothing else."""
    record = JobRecord(id=new_job_id(), tenant=TENANT, created_at=now_iso(),
                       spec=JobSpec(template_id="ols_robust", engine=POOL),
                       inputs=inputs or [])
    await store.create(record)
    await publish_check(bus, HandOverCheck(tenant=TENANT, job_id=record.id))
    queued, _ = await store.mutate(TENANT, record.id, lambda r: r.moved(
        JobState.QUEUED, submission=r.submission + 1, queued_at=now_iso()))
    return queued


async def _item_was_published(bus: Bus, record: JobRecord) -> bool:
    """Publishing the run item again is dropped as a duplicate iff it was published."""
    work = RunWork(tenant=TENANT, job_id=record.id, submission=record.submission)
    return not await publish_run(bus, POOL, work)


async def _settle(condition: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "dispatcher did not act"
        await asyncio.sleep(0.1)


async def test_queued_job_of_a_dead_api_gets_its_item_and_event(bus: Bus) -> None:
    store = await JobStore.open(bus)
    async with dispatching(bus):
        record = await _queued_without_publishing(bus, store)
        async with heard(bus, names.event_subject(TENANT, record.id, "*")) as published:

            async def announced() -> bool:
                return len(await _events(bus, record.id)) > 0

            await _settle(announced)
            await asyncio.sleep(0.5)  # nothing more comes
    assert len(published) == 1
    events = await _events(bus, record.id)
    assert [type(e) for e in events] == [JobQueued]
    assert events[0].submission == record.submission
    assert await _item_was_published(bus, record)


async def test_normal_submit_is_not_announced_twice(bus: Bus) -> None:
    store = await JobStore.open(bus)
    async with dispatching(bus):
        record = await _queued_without_publishing(bus, store)
        await publish_queued(bus, POOL, record)  # the API lived
        async with heard(bus, names.event_subject(TENANT, record.id, "*")) as published:
            await asyncio.sleep(1.0)  # past the grace period: the dispatcher has checked
    assert published == []  # not even a duplicate for the stream to drop
    assert [type(e) for e in await _events(bus, record.id)] == [JobQueued]


async def test_cancel_of_a_dead_api_is_announced_once(bus: Bus) -> None:
    store = await JobStore.open(bus)
    async with dispatching(bus):
        record = await _queued_without_publishing(bus, store)
        await publish_queued(bus, POOL, record)
        await publish_check(bus, HandOverCheck(tenant=TENANT, job_id=record.id))
        async with heard(bus, names.event_subject(TENANT, record.id, "completed")) as published:
            await store.mutate(TENANT, record.id, lambda r: r.moved(
                JobState.CANCELLED, finished_at=now_iso()))

            async def completed() -> bool:
                return any(isinstance(e, JobCompleted) for e in await _events(bus, record.id))

            await _settle(completed)
            await asyncio.sleep(0.5)
    assert len(published) == 1
    events = await _events(bus, record.id)
    assert [type(e) for e in events] == [JobQueued, JobCompleted]
    assert isinstance(events[1], JobCompleted)
    assert events[1].status is JobState.CANCELLED


async def test_changes_made_while_no_api_runs_are_dispatched_when_one_starts(bus: Bus) -> None:
    store = await JobStore.open(bus)
    record = await _queued_without_publishing(bus, store)  # every API is down
    await asyncio.sleep(0.3)
    assert await _events(bus, record.id) == []
    async with dispatching(bus):  # one comes back

        async def announced() -> bool:
            return len(await _events(bus, record.id)) > 0

        await _settle(announced)
    assert await _item_was_published(bus, record)


async def test_the_item_of_a_dead_api_carries_what_the_replica_that_sends_it_holds(
        bus: Bus) -> None:
    store = await JobStore.open(bus)
    packed = b"a normalised input, packed"
    job_id = new_job_id()
    normalised = NormalisedInput(key=names.normalised_key(TENANT, job_id, "u1"),
                                 size=len(packed), sha256=hashlib.sha256(packed).hexdigest(),
                                 normaliser="n", limits={})
    memory = PackedMemory(1024)
    memory.keep(TENANT, normalised, packed)
    upload = InputFile(name="auto.csv", size=1, sha256="0" * 64, uploaded_at=now_iso(),
                       normalised=normalised)
    async with dispatching(bus, memory):
        record = await _queued_without_publishing(bus, store, [upload])

        async def announced() -> bool:
            return len(await _events(bus, record.id)) > 0

        await _settle(announced)
    item = await bus.js.get_last_msg(names.WORK_STREAM, names.run_subject(POOL))
    work = msgspec.json.decode(item.data, type=RunWork)
    assert (work.job_id, work.inline) == (record.id, {normalised.key: packed})


async def test_a_refused_change_owes_nothing(bus: Bus) -> None:
    """A check whose CAS never happened (the submit was refused) publishes nothing."""
    store = await JobStore.open(bus)
    record = JobRecord(id=new_job_id(), tenant=TENANT, created_at=now_iso(),
                       spec=JobSpec(template_id="ols_robust", engine=POOL))
    await store.create(record)
    async with dispatching(bus):
        await publish_check(bus, HandOverCheck(tenant=TENANT, job_id=record.id))
        await publish_check(bus, HandOverCheck(tenant=TENANT, job_id="0123456789abcdef"))
        await asyncio.sleep(1.0)
    assert await _events(bus, record.id) == []
    assert not await _item_was_published(
        bus, msgspec.structs.replace(record, submission=1))
