"""The work consumers as the console's overview reads them, on a real JetStream: each
consumer's load and the first item it has not delivered yet."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest

from libs import names
from libs.bus.connection import Bus
from libs.bus.provision import ensure_consumer
from libs.bus.workload import WorkConsumer, oldest_pending, pool_load, work_consumers
from libs.contracts.work import RunWork
from libs.settings import Settings
from tests.waiting import until


@pytest.fixture
async def pool(bus: Bus, settings: Settings) -> AsyncIterator[str]:
    """A pool of the test's own with its consumer and no worker; removed afterwards (the
    server is shared)."""
    name = f"p{uuid.uuid4().hex[:10]}"
    await ensure_consumer(bus, settings, names.worker_consumer(name), names.run_subject(name))
    yield name
    await bus.js.delete_consumer(names.WORK_STREAM, names.worker_consumer(name))
    await bus.js.purge_stream(names.WORK_STREAM, subject=names.run_subject(name))


async def _queue(bus: Bus, pool: str, jobs: list[str]) -> list[bytes]:
    sent = [msgspec.json.encode(RunWork(tenant="acme", job_id=job, submission=1))
            for job in jobs]
    for data in sent:
        await bus.js.publish(names.run_subject(pool), data)
    return sent


async def _first_seq(bus: Bus, pool: str) -> int:
    """The stream sequence of the pool's first stored item (the stream is shared)."""
    first = await bus.js.get_msg(names.WORK_STREAM, seq=1, next=True,
                                 subject=names.run_subject(pool))
    return int(first.seq)


async def _consumer(bus: Bus, pool: str) -> WorkConsumer:
    found = {c.name: c for c in await work_consumers(bus)}
    return found[names.worker_consumer(pool)]


async def _settled(bus: Bus, pool: str, backlog: int, in_flight: int) -> WorkConsumer:
    """The pool's consumer once its counts show what the test did: the server updates a
    consumer's pending count after the publish is acknowledged, not with it (seen under load)."""
    seen: list[WorkConsumer] = []

    async def counted() -> bool:
        seen.append(await _consumer(bus, pool))
        return (seen[-1].load.backlog, seen[-1].load.in_flight) == (backlog, in_flight)

    await until(counted)
    return seen[-1]


async def test_the_oldest_pending_item_is_the_first_not_yet_delivered(
        bus: Bus, pool: str) -> None:
    sent = await _queue(bus, pool, ["j1", "j2", "j3"])
    waiting = await _settled(bus, pool, backlog=3, in_flight=0)
    assert waiting.subject == names.run_subject(pool)
    assert (waiting.load.backlog, waiting.load.in_flight, waiting.redelivered) == (3, 0, 0)
    # Nothing of the pool's delivered: the consumer's position is before its first item (on a
    # shared stream a new filtered consumer may start past other subjects' messages).
    assert waiting.delivered_seq < await _first_seq(bus, pool)
    assert waiting.load == await pool_load(bus, pool)
    first = await oldest_pending(bus, waiting)
    assert first is not None
    assert first.data == sent[0]
    assert first.waited_s is not None
    assert 0 <= first.waited_s < 60

    # A worker takes the first item and holds it: the second is now the oldest waiting.
    sub = await bus.js.pull_subscribe_bind(names.worker_consumer(pool), names.WORK_STREAM)
    [taken] = await sub.fetch(1, timeout=5)
    assert taken.data == sent[0]
    busy = await _settled(bus, pool, backlog=2, in_flight=1)
    assert busy.delivered_seq == taken.metadata.sequence.stream
    second = await oldest_pending(bus, busy)
    assert second is not None
    assert second.data == sent[1]
    await taken.ack()
    await sub.unsubscribe()


async def test_nothing_is_pending_on_an_empty_queue_or_once_the_items_went(
        bus: Bus, pool: str) -> None:
    assert await oldest_pending(bus, await _consumer(bus, pool)) is None
    await _queue(bus, pool, ["j1"])
    seen = await _settled(bus, pool, backlog=1, in_flight=0)
    # Between listing the consumers and reading the item, the item goes (purged here).
    await bus.js.purge_stream(names.WORK_STREAM, subject=names.run_subject(pool))
    assert await oldest_pending(bus, seen) is None


async def test_a_pool_without_a_consumer_has_no_load(bus: Bus) -> None:
    assert await pool_load(bus, f"p{uuid.uuid4().hex[:10]}") is None
