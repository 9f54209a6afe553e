"""Ingest benchmark: normalise a 1M-row CSV (UTF-8 and Windows-1252), XLSX at 200k and 1M
rows and a 1M-row DTA to .dta.

Each measurement runs in a fresh child process so peak RSS (VmHWM) belongs to that one task;
plain pandas/pyreadstat reads of the same files run alongside as the same-run baseline, and
each normalise row prints its CPU-time ratio to the first reader of its input (targets: CSV
<= 1.5x, DTA and XLSX <= 1.2x). ``--repeat N`` measures each task N times, taking the tasks
of an input in turn, and prints the range (shared machine).

Memory (target: peak <= 3x the decoded table): "idle" is the child's RSS after its imports,
just before the task (pandas, numpy, the readers: ~150 MB whatever the input), "peak" its
VmHWM, "growth" = peak - idle, what the task itself held at its worst. Every row prints peak
and growth over the decoded table (the normalised file read back by pandas: numbers at their
storage width, text as Python strings); on small inputs the idle process dominates peak/table,
so growth/table is the figure that says whether the ingest holds more than it needs.

    python -m bench.ingest [--repeat 3] [--data DIR] [--inputs csv,xlsx-1m]

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

from bench.memory import peak_rss_mb, rss_mb

CSV_ROWS = 1_000_000
#: Workbook sizes: a common one, and one where the table outweighs the process's imports.
XLSX_ROWS = {"xlsx": 200_000, "xlsx-1m": 1_000_000}
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


def generate(directory: Path, kinds: list[str]) -> dict[str, Path]:
    """Write the inputs ``kinds`` into ``directory`` unless a previous run left them there."""
    paths = {
        "csv": directory / "survey.csv",
        "csv-cp1252": directory / "survey-cp1252.csv",
        "xlsx": directory / "survey.xlsx",
        "xlsx-1m": directory / "survey-1m.xlsx",
        "dta": directory / "survey.dta",
    }
    if any(not paths[k].exists() for k in ("csv", "csv-cp1252", "dta") if k in kinds):
        _write_rows(make_frame(CSV_ROWS), paths)
    for kind, rows in XLSX_ROWS.items():
        if kind in kinds and not paths[kind].exists():
            make_frame(rows, seed=1).to_excel(paths[kind], index=False, engine="xlsxwriter")
    return paths


def _write_rows(frame: pd.DataFrame, paths: dict[str, Path]) -> None:
    frame.to_csv(paths["csv"], index=False, date_format="%Y-%m-%d")
    frame.to_stata(paths["dta"], write_index=False, version=118, convert_dates={"date": "td"})
    rng = np.random.default_rng(2)
    frame["note"] = rng.choice(_CP1252_NOTES, len(frame))
    frame.to_csv(paths["csv-cp1252"], index=False, date_format="%Y-%m-%d", encoding="cp1252")


def child(task: str, path: str, out: str) -> None:
    """Run one task in this (fresh) process and print seconds and peak RSS as JSON."""
    from libs.datasets import Limits, normalise_to_dta

    src = Path(path)
    idle_mb = rss_mb()
    cpu_start = time.process_time()
    start = time.perf_counter()
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
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_rss_mb(),
                      "idle_mb": idle_mb}))


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


def table_mb(dta: Path) -> float:
    """The decoded table: a normalised file read back (numbers at their storage width, text
    as Python strings), measured outside any timed child."""
    return float(pd.read_stata(dta).memory_usage(deep=True).sum()) / 2**20


def _span(values: list[float], fmt: str) -> str:
    low, high = min(values), max(values)
    return f"{low:{fmt}}" if low == high else f"{low:{fmt}}-{high:{fmt}}"


PLANS = {
    "csv": ["pandas.read_csv", "normalise"],
    "csv-cp1252": ["pandas.read_csv", "normalise"],
    "xlsx": ["pandas.read_excel(calamine)", "normalise"],
    "xlsx-1m": ["pandas.read_excel(calamine)", "normalise"],
    "dta": ["pandas.read_stata", "pyreadstat.read_dta", "normalise"],
}
LABELS = {
    "csv": f"CSV {CSV_ROWS:,} rows",
    "csv-cp1252": f"CSV cp1252 {CSV_ROWS:,}",
    **{k: f"XLSX {n:,} rows" for k, n in XLSX_ROWS.items()},
    "dta": f"DTA {DTA_ROWS:,} rows",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--inputs", default=",".join(PLANS),
                        help=f"comma-separated subset of {', '.join(PLANS)}")
    args = parser.parse_args()
    kinds = args.inputs.split(",")
    with tempfile.TemporaryDirectory(prefix="ss-bench-") as tmp:
        directory = args.data or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        files = generate(directory, kinds)
        print(
            f"inputs ready in {time.perf_counter() - t0:.1f}s: "
            + ", ".join(f"{k} {files[k].stat().st_size / 1e6:.0f} MB" for k in kinds)
        )
        # CPU seconds are the steadier figure on a shared machine; wall includes waiting.
        print(f"ranges over {args.repeat} runs; ratio = normalise CPU / reader CPU (min/min); "
              "peak, growth = peak - idle: min over runs, / the decoded table")
        print(f"{'input':<22}{'task':<29}{'wall s':>12}{'CPU s':>12}{'idle MB':>9}"
              f"{'peak MB':>10}{'ratio':>7}{'table MB':>9}{'peak/tbl':>9}{'grow/tbl':>9}")
        for kind in kinds:
            out = Path(tmp) / f"{kind}.out.dta"
            # Round robin (reader, normalise, reader, ...): load that comes and goes on the
            # shared machine lands on both sides of the ratio.
            results: dict[str, list[dict[str, float]]] = {task: [] for task in PLANS[kind]}
            for _ in range(args.repeat):
                for task in PLANS[kind]:
                    results[task].append(measure(task, files[kind], out))
            table = table_mb(out)
            baseline = min(r["cpu"] for r in results[PLANS[kind][0]])
            for task, runs in results.items():
                cpu = [r["cpu"] for r in runs]
                peak = min(r["peak_mb"] for r in runs)
                growth = min(r["peak_mb"] - r["idle_mb"] for r in runs)
                ratio = f"{min(cpu) / baseline:.2f}x" if task == "normalise" else ""
                print(
                    f"{LABELS[kind]:<22}{task:<29}{_span([r['seconds'] for r in runs], '.2f'):>12}"
                    f"{_span(cpu, '.2f'):>12}{_span([r['idle_mb'] for r in runs], '.0f'):>9}"
                    f"{_span([r['peak_mb'] for r in runs], '.0f'):>10}{ratio:>7}{table:>9.0f}"
                    f"{peak / table:>8.2f}x{growth / table:>8.2f}x"
                )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
