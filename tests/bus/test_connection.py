"""Connecting to and leaving NATS."""

from __future__ import annotations

import asyncio
from pathlib import Path

import uvloop

from dev.servers import NatsServer
from libs.bus.connection import connect


def test_closing_after_the_server_went_away_does_not_fail(tmp_path: Path) -> None:
    """A whole stack stopping at once (honcho, a compose down) takes nats-server away before
    the services close their connections: their shutdown must still finish cleanly. Run on
    uvloop, as the services are: its closed transports refuse the final flush."""
    server = NatsServer(root=tmp_path)
    server.start()

    async def leave() -> bool:
        bus = await connect(server.url, name="leaving", creds=server.creds("admin"))
        server.stop()
        for _ in range(200):  # until the client noticed and is trying to reconnect
            if bus.nc.is_reconnecting:
                break
            await asyncio.sleep(0.01)
        await bus.nc.publish("ss.test.pending", b"x")  # something left to flush
        await bus.close()
        return bool(bus.nc.is_closed)

    try:
        assert uvloop.run(leave())
    finally:
        server.stop()
