from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dev.servers import NatsServer
from libs.bus.connection import Bus, connect
from libs.bus.provision import ensure_topology
from libs.settings import Settings


@pytest.fixture
def settings(nats_server: NatsServer) -> Settings:
    return Settings(nats_url=nats_server.url, nats_creds=nats_server.creds("admin"),
                    ack_wait_s=1.5, max_deliver=3)


@pytest.fixture
async def bus(settings: Settings) -> AsyncIterator[Bus]:
    b = await connect(settings.nats_url, name="test", creds=settings.nats_creds)
    await ensure_topology(b, settings)
    yield b
    await b.close()
