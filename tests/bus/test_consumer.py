from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
import pytest
from nats.aio.msg import Msg
from nats.js import api
from nats.js.errors import NoKeysError

from dev.servers import NatsServer
from libs import names
from libs.bus.connection import Bus
from libs.bus.consumer import ConsumerLoop, Delivery, _Slots
from libs.bus.pause import Probe
from libs.bus.provision import ensure_consumer
from libs.bus.retries import RetryPolicy
from libs.contracts.errors import ErrorCode, ErrorInfo, JobFailed, TransientError
from libs.contracts.work import RunWork
from libs.settings import Settings
from tests.waiting import until

Handler = Callable[[Delivery], Awaitable[None]]


#: Fast retries for tests: crash budget 3 (the settings fixture's max_deliver), outages
#: retried for 1.5 s with backoff from 0.05 s up to 0.2 s.
FAST = RetryPolicy(crash_budget=3, outage_budget_s=1.5, max_delay_s=0.2, base_delay_s=0.05)


@contextlib.asynccontextmanager
async def running_loop(
    bus: Bus,
    settings: Settings,
    pool: str,
    handler: Handler,
    exhausted: list[tuple[bytes, ErrorInfo]] | None = None,
    slots: int = 2,
    policy: RetryPolicy = FAST,
    probe: Probe | None = None,
    decode: type[Any] | None = None,
    fetch_timeout_s: float = 0.3,
    fetch_gap_s: float = 0.0,
) -> AsyncIterator[ConsumerLoop]:
    await ensure_consumer(bus, settings, names.worker_consumer(pool), names.run_subject(pool))

    async def on_exhausted(d: Delivery, info: ErrorInfo) -> None:
        if exhausted is not None:
            exhausted.append((d.data, info))
        if decode is not None:  # what a service does first: read the item to fail its job
            msgspec.json.decode(d.data, type=decode)

    loop = ConsumerLoop(
        bus,
        durable=names.worker_consumer(pool),
        handler=handler,
        on_exhausted=on_exhausted,
        slots=slots,
        heartbeat_s=settings.heartbeat_s,
        policy=policy,
        probe=probe,
        fetch_timeout_s=fetch_timeout_s,
        fetch_gap_s=fetch_gap_s,
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


async def test_success_acks_and_failure_is_not_retried(bus: Bus, settings: Settings) -> None:
    seen: Counter[bytes] = Counter()

    async def handler(d: Delivery) -> None:
        seen[d.data] += 1
        if d.data == b"bad":
            raise JobFailed(ErrorCode.DOFILE_ERROR, "r(198)")

    async with running_loop(bus, settings, "p1", handler):
        for payload in (b"ok", b"bad"):
            await bus.js.publish(names.run_subject("p1"), payload)
        await until(lambda: sum(seen.values()) == 2)
        await asyncio.sleep(settings.ack_wait_s + 0.5)
    assert seen == Counter({b"ok": 1, b"bad": 1})
    assert await _pending(bus, "p1") == (0, 0)


async def test_a_consumer_with_a_fetch_gap_takes_items_at_its_polls_only(
        bus: Bus, settings: Settings) -> None:
    seen: list[bytes] = []

    async def handler(d: Delivery) -> None:
        seen.append(d.data)

    async def waiting() -> int:
        info = await bus.js.consumer_info(names.WORK_STREAM, names.worker_consumer("pgap"))
        return info.num_waiting

    async with running_loop(bus, settings, "pgap", handler, fetch_timeout_s=0.05,
                            fetch_gap_s=30) as loop:
        await until(lambda: loop.last_fetch_ok > 0)
        # Between two polls no pull request waits on the server: an item stored now stays
        # in the stream instead of reaching the process that stored it at once.
        await until(lambda: _no(waiting()))
        await bus.js.publish(names.run_subject("pgap"), b"later")
        assert await _pending(bus, "pgap") == (1, 0)
        assert seen == []
    # The loop stopped in the middle of its gap (the fixture waited for it), the item unread.
    assert await _pending(bus, "pgap") == (1, 0)


async def _no(count: Awaitable[int]) -> bool:
    return await count == 0


async def test_crashes_are_dead_lettered_after_the_budget(bus: Bus, settings: Settings) -> None:
    seen: list[int] = []
    exhausted: list[tuple[bytes, ErrorInfo]] = []

    async def handler(d: Delivery) -> None:
        seen.append(d.num_delivered)
        raise RuntimeError("a bug")

    async with running_loop(bus, settings, "p2", handler, exhausted):
        await bus.js.publish(names.run_subject("p2"), b"x")
        await until(lambda: len(exhausted) == 1)
    assert seen == [1, 2, 3]  # the budget (max_deliver=3), then dead-lettered, not run again
    ((data, info),) = exhausted
    assert data == b"x"
    assert info.error_code is ErrorCode.DELIVERY_LIMIT_EXCEEDED
    assert info.details["crashes"] == 3
    assert await _pending(bus, "p2") == (0, 0)


async def test_an_item_that_cannot_be_read_is_dropped_after_the_budget(
        bus: Bus, settings: Settings) -> None:
    exhausted: list[tuple[bytes, ErrorInfo]] = []

    async def handler(d: Delivery) -> None:
        raise RuntimeError("cannot read it either")

    async with running_loop(bus, settings, "p2junk", handler, exhausted, decode=RunWork):
        await bus.js.publish(names.run_subject("p2junk"), b'{"job_id": "no tenant"}')
        await until(lambda: len(exhausted) == 1)
        # Not handed back: no further delivery reaches the handler or the give-up path.
        await asyncio.sleep(FAST.backoff(1) + settings.ack_wait_s + 0.5)
    assert len(exhausted) == 1
    assert await _pending(bus, "p2junk") == (0, 0)


async def test_outages_do_not_spend_the_crash_budget(bus: Bus, settings: Settings) -> None:
    # Every other delivery crashes, the others meet an outage: only the crashes count.
    seen: list[int] = []
    exhausted: list[tuple[bytes, ErrorInfo]] = []

    async def handler(d: Delivery) -> None:
        seen.append(d.num_delivered)
        if d.num_delivered % 2:
            raise TransientError("s3 down")
        raise RuntimeError("a bug")

    policy = RetryPolicy(crash_budget=3, outage_budget_s=60, max_delay_s=0.1,
                         base_delay_s=0.05)
    async with running_loop(bus, settings, "p6", handler, exhausted, policy=policy):
        await bus.js.publish(names.run_subject("p6"), b"x")
        await until(lambda: len(exhausted) == 1)
    assert seen == [1, 2, 3, 4, 5, 6]  # three crashes, then the 7th delivery is not run
    assert exhausted[0][1].error_code is ErrorCode.DELIVERY_LIMIT_EXCEEDED
    assert exhausted[0][1].details["transient_failures"] == 3


async def test_an_outage_is_retried_with_backoff_until_its_budget(
    bus: Bus, settings: Settings
) -> None:
    seen: list[float] = []
    exhausted: list[tuple[bytes, ErrorInfo]] = []

    async def handler(d: Delivery) -> None:
        seen.append(time.monotonic())
        raise TransientError("s3 down")

    async with running_loop(bus, settings, "p7", handler, exhausted):
        await bus.js.publish(names.run_subject("p7"), b"x")
        await until(lambda: len(exhausted) == 1)
    # Far more deliveries than the crash budget, none of them counted as a crash.
    assert len(seen) > FAST.crash_budget + 2
    ((_, info),) = exhausted
    assert info.error_code is ErrorCode.INFRA_RETRY_BUDGET_EXCEEDED
    assert info.details["waited_s"] >= FAST.outage_budget_s
    assert "s3 down" in info.message
    # The retries back off: no two deliveries closer than half the first delay.
    gaps = [b - a for a, b in itertools.pairwise(seen)]
    assert min(gaps) >= FAST.base_delay_s / 2
    assert await _pending(bus, "p7") == (0, 0)


async def test_a_recovered_item_leaves_no_retry_entry(bus: Bus, settings: Settings) -> None:
    seen: list[int] = []

    async def handler(d: Delivery) -> None:
        seen.append(d.num_delivered)
        if d.num_delivered < 3:
            raise TransientError("nats hiccup")

    async with running_loop(bus, settings, "p8", handler):
        await bus.js.publish(names.run_subject("p8"), b"x")
        await until(lambda: seen == [1, 2, 3])
        await asyncio.sleep(0.3)
    assert await _pending(bus, "p8") == (0, 0)
    kv = await bus.js.key_value(names.RETRIES_BUCKET)
    keys: list[str] = []
    with contextlib.suppress(NoKeysError):
        keys = await kv.keys()
    assert not [k for k in keys if k.startswith(names.worker_consumer("p8"))]


async def test_an_outage_pauses_fetching_until_the_probe_passes(
    bus: Bus, settings: Settings
) -> None:
    down = {"s3": "ConnectionRefusedError"}
    seen: list[bytes] = []
    handled: list[bytes] = []

    async def probe() -> dict[str, str]:
        return dict(down)

    async def handler(d: Delivery) -> None:
        seen.append(d.data)
        if down:
            raise TransientError("s3 down")
        handled.append(d.data)

    policy = RetryPolicy(crash_budget=3, outage_budget_s=60, max_delay_s=30,
                         base_delay_s=0.05)
    async with running_loop(bus, settings, "p9", handler, policy=policy, probe=probe) as loop:
        await bus.js.publish(names.run_subject("p9"), b"first")
        await until(lambda: "paused" in loop.problems().get("consumer", ""))
        assert "s3" in loop.problems()["consumer"]
        for n in range(3):
            await bus.js.publish(names.run_subject("p9"), b"later%d" % n)
        await asyncio.sleep(1.0)
        # Paused: the later items were not even fetched.
        assert set(seen) == {b"first"}
        assert (await _pending(bus, "p9"))[0] == 3
        down.clear()
        await until(lambda: sorted(handled) == [b"first", b"later0", b"later1", b"later2"])
        assert loop.problems() == {}


async def test_a_paused_loop_fails_items_whose_outage_budget_is_spent(
    bus: Bus, settings: Settings
) -> None:
    runs: list[int] = []
    exhausted: list[tuple[bytes, ErrorInfo]] = []

    async def probe() -> dict[str, str]:
        return {"s3": "unreachable"}

    async def handler(d: Delivery) -> None:
        runs.append(d.num_delivered)
        raise TransientError("s3 down")

    policy = RetryPolicy(crash_budget=3, outage_budget_s=1.0, max_delay_s=0.2,
                         base_delay_s=0.05)
    async with running_loop(bus, settings, "p10", handler, exhausted, policy=policy,
                            probe=probe):
        await bus.js.publish(names.run_subject("p10"), b"x")
        await until(lambda: len(exhausted) == 1, timeout=15)
    assert runs == [1]  # run once; then only swept while paused, never run again
    assert exhausted[0][1].error_code is ErrorCode.INFRA_RETRY_BUDGET_EXCEEDED
    assert "held back (paused: s3: unreachable)" in exhausted[0][1].message


async def test_heartbeat_keeps_lease_beyond_ack_wait(bus: Bus, settings: Settings) -> None:
    runs: list[int] = []

    async def handler(d: Delivery) -> None:
        runs.append(d.num_delivered)
        await asyncio.sleep(settings.ack_wait_s * 3)

    async with running_loop(bus, settings, "p3", handler):
        await bus.js.publish(names.run_subject("p3"), b"long")
        await until(lambda: runs == [1])
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
        await until(lambda: deliveries == [2], timeout=settings.ack_wait_s + 5)
    assert msg.data == b"orphan"


async def test_loop_survives_server_restart(
    nats_server: NatsServer, bus: Bus, settings: Settings
) -> None:
    got: list[bytes] = []

    async def handler(d: Delivery) -> None:
        got.append(d.data)

    async with running_loop(bus, settings, "p5", handler) as loop:
        await bus.js.publish(names.run_subject("p5"), b"before")
        await until(lambda: got == [b"before"])
        await asyncio.to_thread(nats_server.restart)
        await until(lambda: bus.connected, timeout=15)
        for _ in range(50):
            with contextlib.suppress(Exception):
                await bus.js.publish(names.run_subject("p5"), b"after")
                break
            await asyncio.sleep(0.2)
        await until(lambda: got == [b"before", b"after"], timeout=20)
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


async def test_an_idle_loop_logs_nothing(
    bus: Bus, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(d: Delivery) -> None:
        raise AssertionError("nothing was published")

    with caplog.at_level(logging.INFO, logger="libs.bus"):
        async with running_loop(bus, settings, "p11", handler, slots=3) as loop:
            await until(lambda: loop._sub is not None)
            sub = loop._sub
            assert sub is not None
            fetch = sub.fetch
            empty: list[str] = []

            async def fetch_sometimes_bare(batch: int = 1, timeout: float | None = 5,
                                           heartbeat: float | None = None) -> list[Msg]:
                # nats-py's batch fetch raises a bare asyncio.TimeoutError (no text) instead
                # of its own when the server's "no messages" answer arrives just before the
                # deadline: that is idle too, not "fetch failed: ".
                empty.append("")
                if len(empty) % 2:
                    raise TimeoutError
                return await fetch(batch=batch, timeout=timeout, heartbeat=heartbeat)

            sub.fetch = fetch_sometimes_bare  # type: ignore[method-assign]
            await asyncio.sleep(1.5)
            assert len(empty) >= 3
            assert loop.ready()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == []


async def test_free_slots_are_taken_at_once_and_a_waiter_wakes_on_release() -> None:
    slots = _Slots(3)
    assert await slots.take_all() == 3
    assert slots.take_free() == 0
    waiting = asyncio.create_task(slots.take_all())
    await asyncio.sleep(0.01)
    assert not waiting.done()  # none free: it waits
    slots.release(2)
    assert await asyncio.wait_for(waiting, 1) == 2
    slots.release()
    slots.release(0)
    assert slots.take_free() == 1
