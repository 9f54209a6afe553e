"""Reading what a JetStream stream holds, for assertions (never on a work-queue stream, where a
second consumer next to the services' is refused)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import api

from libs import names
from libs.bus.connection import Bus
from libs.contracts.events import JobEvent, decode_event


async def stored(bus: Bus, stream: str, subject: str) -> list[bytes]:
    """Every message ``stream`` holds on ``subject``, oldest first (an ephemeral consumer
    that needs no acks, so it is not stopped by max_ack_pending after a thousand messages; an
    empty fetch ends the read only once it has nothing left to deliver, so a slow server cannot
    cut a long read short)."""
    sub = await bus.js.pull_subscribe(subject, stream=stream,
                                      config=api.ConsumerConfig(ack_policy=api.AckPolicy.NONE))
    found: list[bytes] = []
    try:
        while True:
            try:
                msgs = await sub.fetch(200, timeout=0.3)
            except (NatsTimeout, TimeoutError):
                if (await sub.consumer_info()).num_pending == 0:
                    break
                continue
            found += [m.data for m in msgs]
    finally:
        await sub.unsubscribe()
    return found


@contextlib.asynccontextmanager
async def heard(bus: Bus, subject: str) -> AsyncIterator[list[bytes]]:
    """Every raw publish on ``subject`` while the block runs: what a core-NATS subscriber
    sees, duplicates included (the stream itself would have dropped them)."""
    got: list[bytes] = []

    async def on_msg(msg: Msg) -> None:
        got.append(msg.data)

    sub = await bus.nc.subscribe(subject, cb=on_msg)
    try:
        yield got
    finally:
        await bus.nc.flush()
        await sub.unsubscribe()


async def job_events(bus: Bus, tenant: str, job_id: str) -> list[JobEvent]:
    """The events ``SS_EVENTS`` holds for one job, in order."""
    subject = names.event_subject(tenant, job_id, "*")
    return [decode_event(d) for d in await stored(bus, names.EVENTS_STREAM, subject)]
