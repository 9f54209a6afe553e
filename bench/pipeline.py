"""Benchmark: 200 trivial jobs through the whole stack (api, worker, formatter processes).

Prints jobs/s and p50/p95 of the upload (``PUT .../inputs/<name>`` until the API answers:
outside the measured window, but what a client waits before it can submit), queue wait,
engine run, format, end-to-end time and the control-plane overhead = (finished - queued) -
engine run - render time, i.e. everything SS adds around the analysis: NATS work/KV/events,
S3 transfers, input normalisation. The engine run counts the fork of its process; render
time counts reading the result tables.

Two passes over the same stack: one job at a time (the per-job overhead, which the target
is about) and ``--concurrency`` jobs in flight (throughput; there the overhead is mostly the
wait for a free slot, printed as queue wait).

    .venv/bin/python -m bench.pipeline [--jobs 200] [--concurrency 50] [--workers 1]
                                       [--fresh-inputs] [--setting SS_NAME=VALUE ...]

Every job uploads the same small CSV, as a tenant running several analyses of one dataset
does: after the first job the worker copies the normalised input from its cache
(``SS_WORKER_INPUT_CACHE_MB``). ``--fresh-inputs`` gives each job bytes of its own, so every
job downloads and normalises its input.

Baseline measured in the same run: the raw cost of the NATS/S3 operations a job needs
(1 KV create + 4 CAS + publish/fetch/ack + 5 events + 5 S3 puts + 1 get), done sequentially
by one client, so the overhead figure can be read against what the servers themselves cost:
50 rounds before the services start, and one round after each job of the unloaded pass (on
a machine shared with other work the load drifts between the two; the rounds between jobs
see what the jobs saw).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import datetime
from typing import Any

from dev.servers import NatsServer, S3Server
from dev.stack import Client, add_setting_option, csv_bytes, fresh_stack, settings_given
from libs import names
from libs.bus.connection import Bus, PullSubscription, connect
from libs.bus.jobstore import JobStore
from libs.bus.provision import ensure_topology
from libs.contracts.jobs import JobRecord, JobSpec, new_job_id, now_iso
from libs.settings import Settings
from libs.storage import ObjectStore


def _t(iso: str | None) -> float:
    assert iso is not None
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _row(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"  {name:<28} p50 {_pct(ms, 0.5):8.1f} ms   p95 {_pct(ms, 0.95):8.1f} ms"


class Floor:
    """One job's control-plane operations done back to back by one client (the baseline)."""

    def __init__(self, bus: Bus, objects: ObjectStore, jobs: JobStore,
                 sub: PullSubscription) -> None:
        self._bus, self._objects, self._jobs, self._sub = bus, objects, jobs, sub

    @classmethod
    async def open(cls, nats: NatsServer, s3: S3Server) -> Floor:
        settings = Settings(nats_url=nats.url, nats_creds=nats.creds("admin"),
                            s3_endpoint=s3.endpoint, s3_access_key=s3.access_key,
                            s3_secret_key=s3.secret_key)
        bus = await connect(settings.nats_url, name="bench-baseline", creds=settings.nats_creds)
        objects = await ObjectStore.open(settings)
        await ensure_topology(bus, settings)
        await bus.js.add_stream(name="BENCH", subjects=["bench.>"])
        sub = await bus.js.pull_subscribe("bench.work", durable="bench")
        return cls(bus, objects, await JobStore.open(bus), sub)

    async def round(self) -> float:
        """Seconds for one round: 1 KV create + 4 CAS + publish/fetch/ack + 5 events + 5 S3
        puts + 1 get."""
        began = time.perf_counter()
        record = JobRecord(id=new_job_id(), tenant="bench", spec=JobSpec(template_id="x"),
                           created_at=now_iso())
        await self._jobs.create(record)
        for _ in range(4):
            await self._jobs.mutate("bench", record.id, lambda r: r)
        await self._bus.js.publish("bench.work", b"x")
        (msg,) = await self._sub.fetch(1, timeout=5)
        await msg.ack_sync()
        for i in range(5):
            await self._bus.js.publish(names.event_subject("bench", record.id, f"e{i}"), b"{}")
            await self._objects.put_bytes(f"bench/{record.id}/{i}", b"x" * 512)
        await self._objects.get_bytes(f"bench/{record.id}/0")
        return time.perf_counter() - began

    async def close(self) -> None:
        await self._objects.close()
        await self._bus.close()


def _report(title: str, done: list[dict[str, Any]], elapsed: float) -> list[float]:
    """Print one pass's figures; returns its control-plane overhead samples."""
    failed = [j for j in done if j["state"] != "succeeded"]
    ok = [j for j in done if j["state"] == "succeeded"]
    queue = [_t(j["attempts"][-1]["started_at"]) - _t(j["queued_at"]) for j in ok]
    engine = [float(j["attempts"][-1]["duration_s"]) for j in ok]
    fmt = [_t(j["finished_at"]) - _t(j["attempts"][-1]["finished_at"]) for j in ok]
    render = [float(j["render_s"] or 0.0) for j in ok]
    total = [_t(j["finished_at"]) - _t(j["queued_at"]) for j in ok]
    overhead = [t - e - r for t, e, r in zip(total, engine, render, strict=True)]
    # At saturation most of the overhead is waiting for a free slot; this is the service part.
    serving = [o - q for o, q in zip(overhead, queue, strict=True)]
    print(f"{title}: {len(ok)}/{len(done)} jobs succeeded ({len(failed)} failed)")
    print(f"  throughput                   {len(ok) / elapsed:8.1f} jobs/s "
          f"({elapsed:.1f} s wall, submit to completed)")
    for name, values in (("upload (before submit)", [j["upload_s"] for j in ok]),
                         ("queue wait", queue), ("engine run (fork+do-file)", engine),
                         ("format (incl. transfers)", fmt), ("render", render),
                         ("queued -> finished", total),
                         ("control-plane overhead", overhead),
                         ("  of which not queueing", serving)):
        print(_row(name, values))
    return overhead


async def run(jobs: int, concurrency: int, workers: int, fresh_inputs: bool,
              extra: dict[str, str]) -> None:
    settings = {"SS_WORKER_SLOTS": "4", "SS_FORMATTER_SLOTS": "4", "SS_LOG_LEVEL": "WARNING",
                "SS_RATE_LIMIT_PER_S": "1000000", "SS_RATE_LIMIT_BURST": "1000000", **extra}
    with fresh_stack("ss-bench-", settings) as stack:
        nats, s3 = stack.nats, stack.s3
        floor = await Floor.open(nats, s3)
        base = [await floor.round() for _ in range(50)]
        stack.start_api()
        for i in range(workers):
            stack.start_worker(f"worker-{i}")
        stack.start_formatter()
        client = Client(stack.api_url)
        data = csv_bytes(10)
        count = 0

        def input_bytes() -> bytes:
            nonlocal count
            count += 1
            return data + f"{10 + count},{count % 5}\n".encode() if fresh_inputs else data
        # Completion is heard on NATS (as a subscriber would), not by polling the API.
        finished: dict[str, asyncio.Future[None]] = {}
        bus = await connect(nats.url, name="bench-listener", creds=nats.creds("admin"))

        async def on_completed(msg: Any) -> None:
            job_id = msg.subject.split(".")[3]
            finished.setdefault(job_id, asyncio.get_running_loop().create_future())
            if not finished[job_id].done():
                finished[job_id].set_result(None)

        await bus.nc.subscribe("ss.events.*.*.completed", cb=on_completed)

        async def one(gate: asyncio.Semaphore) -> dict[str, Any]:
            async with gate:
                job = await client.create("sleepy", {"var": "x", "ms": 0}, ["csv"])
                job_id = job["id"]
                waiter = finished.setdefault(job_id, asyncio.get_running_loop().create_future())
                began = time.perf_counter()
                await client.upload(job_id, "data.csv", input_bytes())
                uploaded = time.perf_counter() - began
                await client.submit(job_id)
                await asyncio.wait_for(waiter, 300)
            return {**await client.job(job_id), "upload_s": uploaded}

        async def one_pass(width: int) -> tuple[list[dict[str, Any]], float]:
            gate = asyncio.Semaphore(width)
            began = time.perf_counter()
            done = await asyncio.gather(*(one(gate) for _ in range(jobs)))
            return done, time.perf_counter() - began

        async def unloaded_pass() -> tuple[list[dict[str, Any]], float]:
            """One job at a time, a floor round after each (same load as the jobs saw)."""
            done, spent = [], 0.0
            for _ in range(jobs):
                began = time.perf_counter()
                done.append(await one(asyncio.Semaphore(1)))
                spent += time.perf_counter() - began
                between.append(await floor.round())
            return done, spent

        between: list[float] = []
        await one(asyncio.Semaphore(1))  # warm-up: first fork, first imports in the formatter
        unloaded = await unloaded_pass()
        loaded = await one_pass(concurrency)
        await client.close()
        await bus.close()
        await floor.close()
    print(f"pipeline: {jobs} trivial jobs per pass, {workers} worker process(es) x 4 slots, "
          "1 formatter x 4 slots, on one machine with nats-server and weed mini; "
          + ("each job's input bytes its own" if fresh_inputs
             else "every job the same input bytes")
          + "".join(f"; {name}={value}" for name, value in extra.items()))
    overhead = _report("unloaded pass (one job at a time)", *unloaded)
    _report(f"loaded pass ({concurrency} jobs in flight)", *loaded)
    print(_row("baseline: raw NATS+S3 ops", base)
          + "   (one job's KV/work/event/S3 ops done back to back, same servers, "
          "before the services start)")
    print(_row("  the same between jobs", between)
          + "   (one round after each job of the unloaded pass)")
    ratio = statistics.median(overhead) / statistics.median(base)
    print(f"  control-plane overhead / baseline (p50, unloaded pass) {ratio:.2f}x   "
          "target: <= 1.0x; under load the rest is the wait for a free slot "
          "(queue wait above)")
    ratio = statistics.median(overhead) / statistics.median(between)
    print(f"  control-plane overhead / baseline between jobs (p50) {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50,
                        help="jobs in flight in the loaded pass")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--fresh-inputs", action="store_true",
                        help="each job uploads bytes of its own (no input cache hits)")
    add_setting_option(parser)
    args = parser.parse_args()
    extra = settings_given(args.setting)
    asyncio.run(run(args.jobs, args.concurrency, args.workers, args.fresh_inputs, extra))


if __name__ == "__main__":
    main()
