"""The one-shot that indexes stored jobs the tenant job index lacks (an upgrade from a release
without it, or jobs an old API replica stored during a rollout), run with the API's own NATS
credential on a real JetStream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from dev.servers import NatsServer
from libs.bus.connection import Bus, connect
from libs.bus.jobindex import JobIndex
from libs.bus.jobstore import JobStore
from libs.bus.provision import ensure_topology
from libs.contracts.jobs import JobRecord, JobSpec, new_job_id, now_iso
from libs.settings import Settings
from services.api.reindex import reindex


@pytest.fixture
async def bus(nats_server: NatsServer) -> AsyncIterator[Bus]:
    b = await connect(nats_server.url, name="reindex", creds=nats_server.creds("api"))
    await ensure_topology(b, Settings(nats_url=nats_server.url))
    yield b
    await b.close()


async def _store(store: JobStore, tenant: str) -> str:
    record = JobRecord(id=new_job_id(), tenant=tenant, spec=JobSpec(template_id="ols_robust"),
                       created_at=now_iso())
    await store.create(record)
    return record.id


async def _listed(index: JobIndex, tenant: str) -> list[str]:
    return (await index.page(tenant, None, 1000))[0]


async def test_stored_jobs_missing_from_the_index_are_appended_oldest_first_once(
        bus: Bus) -> None:
    store, index = await JobStore.open(bus), JobIndex(bus)
    upgraded, mixed = f"t{uuid.uuid4().hex[:12]}", f"t{uuid.uuid4().hex[:12]}"
    # A tenant whose jobs all predate the index.
    old = [await _store(store, upgraded) for _ in range(5)]
    # A tenant with an indexed job (created by the new API) and two an old replica stored.
    indexed = new_job_id()
    await index.add(mixed, indexed)
    await store.create(JobRecord(id=indexed, tenant=mixed, created_at=now_iso(),
                                 spec=JobSpec(template_id="ols_robust")))
    unindexed = [await _store(store, mixed) for _ in range(2)]

    # Ids order jobs by their millisecond (then at random), as the release before listed them.
    old.sort()
    unindexed.sort()
    first = await reindex(bus)
    assert first.added >= 7  # other tests' tenants share the server
    assert await _listed(index, upgraded) == old[::-1]
    assert await _listed(index, mixed) == [*unindexed[::-1], indexed]

    again = await reindex(bus)
    assert again.added == 0
    assert again.jobs >= first.jobs
    assert await _listed(index, upgraded) == old[::-1]
    assert await _listed(index, mixed) == [*unindexed[::-1], indexed]
