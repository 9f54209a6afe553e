"""nats-server restarted while jobs are queued and running: nothing lost, nothing run twice."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.stack import Client, Stack, csv_bytes
from tests.servers import NatsServer

pytestmark = pytest.mark.slow


async def test_jobs_survive_a_nats_restart(
    stack: Stack, client: Client, nats_server: NatsServer
) -> None:
    ids = [await client.run("sleepy", {"var": "x", "ms": 1500}, csv_bytes(3))
           for _ in range(6)]
    await client.wait(ids[0], {"running"})
    await asyncio.to_thread(nats_server.restart)
    jobs = []
    for job_id in ids:
        for _ in range(100):  # the API itself reconnects; give it a moment
            try:
                jobs.append(await client.wait(job_id, timeout=90))
                break
            except AssertionError:
                raise
            except Exception:
                await asyncio.sleep(0.2)
    assert [j["state"] for j in jobs] == ["succeeded"] * len(ids), [j["error"] for j in jobs]
    for job in jobs:
        outcomes = [a["outcome"] for a in job["attempts"]]
        assert outcomes.count("succeeded") == 1, outcomes
    # Every service is still serving without a restart.
    later = await client.run("sleepy", {"var": "x", "ms": 0}, csv_bytes(2))
    assert (await client.wait(later))["state"] == "succeeded"
