from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from dev.servers import NatsServer, S3Server
from dev.stack import Stack
from libs.bus.connection import Bus, connect

#: Settings of the services the end-to-end and fault tests start.
FAULT_SETTINGS = {"SS_ACK_WAIT_S": "2", "SS_WORKER_SLOTS": "2", "SS_MAX_DELIVER": "4",
                  "SS_SHUTDOWN_GRACE_S": "1", "SS_INFRA_RETRY_BUDGET_S": "120",
                  "SS_RATE_LIMIT_PER_S": "2000", "SS_RATE_LIMIT_BURST": "2000"}


@pytest.fixture(scope="module")
def stack(nats_server: NatsServer, s3_server: S3Server,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """api + 2 workers + formatter; short leases so takeovers happen within seconds, an
    outage budget of 2 minutes (retries back off up to 6 s) so outages heal quickly, and a
    rate limit a burst of a thousand jobs does not hit."""
    stack = Stack(nats=nats_server, s3=s3_server, root=Path(tmp_path_factory.mktemp("stack")),
                  settings=FAULT_SETTINGS)
    stack.start_all()
    yield stack
    stack.stop_all()
    assert not nats_server.refusals(), "a service was refused by NATS"


@pytest.fixture
async def bus(nats_server: NatsServer) -> AsyncIterator[Bus]:
    b = await connect(nats_server.url, name="e2e-observer", creds=nats_server.creds("admin"))
    yield b
    await b.close()
