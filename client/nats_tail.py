"""Tailing ``SS_EVENTS`` straight from NATS (every job of every tenant, or only completions)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from nats.js import api

from client.sse import EventMessage
from libs import names
from libs.bus.connection import connect
from libs.contracts.events import decode_event


async def tail_events(url: str, *, completed_only: bool = False,
                      from_start: bool = False) -> AsyncIterator[EventMessage]:
    """Events as they are published (or from the oldest kept, with ``from_start``).

    An ordered consumer: ephemeral, no acks, resumes by itself after a reconnect. A service
    that must not miss events while it is down uses a durable consumer instead
    (examples/completed_subscriber.py).
    """
    bus = await connect(url, name="ss-cli-events", connect_timeout=5.0)
    policy = api.DeliverPolicy.ALL if from_start else api.DeliverPolicy.NEW
    subject = names.COMPLETED_EVENTS if completed_only else names.EVENTS_SUBJECTS
    sub = await bus.js.subscribe(subject, ordered_consumer=True, deliver_policy=policy,
                                 stream=names.EVENTS_STREAM)
    try:
        async for msg in sub.messages:
            yield EventMessage(seq=msg.metadata.sequence.stream,
                               type=msg.subject.rsplit(".", 1)[-1], event=decode_event(msg.data))
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
        await bus.close()
