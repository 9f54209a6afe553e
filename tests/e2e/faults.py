"""The fault suite's client and its audit of what the system did to every job.

``PatientClient`` behaves as a careful client should: it retries a 503 or 429 after
``Retry-After``, a 409 ``IDEMPOTENCY_KEY_IN_PROGRESS`` likewise, and a dropped connection, each
time with the same ``Idempotency-Key``; it records every error code it was answered with.
``audit`` then checks the promises a fault must not break: no job lost, none failed, exactly
one ``completed`` event per job, one successful attempt, no duplicate outputs, and only
catalogued error codes anywhere.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter, defaultdict
from typing import Any

import boto3
import httpx
from botocore.config import Config

from dev.servers import S3Server
from dev.stack import TERMINAL
from libs import names
from libs.bus.connection import Bus
from libs.contracts.errors import ErrorCode
from libs.contracts.events import JobCompleted, decode_event
from tests.jetstream import stored

CATALOGUE = {code.value for code in ErrorCode}
TENANT = "dev"
_RETRIED = {"SERVICE_UNAVAILABLE", "RATE_LIMITED", "IDEMPOTENCY_KEY_IN_PROGRESS"}


class PatientClient:
    """A well-behaved API client that rides out outages."""

    def __init__(self, base_url: str, key: str = "ss-dev-key", give_up_s: float = 180) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30,
                                      headers={"authorization": f"Bearer {key}"})
        self.give_up_s = give_up_s
        #: every error code the API answered with, and transport failures by kind
        self.codes: Counter[str] = Counter()
        self.transport_errors: Counter[str] = Counter()

    async def close(self) -> None:
        await self.http.aclose()

    async def call(self, method: str, url: str, expect: int, *, key: str | None = None,
                   **kwargs: Any) -> dict[str, Any]:
        """``method url`` until it answers ``expect``; a refusal that retrying cannot cure
        fails the test."""
        headers = {"idempotency-key": key} if key else {}
        deadline = time.monotonic() + self.give_up_s
        while True:
            wait = 0.5
            try:
                response = await self.http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                self.transport_errors[type(exc).__name__] += 1
            else:
                if response.status_code == expect:
                    body: dict[str, Any] = response.json()
                    return body
                status = response.status_code
                code = response.json().get("error_code", f"uncatalogued HTTP {status}")
                self.codes[code] += 1
                assert code in _RETRIED, f"{method} {url}: {response.status_code} {response.text}"
                wait = float(response.headers.get("retry-after", wait))
            assert time.monotonic() < deadline, f"{method} {url}: gave up"
            await asyncio.sleep(wait)

    async def start_job(self, template_id: str, params: dict[str, Any], data: bytes,
                        formats: list[str]) -> str:
        """Create (with an Idempotency-Key), upload and submit (with another): the job id."""
        job = await self.call("POST", "/v1/jobs", 201, key=uuid.uuid4().hex, json={
            "template_id": template_id, "params": params, "output_formats": formats})
        job_id = str(job["id"])
        await self.call("PUT", f"/v1/jobs/{job_id}/inputs/data.csv", 201, content=data)
        await self.call("POST", f"/v1/jobs/{job_id}/submit", 202, key=uuid.uuid4().hex)
        return job_id

    async def finished(self, job_id: str) -> dict[str, Any]:
        """The job once it is terminal."""
        deadline = time.monotonic() + self.give_up_s
        while True:
            job = await self.call("GET", f"/v1/jobs/{job_id}", 200)
            if job["state"] in TERMINAL:
                return job
            assert time.monotonic() < deadline, f"job {job_id} stuck in {job['state']}"
            await asyncio.sleep(0.25)


async def completed_events(bus: Bus) -> dict[str, list[JobCompleted]]:
    """Every ``completed`` event ``SS_EVENTS`` holds for the tenant, by job."""
    found: dict[str, list[JobCompleted]] = defaultdict(list)
    subject = f"ss.events.{TENANT}.*.completed"
    for data in await stored(bus, names.EVENTS_STREAM, subject):
        event = decode_event(data)
        assert isinstance(event, JobCompleted)
        found[event.job_id].append(event)
    return found


def stored_outputs(s3: S3Server, job_ids: list[str]) -> dict[str, list[str]]:
    """The keys under each job's ``outputs/`` prefix in the bucket (one listing of the
    tenant's jobs, not one per job)."""
    client = boto3.client("s3", endpoint_url=s3.endpoint, aws_access_key_id=s3.access_key,
                          aws_secret_access_key=s3.secret_key, region_name="us-east-1",
                          config=Config(s3={"addressing_style": "path"}))
    found: dict[str, list[str]] = {job_id: [] for job_id in job_ids}
    prefix = names.job_prefix(TENANT, job_ids[0]).rsplit("/", 2)[0] + "/"
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=s3.bucket,
                                                                 Prefix=prefix):
        for item in page.get("Contents", []):
            job_id, _, rest = item["Key"][len(prefix):].partition("/")
            if job_id in found and rest.startswith("outputs/"):
                found[job_id].append(item["Key"])
    return {job_id: sorted(keys) for job_id, keys in found.items()}


async def audit(bus: Bus, s3: S3Server, jobs: list[dict[str, Any]],
                clients: list[PatientClient]) -> None:
    """Nothing lost, nothing failed, nothing done twice, nothing uncatalogued."""
    ids = [job["id"] for job in jobs]
    assert len(set(ids)) == len(ids), "a job id was handed out twice"
    failed = Counter(f"{job['state']} {(job['error'] or {}).get('error_code')}"
                     for job in jobs if job["state"] != "succeeded")
    assert not failed, f"{failed.total()} of {len(jobs)} jobs did not succeed: {failed}"
    codes: Counter[str] = Counter()
    for client in clients:
        codes += client.codes
    for job in jobs:
        outcomes = [a["outcome"] for a in job["attempts"]]
        assert outcomes.count("succeeded") == 1, (job["id"], outcomes)
        assert set(outcomes) <= {"succeeded", "lost", "released", "transient"}, outcomes
        codes.update(a["error"]["error_code"] for a in job["attempts"] if a["error"])
    uncatalogued = set(codes) - CATALOGUE
    assert not uncatalogued, f"codes outside docs/errors.md: {uncatalogued}"
    events = await completed_events(bus)
    counts = Counter(len(events.get(job_id, [])) for job_id in ids)
    assert counts == Counter({1: len(ids)}), f"completed events per job: {counts}"
    assert all(events[i][0].status == "succeeded" for i in ids)
    outputs = await asyncio.to_thread(stored_outputs, s3, ids)
    for job in jobs:
        indexed = [a["key"] for a in job["artifacts"] if a["kind"] == "output"]
        assert len(indexed) == len(set(indexed)), (job["id"], indexed)
        assert outputs[job["id"]] == sorted(indexed), (job["id"], outputs[job["id"]])
