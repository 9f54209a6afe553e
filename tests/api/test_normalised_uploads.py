"""Uploads up to ``SS_API_NORMALISE_MAX_BYTES`` are stored normalised beside the upload;
larger ones are not; replacing an input removes both of its objects. Real NATS and S3."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from dev.servers import NatsServer, S3Server
from dev.stack import Stack
from libs.contracts.jobs import NormalisedInput
from libs.datasets.packed import normaliser_id, unpack
from libs.settings import Settings
from libs.storage import ObjectStore
from services.api.inputs import read_upload
from tests.api.conftest import AUTO_CSV, REPO, client_for, new_job

SMALL = b"price,mpg\n4099,22\n4749,17\n3799,22\n"
#: a bound between the two files
BOUND = 1024


@pytest.fixture(scope="module")
def bounded_api(nats_server: NatsServer, s3_server: S3Server,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    assert len(SMALL) <= BOUND < len(AUTO_CSV)
    stack = Stack(nats=nats_server, s3=s3_server, root=Path(tmp_path_factory.mktemp("norm")),
                  settings={"SS_DO_LIBRARY": str(REPO / "do_library"),
                            "SS_API_NORMALISE_MAX_BYTES": str(BOUND),
                            "SS_JOB_MEMORY_MB": "1024"})
    stack.start_api()
    yield stack
    stack.stop_all()


@pytest.fixture
async def c(bounded_api: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(bounded_api, "ss-dev-key") as client:
        yield client


async def _put(c: httpx.AsyncClient, job_id: str, data: bytes) -> dict[str, Any]:
    response = await c.put(f"/v1/jobs/{job_id}/inputs/data.csv", content=data)
    assert response.status_code == 201, response.text
    listed: dict[str, Any] = response.json()
    return listed


async def test_a_small_upload_is_stored_normalised_and_a_large_one_is_not(
        c: httpx.AsyncClient, objects: ObjectStore, tmp_path: Path) -> None:
    job_id = await new_job(c)
    listed = await _put(c, job_id, SMALL)
    assert listed["normalised"] is not None
    normalised = NormalisedInput(**listed["normalised"])
    assert normalised.normaliser == normaliser_id()
    assert normalised.limits["memory_bytes"] == 1024 * 1024**2  # SS_JOB_MEMORY_MB
    assert normalised.key.startswith(f"tenants/dev/jobs/{job_id}/")
    stored = await objects.get_bytes(normalised.key)
    assert len(stored) == normalised.size
    assert hashlib.sha256(stored).hexdigest() == normalised.sha256
    (tmp_path / "packed").write_bytes(stored)
    report = unpack(tmp_path / "packed", tmp_path / "data.dta")
    assert report.rows == 3
    assert pd.read_stata(tmp_path / "data.dta")["price"].tolist() == [4099, 4749, 3799]
    # The column map on the record is the report's.
    assert listed["columns"] == [{"name": c.name, "original": c.original, "kind": c.kind.value}
                                 for c in report.columns]

    replaced = await _put(c, job_id, AUTO_CSV)  # over the bound: the worker normalises it
    assert replaced["normalised"] is None
    assert [col["name"] for col in replaced["columns"]][:3] == ["make", "price", "mpg"]
    job = (await c.get(f"/v1/jobs/{job_id}")).json()
    assert [f["normalised"] for f in job["inputs"]] == [None]
    assert await objects.head(normalised.key) is None  # went with the input it belonged to


async def test_bytes_the_api_normalised_already_are_only_read(
        c: httpx.AsyncClient, objects: ObjectStore) -> None:
    data = b"price,weight\n5000,2930\n6000,3350\n"
    first = await _put(c, await new_job(c), data)
    assert first["normalised"] is not None
    # Same tenant, same bytes, same name: most likely in a worker's cache; nothing is stored.
    again = await _put(c, await new_job(c), data)
    assert again["normalised"] is None
    assert again["columns"] == first["columns"]
    renamed = await c.put(f"/v1/jobs/{await new_job(c)}/inputs/other.csv", content=data)
    assert renamed.status_code == 201, renamed.text
    assert renamed.json()["normalised"] is not None  # the name is part of what is read


async def test_an_object_s3_does_not_take_leaves_the_upload_to_the_worker(
        tmp_path: Path) -> None:
    # Nothing listens there: every request is refused, an outage like S3 going down.
    down = await ObjectStore.open(Settings(s3_endpoint="http://127.0.0.1:9", s3_access_key="k",
                                           s3_secret_key="s", s3_bucket="b"))
    spool = tmp_path / "spool"
    spool.write_bytes(SMALL)
    try:
        fmt, columns, normalised = await read_upload(
            down, spool, "data.csv", None, tenant="dev", sha256="0" * 64,
            normalise_max_bytes=BOUND, memory_bytes=0, key="tenants/dev/jobs/j/normalised/u")
    finally:
        await down.close()
    assert normalised is None
    assert (fmt, [c.name for c in columns]) == ("csv", ["price", "mpg"])
