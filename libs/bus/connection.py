"""Connecting to NATS with finite, observable reconnect behaviour."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext

from libs.bus.auth.users import Credentials
from libs.outages import describe

log = logging.getLogger(__name__)

__all__ = ["NATS", "Bus", "JetStreamContext", "PullSubscription", "connect", "login_options"]


#: A JetStream pull subscription, named here so code outside libs/bus needs no nats import.
PullSubscription = JetStreamContext.PullSubscription

class Bus:
    """A NATS connection and its JetStream context, plus reconnect notification.

    Pull subscriptions can go silent after a server restart, so consumers register a callback
    here and rebuild their subscriptions when the client reconnects.
    """

    def __init__(self, nc: NATS) -> None:
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream(timeout=5.0)
        self._on_reconnect: list[Callable[[], Awaitable[None]]] = []

    def on_reconnect(self, callback: Callable[[], Awaitable[None]]) -> None:
        self._on_reconnect.append(callback)

    async def _reconnected(self) -> None:
        log.warning("nats reconnected to %s", self.nc.connected_url)
        for callback in self._on_reconnect:
            try:
                await callback()
            except Exception:
                log.exception("reconnect callback failed")

    @property
    def connected(self) -> bool:
        return bool(self.nc.is_connected)

    async def close(self) -> None:
        """Drain (finish what was published), else close. With the server already gone (a
        whole stack stopping at once) there is nothing left to flush: closing must not fail
        the service's shutdown."""
        if self.nc.is_closed:
            return
        try:
            await self.nc.drain()
        except Exception as exc:
            log.info("NATS connection not drained (%s); closing it", describe(exc))
            try:
                await self.nc.close()
            except Exception as late:
                log.info("NATS connection closed with %s", describe(late))


def login_options(creds: Credentials | None) -> dict[str, Any]:
    """Log in as the user of ``creds`` (sign the server's nonce, send the JWT) and take replies
    on that user's own inbox, the only one its permissions let it hear."""
    if creds is None:
        return {}
    token = creds.jwt.encode()
    return {"signature_cb": creds.sign_nonce, "user_jwt_cb": lambda: token,
            "inbox_prefix": creds.inbox_prefix}


async def connect(url: str, *, name: str, creds: str = "",
                  connect_timeout: float = 30.0) -> Bus:
    """Connect to ``url`` (comma-separated servers) as the user of the ``.creds`` file
    ``creds`` (none: no authentication), waiting up to ``connect_timeout`` for the server and
    for the file (a deployment may write it while the service starts).

    Reconnects forever once connected (a service should ride out a NATS restart), but the
    initial connect is bounded: nats-py's "unlimited" setting would block start-up for minutes.
    """
    bus_ref: list[Bus] = []

    async def error_cb(exc: Exception) -> None:
        log.warning("nats error: %s", describe(exc))

    async def disconnected_cb() -> None:
        log.warning("nats disconnected")

    async def reconnected_cb() -> None:
        if bus_ref:
            await bus_ref[0]._reconnected()

    deadline = asyncio.get_running_loop().time() + connect_timeout
    servers = [u.strip() for u in url.split(",") if u.strip()]
    while True:
        try:
            login = login_options(Credentials.load(creds) if creds else None)
            nc = await nats.connect(
                servers=servers,
                name=name,
                connect_timeout=2,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                ping_interval=5,
                max_outstanding_pings=3,
                error_cb=error_cb,
                disconnected_cb=disconnected_cb,
                reconnected_cb=reconnected_cb,
                **login,
            )
            break
        except Exception as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise ConnectionError(f"cannot connect to NATS at {url}: {exc}") from exc
            await asyncio.sleep(0.25)
    bus = Bus(nc)
    bus_ref.append(bus)
    return bus
