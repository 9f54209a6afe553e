"""Benchmark: ``GET /v1/jobs`` and the API's memory as jobs grow to 1,000,000 across 1,000
tenants.

The jobs are written straight to NATS as the API stores them (a finished job's record in
``ss_jobs``, the tenant's job index blocks in ``SS_INDEX`` through libs/bus/jobindex's own
encoding), in steps of 10k, 100k and 1M jobs; after each step one real API process (uvicorn,
``python -m services.api``) answers, and the bench prints:

- the API's RSS (now and its peak) — it holds no job ids, so it must not grow with the jobs;
- ``GET /v1/jobs?limit=10`` latency, p50/p99 over sequential requests spread over probe
  tenants: the newest page, and the tenant's oldest page (through a cursor);
- ``POST /v1/jobs`` p50 (what indexing a new job costs as the index grows);
- same-run baselines of the designs this replaces: listing a tenant by scanning its KV keys
  (an ordered consumer over ``<tenant>.*``: grows with the tenant's jobs), and the memory an
  in-process index of every job id (the KV-watcher design) would need in each API process.

    .venv/bin/python -m bench.listing [--tenants 1000] [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import msgspec

from bench.api import BODY
from dev.servers import OPERATOR_TOKEN
from dev.stack import Stack, fresh_stack
from libs import names
from libs.bus import direct
from libs.bus.auth.permissions import kv_stream
from libs.bus.connection import Bus, connect
from libs.bus.jobindex import BLOCK, IndexBlock, block_subject, encode_block
from libs.contracts.jobs import (
    Artifact,
    AttemptSummary,
    InputColumn,
    InputFile,
    JobRecord,
    JobSpec,
    JobState,
    new_job_id,
    now_iso,
)

PAGE = 10
PROBES = 10
REQUESTS = 200
#: JetStream publishes in flight while filling.
WINDOW = 2000


def tenant_name(i: int) -> str:
    return f"t{i:04d}"


def finished_job(tenant: str, job_id: str) -> bytes:
    """The record of a job that ran once and succeeded (~1.5 KB, like a real one)."""
    at = now_iso()
    prefix = names.job_prefix(tenant, job_id)
    return msgspec.json.encode(JobRecord(
        id=job_id, tenant=tenant, state=JobState.SUCCEEDED, created_at=at, queued_at=at,
        started_at=at, finished_at=at, submission=1, attempt=1,
        spec=JobSpec(template_id="ols_robust", output_formats=["xlsx", "csv"],
                     params={"depvar": "price", "indepvars": ["mpg", "weight"]}),
        inputs=[InputFile(name="auto.csv", size=3312, sha256="0" * 64, uploaded_at=at,
                          key=f"{prefix}inputs/0123456789abcdef/auto.csv", format="csv",
                          columns=[InputColumn(name=c, original=c, kind="numeric")
                                   for c in ("price", "mpg", "weight")])],
        attempts=[AttemptSummary(number=1, worker_id="worker-1", engine="embedded",
                                 started_at=at, finished_at=at, rc=0, duration_s=0.2,
                                 outcome="succeeded")],
        artifacts=[Artifact(name=n, key=f"{prefix}outputs/{n}", size=1000, kind="output")
                   for n in ("report.xlsx", "results.csv", "main.log", "main.do")]))


class Jobs:
    """How many jobs each tenant has, and the ids of its newest (partial) index block."""

    def __init__(self, tenants: int) -> None:
        self.count = [0] * tenants
        self.tail: list[list[str]] = [[] for _ in range(tenants)]

    @property
    def total(self) -> int:
        return sum(self.count)

    async def grow(self, bus: Bus, per_tenant: int) -> None:
        """Write records and index blocks until each tenant has ``per_tenant`` jobs (after
        what the API itself indexed: the jobs the bench created through it)."""
        pending: set[asyncio.Future[object]] = set()

        async def publish(subject: str, data: bytes, stream: str,
                          headers: dict[str, str] | None = None) -> None:
            pending.add(asyncio.ensure_future(bus.js.publish(subject, data, stream=stream,
                                                             headers=headers, timeout=60)))
            if len(pending) >= WINDOW:
                done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for future in done:
                    pending.discard(future)
                    future.result()

        for i in range(len(self.count)):
            tenant = tenant_name(i)
            newest = await direct.last(bus, names.INDEX_STREAM, names.tenant_index_filter(tenant))
            block = (IndexBlock(block=0, ids=[]) if newest is None
                     else msgspec.json.decode(newest.data, type=IndexBlock))
            while block.end < per_tenant:
                if len(block.ids) == BLOCK:
                    block = IndexBlock(block=block.block + 1, ids=[])
                added = [new_job_id() for _ in range(min(BLOCK - len(block.ids),
                                                         per_tenant - block.end))]
                for job_id in added:
                    await publish(f"$KV.{names.JOBS_BUCKET}.{names.job_key(tenant, job_id)}",
                                  finished_job(tenant, job_id), kv_stream(names.JOBS_BUCKET))
                block = IndexBlock(block=block.block, ids=[*block.ids, *added])
                await publish(block_subject(tenant, block), encode_block(block),
                              names.INDEX_STREAM, {"Nats-Rollup": "sub"})
            self.count[i] = block.end
        for future in pending:
            await future

    def id_index_mib(self) -> float:
        """What an in-process {tenant: [job id]} index of every job takes (the replaced
        design kept one in every API process): built here with ids of the real form."""
        tracemalloc.start()
        index = {tenant_name(i): [new_job_id() for _ in range(count)]
                 for i, count in enumerate(self.count)}
        size, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del index
        return size / 2**20


async def key_scan_ms(bus: Bus, tenant: str) -> float:
    """Listing one tenant by its KV keys: an ordered consumer over ``<tenant>.*``."""
    kv = await bus.js.key_value(names.JOBS_BUCKET)
    began = time.perf_counter()
    watcher = await kv.watch(f"{tenant}.*", meta_only=True, ignore_deletes=True)
    async for entry in watcher:
        if entry is None:
            break
    await watcher.stop()
    return (time.perf_counter() - began) * 1000


def rss_mib(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM (peak) of a process, MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def _pcts(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"{statistics.median(ordered):6.1f} /{p99:6.1f}"


async def timed(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> float:
    began = time.perf_counter()
    response = await client.request(method, path, **kwargs)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code < 300, response.text
    return elapsed


async def measure(stack: Stack, clients: list[httpx.AsyncClient], bus: Bus, jobs: Jobs,
                  probes: list[int]) -> str:
    pid = stack.procs["api"].pid
    for client in clients:  # warm: connections, key cache
        await timed(client, "GET", "/v1/jobs", params={"limit": PAGE})
    newest, oldest, creates = [], [], []
    for n in range(REQUESTS):
        client = clients[n % len(clients)]
        newest.append(await timed(client, "GET", "/v1/jobs", params={"limit": PAGE}))
        oldest.append(await timed(client, "GET", "/v1/jobs",
                                  params={"limit": PAGE, "cursor": PAGE}))
    for n in range(REQUESTS // 4):
        creates.append(await timed(clients[n % len(clients)], "POST", "/v1/jobs", json=BODY))
    rss, peak = rss_mib(pid)
    scans = [await key_scan_ms(bus, tenant_name(i)) for i in probes]
    per_tenant = jobs.count[0]
    return (f"{jobs.total:>9,} {per_tenant:>6,}  {rss:6.0f} ({peak:4.0f})  {_pcts(newest)}  "
            f"{_pcts(oldest)}  {statistics.median(creates):6.1f}   "
            f"{statistics.median(scans):9.1f}  {jobs.id_index_mib():8.1f}")


async def run(tenants: int, sizes: list[int]) -> None:
    settings = {"SS_RATE_LIMIT_PER_S": "0", "SS_LOG_LEVEL": "WARNING"}
    with fresh_stack("ss-bench-listing-", settings) as stack:
        stack.start_api()
        probes = [i * tenants // PROBES for i in range(PROBES)]
        async with httpx.AsyncClient(base_url=stack.api_url, timeout=60, headers={
                "authorization": f"Bearer {OPERATOR_TOKEN}"}) as operator:
            keys = [(await operator.post("/v1/admin/keys", json={
                "tenant": tenant_name(i), "role": "client"})).json()["token"] for i in probes]
        clients = [httpx.AsyncClient(base_url=stack.api_url, timeout=60,
                                     headers={"authorization": f"Bearer {key}"})
                   for key in keys]
        bus = await connect(stack.nats.url, name="ss-bench-listing",
                            creds=stack.nats.creds("admin"))
        jobs = Jobs(tenants)
        print(f"listing: {tenants} tenants, page of {PAGE}, {REQUESTS} sequential requests "
              f"over {PROBES} tenants per figure; one API process (2-core machine)")
        print("     jobs per-t  API RSS MiB   newest page     oldest page     create   "
              "| baselines: key scan  id index")
        print("                 now (peak)  p50 / p99 ms    p50 / p99 ms    p50 ms   "
              "|   of 1 tenant ms       MiB")
        try:
            for size in sizes:
                began = time.perf_counter()
                await jobs.grow(bus, size // tenants)
                filled = time.perf_counter() - began
                line = await measure(stack, clients, bus, jobs, probes)
                print(f"{line}    (written in {filled:.0f} s)", flush=True)
        finally:
            for client in clients:
                await client.aclose()
            await bus.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    asyncio.run(run(args.tenants, [int(s) for s in args.sizes.split(",")]))


if __name__ == "__main__":
    main()
