"""SS_WORKER_MAX_MEMORY end to end: a real api, worker and formatter on real NATS and S3. Each
run gets its share of the worker's memory, both for normalising its input and in the engine;
a run past it fails as JOB_MEMORY_EXCEEDED and the worker lives on to run the next job."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dev.servers import NatsServer, S3Server
from dev.stack import Client, Stack
from tests.api.conftest import REPO

#: Two slots of a 160 MiB worker: 80 MiB per run, over SS_JOB_MEMORY_MB's 4 GiB default.
MAX_MEMORY_MIB, SLOTS = 160, 2


@pytest.fixture(scope="module")
def stack(nats_server: NatsServer, s3_server: S3Server,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(nats=nats_server, s3=s3_server, root=Path(tmp_path_factory.mktemp("memory")),
                  settings={"SS_DO_LIBRARY": str(REPO / "do_library"),
                            "SS_WORKER_SLOTS": str(SLOTS),
                            "SS_WORKER_MAX_MEMORY": str(MAX_MEMORY_MIB)})
    stack.start_api()
    stack.start_worker()
    stack.start_formatter()
    yield stack
    stack.stop_all()


def numbers_csv(rows: int) -> bytes:
    """y, x, z: three columns of numbers (about 30 bytes a row)."""
    rng = np.random.default_rng(17)
    x, z = rng.normal(size=rows).round(6), rng.normal(size=rows).round(6)
    y = (1 + 2 * x - z + rng.normal(size=rows)).round(6)
    lines = "\n".join(f"{a},{b},{c}" for a, b, c in zip(y, x, z, strict=True))
    return ("y,x,z\n" + lines + "\n").encode()


async def run_ols(client: Client, data: bytes) -> dict[str, Any]:
    job_id = await client.run("ols", {"depvar": "y", "indepvars": ["x", "z"]}, data, ["json"],
                              name="numbers.csv")
    return await client.wait(job_id, timeout=240)


async def test_a_run_past_its_share_of_the_worker_memory_fails_cleanly_and_the_worker_lives_on(
        client: Client, stack: Stack) -> None:
    # ~45 MB of text: the parser alone holds more than the run's 80 MiB.
    big = await run_ols(client, numbers_csv(1_500_000))
    assert (big["state"], big["error"]["error_code"]) == ("failed", "JOB_MEMORY_EXCEEDED")
    assert big["error"]["details"] == {"input": "numbers.csv", "limit": "memory_bytes",
                                       "step": "normalise"}
    # The engine gets the same share (SS_JOB_MEMORY_MB alone would allow 4 GiB): 10M doubles
    # are 80 MB before any copy.
    response = await client.http.post("/v1/jobs", json={
        "dofile": {"source": "set obs 10000000\ngenerate double x = 1\n"}})
    assert response.status_code == 201, response.text
    job_id = response.json()["id"]
    await client.submit(job_id)
    engine = await client.wait(job_id, timeout=240)
    assert (engine["state"], engine["error"]["error_code"]) == ("failed", "JOB_MEMORY_EXCEEDED")
    assert engine["error"]["details"]["limit"] == "memory_bytes"
    # Neither was an OOM kill: the same worker process runs the next job.
    small = await run_ols(client, numbers_csv(200))
    assert small["state"] == "succeeded", small["error"]
    assert stack.procs["worker"].poll() is None
