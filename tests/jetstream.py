"""Reading what a JetStream stream holds, for assertions (never on a work-queue stream, where a
second consumer next to the services' is refused)."""

from __future__ import annotations

from nats.errors import TimeoutError as NatsTimeout

from libs.bus.connection import Bus


async def stored(bus: Bus, stream: str, subject: str) -> list[bytes]:
    """Every message ``stream`` holds on ``subject``, oldest first (an ephemeral consumer)."""
    sub = await bus.js.pull_subscribe(subject, stream=stream)
    found: list[bytes] = []
    try:
        while True:
            try:
                msgs = await sub.fetch(50, timeout=0.3)
            except (NatsTimeout, TimeoutError):
                break
            found += [m.data for m in msgs]
    finally:
        await sub.unsubscribe()
    return found
