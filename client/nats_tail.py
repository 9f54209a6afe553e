"""Tailing ``SS_EVENTS`` straight from NATS: a tenant's events with its event credential, or
every tenant's with the operator's (or without one, on a server without authentication)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import api
from nats.js.errors import NotFoundError

from client.sse import EventMessage
from libs import names
from libs.bus.auth.permissions import Role
from libs.bus.auth.users import Credentials
from libs.bus.connection import Bus, connect
from libs.contracts.events import decode_event

#: Seconds an abandoned tail's consumer lives on the server before it removes it.
IDLE_CONSUMER_S = 60.0


@dataclass(frozen=True)
class EventScope:
    """What a NATS credential may read of ``SS_EVENTS``."""

    #: A tenant's event credential hears only this tenant (None: every tenant).
    tenant: str | None
    #: The one JetStream consumer the credential may use (None: any).
    consumer: str | None

    def filter(self, *, completed_only: bool = False) -> str:
        if self.tenant is not None:
            return names.tenant_events_filter(self.tenant, completed_only=completed_only)
        return names.COMPLETED_EVENTS if completed_only else names.EVENTS_SUBJECTS


def event_scope(creds: str) -> EventScope:
    """The scope of the ``.creds`` file ``creds`` (empty: no credential, every tenant)."""
    who = Credentials.load(creds) if creds else None
    if who is not None and who.role is Role.SUBSCRIBER:
        return EventScope(tenant=who.name, consumer=who.public_key)
    return EventScope(tenant=None, consumer=None)


async def _consume_from(bus: Bus, name: str, filter_subject: str, policy: api.DeliverPolicy,
                        after: int) -> None:
    """(Re)create the tail's consumer, starting after stream sequence ``after`` when it is set
    (else as ``policy`` says); a previous consumer of the same name is replaced."""
    if after:
        policy = api.DeliverPolicy.BY_START_SEQUENCE
    with contextlib.suppress(NotFoundError):
        await bus.js.delete_consumer(names.EVENTS_STREAM, name)
    await bus.js.add_consumer(names.EVENTS_STREAM, api.ConsumerConfig(
        name=name, filter_subject=filter_subject, ack_policy=api.AckPolicy.NONE,
        deliver_policy=policy, opt_start_seq=after + 1 if after else None,
        inactive_threshold=IDLE_CONSUMER_S,
        mem_storage=True, num_replicas=1))


async def tail_events(url: str, *, creds: str = "", completed_only: bool = False,
                      from_start: bool = False) -> AsyncIterator[EventMessage]:
    """Events as they are published (or from the oldest kept, with ``from_start``).

    A pull consumer without acks, named after the credential's user (the only consumer a
    tenant's credential may use; so one tail per credential at a time), removed when the tail
    ends and by the server once unused. After a server restart it is made again from the
    event after the last one seen. A service that must not miss events while it is down uses a
    durable consumer instead (examples/completed_subscriber.py).
    """
    scope = event_scope(creds)
    name = scope.consumer or f"ss-tail-{secrets.token_hex(8)}"
    filter_subject = scope.filter(completed_only=completed_only)
    bus = await connect(url, name="ss-cli-events", creds=creds, connect_timeout=5.0)
    policy = api.DeliverPolicy.ALL if from_start else api.DeliverPolicy.NEW
    last = 0
    try:
        await _consume_from(bus, name, filter_subject, policy, last)
        sub = await bus.js.pull_subscribe_bind(name, names.EVENTS_STREAM)
        while True:
            try:
                msgs = await sub.fetch(100, timeout=5.0)
            except NatsTimeoutError:
                continue
            except Exception:  # the server lost the consumer (a restart): make it again
                await asyncio.sleep(0.5)
                with contextlib.suppress(Exception):
                    await _consume_from(bus, name, filter_subject, policy, last)
                continue
            for msg in msgs:
                last = msg.metadata.sequence.stream
                yield EventMessage(seq=last, type=msg.subject.rsplit(".", 1)[-1],
                                   event=decode_event(msg.data))
    finally:
        with contextlib.suppress(Exception):
            await bus.js.delete_consumer(names.EVENTS_STREAM, name)
        await bus.close()
