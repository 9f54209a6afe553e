"""The overview's queues from JetStream: depth, in flight, and the oldest waiting item, named
only to a viewer who may see its tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest

from dev.servers import NatsServer
from libs import names
from libs.auth.keys import Principal, Role
from libs.bus.connection import Bus, connect
from libs.bus.provision import ensure_consumer, ensure_topology
from libs.contracts.work import RunWork
from libs.settings import Settings
from services.api.console.fleet import queues


@pytest.fixture
async def buses(lone_nats: NatsServer) -> AsyncIterator[tuple[Bus, Bus]]:
    """The API's connection and an admin's, on a NATS server of their own (the pools that
    exist are what is tested)."""
    api = await connect(lone_nats.url, name="ss-test-api", creds=lone_nats.creds("api"))
    admin = await connect(lone_nats.url, name="ss-test-admin", creds=lone_nats.creds("admin"))
    try:
        yield api, admin
    finally:
        await api.close()
        await admin.close()


async def test_a_waiting_item_is_counted_and_named_to_who_may_see_it(
        buses: tuple[Bus, Bus]) -> None:
    api, admin = buses
    await ensure_topology(api, Settings())
    await ensure_consumer(admin, Settings(), names.worker_consumer("idle"),
                          names.run_subject("idle"))
    for job in ("j1", "j2"):
        await admin.js.publish(names.run_subject("idle"), msgspec.json.encode(
            RunWork(tenant="alpha", job_id=job, submission=1)))
    operator = Principal(tenant="ops", role=Role.OPERATOR, key_id="o")
    found = {q.consumer: q for q in await queues(api, operator)}
    idle = found["worker-idle"]
    assert (idle.serves, idle.depth, idle.in_flight, idle.redelivered) == ("idle", 2, 0, 0)
    assert idle.oldest_job == ("alpha", "j1")
    assert idle.oldest_wait_s is not None
    assert 0 <= idle.oldest_wait_s < 60
    other = Principal(tenant="beta", role=Role.ADMIN, key_id="b")
    hidden = {q.consumer: q for q in await queues(api, other)}["worker-idle"]
    assert hidden.depth == 2
    assert hidden.oldest_job is None
    owner = Principal(tenant="alpha", role=Role.ADMIN, key_id="a")
    assert {q.consumer: q for q in await queues(api, owner)}["worker-idle"].oldest_job == (
        "alpha", "j1")
