"""Two API processes on one NATS and S3, as two replicas behind a load balancer: the per-key
rate limit is counted once for both, and either lists the jobs the other created, in the same
order, with cursors that work on both."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dev.servers import OPERATOR_TOKEN, NatsServer, S3Server
from dev.stack import Stack
from libs.storage import ObjectStore
from tests.api.conftest import AUTO_CSV, REPO, client_for, new_job, new_key

#: Each allowed request counts for BURST / RATE = 10 s: a test sending everything at once
#: sees exactly BURST allowed, whichever replica answers.
RATE, BURST = 1, 10


@pytest.fixture(scope="module")
def replicas(nats_server: NatsServer, s3_server: S3Server,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Stack]]:
    settings = {"SS_DO_LIBRARY": str(REPO / "do_library"),
                "SS_RATE_LIMIT_PER_S": str(RATE), "SS_RATE_LIMIT_BURST": str(BURST)}
    stacks = tuple(Stack(nats=nats_server, s3=s3_server,
                         root=Path(tmp_path_factory.mktemp(f"replica-{name}")),
                         settings=settings) for name in "ab")
    try:
        for stack in stacks:
            stack.start_api()
        yield stacks[0], stacks[1]
    finally:
        for stack in stacks:
            stack.stop_all()
    assert not nats_server.refusals(), "a service was refused by NATS"


async def _key(replica: Stack, tenant: str) -> str:
    async with client_for(replica, OPERATOR_TOKEN) as admin:
        return await new_key(admin, tenant)


async def test_the_rate_limit_of_a_key_holds_across_replicas(
        replicas: tuple[Stack, Stack]) -> None:
    key = await _key(replicas[0], "limited")
    async with client_for(replicas[0], key) as a, client_for(replicas[1], key) as b:
        began = time.monotonic()
        responses = await asyncio.gather(*((a, b)[i % 2].get("/v1/templates")
                                           for i in range(3 * BURST)))
        elapsed = time.monotonic() - began
    allowed = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 429]
    assert len(allowed) + len(refused) == len(responses)
    # A limit per process would let each replica allow BURST (2 x BURST in all); the shared one
    # allows BURST per window of BURST / RATE seconds, however long the requests took.
    assert BURST <= len(allowed) <= BURST * (1 + int(elapsed * RATE / BURST))
    assert {r.json()["error_code"] for r in refused} == {"RATE_LIMITED"}
    assert all(1 <= int(r.headers["retry-after"]) <= BURST / RATE for r in refused)


async def test_either_replica_lists_every_job_newest_first_with_the_same_cursors(
        replicas: tuple[Stack, Stack]) -> None:
    key = await _key(replicas[1], "listed")
    async with client_for(replicas[0], key) as a, client_for(replicas[1], key) as b:
        created = [await new_job((a, b)[i % 2]) for i in range(5)]
        for first, second in ((a, b), (b, a)):
            page = (await first.get("/v1/jobs", params={"limit": 3})).json()
            rest = (await second.get("/v1/jobs", params={
                "limit": 3, "cursor": page["next_cursor"]})).json()
            assert [j["id"] for j in page["items"] + rest["items"]] == created[::-1]
            assert rest["next_cursor"] is None


async def test_a_replica_decides_on_the_record_not_on_its_last_copy(
        replicas: tuple[Stack, Stack], objects: ObjectStore) -> None:
    """Each replica keeps the records it stored last as the first try of its next CAS on them
    (services/api/recent.py): what the other replica changed since must win over that copy."""
    key = await _key(replicas[0], "copies")
    async with client_for(replicas[0], key) as a, client_for(replicas[1], key) as b:
        job = await new_job(a)  # a's copy: no inputs
        uploaded = await b.put(f"/v1/jobs/{job}/inputs/auto.csv", content=AUTO_CSV)
        assert uploaded.status_code == 201, uploaded.text
        # On a's copy the job has no input to run on (INPUT_MISSING); on the record it has.
        submitted = await a.post(f"/v1/jobs/{job}/submit")
        assert submitted.status_code == 202, submitted.text
        assert [f["name"] for f in submitted.json()["inputs"]] == ["auto.csv"]
        # b's copy still says created: a's submit locks the inputs all the same, and the
        # refused upload's object is gone again.
        locked = await b.put(f"/v1/jobs/{job}/inputs/more.csv", content=AUTO_CSV)
        assert locked.status_code == 409
        assert locked.json()["error_code"] == "INPUT_LOCKED"
        after = (await b.get(f"/v1/jobs/{job}")).json()
    assert after["state"] == "queued"
    assert [f["name"] for f in after["inputs"]] == ["auto.csv"]
    stored = await objects.list_prefix(f"tenants/copies/jobs/{job}/")
    kept = after["inputs"][0]
    assert sorted(o.key for o in stored) == sorted([kept["key"], kept["normalised"]["key"]])


async def test_replicas_answer_on_their_own(replicas: tuple[Stack, Stack]) -> None:
    """Each replica serves with the other stopped (nothing either needs lives in the other)."""
    key = await _key(replicas[0], "alone")
    async with client_for(replicas[0], key) as a:
        job = await new_job(a)
    survivor = replicas[1]
    replicas[0].stop_all()
    try:
        async with httpx.AsyncClient(base_url=survivor.api_url, timeout=30,
                                     headers={"authorization": f"Bearer {key}"}) as b:
            assert (await b.get(f"/v1/jobs/{job}")).status_code == 200
            assert [j["id"] for j in (await b.get("/v1/jobs")).json()["items"]] == [job]
    finally:
        replicas[0].start_api()
