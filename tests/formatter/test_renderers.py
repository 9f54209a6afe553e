"""Renderer processes: the same files as rendering in-process, jobs side by side in separate
processes, and every way a renderer can fail (a refused report, a crash, a cancel, its
formatter dying) ends cleanly without poisoning the next job."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from dev.report_samples import write_attempt, write_big_table
from libs.reports import ReportError, ResultBundle, render
from libs.reports.context import ReportContext
from libs.reports.errors import ReportCode
from services.formatter import renderers
from services.formatter.renderers import RenderCrashed, RenderFailed, RenderPool

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def pool() -> AsyncIterator[RenderPool]:
    renderers = RenderPool(2)
    yield renderers
    renderers.close()


def _attempt(folder: Path) -> tuple[Path, ReportContext]:
    raw = folder / "raw"
    context, _ = write_attempt(raw)
    return raw, context


def _content(path: Path) -> object:
    """A file's bytes, but for the clock: a zip's members' (python-docx stamps its zip
    entries with the time), a .dta's without its header's time stamp."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    return re.sub(rb"<timestamp>.{0,18}</timestamp>", b"", path.read_bytes(), count=1)


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie awaiting its parent counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return True


async def test_a_renderer_writes_what_rendering_in_process_writes(
        pool: RenderPool, tmp_path: Path) -> None:
    raw, context = _attempt(tmp_path)
    formats = ["xlsx", "pdf", "html", "json", "csv", "docx", "dta", "log", "png"]
    async with pool.session(raw, tmp_path / "child", context) as session:
        assert session.pid != os.getpid()
        written = {fmt: await session.render(fmt) for fmt in formats}
    bundle = ResultBundle.load(raw / "results", context)
    for fmt in formats:
        here = render(fmt, bundle, raw, tmp_path / "here")
        assert [p.relative_to(tmp_path / "here") for p in here] == [
            p.relative_to(tmp_path / "child") for p in written[fmt]], fmt
        for mine, theirs in zip(here, written[fmt], strict=True):
            assert _content(mine) == _content(theirs), (fmt, mine.name)


async def test_two_jobs_render_at_once_in_two_processes(
        pool: RenderPool, tmp_path: Path) -> None:
    raw, context = _attempt(tmp_path)
    async with pool.session(raw, tmp_path / "a", context) as first, \
            pool.session(raw, tmp_path / "b", context) as second:
        assert first.pid != second.pid
        a, b = await asyncio.gather(first.render("pdf"), second.render("pdf"))
    assert a[0].read_bytes()[:5] == b"%PDF-"
    assert b[0].read_bytes() == a[0].read_bytes()


async def test_a_refused_report_crosses_back_and_the_renderer_stays(
        pool: RenderPool, tmp_path: Path) -> None:
    raw, context = _attempt(tmp_path)
    async with pool.session(raw, tmp_path / "out", context) as session:
        pid = session.pid
        with pytest.raises(ReportError) as refused:
            await session.render("odt")
        assert refused.value.code is ReportCode.FORMAT_UNKNOWN
    # A table the bundle cannot read refuses the job at load, with the file named.
    (raw / "results" / "models.csv").write_text("model,title\nm1\n")
    with pytest.raises(ReportError) as malformed:
        async with pool.session(raw, tmp_path / "out", context):
            pass
    assert malformed.value.code is ReportCode.RESULT_TABLE_MALFORMED
    assert "models.csv" in malformed.value.message
    (raw / "results" / "models.csv").unlink()
    async with pool.session(raw, tmp_path / "out", context) as session:
        assert session.pid == pid  # still the same, sound process
        assert (await session.render("json"))[0].name == "results.json"


async def test_a_renderer_that_dies_fails_its_job_only(pool: RenderPool, tmp_path: Path) -> None:
    raw, context = _attempt(tmp_path)
    async with pool.session(raw, tmp_path / "out", context) as session:
        await session.render("json")
        dead = session.pid
    async with contextlib.AsyncExitStack() as stack:
        session = await stack.enter_async_context(pool.session(raw, tmp_path / "out", context))
        assert session.pid == dead
        failed_before = _replaced("failed")
        os.kill(dead, signal.SIGKILL)
        with pytest.raises(RenderCrashed):
            await session.render("xlsx")
    async with pool.session(raw, tmp_path / "out", context) as session:
        assert session.pid != dead
        assert (await session.render("xlsx"))[0].stat().st_size > 0
    assert _replaced("failed") - failed_before == 1


def _replaced(reason: str) -> float:
    return REGISTRY.get_sample_value("ss_formatter_renderers_replaced_total",
                                     {"reason": reason}) or 0.0


async def test_a_renderer_left_holding_memory_is_replaced(tmp_path: Path) -> None:
    raw, context = _attempt(tmp_path)
    # Any renderer holds more than a byte after a job; none holds a terabyte.
    for bound, kept in ((1, False), (2**40, True)):
        pool = RenderPool(1, recycle_above_bytes=bound)
        try:
            before = _replaced("memory")
            async with pool.session(raw, tmp_path / "a", context) as session:
                await session.render("pdf")
                first = session.pid
            async with pool.session(raw, tmp_path / "b", context) as session:
                assert (session.pid == first) is kept
                assert (await session.render("pdf"))[0].read_bytes()[:5] == b"%PDF-"
            assert _replaced("memory") - before == (0 if kept else 2)
            if not kept:
                assert _gone(first)
        finally:
            pool.close()


async def test_a_cancelled_render_ends_its_renderer(pool: RenderPool, tmp_path: Path) -> None:
    raw, context = _attempt(tmp_path)
    write_big_table(raw / "results", rows=200_000)  # seconds of xlsx cells
    started = asyncio.Event()
    pids: list[int] = []

    async def job() -> None:
        async with pool.session(raw, tmp_path / "out", context) as session:
            pids.append(session.pid)
            started.set()
            await session.render("xlsx")

    task = asyncio.create_task(job())
    await started.wait()
    await asyncio.sleep(0.3)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _gone(pids[0])
    (raw / "results" / "big.csv").unlink()
    async with pool.session(raw, tmp_path / "out", context) as session:
        assert session.pid != pids[0]
        assert (await session.render("json"))[0].exists()


def test_renderers_exit_when_their_formatter_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import asyncio, multiprocessing, os, sys, time
        from services.formatter.renderers import PRELOAD, RenderPool

        if __name__ == "__main__":
            multiprocessing.set_forkserver_preload(PRELOAD)
            pool = RenderPool(2)
            pool.warm_up()
            print(" ".join(str(r.pid) for r in pool._idle), flush=True)
            time.sleep(600)
    """)
    (tmp_path / "formatter.py").write_text(script)
    process = subprocess.Popen([sys.executable, str(tmp_path / "formatter.py")], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert process.stdout is not None
    pids = [int(p) for p in process.stdout.readline().split()]
    assert len(pids) == 2
    assert not any(_gone(pid) for pid in pids)
    process.kill()
    process.wait()
    process.stdout.close()
    deadline = time.monotonic() + 20
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(pid) for pid in pids), pids


async def test_a_job_cancelled_while_its_renderer_starts_leaks_no_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, context = _attempt(tmp_path)
    pool = RenderPool(1)
    starting, go_on = threading.Event(), threading.Event()

    class SlowStart(renderers._Renderer):
        def __init__(self, log_level: str = "") -> None:
            starting.set()
            go_on.wait(30)  # the job is cancelled while its renderer starts
            super().__init__(log_level)

    monkeypatch.setattr(renderers, "_Renderer", SlowStart)

    async def job() -> None:
        async with pool.session(raw, tmp_path / "out", context):
            pass

    task = asyncio.create_task(job())
    assert await asyncio.to_thread(starting.wait, 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    before = {p.pid for p in multiprocessing.active_children()}
    go_on.set()
    for _ in range(600):  # the thread finishes the start, then hands the renderer over
        if pool.idle:
            break
        await asyncio.sleep(0.05)
    assert pool.idle == 1
    started = {p.pid for p in multiprocessing.active_children()} - before
    assert len(started) == 1
    # It was kept for the next job, and ends with the pool.
    async with pool.session(raw, tmp_path / "out", context) as session:
        assert {session.pid} == started
    pool.close()
    assert all(_gone(pid) for pid in started)


async def test_a_render_past_the_timeout_is_killed_and_refused(tmp_path: Path) -> None:
    raw, context = _attempt(tmp_path)
    # Read in a second; written as 4 million xlsx cells for far longer than the timeout.
    write_big_table(raw / "results", rows=200_000)
    # Long enough for a fresh renderer to import the reports on a loaded machine (the json
    # render below starts one: ~3 s measured at load 9), far below the xlsx's time.
    pool = RenderPool(1, timeout=8)
    try:
        async with pool.session(raw, tmp_path / "out", context) as session:
            pid = session.pid
            with pytest.raises(ReportError) as late:
                await session.render("xlsx")
        assert late.value.code is ReportCode.RENDER_TIMEOUT
        assert "rendering xlsx took longer than 8 s" in late.value.message
        assert _gone(pid)
        (raw / "results" / "big.csv").unlink()
        async with pool.session(raw, tmp_path / "out", context) as session:
            assert session.pid != pid
            assert (await session.render("json"))[0].exists()
    finally:
        pool.close()


async def test_a_bug_in_the_renderer_is_raised_as_one_and_the_renderer_answers_on() -> None:
    renderer = renderers._Renderer("WARNING")
    try:
        with pytest.raises(RenderFailed, match="AssertionError: render before load"):
            await renderer.ask("render", "xlsx")
        assert renderer.alive()
        assert await renderer.ask("end") > 0  # its resident bytes: it answered
    finally:
        renderer.close()
