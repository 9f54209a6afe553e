"""The embedded engine backend: fork-server children, exit codes, time limits, kills."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing.connection
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from libs.contracts.errors import ErrorCode
from libs.runners.base import RunStatus
from libs.runners.embedded import EmbeddedRunner
from libs.runners.embedded_child import warm_up
from services.worker.attempt import _FAILURES


@pytest.fixture(scope="module")
async def runner() -> AsyncIterator[EmbeddedRunner]:
    r = EmbeddedRunner()
    await r.warm_up()
    yield r
    await r.close()


def _engine_pids(workdir: Path) -> list[int]:
    """Processes whose working directory is ``workdir`` (the engine child chdirs there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == workdir:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


async def _started(workdir: Path, within_s: float = 20.0) -> list[int]:
    """The engine processes of ``workdir`` once they exist (a loaded machine forks slowly)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if pids := _engine_pids(workdir.resolve()):
            return pids
        await asyncio.sleep(0.05)
    return []


def _do(workdir: Path, text: str) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "main.do").write_text(text)
    return workdir


async def test_success_writes_the_log(runner: EmbeddedRunner, tmp_path: Path) -> None:
    work = _do(tmp_path / "ok", 'display "hello " 1+1\n')
    outcome = await runner.run(work, "main.do", timeout_s=30, cancel=asyncio.Event())
    assert outcome.status is RunStatus.OK
    assert outcome.rc == 0
    assert "hello 2" in (work / "main.log").read_text()
    assert outcome.versions["numpy"]


async def test_dofile_error_returns_statas_code(runner: EmbeddedRunner, tmp_path: Path) -> None:
    work = _do(tmp_path / "err", "display 1\nnosuchcommand\n")
    outcome = await runner.run(work, "main.do", timeout_s=30, cancel=asyncio.Event())
    assert outcome.status is RunStatus.DOFILE_ERROR
    assert outcome.rc == 199
    assert "r(199);" in outcome.log_excerpt


async def test_timeout_and_cancel_kill_the_child(runner: EmbeddedRunner, tmp_path: Path) -> None:
    work = _do(tmp_path / "slow", "sleep 60000\n")
    began = time.monotonic()
    outcome = await runner.run(work, "main.do", timeout_s=0.5, cancel=asyncio.Event())
    assert outcome.status is RunStatus.TIMEOUT
    assert time.monotonic() - began < 5
    assert _engine_pids(work.resolve()) == []

    cancel = asyncio.Event()
    work2 = _do(tmp_path / "cancel", "sleep 60000\n")
    task = asyncio.create_task(runner.run(work2, "main.do", timeout_s=60, cancel=cancel))
    assert await _started(work2)
    cancel.set()
    outcome = await asyncio.wait_for(task, 5)
    assert outcome.status is RunStatus.CANCELLED
    assert _engine_pids(work2.resolve()) == []


async def test_a_dying_engine_is_a_crash(runner: EmbeddedRunner, tmp_path: Path) -> None:
    work = _do(tmp_path / "crash", "sleep 60000\n")
    task = asyncio.create_task(runner.run(work, "main.do", timeout_s=60,
                                          cancel=asyncio.Event()))
    pids = await _started(work)
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)  # e.g. the kernel's OOM killer
    outcome = await asyncio.wait_for(task, 10)
    assert outcome.status is RunStatus.CRASHED
    assert _FAILURES[RunStatus.CRASHED][0] is ErrorCode.ENGINE_CRASHED


def test_the_warm_up_job_runs_clean(tmp_path: Path) -> None:
    """The fork server's warm-up (``WARM_UP_DO``) is a job the engine finishes: a command it
    uses that stopped working would make every fork server skip the warm-up."""
    assert warm_up(tmp_path) == 0
    assert {p.name for p in (tmp_path / "results").iterdir()} == {
        "coefficients.csv", "model_stats.csv", "models.csv"}
    coefficients = (tmp_path / "results" / "coefficients.csv").read_text().splitlines()
    assert [line.split(",")[1] for line in coefficients[1:]] == ["x", "g", "_cons"]


def report_frozen(conn: multiprocessing.connection.Connection) -> None:
    """In a child of the engine's fork server: how many objects it inherited frozen."""
    conn.send(gc.get_freeze_count())


def test_children_inherit_a_frozen_heap() -> None:
    """A fresh interpreter's engine fork server freezes what it preloaded, so a child's
    garbage collection never walks (and copies) those objects."""
    script = (
        "import multiprocessing as mp\n"
        "from libs.runners.embedded import PRELOAD\n"
        "from tests.runners.test_embedded import report_frozen\n"
        "ctx = mp.get_context('forkserver'); ctx.set_forkserver_preload(PRELOAD)\n"
        "mine, theirs = ctx.Pipe()\n"
        "child = ctx.Process(target=report_frozen, args=(theirs,)); child.start()\n"
        "print(mine.recv()); child.join()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2], check=True)
    # the numeric stack alone is well over 100k objects; an unfrozen heap reports 0
    assert int(done.stdout.strip()) > 100_000
