"""Benchmark: throughput of a real template through the whole stack against a plain loop.

``ols_robust`` (``regress price mpg weight, vce(robust)``) on the bundled ``auto.csv`` with
xlsx, pdf and html outputs, through a real stack (NATS, S3, the API, worker and formatter
processes; dev/stack.py), first with one worker process, then with two (each pass
with as many formatter processes as workers). Jobs are submitted with ``--inflight`` in
flight; jobs/s counts from the first submit until the last ``completed`` event.

Baseline, same run: a plain Python loop in one process, no SS, doing the same work per job:
read the CSV with pandas, the same regression with statsmodels (HC1, Stata's ``robust``),
and the same three files (coefficient table as xlsx with xlsxwriter, pdf with fpdf2 and the
same DejaVu fonts, html). Targets: SS with one worker >= 0.8x the loop; two
workers >= 1.8x one (on 2 cores that also run NATS, S3, the API and the formatters).

    .venv/bin/python -m bench.throughput [--jobs 40] [--inflight 8] [--repeat 2]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import io
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import statsmodels.api as sm
import xlsxwriter
from fpdf import FPDF

from compose.e2e_check import DEFAULT_DATASET, DEFAULT_PARAMS
from dev.stack import Client, Stack, fresh_stack
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


def loop_rate(jobs: int, data: bytes) -> float:
    """Jobs/s of the plain loop (one process, one core)."""
    with tempfile.TemporaryDirectory(prefix="ss-loop-") as tmp:
        loop_job(data, Path(tmp))  # warm-up: imports, font parsing caches
        began = time.perf_counter()
        for _ in range(jobs):
            loop_job(data, Path(tmp))
        return jobs / (time.perf_counter() - began)


async def ss_rate(stack: Stack, jobs: int, inflight: int, data: bytes) -> float:
    """Jobs/s through the running stack: ``jobs`` submitted with ``inflight`` at a time."""
    client = Client(stack.api_url)
    bus = await connect(stack.nats.url, name="bench-listener", creds=stack.nats.creds("admin"))
    finished: dict[str, asyncio.Future[str]] = {}

    def waiter(job_id: str) -> asyncio.Future[str]:
        return finished.setdefault(job_id, asyncio.get_running_loop().create_future())

    async def on_completed(msg: Any) -> None:
        future = waiter(msg.subject.split(".")[3])
        if not future.done():
            future.set_result(msg.data.decode())

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
        await one(asyncio.Semaphore(1))  # warm-up: first fork, renderer imports
        gate = asyncio.Semaphore(inflight)
        began = time.perf_counter()
        await asyncio.gather(*(one(gate) for _ in range(jobs)))
        return jobs / (time.perf_counter() - began)
    finally:
        await client.close()
        await bus.close()


async def run(jobs: int, inflight: int, repeat: int) -> None:
    data = DEFAULT_DATASET.read_bytes()
    settings = {"SS_DO_LIBRARY": str(Path(__file__).resolve().parents[1] / "do_library"),
                "SS_WORKER_SLOTS": "2", "SS_FORMATTER_SLOTS": "2",
                "SS_RATE_LIMIT_PER_S": "1000000", "SS_RATE_LIMIT_BURST": "1000000"}
    loops: list[float] = []
    passes: dict[int, list[float]] = {1: [], 2: []}
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
                loops.append(loop_rate(jobs, data))
                passes[workers].append(await ss_rate(stack, jobs, inflight, data))
    loop = max(loops)
    print(f"throughput: ols_robust on {DEFAULT_DATASET.name}, outputs {'+'.join(FORMATS)}, "
          f"{jobs} jobs per pass, {inflight} in flight, {repeat} passes each")
    print(f"  plain loop (1 process)     {min(loops):6.2f}-{max(loops):.2f} jobs/s")
    for workers, rates in passes.items():
        print(f"  SS, {workers} worker process(es)  {min(rates):6.2f}-{max(rates):.2f} jobs/s"
              f"   best/loop best {max(rates) / loop:.2f}x")
    print(f"  2 workers / 1 worker (best) {max(passes[2]) / max(passes[1]):.2f}x"
          "   targets: SS >= 0.8x loop, 2 workers >= 1.8x one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--inflight", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(run(args.jobs, args.inflight, args.repeat))


if __name__ == "__main__":
    main()
