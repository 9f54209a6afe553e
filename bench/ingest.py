"""Ingest benchmark: normalise a 1M-row CSV, a 200k-row XLSX and a 1M-row DTA to .dta.

Each measurement runs in a fresh child process so peak RSS (``ru_maxrss``) belongs to that
one task; plain pandas/pyreadstat reads of the same files run alongside for comparison.
The data is generated into a temp dir on every run. Usage: ``python -m bench.ingest``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.memory import peak_rss_mb

CSV_ROWS = 1_000_000
XLSX_ROWS = 200_000
DTA_ROWS = 1_000_000


def make_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """Mixed columns shaped like survey data: ids, ints, floats, categories, dates, text."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": np.arange(1, rows + 1),
            "age": rng.integers(18, 90, rows),
            "income": rng.lognormal(10, 1, rows).round(2),
            "score": rng.normal(size=rows).round(6),
            "region": rng.choice(["north", "south", "east", "west", "centre"], rows),
            "date": pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, rows), "D"),
            "flag": rng.integers(0, 2, rows),
            "note": rng.choice(["", "ok", "check later", "refused, no answer"], rows),
        }
    )


def generate(directory: Path) -> dict[str, Path]:
    csv_path = directory / "survey.csv"
    frame = make_frame(CSV_ROWS)
    frame.to_csv(csv_path, index=False, date_format="%Y-%m-%d")
    dta_path = directory / "survey.dta"
    frame.to_stata(dta_path, write_index=False, version=118, convert_dates={"date": "td"})
    xlsx_path = directory / "survey.xlsx"
    small = make_frame(XLSX_ROWS, seed=1)
    small.to_excel(xlsx_path, index=False, engine="xlsxwriter")
    return {"csv": csv_path, "xlsx": xlsx_path, "dta": dta_path}


def child(task: str, path: str, out: str) -> None:
    """Run one task in this (fresh) process and print seconds and peak RSS as JSON."""
    from libs.datasets import Limits, normalise_to_dta

    src = Path(path)
    cpu_start = time.process_time()
    start = time.perf_counter()
    if task == "normalise":
        normalise_to_dta(src, Path(out), filename=src.name, limits=Limits())
    elif task == "pandas.read_csv":
        pd.read_csv(src)
    elif task == "pandas.read_excel(calamine)":
        pd.read_excel(src, engine="calamine")
    elif task == "pandas.read_stata":
        pd.read_stata(src)
    elif task == "pyreadstat.read_dta":
        import pyreadstat

        pyreadstat.read_dta(str(src))
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_rss_mb()}))


def measure(task: str, path: Path, out: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.ingest", "--child", task, str(path), str(out)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    data: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    plans = {
        "csv": ["normalise", "pandas.read_csv"],
        "xlsx": ["normalise", "pandas.read_excel(calamine)"],
        "dta": ["normalise", "pandas.read_stata", "pyreadstat.read_dta"],
    }
    with tempfile.TemporaryDirectory(prefix="ss-bench-") as tmp:
        directory = Path(tmp)
        t0 = time.perf_counter()
        files = generate(directory)
        print(
            f"generated inputs in {time.perf_counter() - t0:.1f}s: "
            + ", ".join(f"{k} {p.stat().st_size / 1e6:.0f} MB" for k, p in files.items())
        )
        # CPU seconds are the steadier figure on a shared machine; wall includes waiting.
        print(f"{'input':<24}{'task':<30}{'wall s':>8}{'CPU s':>8}{'peak RSS MB':>13}")
        for kind, tasks in plans.items():
            label = {
                "csv": f"CSV {CSV_ROWS:,} rows",
                "xlsx": f"XLSX {XLSX_ROWS:,} rows",
                "dta": f"DTA {DTA_ROWS:,} rows",
            }[kind]
            for task in tasks:
                m = measure(task, files[kind], directory / f"{kind}.out.dta")
                print(
                    f"{label:<24}{task:<30}{m['seconds']:>8.2f}{m['cpu']:>8.2f}"
                    f"{m['peak_mb']:>13.0f}"
                )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
