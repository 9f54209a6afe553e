"""The run item an API process publishes carries the inputs it normalised at upload
(``SS_WORK_INLINE_MAX_BYTES``), on submit and on retry, and a worker runs the job from that
copy without the stored object; with the setting at 0 the item is the older shape. Real NATS
and S3, the API as a process, the worker's handler in this one (embedded engine)."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from dev.servers import NatsServer, S3Server
from dev.stack import Stack
from libs import names
from libs.bus.connection import Bus, connect
from libs.bus.consumer import Delivery
from libs.bus.jobstore import JobStore
from libs.contracts.jobs import JobState
from libs.contracts.work import RunWork
from libs.datasets.packed import unpack
from libs.runners.embedded import EmbeddedRunner
from libs.settings import Settings
from libs.storage import ObjectStore
from services.common.library import catalogue_for
from services.worker.attempt import RunHandler
from tests.api.conftest import AUTO_CSV, REPO, client_for, new_job

#: the default pool of each API below: no worker takes its items, the test reads them
POOL, ZERO_POOL = "inlinerun", "inlinezero"


def _stack(nats: NatsServer, s3: S3Server, root: Path, **settings: str) -> Iterator[Stack]:
    stack = Stack(nats=nats, s3=s3, root=root,
                  settings={"SS_DO_LIBRARY": str(REPO / "do_library"), **settings})
    stack.start_api()
    yield stack
    stack.stop_all()


@pytest.fixture(scope="module")
def inline_api(nats_server: NatsServer, s3_server: S3Server,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from _stack(nats_server, s3_server, tmp_path_factory.mktemp("inline"), SS_POOL=POOL)


@pytest.fixture(scope="module")
def zero_api(nats_server: NatsServer, s3_server: S3Server,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from _stack(nats_server, s3_server, tmp_path_factory.mktemp("zero"),
                      SS_POOL=ZERO_POOL, SS_WORK_INLINE_MAX_BYTES="0")


@pytest.fixture
async def bus(nats_server: NatsServer) -> AsyncIterator[Bus]:
    b = await connect(nats_server.url, name="inline-test", creds=nats_server.creds("admin"))
    yield b
    await b.close()


def _fresh() -> bytes:
    """auto.csv with one row more that no earlier upload had (no cache holds it)."""
    return AUTO_CSV + f"x{secrets.token_hex(4)},5000,20,3,2.5,12,3000,190,40,200,3.1,0\n".encode()


async def _uploaded(c: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    """A new job with a fresh upload the API normalised; the upload's listing."""
    job_id = await new_job(c)
    response = await c.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=_fresh())
    assert response.status_code == 201, response.text
    listed: dict[str, Any] = response.json()
    assert listed["normalised"] is not None
    return job_id, listed


async def _taken(bus: Bus, pool: str, job_id: str, submission: int) -> bytes:
    """The run item of ``job_id``'s ``submission`` as stored, removed from the stream (no
    worker consumes ``pool``)."""
    msg = await bus.js.get_last_msg(names.WORK_STREAM, names.run_subject(pool))
    item = msgspec.json.decode(msg.data)
    assert (item["job_id"], item["submission"]) == (job_id, submission)
    await bus.js.delete_msg(names.WORK_STREAM, msg.seq)
    return msg.data


async def test_the_run_item_carries_the_normalised_input_and_the_worker_runs_from_it(
        inline_api: Stack, bus: Bus, objects: ObjectStore, nats_server: NatsServer,
        s3_server: S3Server, tmp_path: Path) -> None:
    async with client_for(inline_api, "ss-dev-key") as c:
        job_id, listed = await _uploaded(c)
        assert (await c.post(f"/v1/jobs/{job_id}/submit")).status_code == 202
    raw = await _taken(bus, POOL, job_id, 1)
    key = listed["normalised"]["key"]
    stored = await objects.get_bytes(key)
    assert msgspec.json.decode(raw, type=RunWork).inline == {key: stored}
    assert hashlib.sha256(stored).hexdigest() == listed["normalised"]["sha256"]

    # Without the stored object only the item's copy can spare the worker the upload's read.
    await objects.delete(key)
    settings = Settings(nats_url=nats_server.url, nats_creds=nats_server.creds("admin"),
                        s3_endpoint=s3_server.endpoint, s3_access_key=s3_server.access_key,
                        s3_secret_key=s3_server.secret_key, workdir=str(tmp_path / "w"))
    store = await JobStore.open(bus)
    handler = RunHandler(bus=bus, store=store, objects=objects, runner=EmbeddedRunner(),
                         catalogue=catalogue_for(settings), settings=settings,
                         worker_id="w-inline")
    try:
        await handler.handle(Delivery(data=raw, num_delivered=1, stream_seq=1))
    finally:
        handler.close()
    record, _ = await store.get("dev", job_id)
    assert record.state is JobState.FORMATTING, record.error
    run = json.loads(await objects.get_bytes(
        names.attempt_key("dev", job_id, 1, "run.json")))
    assert run["inputs_reused"] == ["main"]  # not read again by the worker
    # The attempt's normalised input is the API's, byte for byte, as a download gives it.
    (tmp_path / "packed").write_bytes(stored)
    report = unpack(tmp_path / "packed", tmp_path / "expected.dta")
    assert run["inputs"]["main"]["rows"] == report.rows == 75
    assert await objects.get_bytes(names.attempt_key("dev", job_id, 1, "inputs/main.dta")) \
        == (tmp_path / "expected.dta").read_bytes()


async def test_a_retry_s_run_item_carries_it_too(inline_api: Stack, bus: Bus,
                                                 objects: ObjectStore) -> None:
    async with client_for(inline_api, "ss-dev-key") as c:
        job_id, listed = await _uploaded(c)
        assert (await c.post(f"/v1/jobs/{job_id}/submit")).status_code == 202
        await _taken(bus, POOL, job_id, 1)
        assert (await c.post(f"/v1/jobs/{job_id}/cancel")).status_code == 200
        assert (await c.post(f"/v1/jobs/{job_id}/retry")).status_code == 202
    work = msgspec.json.decode(await _taken(bus, POOL, job_id, 2), type=RunWork)
    key = listed["normalised"]["key"]
    assert work.inline == {key: await objects.get_bytes(key)}


async def test_with_the_setting_at_zero_the_run_item_carries_nothing(
        inline_api: Stack, zero_api: Stack, bus: Bus) -> None:
    carried: dict[str, int] = {}
    for api, pool in ((inline_api, POOL), (zero_api, ZERO_POOL)):
        async with client_for(api, "ss-dev-key") as c:
            job_id, _ = await _uploaded(c)  # normalised and stored either way
            assert (await c.post(f"/v1/jobs/{job_id}/submit")).status_code == 202
        raw = await _taken(bus, pool, job_id, 1)
        carried[pool] = len(json.loads(raw).get("inline", {}))
        if pool == ZERO_POOL:
            # The shape a release without the field publishes and reads.
            assert json.loads(raw) == {"tenant": "dev", "job_id": job_id, "submission": 1}
    assert carried == {POOL: 1, ZERO_POOL: 0}
