"""A job for an engine no worker pool serves is refused; a queued job says what its pool is
doing (the pool's consumer ``worker-<pool>`` as JetStream sees it)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx

from dev.stack import Stack
from libs.contracts.jobs import TERMINAL_STATES
from tests.api.catalogue import assert_catalogued
from tests.api.conftest import AUTO_CSV, OLS, new_job


async def _declare_pool(stack: Stack, pool: str) -> None:
    """What a worker of ``pool`` leaves behind once started: its durable consumer."""
    from libs import names
    from libs.bus.connection import connect
    from libs.bus.provision import ensure_consumer
    from libs.settings import load_settings

    bus = await connect(stack.nats.url, name="test-pool", creds=stack.nats.creds("worker"))
    try:
        await ensure_consumer(bus, load_settings(stack.env()), names.worker_consumer(pool),
                              names.run_subject(pool))
    finally:
        await bus.close()


async def _pool_of(client: httpx.AsyncClient, job_id: str, state: str) -> dict[str, Any]:
    """The job's ``pool`` block once it reports ``state`` (the API caches it briefly)."""
    for _ in range(100):
        pool: dict[str, Any] = (await client.get(f"/v1/jobs/{job_id}")).json()["pool"]
        if pool["state"] == state:
            return pool
        await asyncio.sleep(0.1)
    raise AssertionError(f"pool of job {job_id} never reported {state}: {pool}")


async def test_an_engine_without_a_pool_is_refused_then_waits_visibly(
    hostile_api: Stack, client: httpx.AsyncClient,
) -> None:
    stata: dict[str, object] = {**OLS, "engine": "stata"}
    body = assert_catalogued(await client.post("/v1/jobs", json=stata), "ENGINE_NOT_SERVED")
    assert body["details"]["engine"] == "stata"
    await _declare_pool(hostile_api, "stata")
    job_id = await new_job(client, stata)
    await client.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
    submitted = await client.post(f"/v1/jobs/{job_id}/submit")
    assert submitted.status_code == 202
    assert submitted.json()["pool"]["name"] == "stata"
    idle = await _pool_of(client, job_id, "no_workers")
    assert "stata" in idle["message"]
    # A worker of the pool asks for work (and is handed this job's run item).
    from libs.bus.connection import connect

    worker = await connect(hostile_api.nats.url, name="ss-worker-test",
                           creds=hostile_api.nats.creds("worker"))
    try:
        sub = await worker.js.pull_subscribe_bind("worker-stata", stream="SS_WORK")
        taken = await sub.fetch(1, timeout=5)
        busy = await _pool_of(client, job_id, "busy")
        assert busy["in_flight"] == 1
        waiting = asyncio.ensure_future(sub.fetch(1, timeout=20))
        serving = await _pool_of(client, job_id, "serving")
        assert serving["waiting_pulls"] >= 1
        assert serving["message"] is None
        waiting.cancel()
        with contextlib.suppress(BaseException):
            await waiting
        await taken[0].term()
    finally:
        await worker.close()
    cancelled = (await client.post(f"/v1/jobs/{job_id}/cancel")).json()
    assert cancelled["state"] in TERMINAL_STATES
    assert cancelled["pool"] is None


async def test_the_default_pool_is_never_refused_but_says_when_nobody_pulls(
    client: httpx.AsyncClient,
) -> None:
    job_id = await new_job(client)
    await client.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
    assert (await client.post(f"/v1/jobs/{job_id}/submit")).status_code == 202
    pool = await _pool_of(client, job_id, "no_workers")
    assert pool["name"] == "embedded"
