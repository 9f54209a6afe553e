"""Big data in bounded memory: one job per size on a 20-column dataset through the whole stack
(api, one worker with one slot, formatter on fresh NATS and S3): upload a .dta, normalise it,
``regress y x1-x10, vce(cluster g)``, ``collapse`` to group means, ``merge m:1`` them back,
report (json). Then the smallest size once more under a worker whose SS_WORKER_MAX_MEMORY is
too small, which must fail as JOB_MEMORY_EXCEEDED with the worker still alive.

Per size it prints the job's wall time and the worker's peak RSS (its process tree: the
worker, the engine's fork server and run child, the input reader), the growth of that peak
over the idle tree, and both per million rows, so linear growth reads as constant columns.
Same-run baseline: the same analysis in plain pandas/numpy in a fresh process (read_stata,
least squares with cluster-robust errors, groupby mean/count, merge), its CPU time and peak
RSS, and the decoded table's size.

    .venv/bin/python -m bench.bigdata [--rows 1000000 3000000 10000000] [--max-memory 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.footprint import Sampler, tree_memory_mib
from bench.memory import peak_rss_mb
from dev.stack import Client, Stack, fresh_stack
from libs.engine.dataset import Dataset
from libs.engine.dta_writer import write_dta

REGRESSORS = [f"x{k}" for k in range(1, 11)]
PARAMS = {"depvar": "y", "indepvars": REGRESSORS, "clustvar": "g"}
GROUPS = 10_000


def make_dta(rows: int, path: Path) -> None:
    """id (long), g (int, 10k clusters), y and x1-x17 (double): 20 columns."""
    rng = np.random.default_rng(rows)
    cols = {"id": np.arange(1, rows + 1, dtype=np.float64),
            "g": rng.integers(0, GROUPS, rows).astype(np.float64)}
    types = {"id": "long", "g": "int"}
    for k in range(1, 18):
        cols[f"x{k}"] = rng.standard_normal(rows)
        types[f"x{k}"] = "double"
    cols["y"] = 1 + cols["x1"] - 0.5 * cols["x2"] + rng.standard_normal(rows)
    types["y"] = "double"
    write_dta(Dataset.from_columns(cols, types), path)


def baseline(path: str) -> None:
    """The same analysis in plain pandas/numpy; prints CPU seconds and peak RSS as JSON."""
    import pandas as pd

    cpu = time.process_time()
    frame = pd.read_stata(path)
    x = np.column_stack([frame[REGRESSORS].to_numpy(), np.ones(len(frame))])
    y = frame["y"].to_numpy()
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ (x.T @ y)
    scores = pd.DataFrame(x * (y - x @ beta)[:, None]).groupby(frame["g"].to_numpy()).sum()
    meat = scores.to_numpy().T @ scores.to_numpy()
    n, k, g = len(y), x.shape[1], len(scores)
    np.sqrt(np.diag(g / (g - 1) * (n - 1) / (n - k) * xtx_inv @ meat @ xtx_inv))
    means = frame.groupby("g")["y"].agg(group_mean="mean", group_n="count").reset_index()
    frame.merge(means, on="g", how="left")
    print(json.dumps({"cpu": time.process_time() - cpu, "peak_mb": peak_rss_mb(),
                      "table_mb": frame.memory_usage().sum() / 2**20}))


def run_baseline(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "bench.bigdata", "--baseline", str(path)],
                         check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def run_job(stack: Stack, path: Path) -> tuple[dict[str, object], float, float]:
    """(job, wall seconds, worker's peak tree RSS MiB) of one job on ``path``."""
    client = Client(stack.api_url)
    client.http.timeout = None  # a 1.5 GB upload takes a while
    try:
        with Sampler({"worker": stack.procs["worker"].pid}) as sampler:
            start = time.perf_counter()
            job_id = await client.run("bigdata", PARAMS, path.read_bytes(), ["json"],
                                      name=path.name)
            submitted = time.perf_counter() - start
            job = await client.wait(job_id, timeout=3600)
            seconds = time.perf_counter() - start
        job["submit_s"] = submitted
        return job, seconds, sampler.peak["worker"][1]
    finally:
        await client.close()


def phases(job: dict[str, Any]) -> str:
    """Where the job's wall time went: create+upload+submit (client side), queued until a
    worker took it, the attempt minus the engine run (download, normalise, uploads), the
    engine run, and formatting (the formatter's hand-over, render, uploads)."""
    attempt = job["attempts"][-1]
    queued = _span(job["queued_at"], job["started_at"])
    in_attempt = _span(attempt["started_at"], attempt["finished_at"])
    engine = attempt.get("duration_s") or 0.0
    formatting = _span(attempt["finished_at"], job["finished_at"])
    return (f"  phases s: upload+submit {job['submit_s']:.1f}, queued {queued:.1f}, "
            f"attempt other than the run {in_attempt - engine:.1f}, run {engine:.1f}, "
            f"formatting {formatting:.1f} (render {job.get('render_s') or 0.0:.1f})")


def _span(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 3_000_000])
    parser.add_argument("--max-memory", type=int, default=20_000,
                        help="SS_WORKER_MAX_MEMORY (MiB) of the runs meant to succeed")
    parser.add_argument("--small-memory", type=int, default=64,
                        help="SS_WORKER_MAX_MEMORY (MiB) of the run meant to fail")
    args = parser.parse_args()
    settings = {"SS_WORKER_SLOTS": "1", "SS_JOB_MEMORY_MB": "0", "SS_JOB_TIMEOUT_S": "3600",
                "SS_UPLOAD_MAX_BYTES": str(4 * 1024**3)}
    with tempfile.TemporaryDirectory(prefix="ss-bigdata-") as tmp, \
            fresh_stack("ss-bigdata-stack-", settings) as stack:
        stack.start_api()
        stack.start_worker(SS_WORKER_MAX_MEMORY=str(args.max_memory))
        stack.start_formatter()
        idle = tree_memory_mib(stack.procs["worker"].pid)[1]
        print(f"worker tree idle: {idle:.0f} MiB RSS; growth = peak - idle")
        print(f"{'rows':>12}{'job s':>9}{'worker peak MiB':>17}{'growth':>8}{'s/M rows':>10}"
              f"{'growth/M rows':>15}{'table MiB':>11}{'growth/table':>14}"
              f"{'base CPU s':>12}{'base MiB':>10}{'job/base s':>12}")
        for rows in sorted(args.rows):
            path = Path(tmp) / f"big{rows}.dta"
            make_dta(rows, path)
            base = run_baseline(path)
            job, seconds, peak = asyncio.run(run_job(stack, path))
            if job["state"] != "succeeded":
                print(f"{rows:>12,} {job['state']}: {job.get('error')}")
                continue
            per_m = rows / 1e6
            growth = peak - idle
            print(f"{rows:>12,}{seconds:>9.1f}{peak:>17.0f}{growth:>8.0f}{seconds / per_m:>10.2f}"
                  f"{growth / per_m:>15.0f}{base['table_mb']:>11.0f}"
                  f"{growth / base['table_mb']:>13.2f}x{base['cpu']:>12.1f}"
                  f"{base['peak_mb']:>10.0f}{seconds / base['cpu']:>11.2f}x")
            print(phases(job))
            path.unlink()
        stack.kill("worker")
        stack.start_worker(SS_WORKER_MAX_MEMORY=str(args.small_memory))
        rows = min(args.rows)
        path = Path(tmp) / "small-limit.dta"
        make_dta(rows, path)
        job, seconds, peak = asyncio.run(run_job(stack, path))
        error = job.get("error") or {}
        assert isinstance(error, dict)
        alive = stack.procs["worker"].poll() is None
        print(f"SS_WORKER_MAX_MEMORY={args.small_memory} MiB, {rows:,} rows: {job['state']} "
              f"{error.get('error_code')} {error.get('details')} in {seconds:.1f}s, worker "
              f"peak {peak:.0f} MiB, worker alive: {alive}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--baseline":
        baseline(sys.argv[2])
    else:
        main()
