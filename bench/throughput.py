"""Benchmark: throughput of a real template through the whole stack against a plain loop.

``ols_robust`` (``regress price mpg weight, vce(robust)``) on the bundled ``auto.csv`` with
xlsx, pdf and html outputs, through a real stack (NATS, S3, the API, worker and formatter
processes; dev/stack.py), first with one worker process, then with two (each pass
with as many formatter processes as workers). Jobs are submitted with ``--inflight`` in
flight per worker process (so the two-worker pass has twice as many: enough waiting work for
twice the slots, else a machine with cores to spare would see the submitter's limit rather
than SS's); jobs/s counts from the first submit until the last ``completed`` event.

Baseline, same run: a plain Python loop in one process, no SS, doing the same work per job:
read the CSV with pandas, the same regression with statsmodels (HC1, Stata's ``robust``),
and the same three files (coefficient table as xlsx with xlsxwriter, pdf with fpdf2 and the
same DejaVu fonts, html). Targets: SS with one worker >= 0.8x the loop; two
workers >= 1.8x one (on 2 cores that also run NATS, S3, the API and the formatters).

Where the time goes: CPU seconds per job of each process tree during the timed passes
(api, workers, formatters with their children, nats-server, the S3 server) next to the
loop's own CPU per job, and the load average before each pass: on a shared 2-core machine
jobs/s moves with other people's work, CPU per job much less. The last line is the
machine's CPU ceiling: cores / CPU per job of all processes together, the most any number of
workers could reach here.

    .venv/bin/python -m bench.throughput [--jobs 40] [--inflight 8] [--repeat 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import io
import os
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pandas as pd
import statsmodels.api as sm
import xlsxwriter
from fpdf import FPDF

from bench.footprint import tree_cpu_s
from compose.e2e_check import DEFAULT_DATASET, DEFAULT_PARAMS
from dev.stack import Client, Stack, add_setting_option, fresh_stack, settings_given
from libs.bus.connection import connect
from libs.fonts import font_files

FORMATS = ["xlsx", "pdf", "html"]


def loop_job(data: bytes, out: Path) -> None:
    """One job's work done directly: regression and the three files."""
    frame = pd.read_csv(io.BytesIO(data))
    y = frame[DEFAULT_PARAMS["depvar"]]
    x = sm.add_constant(frame[DEFAULT_PARAMS["indepvars"]])
    fit = sm.OLS(y, x).fit(cov_type="HC1")
    ci = fit.conf_int()
    rows = [
        [name, fit.params[name], fit.bse[name], fit.tvalues[name], fit.pvalues[name],
         ci.loc[name, 0], ci.loc[name, 1]]
        for name in fit.params.index
    ]
    head = ["", "Coef.", "Robust SE", "t", "P>|t|", "[95% Conf.", "Interval]"]
    footer = [("Observations", f"{int(fit.nobs)}"), ("R-squared", f"{fit.rsquared:.4f}")]
    book = xlsxwriter.Workbook(str(out / "report.xlsx"))
    sheet = book.add_worksheet("ols_robust")
    sheet.write_row(0, 0, head)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row)
    for i, (k, v) in enumerate(footer, start=len(rows) + 2):
        sheet.write_row(i, 0, [k, v])
    book.close()
    fonts = font_files()
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(fonts.regular))
    pdf.add_font("DejaVu", "B", str(fonts.bold))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(text="OLS, robust standard errors", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    with pdf.table() as table:
        table.row(head)
        for row in rows:
            table.row([str(row[0])] + [f"{v:.4g}" for v in row[1:]])
    for k, v in footer:
        pdf.cell(text=f"{k}: {v}", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out / "report.pdf"))
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>ols_robust</title></head><body>"
        "<h1>OLS, robust standard errors</h1><table><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + f"</tr>{cells}</table>"
        + "".join(f"<p>{k}: {v}</p>" for k, v in footer)
        + "</body></html>"
    )
    (out / "report.html").write_text(page, encoding="utf-8")


def loop_rate(jobs: int, data: bytes) -> tuple[float, float]:
    """Jobs/s of the plain loop (one process, one core) and its CPU seconds per job."""
    with tempfile.TemporaryDirectory(prefix="ss-loop-") as tmp:
        loop_job(data, Path(tmp))  # warm-up: imports, font parsing caches
        began, cpu = time.perf_counter(), time.process_time()
        for _ in range(jobs):
            loop_job(data, Path(tmp))
        return jobs / (time.perf_counter() - began), (time.process_time() - cpu) / jobs


def process_roots(stack: Stack) -> dict[str, int]:
    """Each running service ("api", "worker-0", ...) and server process by name; the
    children of each count with it."""
    roots = {name: proc.pid for name, proc in stack.procs.items()}
    for name, server in (("nats", stack.nats), ("s3", stack.s3)):
        if server.proc is not None:
            roots[name] = server.proc.pid
    return roots


def tree_cpu(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far per role, the service's instances summed."""
    totals: dict[str, float] = {}
    for name, pid in roots.items():
        role = name.split("-")[0]
        totals[role] = totals.get(role, 0.0) + tree_cpu_s(pid)
    return totals


@contextlib.asynccontextmanager
async def job_runner(stack: Stack, data: bytes
                     ) -> AsyncIterator[Callable[[asyncio.Semaphore], Awaitable[None]]]:
    """A function running one ``ols_robust`` job through ``stack`` (create, upload ``data``,
    submit, wait for its ``completed`` event) under a gate; a job that does not succeed
    raises. The client and the event listener close on exit."""
    client = Client(stack.api_url)
    bus = await connect(stack.nats.url, name="bench-listener", creds=stack.nats.creds("admin"))
    finished: dict[str, asyncio.Future[None]] = {}

    def waiter(job_id: str) -> asyncio.Future[None]:
        return finished.setdefault(job_id, asyncio.get_running_loop().create_future())

    async def on_completed(msg: Any) -> None:
        future = waiter(msg.subject.split(".")[3])
        if not future.done():
            future.set_result(None)

    await bus.nc.subscribe("ss.events.*.*.completed", cb=on_completed)

    async def one(gate: asyncio.Semaphore) -> None:
        async with gate:
            job = await client.create("ols_robust", DEFAULT_PARAMS, FORMATS)
            done = waiter(job["id"])
            await client.upload(job["id"], DEFAULT_DATASET.name, data)
            await client.submit(job["id"])
            await asyncio.wait_for(done, 300)
            record = await client.job(job["id"])
            if record["state"] != "succeeded":
                raise RuntimeError(f"job {job['id']} ended {record['state']}: {record}")

    try:
        yield one
    finally:
        await client.close()
        await bus.close()


async def ss_rate(
    stack: Stack, jobs: int, inflight: int, data: bytes
) -> tuple[float, dict[str, float]]:
    """Jobs/s through the running stack (``jobs`` submitted with ``inflight`` at a time)
    and CPU seconds per job of each role's processes during the timed jobs."""
    async with job_runner(stack, data) as one:
        await one(asyncio.Semaphore(1))  # warm-up: first fork, renderer imports
        gate = asyncio.Semaphore(inflight)
        roots = process_roots(stack)
        before = tree_cpu(roots)
        began = time.perf_counter()
        await asyncio.gather(*(one(gate) for _ in range(jobs)))
        rate = jobs / (time.perf_counter() - began)
        after = tree_cpu(roots)
        return rate, {role: (after[role] - before[role]) / jobs for role in after}


async def run(jobs: int, inflight: int, repeat: int, extra: dict[str, str]) -> None:
    data = DEFAULT_DATASET.read_bytes()
    settings = {"SS_DO_LIBRARY": str(Path(__file__).resolve().parents[1] / "do_library"),
                "SS_WORKER_SLOTS": "2", "SS_FORMATTER_SLOTS": "2",
                "SS_RATE_LIMIT_PER_S": "1000000", "SS_RATE_LIMIT_BURST": "1000000", **extra}
    loops: list[tuple[float, float]] = []
    passes: dict[int, list[tuple[float, dict[str, float]]]] = {1: [], 2: []}
    loads: list[float] = []
    with fresh_stack("ss-bench-", settings) as stack:
        stack.start_api()
        stack.start_worker("worker-0")
        stack.start_formatter("formatter-0")
        for workers in (1, 2):
            if workers == 2:
                stack.start_worker("worker-1")
                stack.start_formatter("formatter-1")
            for _ in range(repeat):
                # Loop and SS alternate so both see the same background load.
                loads.append(os.getloadavg()[0])
                loops.append(loop_rate(jobs, data))
                passes[workers].append(await ss_rate(stack, jobs, inflight * workers, data))
    loop = max(rate for rate, _ in loops)
    print(f"throughput: ols_robust on {DEFAULT_DATASET.name}, outputs {'+'.join(FORMATS)}, "
          f"{jobs} jobs per pass, {inflight} in flight per worker process, {repeat} passes "
          "each; "
          f"1-min load average before the passes {min(loads):.1f}-{max(loads):.1f}"
          + "".join(f"; {name}={value}" for name, value in extra.items()))
    rates, cpus = [rate for rate, _ in loops], [cpu * 1000 for _, cpu in loops]
    print(f"  plain loop (1 process)      {min(rates):6.2f}-{max(rates):.2f} jobs/s"
          f"   CPU/job {min(cpus):.0f}-{max(cpus):.0f} ms")
    for workers, runs in passes.items():
        best = max(rate for rate, _ in runs)
        print(f"  SS, {workers} worker process(es)  {min(r for r, _ in runs):6.2f}-{best:.2f} "
              f"jobs/s   best/loop best {best / loop:.2f}x")
        roles = sorted({role for _, cpu in runs for role in cpu})
        print("      CPU/job (ms, min-max over passes): " + ", ".join(
            f"{role} {min(c.get(role, 0) for _, c in runs) * 1000:.0f}-"
            f"{max(c.get(role, 0) for _, c in runs) * 1000:.0f}" for role in roles)
            + f"; total {min(sum(c.values()) for _, c in runs) * 1000:.0f}-"
            f"{max(sum(c.values()) for _, c in runs) * 1000:.0f}")
    one = max(r for r, _ in passes[1])
    print(f"  2 workers / 1 worker (best) {max(r for r, _ in passes[2]) / one:.2f}x"
          "   targets: SS >= 0.8x loop, 2 workers >= 1.8x one")
    loop_cpu = min(cpu for _, cpu in loops)
    print(f"  CPU per job, SS (1 worker, all processes) / loop: {least_cpu(passes[1]) * 1000:.0f}"
          f" / {loop_cpu * 1000:.0f} ms = {least_cpu(passes[1]) / loop_cpu:.2f}x (jobs per "
          f"CPU-second, SS / loop: {loop_cpu / least_cpu(passes[1]):.2f}x)")
    # Every process of the stack shares these cores, so no number of workers can run more
    # jobs per second than cores / (CPU seconds all processes spend per job).
    cores = len(os.sched_getaffinity(0))
    least = least_cpu(passes[1])
    print(f"  CPU ceiling: {cores} cores / {least * 1000:.0f} ms of CPU per job (all processes, "
          f"1-worker passes) = {cores / least:.2f} jobs/s = {cores / least / one:.2f}x the best "
          "1-worker rate: the most any number of workers can reach on this machine")


def least_cpu(runs: list[tuple[float, dict[str, float]]]) -> float:
    """The smallest CPU seconds per job of all processes together over ``runs``."""
    return min(sum(cpu.values()) for _, cpu in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--inflight", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    add_setting_option(parser)
    args = parser.parse_args()
    asyncio.run(run(args.jobs, args.inflight, args.repeat, settings_given(args.setting)))


if __name__ == "__main__":
    main()
