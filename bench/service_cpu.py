"""Benchmark: CPU per job of each SS process, its own apart from its children's, and the S3
and NATS requests each service makes per job.

The throughput benchmark's job (``ols_robust`` on the bundled ``auto.csv``, xlsx+pdf+html)
through a real stack with one api, one worker and one formatter, each run under
``bench.profiled`` (which counts its S3 requests by method and its NATS publishes by kind,
and with ``--profile`` samples where its event loop spends CPU). After a warm-up job,
``--jobs`` jobs run ``--inflight`` at a time; per job it prints:

- CPU ms of each service's own process (its event loop: S3 and NATS calls, JSON, logging)
  and of its children (the worker's engine and input readers, the formatter's renderers),
  and of nats-server and the S3 server;
- the requests each service sent, by kind.

Same-run baseline: the plain loop of ``bench.throughput`` (the regression and the three
files in one Python process, no SS), CPU ms per job, and SS's total over it.

    .venv/bin/python -m bench.service_cpu [--jobs 30] [--inflight 4] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
from pathlib import Path

from bench.footprint import CLOCK_TICKS, tree_cpu_s
from bench.throughput import FORMATS, job_runner, loop_rate
from compose.e2e_check import DEFAULT_DATASET
from dev.servers import free_port, wait_http
from dev.stack import Stack, fresh_stack

SERVICES = {"api": "services.api", "worker": "services.worker",
            "formatter": "services.formatter"}
READY = {"api": None, "worker": "SS worker", "formatter": "SS formatter"}


def own_cpu_s(pid: int) -> float:
    """User+system CPU seconds of ``pid`` itself (no children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_now(stack: Stack) -> dict[str, float]:
    """CPU seconds so far: each service's own process and its children apart, the servers."""
    found: dict[str, float] = {}
    for name, proc in stack.procs.items():
        own = own_cpu_s(proc.pid)
        found[name] = own
        found[f"{name} children"] = tree_cpu_s(proc.pid) - own
    for name, server in (("nats", stack.nats), ("s3", stack.s3)):
        assert server.proc is not None
        found[name] = tree_cpu_s(server.proc.pid)
    return found


def start(stack: Stack, out: Path, profile: bool) -> None:
    """The three services, each under ``bench.profiled``, logged in to NATS as itself."""
    stack.api_port = free_port()
    for name, module in SERVICES.items():
        extra = {"BENCH_TARGET": module, "BENCH_OUT": str(out), "BENCH_NAME": name,
                 "BENCH_PROFILE": "1" if profile else "0",
                 "SS_NATS_CREDS": stack.nats.creds(name)}
        if name == "worker":
            extra["SS_WORKER_ID"] = name
        if name == "api":
            extra["SS_NATS_SUBSCRIBER_SIGNER"] = str(stack.nats.auth.subscriber_signer)
        stack.start(name, "bench.profiled", ready=READY[name], **extra)
        if name == "api":
            wait_http(f"{stack.api_url}/healthz", 60)


def mark(stack: Stack, out: Path, number: int) -> dict[str, dict[str, int]]:
    """Send every service its ``number``-th mark; their request counts so far."""
    for name in SERVICES:
        stack.procs[name].send_signal(signal.SIGUSR1)
    counts = {}
    deadline = time.monotonic() + 30
    for name in SERVICES:
        path = out / f"{name}.counts.{number}.json"
        while not path.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not write {path.name}")
            time.sleep(0.02)
        time.sleep(0.05)  # written in one call; let it finish
        counts[name] = json.loads(path.read_text())
    return counts


async def run_jobs(stack: Stack, jobs: int, inflight: int, data: bytes) -> None:
    async with job_runner(stack, data) as one:
        gate = asyncio.Semaphore(inflight)
        await asyncio.gather(*(one(gate) for _ in range(jobs)))


def run(jobs: int, inflight: int, profile: bool) -> None:
    data = DEFAULT_DATASET.read_bytes()
    settings = {"SS_DO_LIBRARY": str(Path(__file__).resolve().parents[1] / "do_library"),
                "SS_WORKER_SLOTS": "2", "SS_FORMATTER_SLOTS": "2",
                "SS_RATE_LIMIT_PER_S": "1000000", "SS_RATE_LIMIT_BURST": "1000000"}
    _, loop_cpu = loop_rate(jobs, data)
    with tempfile.TemporaryDirectory(prefix="ss-bench-cpu-") as tmp, \
            fresh_stack("ss-bench-cpu-", settings) as stack:
        out = Path(tmp)
        start(stack, out, profile)
        asyncio.run(run_jobs(stack, 2, 1, data))  # warm-up: first fork, imports
        before_counts = mark(stack, out, 1)
        before = cpu_now(stack)
        asyncio.run(run_jobs(stack, jobs, inflight, data))
        after = cpu_now(stack)
        after_counts = mark(stack, out, 2)
        if profile:
            time.sleep(1.0)
            for name in ("worker", "formatter"):
                print(f"--- where the {name}'s event loop spends CPU, {jobs} jobs")
                print((out / f"{name}.profile.txt").read_text())
    per_job = {name: (after[name] - before[name]) * 1000 / jobs for name in after}
    total = sum(per_job.values())
    print(f"service_cpu: ols_robust on {DEFAULT_DATASET.name}, {'+'.join(FORMATS)}, {jobs} jobs, "
          f"{inflight} in flight, 1 worker + 1 formatter (2 slots each); load average "
          f"{os.getloadavg()[0]:.1f}")
    print("  CPU ms per job: " + ", ".join(f"{name} {ms:.1f}" for name, ms in per_job.items()))
    print(f"  total {total:.0f} ms/job; baseline plain loop {loop_cpu * 1000:.0f} ms/job; "
          f"SS / loop {total / (loop_cpu * 1000):.2f}x")
    for name in SERVICES:
        diff = {kind: after_counts[name].get(kind, 0) - before_counts[name].get(kind, 0)
                for kind in after_counts[name]}
        s3 = sum(n for kind, n in diff.items() if kind.startswith("s3 "))
        nats = sum(n for kind, n in diff.items() if kind.startswith("nats "))
        print(f"  {name}: S3 requests/job {s3 / jobs:.2f}, NATS publishes/job {nats / jobs:.2f}: "
              + ", ".join(f"{kind} {n / jobs:.2f}" for kind, n in sorted(diff.items()) if n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--inflight", type=int, default=4)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    run(args.jobs, args.inflight, args.profile)


if __name__ == "__main__":
    main()
