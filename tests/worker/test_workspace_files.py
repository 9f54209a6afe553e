"""Which files of an attempt the worker uploads: the do-file, log and run record, inputs,
results, the files ``graph export`` wrote beside main.do (any engine: real Stata writes them
too) and the embedded engine's graph list; never its own sidecars or the uploads."""

from __future__ import annotations

from pathlib import Path

from services.worker.workspace import _produced


def test_graph_exports_and_the_graph_list_are_collected(tmp_path: Path) -> None:
    for rel in ("main.do", "main.log", "run.json", "ss_rc.txt", "ss_wrapper.do", "fig.png",
                "fig.PDF", "map.svg", "saved.gph", "notes.txt", "uploads/data.csv",
                "inputs/main.dta", "results/coefficients.csv", "results/fit.png",
                "graphs/001-Graph.png", "graphs/index.json", "out/elsewhere.png"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    assert _produced(tmp_path) == sorted([
        "main.do", "main.log", "run.json", "fig.png", "fig.PDF", "map.svg", "saved.gph",
        "inputs/main.dta", "results/coefficients.csv", "results/fit.png",
        "graphs/001-Graph.png", "graphs/index.json"])
