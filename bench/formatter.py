"""Formatter benchmark: a 100k-row × 20-column table to xlsx and csv, a 10-model
regression report to docx and pdf, and pandas' own ``to_excel(engine="openpyxl")`` on the
same table for comparison.

    .venv/bin/python bench/formatter.py [--rows 100000]

Every step runs in a fresh process, so its peak RSS is its own: "rss before" is the process
after imports and loading the bundle, "peak" is the high-water mark after the step.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.memory import peak_rss_mb  # noqa: E402
from dev.report_samples import write_attempt, write_big_table  # noqa: E402
from libs.reports import ResultBundle, render  # noqa: E402
from libs.reports.bundle import read_table  # noqa: E402


@dataclass(frozen=True)
class Measure:
    """Seconds of the timed step and the process's memory in MiB."""

    seconds: float
    rss_before: float
    rss_peak: float


def _render_step(fmt: str, raw_dir: str, out_dir: str) -> Measure:
    from libs.reports.context import ReportContext

    context = ReportContext(job_id="bench", tenant="bench", template_id="bench",
                            template_title="Benchmark", template_version="1", engine="embedded",
                            attempt=1)
    if (Path(raw_dir) / "context.json").exists():
        import msgspec

        context = msgspec.json.decode((Path(raw_dir) / "context.json").read_bytes(),
                                      type=ReportContext)
    bundle = ResultBundle.load(Path(raw_dir) / "results", context)
    before = peak_rss_mb()
    start = time.perf_counter()
    render(fmt, bundle, Path(raw_dir), Path(out_dir))
    return Measure(time.perf_counter() - start, before, peak_rss_mb())


def _load_step(raw_dir: str) -> Measure:
    before = peak_rss_mb()
    start = time.perf_counter()
    read_table(Path(raw_dir) / "results" / "big.csv")
    return Measure(time.perf_counter() - start, before, peak_rss_mb())


def _pandas_step(raw_dir: str, out_dir: str) -> Measure:
    frame = read_table(Path(raw_dir) / "results" / "big.csv")
    before = peak_rss_mb()
    start = time.perf_counter()
    frame.to_excel(Path(out_dir) / "pandas.xlsx", engine="openpyxl", index=False)
    return Measure(time.perf_counter() - start, before, peak_rss_mb())


def _isolated(function: Callable[..., Measure], *args: str) -> Measure:
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def main() -> None:
    """Run every step and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--models", type=int, default=10)
    args = parser.parse_args()
    import msgspec

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        table_dir, models_dir = work / "table", work / "models"
        write_big_table(table_dir / "results", args.rows, args.columns)
        context, _ = write_attempt(models_dir, models=args.models)
        (models_dir / "context.json").write_bytes(msgspec.json.encode(context))
        (work / "out").mkdir()
        out = str(work / "out")
        table = f"{args.rows:,}×{args.columns} table"
        steps = [
            (f"load {table} (pandas.read_csv)", _isolated(_load_step, str(table_dir))),
            (f"{table} → xlsx", _isolated(_render_step, "xlsx", str(table_dir), out)),
            (f"{table} → pandas.to_excel(openpyxl)",
             _isolated(_pandas_step, str(table_dir), out)),
            (f"{table} → csv", _isolated(_render_step, "csv", str(table_dir), out)),
            (f"{args.models}-model report → docx",
             _isolated(_render_step, "docx", str(models_dir), out)),
            (f"{args.models}-model report → pdf",
             _isolated(_render_step, "pdf", str(models_dir), out)),
        ]
        xlsx_size = (work / "out" / "report.xlsx").stat().st_size
    print(f"{'step':<52} {'seconds':>8} {'rss before MiB':>15} {'peak MiB':>9}")
    for name, measure in steps:
        print(f"{name:<52} {measure.seconds:>8.2f} {measure.rss_before:>15.0f} "
              f"{measure.rss_peak:>9.0f}")
    ratio = steps[1][1].seconds / steps[2][1].seconds
    print(f"xlsx time / pandas.to_excel(openpyxl) time = {ratio:.2f} (target <= 1.0); "
          f"report.xlsx {xlsx_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
