"""Tailing ``SS_EVENTS`` straight from NATS: a tenant's events with its event credential, or
every tenant's with the operator's (or without one, on a server without authentication)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

from client.sse import EventMessage
from libs import names
from libs.bus.auth.permissions import Role
from libs.bus.auth.users import Credentials
from libs.bus.connection import connect
from libs.bus.events import tail


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


async def tail_events(url: str, *, creds: str = "", completed_only: bool = False,
                      from_start: bool = False) -> AsyncIterator[EventMessage]:
    """Events as they are published (or from the oldest kept, with ``from_start``).

    Read through ``libs.bus.events.tail``, with a consumer named after the credential's user
    (the only consumer a tenant's credential may use; so one tail per credential at a time).
    A service that must not miss events while it is down uses a durable consumer instead
    (examples/completed_subscriber.py).
    """
    scope = event_scope(creds)
    consumer = scope.consumer or f"ss-tail-{secrets.token_hex(8)}"
    bus = await connect(url, name="ss-cli-events", creds=creds, connect_timeout=5.0)
    events = tail(bus, consumer, scope.filter(completed_only=completed_only),
                  from_start=from_start)
    try:
        # aclosing: the tail removes its consumer while the connection is still open.
        async with contextlib.aclosing(events):
            async for found in events:
                yield EventMessage(seq=found.seq, type=found.type, event=found.event)
    finally:
        await bus.close()
