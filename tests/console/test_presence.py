"""Heartbeats of workers and formatters, sent and heard with the services' own NATS
credentials: who is alive, what it runs, and forgetting the silent."""

from __future__ import annotations

import asyncio
import contextlib

import msgspec

from dev.servers import NatsServer
from libs.bus.connection import connect
from libs.bus.consumer import Delivery
from libs.bus.presence import GONE_AFTER_MIN_S, Beacon, Roster
from libs.contracts.work import RunWork
from tests.waiting import until


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_members_their_jobs_and_departures(lone_nats: NatsServer) -> None:
    api = await connect(lone_nats.url, name="ss-test-api", creds=lone_nats.creds("api"))
    worker = await connect(lone_nats.url, name="ss-test-worker",
                           creds=lone_nats.creds("worker"))
    formatter = await connect(lone_nats.url, name="ss-test-formatter",
                              creds=lone_nats.creds("formatter"))
    clock = Clock()
    roster = Roster(api, clock)
    await roster.start()
    running = Beacon(worker, "worker", "host.example-1", 2, 0.1, pool="embedded",
                     engine="embedded")
    other = Beacon(formatter, "formatter", "fmt-1", 3, 0.1)
    release = asyncio.Event()

    async def handler(_: Delivery) -> None:
        await release.wait()

    item = msgspec.json.encode(RunWork(tenant="alpha", job_id="j1", submission=1))
    tasks = [asyncio.create_task(b.run()) for b in (running, other)]
    handling = asyncio.create_task(running.tracking(handler)(Delivery(item, 1, 1)))
    try:
        await until(lambda: {m.heartbeat.member: m.heartbeat.jobs for m in roster.members()}
                     == {"host.example-1": ["alpha.j1"], "fmt-1": []})
        beat = next(m.heartbeat for m in roster.members() if m.heartbeat.kind == "worker")
        assert (beat.pool, beat.engine, beat.slots) == ("embedded", "embedded", 2)
        release.set()
        await handling
        await until(lambda: all(not m.heartbeat.jobs for m in roster.members()))
        # A clean stop says goodbye: gone at once.
        tasks[1].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tasks[1]
        await until(lambda: [m.heartbeat.member for m in roster.members()]
                     == ["host.example-1"])
        # A killed one just falls silent: gone once it missed enough beats.
        tasks[0].cancel()
        await asyncio.gather(tasks[0], return_exceptions=True)
        await asyncio.sleep(0.3)  # its goodbye is heard; send no more
    finally:
        for task in tasks:
            task.cancel()
        await roster.close()
        for bus in (api, worker, formatter):
            await bus.close()
    assert roster.members() == []
    assert not lone_nats.refusals(), "a heartbeat broke the NATS permissions"


async def test_a_silent_member_is_forgotten_after_missed_beats(lone_nats: NatsServer) -> None:
    api = await connect(lone_nats.url, name="ss-test-api", creds=lone_nats.creds("api"))
    worker = await connect(lone_nats.url, name="ss-test-worker",
                           creds=lone_nats.creds("worker"))
    clock = Clock()
    roster = Roster(api, clock)
    await roster.start()
    try:
        beacon = Beacon(worker, "worker", "w", 1, 1.0)
        await beacon._send()
        await until(lambda: len(roster.members()) == 1)
        clock.now += GONE_AFTER_MIN_S - 0.1
        assert len(roster.members()) == 1
        clock.now += 0.2
        assert roster.members() == []
    finally:
        await roster.close()
        await api.close()
        await worker.close()
