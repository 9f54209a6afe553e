"""Benchmark: the API's CPU per job under the throughput benchmark's load, process by process.

The load of ``bench.throughput`` (``ols_robust`` on ``auto.csv``, xlsx+pdf+html; per job:
create, upload, submit, and a GET once ``completed`` is heard) through a real stack with one
worker and one formatter process. Per pass, the CPU seconds per job of the API's process tree
(``api``), split by process: the server itself (``main``, its threads included), the fork
server, the input readers it forks and multiprocessing's resource tracker (reaped children
count with their parent), and what it spends per second while idle.

Same-run baseline: with ``--baseline DIR`` (another checkout of SS, e.g. ``git archive main``
unpacked), passes alternate between an API started from ``DIR`` and one from this tree, on
the same NATS, S3, worker and formatter, so both see the same background load; the last line
is the ratio of the best passes (this tree / baseline).

``--profile FILE``: one more pass with this tree's API under cProfile (``bench.profiled_api``,
switched on for the timed jobs only), its stats written to ``FILE`` and the top functions
printed.

    .venv/bin/python -m bench.api_cpu [--jobs 60] [--inflight 8] [--repeat 2]
        [--baseline /tmp/ss-main] [--profile /tmp/api.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import pstats
import signal
import subprocess
import sys
from pathlib import Path

from bench.footprint import CLOCK_TICKS, tree_pids
from bench.throughput import ss_rate
from compose.e2e_check import DEFAULT_DATASET
from dev.servers import free_port, wait_http
from dev.stack import Stack, add_setting_option, fresh_stack, settings_given

HERE = Path(__file__).resolve().parents[1]
#: Seconds the API is left idle before each timed pass, to measure what it spends per second
#: with nothing to do (polls, heartbeats heard), which a job pays a share of.
IDLE_S = 10.0


def start_api(stack: Stack, tree: Path, profile: Path | None = None) -> None:
    """The API from the checkout at ``tree`` (its modules first on the path), as ``api``."""
    stack.api_port = stack.api_port or free_port()
    env = stack.env("api", PYTHONPATH=str(tree))
    module = "services.api"
    if profile is not None:
        env["BENCH_API_PROFILE"] = str(profile)
        module = "bench.profiled_api"
    with (stack.root / "api.log").open("ab") as log:
        stack.procs["api"] = subprocess.Popen([sys.executable, "-m", module], env=env,
                                              stdout=log, stderr=subprocess.STDOUT, cwd=tree)
    wait_http(f"{stack.api_url}/healthz", 60)


def _role(pid: int, root: int, parents: dict[int, int]) -> str:
    if pid == root:
        return "main"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return "gone"
    if b"resource_tracker" in command:
        return "resource-tracker"
    if b"forkserver" in command:
        return "forkserver" if parents.get(pid) == root else "readers"
    return "other"


def tree_by_role(root: int) -> dict[str, float]:
    """CPU seconds so far (reaped children included) of ``root``'s tree, by process role."""
    totals: dict[str, float] = {}
    parents: dict[int, int] = {}
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[pid] = int(fields[1])
        role = _role(pid, root, parents)
        totals[role] = totals.get(role, 0.0) + sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return totals


async def one_pass(stack: Stack, tree: Path, jobs: int, inflight: int, data: bytes,
                   profile: Path | None = None) -> tuple[float, float, dict[str, float]]:
    """Jobs/s, the API tree's CPU ms per second while idle (``IDLE_S`` before the timed
    jobs) and its CPU ms per job by role, for an API started from ``tree``."""
    start_api(stack, tree, profile)
    try:
        root = stack.procs["api"].pid
        # Untimed: the fork server's start, the readers' first forks, the first upload of
        # the dataset (normalised; the timed ones are previewed), imports on first use.
        await ss_rate(stack, inflight, inflight, data)
        idle = tree_by_role(root)
        await asyncio.sleep(IDLE_S)
        idle_ms = (sum(tree_by_role(root).values()) - sum(idle.values())) * 1000 / IDLE_S
        if profile is not None:
            # The warm-up job ss_rate runs first is profiled too: one job in jobs + 1.
            os.kill(root, signal.SIGUSR1)
        before = tree_by_role(root)
        rate, _ = await ss_rate(stack, jobs, inflight, data)
        after = tree_by_role(root)
        if profile is not None:
            os.kill(root, signal.SIGUSR2)
            for _ in range(300):  # the stats are written in the signal's handler
                if profile.exists():
                    break
                await asyncio.sleep(0.1)
        # ss_rate's warm-up job is inside these figures: jobs + 1 jobs.
        return rate, idle_ms, {
            role: (after.get(role, 0.0) - before.get(role, 0.0)) * 1000 / (jobs + 1)
            for role in after}
    finally:
        stack.kill("api", signal.SIGTERM)


def _line(label: str, rate: float, idle_ms: float, cpu: dict[str, float]) -> str:
    parts = ", ".join(f"{role} {ms:.1f}" for role, ms in sorted(cpu.items()) if ms >= 0.05)
    return (f"  {label:<9} {rate:5.2f} jobs/s   API CPU/job {sum(cpu.values()):5.1f} ms "
            f"({parts}); idle {idle_ms:.1f} ms/s")


async def run(jobs: int, inflight: int, repeat: int, baseline: Path | None,
              profile: Path | None, extra: dict[str, str]) -> None:
    data = DEFAULT_DATASET.read_bytes()
    settings = {"SS_DO_LIBRARY": str(HERE / "do_library"), "SS_WORKER_SLOTS": "2",
                "SS_FORMATTER_SLOTS": "2", "SS_RATE_LIMIT_PER_S": "1000000",
                "SS_RATE_LIMIT_BURST": "1000000", **extra}
    trees = {"this": HERE} | ({"baseline": baseline} if baseline is not None else {})
    results: dict[str, list[tuple[float, float, dict[str, float]]]] = {
        name: [] for name in trees}
    with fresh_stack("ss-bench-api-cpu-", settings) as stack:
        start_api(stack, HERE)  # the streams and consumers the worker needs
        stack.start_worker("worker-0")
        stack.start_formatter("formatter-0")
        stack.kill("api", signal.SIGTERM)
        print(f"api_cpu: {jobs} jobs per pass, {inflight} in flight, 1 worker + 1 formatter; "
              f"1-min load average {os.getloadavg()[0]:.1f}"
              + "".join(f"; {name}={value}" for name, value in extra.items()))
        for _ in range(repeat):
            for name, tree in reversed(list(trees.items())):  # baseline first, then this
                results[name].append(await one_pass(stack, tree, jobs, inflight, data))
                print(_line(name, *results[name][-1]), flush=True)
        if profile is not None:
            profile.unlink(missing_ok=True)
            print(_line("profiled", *await one_pass(stack, HERE, jobs, inflight, data,
                                                     profile)))
    if baseline is not None:
        best = {name: min(sum(cpu.values()) for _, _, cpu in runs) for name, runs in
                results.items()}
        print(f"  API CPU/job, best pass: this {best['this']:.1f} ms / baseline "
              f"{best['baseline']:.1f} ms = {best['this'] / best['baseline']:.2f}x")
    if profile is not None:
        out = io.StringIO()
        stats = pstats.Stats(str(profile), stream=out)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(60)
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--inflight", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--baseline", type=Path, default=None)
    parser.add_argument("--profile", type=Path, default=None)
    add_setting_option(parser)
    args = parser.parse_args()
    asyncio.run(run(args.jobs, args.inflight, args.repeat, args.baseline, args.profile,
                    settings_given(args.setting)))


if __name__ == "__main__":
    main()
