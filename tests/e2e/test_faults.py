"""The fault suite: the real servers and the services as separate processes, under load, while
S3 stops, NATS restarts, and workers and formatters are killed or stopped; and a burst.

Every scenario ends with ``faults.audit``: no job lost, none failed, exactly one ``completed``
event per job, one successful attempt each, no duplicate outputs, only catalogued codes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dev.servers import NatsServer, S3Server, free_port
from dev.stack import Client, Stack, csv_bytes, fresh_stack
from libs.bus.connection import Bus, connect
from libs.contracts.events import decode_event
from services.api.reindex import stored_job_ids
from tests.api.catalogue import assert_catalogued
from tests.e2e.faults import TENANT, PatientClient, audit, completed_events
from tests.jetstream import heard

pytestmark = pytest.mark.slow

DATA = csv_bytes(5)


def _readyz(port: int) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            return response.status, json.load(response)["problems"]
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)["problems"]


async def _spread(count: int, every_s: float,
                  start: Callable[[int], Awaitable[str]]) -> list[asyncio.Task[str]]:
    """``start(n)`` for n in 0..count-1, one every ``every_s`` seconds, as tasks."""
    tasks = []
    for n in range(count):
        tasks.append(asyncio.create_task(start(n)))
        await asyncio.sleep(every_s)
    return tasks


@contextlib.contextmanager
def _removed(folder: Path) -> Iterator[None]:
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.asynccontextmanager
async def patient_clients(stack: Stack, count: int = 4) -> Any:
    clients = [PatientClient(stack.api_url) for _ in range(count)]
    try:
        yield clients
    finally:
        for client in clients:
            await client.close()


async def test_jobs_ride_out_a_30_second_s3_outage(
    stack: Stack, bus: Bus, s3_server: S3Server
) -> None:
    probe_port = free_port()
    stack.start_worker("worker-probed", SS_HEALTH_PORT=str(probe_port))
    params, formats = {"var": "x", "ms": 800}, ["csv", "json", "xlsx"]
    async with patient_clients(stack) as clients:
        try:
            ids = list(await asyncio.gather(*(
                clients[n % 4].start_job("sleepy", params, DATA, formats) for n in range(36))))
            await asyncio.to_thread(s3_server.stop)
            stopped = time.monotonic()
            # Clients keep coming during the outage: creating works, uploading is refused
            # with a 503 until S3 is back.
            late = [asyncio.create_task(clients[n % 4].start_job("sleepy", params, DATA,
                                                                 formats)) for n in range(6)]
            await asyncio.sleep(15)
            # A worker that cannot reach S3 is not ready and says why.
            status, problems = await asyncio.to_thread(_readyz, probe_port)
            assert status == 503
            assert "s3" in problems, problems
            # So is the API, in the catalogue's words.
            ready = await clients[0].http.get("/readyz")
            assert_catalogued(ready, "SERVICE_UNAVAILABLE")
            assert "s3" in ready.json()["details"]["problems"], ready.text
            await asyncio.sleep(30 - (time.monotonic() - stopped))
            await asyncio.to_thread(s3_server.start)
            ids += await asyncio.gather(*late)
            jobs = [await clients[0].finished(job_id) for job_id in ids]
            await audit(bus, s3_server, jobs, clients)
            # The outage did bite: runs were handed back, clients were told to come back.
            assert sum(a["outcome"] == "transient" for j in jobs for a in j["attempts"]) > 0
            assert sum(c.codes["SERVICE_UNAVAILABLE"] for c in clients) > 0
            assert (await asyncio.to_thread(_readyz, probe_port))[0] == 200
        finally:
            stack.kill("worker-probed")


async def test_jobs_and_retrying_clients_ride_out_three_nats_restarts(
    stack: Stack, bus: Bus, nats_server: NatsServer, s3_server: S3Server
) -> None:
    before = set((await stored_job_ids(bus)).get(TENANT, []))
    api_log = stack.root / "api.log"
    log_offset = api_log.stat().st_size
    async with patient_clients(stack) as clients:
        async def start(n: int) -> str:
            return await clients[n % 4].start_job("sleepy", {"var": "x", "ms": 400}, DATA,
                                                  ["csv", "json"])

        starting = asyncio.create_task(_spread(60, 0.4, start))
        for _ in range(3):
            await asyncio.sleep(3)
            await asyncio.to_thread(nats_server.stop)
            await asyncio.sleep(5)
            await asyncio.to_thread(nats_server.start)
        ids = list(await asyncio.gather(*await starting))
        jobs = [await clients[0].finished(job_id) for job_id in ids]
        await audit(bus, s3_server, jobs, clients)
        # Each client's create happened exactly once, retries and all: the tenant has exactly
        # the jobs the clients were told about.
        for _ in range(20):
            with contextlib.suppress(Exception):
                after = set((await stored_job_ids(bus)).get(TENANT, []))
                break
            await asyncio.sleep(0.5)
        assert after - before == set(ids)
        # The restarts bit: the API lost NATS three times (whether a client then saw a 503
        # depends on where its requests fell; the audit above holds either way).
        with api_log.open("rb") as log:
            log.seek(log_offset)
            disconnects = log.read().count(b"nats disconnected")
        assert disconnects >= 3, "the restarts never reached the API"
        # Every service still serves without having been restarted.
        later = await clients[0].start_job("sleepy", {"var": "x", "ms": 0}, DATA, ["csv"])
        assert (await clients[0].finished(later))["state"] == "succeeded"


async def _busy_worker(client: PatientClient, started: list[str]) -> str:
    """The id of a worker running one of the ``started`` jobs right now."""
    deadline = time.monotonic() + 60
    while True:
        for job_id in reversed(started):
            job = await client.call("GET", f"/v1/jobs/{job_id}", 200)
            if job["state"] == "running":
                return str(job["attempts"][-1]["worker_id"])
        assert time.monotonic() < deadline, "no job ever ran"
        await asyncio.sleep(0.1)


async def test_jobs_survive_workers_and_formatters_killed_and_stopped_under_load(
    stack: Stack, bus: Bus, s3_server: S3Server
) -> None:
    stack.start_formatter("formatter-b")
    # A crash (SIGKILL: the lease lapses, another replica takes over) and a drain (SIGTERM:
    # running work is handed back, no delivery spent) of each kind of service; a worker is
    # killed while it runs a job (runs take 3 s, longer than the 1 s shutdown grace).
    victims = [("worker", signal.SIGKILL), ("formatter", signal.SIGTERM),
               ("worker", signal.SIGTERM), ("formatter-b", signal.SIGKILL),
               ("worker", signal.SIGKILL), ("formatter", signal.SIGKILL)]
    started: list[str] = []
    async with patient_clients(stack) as clients, \
            heard(bus, f"ss.events.{TENANT}.*.completed") as announced:
        async def start(n: int) -> str:
            job_id = await clients[n % 4].start_job("sleepy", {"var": "x", "ms": 3000}, DATA,
                                                    ["csv", "json", "xlsx"])
            started.append(job_id)
            return job_id

        churned = asyncio.Event()

        async def keep_starting() -> list[asyncio.Task[str]]:
            """A job every 0.7 s until the churn is over (at least 16)."""
            tasks: list[asyncio.Task[str]] = []
            while not churned.is_set() or len(tasks) < 16:
                tasks.append(asyncio.create_task(start(len(tasks))))
                await asyncio.sleep(0.7)
            return tasks

        starting = asyncio.create_task(keep_starting())
        for victim, sig in victims:
            await asyncio.sleep(1.0)
            if victim == "worker":
                victim = await _busy_worker(clients[0], started)
            stack.kill(victim, sig)
            if victim.startswith("worker"):
                await asyncio.to_thread(stack.start_worker, victim)
            else:
                await asyncio.to_thread(stack.start_formatter, victim)
        churned.set()
        ids = list(await asyncio.gather(*await starting))
        jobs = [await clients[0].finished(job_id) for job_id in ids]
        await asyncio.sleep(1.0)
    await audit(bus, s3_server, jobs, clients)
    # Subscribers on core NATS heard each job finish once, too (the stream drops a replayed
    # publish; a plain subscriber would not).
    heard_ids = Counter(decode_event(data).job_id for data in announced)
    assert {job_id: heard_ids[job_id] for job_id in ids} == dict.fromkeys(ids, 1)
    outcomes = Counter(a["outcome"] for j in jobs for a in j["attempts"])
    assert outcomes["lost"] + outcomes["released"] > 0, outcomes  # the churn did bite


@pytest.mark.timeout(900)  # ~90 s on an idle 2-core machine; several times that when shared
async def test_a_burst_of_a_thousand_jobs(stack: Stack, bus: Bus, s3_server: S3Server) -> None:
    in_flight = asyncio.Semaphore(50)
    async with patient_clients(stack, 10) as clients, \
            heard(bus, f"ss.events.{TENANT}.*.completed") as announced:
        async def start(n: int) -> str:
            async with in_flight:
                return await clients[n % 10].start_job("sleepy", {"var": "x", "ms": 0},
                                                       csv_bytes(3), ["csv"])

        ids = list(await asyncio.gather(*(start(n) for n in range(1000))))
        deadline = time.monotonic() + 600
        while not set(ids) <= {decode_event(d).job_id for d in announced}:
            assert time.monotonic() < deadline, "the burst did not finish"
            await asyncio.sleep(1.0)

        async def job(job_id: str) -> dict[str, Any]:
            async with in_flight:
                return await clients[0].call("GET", f"/v1/jobs/{job_id}", 200)

        jobs = list(await asyncio.gather(*(job(job_id) for job_id in ids)))
        await asyncio.sleep(1.0)
    await audit(bus, s3_server, jobs, clients)
    heard_ids = Counter(decode_event(data).job_id for data in announced)
    assert Counter(heard_ids[job_id] for job_id in ids) == Counter({1: 1000})


async def test_a_job_held_up_longer_than_the_outage_budget_fails_with_its_own_code() -> None:
    with fresh_stack("ss-budget-", {"SS_INFRA_RETRY_BUDGET_S": "4"}) as stack, \
            _removed(stack.root):
        stack.start_api()
        stack.start_worker()
        stack.start_formatter()
        client = Client(stack.api_url)
        bus = await connect(stack.nats.url, name="budget-observer", creds=stack.nats.creds("admin"))
        try:
            job = await client.create("sleepy", {"var": "x", "ms": 0})
            await client.upload(job["id"], "data.csv", csv_bytes(3))
            await asyncio.to_thread(stack.s3.stop)
            try:
                await client.submit(job["id"])
                failed = await client.wait(job["id"], timeout=60)
            finally:
                await asyncio.to_thread(stack.s3.start)
            assert failed["state"] == "failed"
            assert failed["error"]["error_code"] == "INFRA_RETRY_BUDGET_EXCEEDED"
            assert failed["error"]["details"]["waited_s"] >= 4
            events = await completed_events(bus)
            assert [e.status for e in events[job["id"]]] == ["failed"]
            # Once S3 is back the job can simply be retried.
            assert (await client.http.post(f"/v1/jobs/{job['id']}/retry")).status_code == 202
            assert (await client.wait(job["id"], timeout=60))["state"] == "succeeded"
        finally:
            await bus.close()
            await client.close()


async def test_an_api_started_while_s3_is_down_serves_once_s3_is_back() -> None:
    """A pod may start during a storage blip: the API comes up, says why it is not ready,
    refuses uploads with a 503 meanwhile, and makes its bucket itself once S3 answers."""
    with fresh_stack("ss-s3boot-", {}) as stack, _removed(stack.root):
        await asyncio.to_thread(stack.s3.stop)  # before anything has made the bucket
        stack.start_api()
        client = Client(stack.api_url)
        try:
            ready = await client.http.get("/readyz")
            assert_catalogued(ready, "SERVICE_UNAVAILABLE")
            assert "s3" in ready.json()["details"]["problems"], ready.text
            job = await client.create("sleepy", {"var": "x", "ms": 0}, ["csv"])
            refused = await client.http.put(f"/v1/jobs/{job['id']}/inputs/data.csv",
                                            content=csv_bytes(3))
            assert_catalogued(refused, "SERVICE_UNAVAILABLE")
            await asyncio.to_thread(stack.s3.start)
            deadline = time.monotonic() + 60
            while (await client.http.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, "the API never became ready"
                await asyncio.sleep(0.2)
            stack.start_worker()
            stack.start_formatter()
            await client.upload(job["id"], "data.csv", csv_bytes(3))
            await client.submit(job["id"])
            assert (await client.wait(job["id"], timeout=60))["state"] == "succeeded"
        finally:
            await client.close()
