"""The job pipeline end to end: api, two workers and a formatter as separate processes."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import signal
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dev.stack import Client, Stack, csv_bytes
from libs import names
from libs.bus.connection import Bus
from libs.contracts.events import decode_event

pytestmark = pytest.mark.slow


@contextlib.asynccontextmanager
async def recorded_events(bus: Bus, subject: str) -> AsyncIterator[dict[str, list[Any]]]:
    """Every event on ``subject`` (core NATS), grouped by job id."""
    seen: dict[str, list[Any]] = defaultdict(list)

    async def on_msg(msg: Any) -> None:
        event = decode_event(msg.data)
        seen[event.job_id].append(event)

    sub = await bus.nc.subscribe(subject, cb=on_msg)
    try:
        yield seen
    finally:
        await sub.unsubscribe()


async def sse_events(client: Client, job_id: str) -> list[tuple[str, dict[str, Any]]]:
    got: list[tuple[str, dict[str, Any]]] = []
    kind = ""
    async with client.http.stream("GET", f"/v1/jobs/{job_id}/events") as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                got.append((kind, json.loads(line.split(":", 1)[1])))
    return got


async def test_job_walks_every_state_with_events_in_order(
    stack: Stack, client: Client, bus: Bus
) -> None:
    async with recorded_events(bus, "ss.events.>") as every, \
            recorded_events(bus, "ss.events.*.*.completed") as completed:
        job_id = await client.run("sleepy", {"var": "x", "ms": 50}, csv_bytes(12),
                                  formats=["csv", "json", "xlsx", "log", "do"])
        job = await client.wait(job_id)
        await asyncio.sleep(0.5)
    assert job["state"] == "succeeded", job["error"]
    assert [type(e).__name__ for e in every[job_id]] == [
        "JobCreated", "JobQueued", "JobRunning", "JobFormatting", "JobCompleted"]
    assert [e.status for e in completed[job_id]] == ["succeeded"]
    sse = await sse_events(client, job_id)
    assert [k for k, _ in sse] == ["created", "queued", "running", "formatting", "completed"]
    assert sse[-1][1]["status"] == "succeeded"

    raw = {a["name"] for a in job["artifacts"] if a["kind"] == "raw"}
    assert {"main.do", "main.log", "run.json", "inputs/main.dta",
            "results/doubled.csv"} <= raw
    outputs = {a["name"] for a in job["artifacts"] if a["kind"] == "output"}
    assert {"main.log", "main.do", "results.json", "report.xlsx"} <= outputs
    table = await client.http.get(f"/v1/jobs/{job_id}/artifacts/results/doubled.csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [float(r["doubled"]) for r in rows] == [2.0 * i for i in range(1, 13)]
    do_file = (await client.http.get(f"/v1/jobs/{job_id}/artifacts/main.do")).text
    assert 'local var "x"' in do_file
    assert "sleep `ms'" in do_file


async def test_jobs_on_the_same_bytes_reuse_the_normalised_input(
    stack: Stack, client: Client
) -> None:
    # Two workers, three jobs of one tenant on one file: some worker gets two of them and
    # prepares the later one from its input cache.
    data = csv_bytes(9)
    reused, tables = [], []
    for _ in range(3):
        job = await client.wait(await client.run("sleepy", {"var": "x", "ms": 0}, data))
        assert job["state"] == "succeeded", job["error"]
        run = (await client.http.get(f"/v1/jobs/{job['id']}/artifacts/run.json")).json()
        assert run["inputs"]["main"]["rows"] == 9
        reused.append(run["inputs_reused"])
        tables.append((await client.http.get(
            f"/v1/jobs/{job['id']}/artifacts/results/doubled.csv")).text)
    assert ["main"] in reused
    rows = list(csv.DictReader(io.StringIO(tables[0])))
    assert [float(r["doubled"]) for r in rows] == [2.0 * i for i in range(1, 10)]
    assert tables == [tables[0]] * 3


async def test_dofile_error_fails_once_with_code_rc_and_log(
    stack: Stack, client: Client, bus: Bus
) -> None:
    job_id = await client.run("failing", {"var": "x"}, csv_bytes(5))
    job = await client.wait(job_id)
    assert job["state"] == "failed"
    error = job["error"]
    assert error["error_code"] == "DOFILE_ERROR"
    assert error["details"]["rc"] == 9
    assert "assertion is false" in error["details"]["log_excerpt"]
    # The run item was acked, not left to lapse: nothing is pending or unacked that could
    # come back as a second attempt.
    consumer = names.worker_consumer("embedded")
    deadline = time.monotonic() + 10
    while True:
        info = await bus.js.consumer_info(names.WORK_STREAM, consumer)
        if info.num_ack_pending == 0 and info.num_pending == 0:
            break
        assert time.monotonic() < deadline, info
        await asyncio.sleep(0.1)
    job = await client.job(job_id)
    assert job["state"] == "failed"
    assert [a["outcome"] for a in job["attempts"]] == ["failed"]
    log = await client.http.get(f"/v1/jobs/{job_id}/artifacts/main.log")
    assert "r(9);" in log.text


async def test_timeout_kills_the_run_and_fails_with_its_own_code(
    stack: Stack, client: Client
) -> None:
    job = await client.create("sleepy", {"var": "x", "ms": 120_000}, timeout_s=1.5)
    await client.upload(job["id"], "data.csv", csv_bytes(3))
    started = time.monotonic()
    await client.submit(job["id"])
    done = await client.wait(job["id"], timeout=30)
    assert done["state"] == "failed"
    assert done["error"]["error_code"] == "JOB_TIMEOUT"
    assert time.monotonic() - started < 15
    assert [a["outcome"] for a in done["attempts"]] == ["timeout"]


async def test_cancel_kills_a_running_engine_within_a_heartbeat(
    stack: Stack, client: Client, bus: Bus
) -> None:
    async with recorded_events(bus, "ss.events.*.*.completed") as completed:
        job_id = await client.run("sleepy", {"var": "x", "ms": 120_000}, csv_bytes(3))
        await client.wait(job_id, {"running"})
        await asyncio.sleep(0.3)
        asked = time.monotonic()
        response = await client.http.post(f"/v1/jobs/{job_id}/cancel")
        assert response.status_code == 200
        assert response.json()["state"] == "cancelled"
        while True:
            job = await client.job(job_id)
            if job["attempts"] and job["attempts"][-1]["outcome"] == "cancelled":
                break
            assert time.monotonic() - asked < 2 / 3 + 1.5, "engine not stopped in time"
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
    assert job["state"] == "cancelled"
    assert [e.status for e in completed[job_id]] == ["cancelled"]
    # Cancelling again is a conflict with a code, not a crash.
    again = await client.http.post(f"/v1/jobs/{job_id}/cancel")
    assert again.status_code == 409
    assert again.json()["error_code"] == "JOB_STATE_CONFLICT"
    # A cancelled job can be retried and then runs to the end.
    retried = await client.http.post(f"/v1/jobs/{job_id}/retry")
    assert retried.status_code == 202


async def test_sigkill_of_a_worker_mid_run_is_taken_over(
    stack: Stack, client: Client, bus: Bus
) -> None:
    async with recorded_events(bus, "ss.events.*.*.completed") as completed:
        job_id = await client.run("sleepy", {"var": "x", "ms": 3000}, csv_bytes(4))
        job = await client.wait(job_id, {"running"})
        victim = job["attempts"][0]["worker_id"]
        stack.kill(victim)
        try:
            done = await client.wait(job_id, timeout=60)
        finally:
            stack.start_worker(victim)
        await asyncio.sleep(0.5)
    assert done["state"] == "succeeded", done["error"]
    attempts = done["attempts"]
    assert [a["outcome"] for a in attempts] == ["lost", "succeeded"]
    assert attempts[1]["worker_id"] != victim
    assert [e.status for e in completed[job_id]] == ["succeeded"]
    # The surviving attempt's raw files are all under its own prefix.
    for artifact in done["artifacts"]:
        if artifact["kind"] == "raw":
            assert artifact["attempt"] == 2
            assert "/attempts/2/" in artifact["key"]


async def test_a_format_that_cannot_render_fails_the_job_and_keeps_the_run(
    stack: Stack, client: Client, bus: Bus
) -> None:
    async with recorded_events(bus, "ss.events.*.*.completed") as completed:
        job_id = await client.run("malformed", {"var": "x"}, csv_bytes(3),
                                  formats=["log", "xlsx"])
        job = await client.wait(job_id)
        await asyncio.sleep(0.5)
    assert job["state"] == "failed"
    assert job["error"]["error_code"] == "OUTPUT_FORMATTER_FAILED"
    assert "coefficients.csv" in job["error"]["message"]
    assert [e.status for e in completed[job_id]] == ["failed"]
    raw = {a["name"] for a in job["artifacts"] if a["kind"] == "raw"}
    assert {"main.do", "main.log", "results/coefficients.csv"} <= raw


async def test_sigterm_releases_running_work_to_another_replica(
    stack: Stack, client: Client, bus: Bus
) -> None:
    async with recorded_events(bus, "ss.events.*.*.completed") as completed:
        job_id = await client.run("sleepy", {"var": "x", "ms": 8000}, csv_bytes(3))
        job = await client.wait(job_id, {"running"})
        holder = job["attempts"][0]["worker_id"]
        stack.kill(holder, signal.SIGTERM)  # grace is 1 s: the 8 s run cannot finish in it
        try:
            done = await client.wait(job_id, timeout=60)
        finally:
            stack.start_worker(holder)
        await asyncio.sleep(0.5)
    assert done["state"] == "succeeded", done["error"]
    assert [a["outcome"] for a in done["attempts"]] == ["released", "succeeded"]
    assert done["attempts"][1]["worker_id"] != holder
    assert [e.status for e in completed[job_id]] == ["succeeded"]
    # The released attempt's raw files were stored under its own prefix before it let go.
    released = [a for a in done["artifacts"] if a["attempt"] == 1]
    assert {"main.do", "inputs/main.dta"} <= {a["name"] for a in released}
