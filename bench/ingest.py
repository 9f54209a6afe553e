"""Ingest benchmark: normalise a 1M-row CSV (UTF-8 and Windows-1252), a 200k-row XLSX and
a 1M-row DTA to .dta.

Each measurement runs in a fresh child process so peak RSS (VmHWM) belongs to that one task;
plain pandas/pyreadstat reads of the same files run alongside as the same-run baseline, and
each normalise row prints its CPU-time ratio to the first reader of its input (targets: CSV
<= 1.5x, DTA and XLSX <= 1.2x) and its peak RSS against the decoded table's size (target
<= 3x). ``--repeat N`` measures each task N times and prints the range (shared machine).

    python -m bench.ingest [--repeat 3] [--data DIR]

``--data DIR`` keeps the generated inputs in DIR and reuses them on the next run.
"""

from __future__ import annotations

import argparse
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


#: Text only Windows-1252 can encode, so the detector must find that codec.
_CP1252_NOTES = ["", "ok", "à vérifier", "refusé – pas de réponse"]


def generate(directory: Path) -> dict[str, Path]:
    """Write the inputs into ``directory`` unless a previous run left them there."""
    paths = {
        "csv": directory / "survey.csv",
        "csv-cp1252": directory / "survey-cp1252.csv",
        "xlsx": directory / "survey.xlsx",
        "dta": directory / "survey.dta",
    }
    if all(p.exists() for p in paths.values()):
        return paths
    frame = make_frame(CSV_ROWS)
    frame.to_csv(paths["csv"], index=False, date_format="%Y-%m-%d")
    frame.to_stata(paths["dta"], write_index=False, version=118, convert_dates={"date": "td"})
    rng = np.random.default_rng(2)
    frame["note"] = rng.choice(_CP1252_NOTES, len(frame))
    frame.to_csv(paths["csv-cp1252"], index=False, date_format="%Y-%m-%d", encoding="cp1252")
    make_frame(XLSX_ROWS, seed=1).to_excel(paths["xlsx"], index=False, engine="xlsxwriter")
    return paths


def child(task: str, path: str, out: str) -> None:
    """Run one task in this (fresh) process and print seconds and peak RSS as JSON."""
    from libs.datasets import Limits, normalise_to_dta

    src = Path(path)
    cpu_start = time.process_time()
    start = time.perf_counter()
    table_mb = 0.0
    if task == "normalise":
        normalise_to_dta(src, Path(out), filename=src.name, limits=Limits())
    elif task == "pandas.read_csv":
        pd.read_csv(src, encoding="cp1252" if "cp1252" in src.name else "utf-8")
    elif task == "pandas.read_excel(calamine)":
        pd.read_excel(src, engine="calamine")
    elif task == "pandas.read_stata":
        pd.read_stata(src)
    elif task == "pyreadstat.read_dta":
        import pyreadstat

        pyreadstat.read_dta(str(src))
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    if task == "normalise":
        # The decoded table: the normalised file read back (numbers at their storage width,
        # text as Python strings), measured outside the timed part.
        table_mb = pd.read_stata(out).memory_usage(deep=True).sum() / 2**20
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_rss_mb(),
                      "table_mb": table_mb}))


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


def _span(values: list[float], fmt: str) -> str:
    low, high = min(values), max(values)
    return f"{low:{fmt}}" if low == high else f"{low:{fmt}}-{high:{fmt}}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    plans = {
        "csv": ["pandas.read_csv", "normalise"],
        "csv-cp1252": ["pandas.read_csv", "normalise"],
        "xlsx": ["pandas.read_excel(calamine)", "normalise"],
        "dta": ["pandas.read_stata", "pyreadstat.read_dta", "normalise"],
    }
    labels = {
        "csv": f"CSV {CSV_ROWS:,} rows",
        "csv-cp1252": f"CSV cp1252 {CSV_ROWS:,}",
        "xlsx": f"XLSX {XLSX_ROWS:,} rows",
        "dta": f"DTA {DTA_ROWS:,} rows",
    }
    with tempfile.TemporaryDirectory(prefix="ss-bench-") as tmp:
        directory = args.data or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        files = generate(directory)
        print(
            f"inputs ready in {time.perf_counter() - t0:.1f}s: "
            + ", ".join(f"{k} {p.stat().st_size / 1e6:.0f} MB" for k, p in files.items())
        )
        # CPU seconds are the steadier figure on a shared machine; wall includes waiting.
        print(f"ranges over {args.repeat} runs; ratio = normalise CPU / reader CPU (min/min)")
        print(f"{'input':<24}{'task':<30}{'wall s':>12}{'CPU s':>12}{'peak RSS MB':>14}"
              f"{'ratio':>8}{'RSS/table':>10}")
        for kind, tasks in plans.items():
            baseline = 0.0
            for task in tasks:
                runs = [measure(task, files[kind], Path(tmp) / f"{kind}.out.dta")
                        for _ in range(args.repeat)]
                cpu = [r["cpu"] for r in runs]
                peak = [r["peak_mb"] for r in runs]
                baseline = baseline or min(cpu)
                extra = ""
                if task == "normalise":
                    table = runs[0]["table_mb"]
                    extra = f"{min(cpu) / baseline:>7.2f}x{min(peak) / table:>9.2f}x"
                print(
                    f"{labels[kind]:<24}{task:<30}{_span([r['seconds'] for r in runs], '.2f'):>12}"
                    f"{_span(cpu, '.2f'):>12}{_span(peak, '.0f'):>14}{extra}"
                )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
