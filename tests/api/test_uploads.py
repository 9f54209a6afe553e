"""Presigned single and multipart uploads against the real S3 server."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dev.servers import OPERATOR_TOKEN, NatsServer, S3Server
from dev.stack import Stack
from tests.api.conftest import AUTO_CSV, REPO, client_for, new_job, new_key


@pytest.fixture(scope="module")
def uploads_api(nats_server: NatsServer, s3_server: S3Server,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """URLs signed for ``localhost`` (the "public" name) while the services use 127.0.0.1."""
    public = s3_server.endpoint.replace("127.0.0.1", "localhost")
    stack = Stack(nats=nats_server, s3=s3_server, root=Path(tmp_path_factory.mktemp("up")),
                  settings={"SS_DO_LIBRARY": str(REPO / "do_library"),
                            "SS_UPLOAD_MAX_BYTES": str(64 * 1024**2),
                            "SS_PRESIGN_SINGLE_MAX_BYTES": str(1024**2),
                            "SS_PRESIGN_EXPIRY_S": "3",
                            "SS_S3_PUBLIC_ENDPOINT": public})
    stack.start_api()
    yield stack
    stack.stop_all()


@pytest.fixture
async def c(uploads_api: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(uploads_api, "ss-dev-key") as client:
        yield client


async def _start(c: httpx.AsyncClient, job_id: str, data: bytes, name: str = "auto.csv",
                 sha: str | None = None, size: int | None = None) -> dict[str, Any]:
    response = await c.post(f"/v1/jobs/{job_id}/uploads", json={
        "name": name, "size": len(data) if size is None else size,
        "sha256": sha or hashlib.sha256(data).hexdigest(), "content_type": "text/csv"})
    assert response.status_code == 201, response.text
    plan: dict[str, Any] = response.json()
    return plan


async def test_single_presigned_put_is_verified_and_listed(c: httpx.AsyncClient) -> None:
    job_id = await new_job(c)
    plan = await _start(c, job_id, AUTO_CSV)
    assert plan["method"] == "PUT"
    assert plan["url"].startswith("http://localhost:")  # signed for the public endpoint
    async with httpx.AsyncClient() as s3:
        put = await s3.put(plan["url"], content=AUTO_CSV, headers=plan["headers"])
        assert put.status_code == 200, put.text
    done = await c.post(f"/v1/jobs/{job_id}/uploads/{plan['upload_id']}/complete", json={})
    assert done.status_code == 201, done.text
    assert done.json()["sha256"] == hashlib.sha256(AUTO_CSV).hexdigest()
    job = (await c.get(f"/v1/jobs/{job_id}")).json()
    assert [f["name"] for f in job["inputs"]] == ["auto.csv"]
    assert job["pending_uploads"] == []
    # Under SS_API_NORMALISE_MAX_BYTES: stored normalised beside the upload, under the job.
    assert job["inputs"][0]["normalised"]["key"] == \
        f"tenants/dev/jobs/{job_id}/normalised/{plan['upload_id']}"
    assert (await c.post(f"/v1/jobs/{job_id}/submit")).status_code == 202


async def test_checksum_size_and_missing_object_are_refused(c: httpx.AsyncClient) -> None:
    job_id = await new_job(c)
    wrong = await _start(c, job_id, AUTO_CSV, sha="0" * 64)
    early = await c.post(f"/v1/jobs/{job_id}/uploads/{wrong['upload_id']}/complete", json={})
    assert early.status_code == 409
    assert early.json()["error_code"] == "UPLOAD_INCOMPLETE"
    wrong = await _start(c, job_id, AUTO_CSV, sha="0" * 64)
    async with httpx.AsyncClient() as s3:
        await s3.put(wrong["url"], content=AUTO_CSV, headers=wrong["headers"])
        response = await c.post(f"/v1/jobs/{job_id}/uploads/{wrong['upload_id']}/complete",
                                json={})
        assert response.status_code == 422
        assert response.json()["error_code"] == "UPLOAD_CHECKSUM_MISMATCH"
        short = await _start(c, job_id, AUTO_CSV, size=len(AUTO_CSV) + 5)
        await s3.put(short["url"], content=AUTO_CSV, headers=short["headers"])
        response = await c.post(f"/v1/jobs/{job_id}/uploads/{short['upload_id']}/complete",
                                json={})
        assert response.status_code == 422
        assert response.json()["error_code"] == "UPLOAD_SIZE_MISMATCH"
    job = (await c.get(f"/v1/jobs/{job_id}")).json()
    assert job["inputs"] == []
    gone = await c.post(f"/v1/jobs/{job_id}/uploads/{wrong['upload_id']}/complete", json={})
    assert gone.status_code == 404
    assert gone.json()["error_code"] == "UPLOAD_NOT_FOUND"
    too_big = await c.post(f"/v1/jobs/{job_id}/uploads", json={
        "name": "x.csv", "size": 65 * 1024**2, "sha256": "0" * 64})
    assert too_big.status_code == 413


async def test_expired_url_is_refused_by_s3_and_can_be_refreshed(c: httpx.AsyncClient) -> None:
    job_id = await new_job(c)
    plan = await _start(c, job_id, AUTO_CSV)
    await asyncio.sleep(4)
    async with httpx.AsyncClient() as s3:
        late = await s3.put(plan["url"], content=AUTO_CSV, headers=plan["headers"])
        assert late.status_code == 403
        fresh = (await c.post(f"/v1/jobs/{job_id}/uploads/{plan['upload_id']}/parts",
                              json={"numbers": [1]})).json()
        assert (await s3.put(fresh["url"], content=AUTO_CSV,
                             headers=fresh["headers"])).status_code == 200
    done = await c.post(f"/v1/jobs/{job_id}/uploads/{plan['upload_id']}/complete", json={})
    assert done.status_code == 201


async def test_multipart_upload_with_etags(c: httpx.AsyncClient) -> None:
    rows = b"".join(b"%d,%d,%d\n" % (i, i * 3 % 17, i * 7 % 101) for i in range(1_200_000))
    data = b"id,a,b\n" + rows + os.urandom(0)
    job_id = await new_job(c)
    plan = await _start(c, job_id, data, name="big.csv")
    assert plan["method"] == "multipart"
    size = plan["part_size"]
    etags = []
    async with httpx.AsyncClient(timeout=60) as s3:
        for part in plan["parts"]:
            chunk = data[(part["number"] - 1) * size: part["number"] * size]
            response = await s3.put(part["url"], content=chunk)
            assert response.status_code == 200, response.text
            etags.append({"number": part["number"], "etag": response.headers["etag"]})
    assert len(etags) >= 2
    bad = [{"number": e["number"], "etag": '"0000"'} for e in etags]
    refused = await c.post(f"/v1/jobs/{job_id}/uploads/{plan['upload_id']}/complete",
                           json={"parts": bad})
    assert refused.status_code == 422
    assert refused.json()["error_code"] == "UPLOAD_PARTS_INVALID"
    done = await c.post(f"/v1/jobs/{job_id}/uploads/{plan['upload_id']}/complete",
                        json={"parts": etags})
    assert done.status_code == 201, done.text
    assert done.json()["size"] == len(data)
    assert {col["name"] for col in done.json()["columns"]} == {"id", "a", "b"}


async def test_another_tenant_cannot_use_a_jobs_uploads(uploads_api: Stack,
                                                        c: httpx.AsyncClient) -> None:
    job_id = await new_job(c)
    plan = await _start(c, job_id, AUTO_CSV)
    async with client_for(uploads_api, OPERATOR_TOKEN) as operator, client_for(
            uploads_api, await new_key(operator, "intruder")) as other:
        for path, body in ((f"/v1/jobs/{job_id}/uploads", {
                "name": "x.csv", "size": 3, "sha256": "0" * 64}),
                (f"/v1/jobs/{job_id}/uploads/{plan['upload_id']}/parts", {"numbers": [1]}),
                (f"/v1/jobs/{job_id}/uploads/{plan['upload_id']}/complete", {})):
            response = await other.post(path, json=body)
            assert response.status_code == 404, path
            assert response.json()["error_code"] == "JOB_NOT_FOUND"
