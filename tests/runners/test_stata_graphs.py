"""The graph convention on the Stata runner: a template's ``graph export results/<name>.png``
(and an export beside main.do) are files of the attempt that the worker collects, as with the
embedded engine (the Stata double writes the file as Stata does; it draws nothing)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from libs.runners.base import RunStatus
from libs.runners.stata import StataRunner
from services.worker.workspace import _produced
from tests.doubles import install_fake_stata


async def test_exported_graphs_are_collected_from_a_stata_run(tmp_path: Path) -> None:
    workdir, ado = tmp_path / "attempt", tmp_path / "ado"
    (workdir / "results").mkdir(parents=True)
    ado.mkdir()
    (workdir / "main.do").write_text(
        "scatter y x\ngraph export results/fit.png, replace\ngraph export fit.svg\n",
        encoding="utf-8")
    runner = StataRunner(str(install_fake_stata(tmp_path / "bin")), ado)
    outcome = await runner.run(workdir, "main.do", timeout_s=20, cancel=asyncio.Event())
    assert outcome.status is RunStatus.OK, outcome.log_excerpt
    assert (workdir / "results" / "fit.png").read_bytes().startswith(b"\x89PNG")
    produced = _produced(workdir)
    assert "results/fit.png" in produced
    assert "fit.svg" in produced
    assert not any(name.startswith("graphs/") for name in produced)  # Stata keeps no list
