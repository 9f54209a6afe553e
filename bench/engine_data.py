"""Benchmark the embedded engine's data commands against pandas/pyreadstat on the same data.

Run: ``.venv/bin/python -m bench.engine_data [--rows 1000000]``.  Generates a 1M × 20 .dta in
a temporary directory, then times (best of N) each engine operation and its baseline in the
same process.  Targets: use ≤ 1.2× pyreadstat.read_dta; collapse and merge m:1
≤ 1.5× pandas; generate ≤ 2× pandas eval.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from libs.engine.batch import run_source
from libs.engine.dataset import Dataset
from libs.engine.dta_reader import read_dta
from libs.engine.dta_writer import write_dta
from libs.engine.log import Log
from libs.engine.session import Session


def best(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def make_data(rows: int, workdir: Path) -> None:
    """20 columns: id, g (10k groups), 18 doubles; plus a 10k-row lookup file for merge."""
    rng = np.random.default_rng(0)
    cols = {"id": np.arange(rows, dtype=np.float64),
            "g": rng.integers(0, 10_000, rows).astype(np.float64)}
    types = {"id": "long", "g": "int"}
    for k in range(1, 19):
        cols[f"x{k}"] = rng.standard_normal(rows)
        types[f"x{k}"] = "double"
    write_dta(Dataset.from_columns(cols, types), workdir / "big.dta")
    lookup = {"g": np.arange(10_000, dtype=np.float64),
              "gval": rng.standard_normal(10_000)}
    write_dta(Dataset.from_columns(lookup, {"g": "int", "gval": "double"}),
              workdir / "lookup.dta")


def engine(workdir: Path, source: str, data: Dataset | None = None) -> Session:
    """Run do-file text in a fresh session (optionally starting from ``data``)."""
    session = Session(workdir, Log(io.StringIO()))
    if data is not None:
        session.data = data.copy()
    rc = run_source(session, source)
    if rc:
        raise RuntimeError(f"engine failed with r({rc})")
    return session


def main() -> None:
    """Measure and print the comparison table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        make_data(opts.rows, workdir)
        big = workdir / "big.dta"
        rows = []

        t_engine = best(lambda: engine(workdir, "use big"), opts.repeat)
        t_pyreadstat = best(lambda: pyreadstat.read_dta(str(big)), opts.repeat)
        t_pandas_read = best(lambda: pd.read_stata(big), opts.repeat)
        rows.append(("use (1M x 20 .dta)", t_engine, "pyreadstat.read_dta", t_pyreadstat, 1.2))
        rows.append(("use (1M x 20 .dta)", t_engine, "pandas.read_stata", t_pandas_read, None))

        data = read_dta(big)
        frame = data.to_pandas()
        stats = " ".join(f"x{k}" for k in range(1, 6))
        t_engine = best(lambda: engine(workdir, f"collapse (mean) {stats}, by(g)", data),
                        opts.repeat)
        t_pandas = best(lambda: frame.groupby("g", sort=True)[stats.split()].mean()
                        .reset_index(), opts.repeat)
        rows.append(("collapse (mean) x1-x5, by(g)", t_engine, "pandas groupby.mean", t_pandas,
                     1.5))

        lookup = read_dta(workdir / "lookup.dta").to_pandas()
        t_engine = best(lambda: engine(workdir, "merge m:1 g using lookup, nogenerate noreport",
                                       data), opts.repeat)
        t_pandas = best(lambda: frame.merge(lookup, on="g", how="outer", sort=False),
                        opts.repeat)
        rows.append(("merge m:1 g using lookup", t_engine, "pandas merge(outer)", t_pandas, 1.5))

        t_engine = best(lambda: engine(workdir, "generate double y = x1 * 2 + x2 / x3 - 1",
                                       data), opts.repeat)
        t_pandas = best(lambda: frame.eval("y = x1 * 2 + x2 / x3 - 1"), opts.repeat)
        rows.append(("generate y = x1*2 + x2/x3 - 1", t_engine, "pandas eval", t_pandas, 2.0))

    print(f"rows: {opts.rows:,}  (best of {opts.repeat})")
    print(f"{'operation':<32}{'engine s':>10}  {'baseline':<22}{'base s':>9}{'ratio':>8}"
          f"{'target':>8}")
    for name, te, base, tb, target in rows:
        ratio = te / tb
        mark = "" if target is None else ("  ok" if ratio <= target else "  SLOW")
        shown = f"{target:.1f}x" if target else "-"
        print(f"{name:<32}{te:>10.3f}  {base:<22}{tb:>9.3f}{ratio:>7.2f}x{shown:>8}{mark}")


if __name__ == "__main__":
    main()
