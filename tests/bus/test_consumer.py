from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from nats.js import api

from libs import names
from libs.bus.connection import Bus
from libs.bus.consumer import ConsumerLoop, Delivery
from libs.bus.provision import ensure_consumer
from libs.contracts.errors import ErrorCode, JobFailed, TransientError
from libs.settings import Settings
from tests.servers import NatsServer

Handler = Callable[[Delivery], Awaitable[None]]


@contextlib.asynccontextmanager
async def running_loop(
    bus: Bus,
    settings: Settings,
    pool: str,
    handler: Handler,
    exhausted: list[bytes] | None = None,
    slots: int = 2,
) -> AsyncIterator[ConsumerLoop]:
    await ensure_consumer(bus, settings, names.worker_consumer(pool), names.run_subject(pool))

    async def on_exhausted(d: Delivery) -> None:
        if exhausted is not None:
            exhausted.append(d.data)

    loop = ConsumerLoop(
        bus,
        durable=names.worker_consumer(pool),
        handler=handler,
        on_exhausted=on_exhausted,
        slots=slots,
        heartbeat_s=settings.heartbeat_s,
        delivery_budget=settings.max_deliver,
        fetch_timeout_s=0.3,
    )
    task = asyncio.create_task(loop.run())
    try:
        yield loop
    finally:
        await loop.drain(grace_s=5)
        await task


async def _pending(bus: Bus, pool: str) -> tuple[int, int]:
    info = await bus.js.consumer_info(names.WORK_STREAM, names.worker_consumer(pool))
    return info.num_pending, info.num_ack_pending


async def _until(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_success_acks_and_failure_is_not_retried(bus: Bus, settings: Settings) -> None:
    seen: Counter[bytes] = Counter()

    async def handler(d: Delivery) -> None:
        seen[d.data] += 1
        if d.data == b"bad":
            raise JobFailed(ErrorCode.DOFILE_ERROR, "r(198)")

    async with running_loop(bus, settings, "p1", handler):
        for payload in (b"ok", b"bad"):
            await bus.js.publish(names.run_subject("p1"), payload)
        await _until(lambda: sum(seen.values()) == 2)
        await asyncio.sleep(settings.ack_wait_s + 0.5)
    assert seen == Counter({b"ok": 1, b"bad": 1})
    assert await _pending(bus, "p1") == (0, 0)


async def test_transient_is_redelivered_then_exhausted(bus: Bus, settings: Settings) -> None:
    seen: list[int] = []
    exhausted: list[bytes] = []

    async def handler(d: Delivery) -> None:
        seen.append(d.num_delivered)
        raise TransientError("s3 down", delay=0.05)

    async with running_loop(bus, settings, "p2", handler, exhausted):
        await bus.js.publish(names.run_subject("p2"), b"x")
        await _until(lambda: exhausted == [b"x"])
    assert seen == [1, 2, 3]  # the budget (max_deliver=3), then dead-lettered, not run again
    assert await _pending(bus, "p2") == (0, 0)


async def test_heartbeat_keeps_lease_beyond_ack_wait(bus: Bus, settings: Settings) -> None:
    runs: list[int] = []

    async def handler(d: Delivery) -> None:
        runs.append(d.num_delivered)
        await asyncio.sleep(settings.ack_wait_s * 3)

    async with running_loop(bus, settings, "p3", handler):
        await bus.js.publish(names.run_subject("p3"), b"long")
        await _until(lambda: runs == [1])
        await asyncio.sleep(settings.ack_wait_s * 3 + 0.5)
    assert runs == [1]


async def test_unacked_item_redelivered_after_lease_lapses(bus: Bus, settings: Settings) -> None:
    # A consumer that takes the item and then goes silent (like a SIGKILLed worker).
    await ensure_consumer(bus, settings, names.worker_consumer("p4"), names.run_subject("p4"))
    await bus.js.publish(names.run_subject("p4"), b"orphan")
    sub = await bus.js.pull_subscribe_bind(
        durable=names.worker_consumer("p4"), stream=names.WORK_STREAM
    )
    (msg,) = await sub.fetch(1, timeout=2)
    await sub.unsubscribe()
    deliveries: list[int] = []

    async def handler(d: Delivery) -> None:
        deliveries.append(d.num_delivered)

    async with running_loop(bus, settings, "p4", handler):
        await _until(lambda: deliveries == [2], timeout=settings.ack_wait_s + 5)
    assert msg.data == b"orphan"


async def test_loop_survives_server_restart(
    nats_server: NatsServer, bus: Bus, settings: Settings
) -> None:
    got: list[bytes] = []

    async def handler(d: Delivery) -> None:
        got.append(d.data)

    async with running_loop(bus, settings, "p5", handler) as loop:
        await bus.js.publish(names.run_subject("p5"), b"before")
        await _until(lambda: got == [b"before"])
        await asyncio.to_thread(nats_server.restart)
        await _until(lambda: bus.connected, timeout=15)
        for _ in range(50):
            with contextlib.suppress(Exception):
                await bus.js.publish(names.run_subject("p5"), b"after")
                break
            await asyncio.sleep(0.2)
        await _until(lambda: got == [b"before", b"after"], timeout=20)
        assert loop.ready()


async def test_provisioning_is_idempotent(bus: Bus, settings: Settings) -> None:
    from libs.bus.provision import ensure_topology

    await ensure_topology(bus, settings)
    await ensure_topology(bus, settings)
    info = await bus.js.stream_info(names.WORK_STREAM)
    assert info.config.retention == api.RetentionPolicy.WORK_QUEUE


@pytest.fixture(autouse=True)
async def _purge_work(bus: Bus) -> None:
    await bus.js.purge_stream(names.WORK_STREAM)
