"""Benchmark: memory and CPU of each service's process tree, idle and under load, to size the
Kubernetes requests and limits (deploy/k8s).

Starts api, one worker (embedded engine) and one formatter against fresh NATS and S3, samples
every process tree (the service and the children it forks: the engine's fork server and run
children, the input readers) and prints, per service:

- idle: after start-up, before any job;
- peak: the highest tree total while ``--jobs`` real jobs (``ols_robust`` on the bundled
  auto dataset, every output format) run ``--concurrency`` at a time;
- CPU seconds per job: the tree's user+system time during the load, reaped children included.

Memory is PSS (proportional set size: a page shared by a fork-server parent and its children
counts once in total, as the container's cgroup counts it) next to plain RSS summed over the
tree. Same-run baseline: a bare ``python -c pass`` interpreter's PSS, so the services' figures
read as "what SS adds".

    .venv/bin/python -m bench.footprint [--jobs 24] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from dev.stack import Client, fresh_stack

REPO = Path(__file__).resolve().parent.parent
AUTO = REPO / "do_library" / "examples" / "auto.csv"
PARAMS = {"depvar": "price", "indepvars": ["mpg", "weight"]}
FORMATS = ["xlsx", "docx", "pdf", "html", "json", "csv"]
SERVICES = ("api", "worker", "formatter")
CLOCK_TICKS = 100  # os.sysconf("SC_CLK_TCK") on Linux


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def tree_pids(root: int) -> list[int]:
    """``root`` and every descendant."""
    tree, pids, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(tree.get(pid, []))
    return pids


def _kib(pid: int, name: str, source: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory_mib(root: int) -> tuple[float, float]:
    """(PSS, RSS) of the process tree in MiB."""
    pids = tree_pids(root)
    pss = sum(_kib(pid, "Pss", "smaps_rollup") for pid in pids)
    rss = sum(_kib(pid, "VmRSS", "status") for pid in pids)
    return pss / 1024, rss / 1024


def tree_cpu_s(root: int) -> float:
    """User+system CPU seconds of the tree, reaped children of each process included."""
    total = 0
    for pid in tree_pids(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime are fields 14-17 of stat (11-14 after the comm).
        total += sum(int(v) for v in fields[11:15])
    return total / CLOCK_TICKS


@dataclass
class Sampler:
    """Peak tree PSS/RSS per service, sampled on a thread every ``period`` seconds."""

    roots: dict[str, int]
    period: float = 0.1
    peak: dict[str, tuple[float, float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.roots.items():
                pss, rss = tree_memory_mib(pid)
                old = self.peak.get(name, (0.0, 0.0))
                self.peak[name] = (max(old[0], pss), max(old[1], rss))
            time.sleep(self.period)

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bare_python_pss_mib() -> float:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2)"])
    time.sleep(1.0)
    pss, _ = tree_memory_mib(proc.pid)
    proc.wait()
    return pss


async def load(client: Client, jobs: int, concurrency: int) -> list[str]:
    gate = asyncio.Semaphore(concurrency)
    data = AUTO.read_bytes()

    async def one() -> str:
        async with gate:
            job_id = await client.run("ols_robust", PARAMS, data, FORMATS, name="auto.csv")
            job = await client.wait(job_id, timeout=600)
            return str(job["state"])

    return await asyncio.gather(*(one() for _ in range(jobs)))


async def run(jobs: int, concurrency: int) -> None:
    settings = {"SS_DO_LIBRARY": str(REPO / "do_library"), "SS_LOG_LEVEL": "WARNING",
                "SS_WORKER_SLOTS": "2", "SS_FORMATTER_SLOTS": "2",
                "SS_RATE_LIMIT_PER_S": "1000000", "SS_RATE_LIMIT_BURST": "1000000"}
    with fresh_stack("ss-bench-footprint-", settings) as stack:
        stack.start_api()
        stack.start_worker("worker")
        stack.start_formatter("formatter")
        roots = {name: stack.procs[name].pid for name in SERVICES}
        client = Client(stack.api_url)
        # One job first: imports that happen on first use (pandas in the API's input reader,
        # the report libraries) belong to the steady state, not to the idle figure.
        await load(client, 1, 1)
        await asyncio.sleep(2.0)
        idle = {name: tree_memory_mib(pid) for name, pid in roots.items()}
        cpu_before = {name: tree_cpu_s(pid) for name, pid in roots.items()}
        began = time.monotonic()
        with Sampler(roots) as sampler:
            states = await load(client, jobs, concurrency)
        elapsed = time.monotonic() - began
        cpu = {name: tree_cpu_s(pid) - cpu_before[name] for name, pid in roots.items()}
        await client.close()
    ok = states.count("succeeded")
    print(f"footprint: {ok}/{jobs} jobs succeeded, {concurrency} in flight, {elapsed:.1f} s wall "
          f"(ols_robust on auto.csv, formats {','.join(FORMATS)}; worker and formatter 2 slots)")
    print(f"baseline: a bare python interpreter, PSS {bare_python_pss_mib():.0f} MiB")
    print(f"{'service':<11}{'idle PSS':>10}{'idle RSS':>10}{'peak PSS':>10}{'peak RSS':>10}"
          f"{'CPU s/job':>11}{'CPU cores':>11}")
    for name in SERVICES:
        peak = sampler.peak.get(name, (0.0, 0.0))
        print(f"{name:<11}{idle[name][0]:>10.0f}{idle[name][1]:>10.0f}{peak[0]:>10.0f}"
              f"{peak[1]:>10.0f}{cpu[name] / max(ok, 1):>11.3f}{cpu[name] / elapsed:>11.2f}")
    print("(MiB; 'CPU cores' = the service's CPU seconds over the load's wall time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.jobs, args.concurrency))


if __name__ == "__main__":
    main()
