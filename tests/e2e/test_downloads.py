"""Artifact downloads through the API: streamed, presigned, and while S3 is down."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from compose.e2e_check import run_check
from dev.servers import S3Server
from dev.stack import Client, Stack, csv_bytes

pytestmark = pytest.mark.slow


async def test_the_operators_check_passes_with_presigned_downloads(
    stack: Stack, tmp_path: Path
) -> None:
    dataset = tmp_path / "data.csv"
    dataset.write_bytes(csv_bytes(6))
    result = await run_check(stack.api_url, "ss-dev-key", "sleepy", {"var": "x", "ms": 0},
                             dataset, ("csv", "json", "xlsx"), tmp_path / "out", timeout=60,
                             presigned=True)
    assert result.ok, result.summary()
    by_name = {a.name: a for a in result.artifacts}
    assert {"results.json", "report.xlsx", "main.do", "results/doubled.csv"} <= set(by_name)
    assert by_name["results/doubled.csv"].path.read_bytes().startswith(b"x,doubled")


async def test_a_redirect_points_at_s3_and_needs_no_api_key(
    stack: Stack, client: Client
) -> None:
    job_id = await client.run("sleepy", {"var": "x", "ms": 0}, csv_bytes(3), formats=["csv"])
    await client.wait(job_id)
    redirect = await client.http.get(f"/v1/jobs/{job_id}/artifacts/main.do",
                                     params={"redirect": "true"})
    assert redirect.status_code == 307, redirect.text
    location = redirect.headers["location"]
    assert location.startswith(stack.s3.endpoint)
    async with httpx.AsyncClient() as anonymous:
        fetched = await anonymous.get(location)
    streamed = await client.http.get(f"/v1/jobs/{job_id}/artifacts/main.do")
    assert fetched.status_code == 200
    assert fetched.content == streamed.content
    assert b"sleep" in fetched.content


async def test_a_download_while_s3_is_down_is_a_503_before_any_byte(
    stack: Stack, client: Client, s3_server: S3Server
) -> None:
    job_id = await client.run("sleepy", {"var": "x", "ms": 0}, csv_bytes(3), formats=["json"])
    await client.wait(job_id)
    await asyncio.to_thread(s3_server.stop)
    try:
        response = await client.http.get(f"/v1/jobs/{job_id}/artifacts/results.json")
    finally:
        await asyncio.to_thread(s3_server.start)
    assert response.status_code == 503
    assert response.json()["error_code"] == "SERVICE_UNAVAILABLE"
    assert int(response.headers["retry-after"]) >= 1
    after = await client.http.get(f"/v1/jobs/{job_id}/artifacts/results.json")
    assert after.status_code == 200
    assert after.json()
