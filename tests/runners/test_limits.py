"""A run's limits on both engines: memory, CPU time, the time limit, the size of a file, what
the run adds to its workspace and how many files; hostile do-files are stopped by them and
say which limit they hit, and a run beside them is not hurt. The epilogue collects stored
estimates."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from libs.contracts.errors import ErrorCode
from libs.runners.base import RunLimits, Runner, RunOutcome, RunStatus
from libs.runners.embedded import EmbeddedRunner
from libs.runners.stata import StataRunner
from services.worker.attempt import _FAILURES
from tests.doubles import install_fake_stata

ADO = Path(__file__).resolve().parents[2] / "do_library" / "ado"
MIB = 1024**2
LIMITS = RunLimits(memory_bytes=256 * MIB, cpu_s=60, output_bytes=4 * MIB, files=40)


@pytest.fixture(scope="module")
async def embedded() -> AsyncIterator[EmbeddedRunner]:
    runner = EmbeddedRunner()
    await runner.warm_up()
    yield runner
    await runner.close()


@pytest.fixture
def stata(tmp_path: Path) -> StataRunner:
    return StataRunner(str(install_fake_stata(tmp_path / "bin")), ADO)


async def run(runner: Runner, workdir: Path, text: str, *, limits: RunLimits = LIMITS,
              timeout_s: float = 60, epilogue: tuple[str, ...] = ()) -> RunOutcome:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "main.do").write_text(text, encoding="utf-8")
    return await runner.run(workdir, "main.do", timeout_s=timeout_s, cancel=asyncio.Event(),
                            limits=limits, epilogue=epilogue)


def failure_code(outcome: RunOutcome) -> ErrorCode:
    return _FAILURES[outcome.status][0]


#: A billion observations of a double: 8 GB, far past the 256 MiB a run may take.
GIGA_OBS = {"embedded": "set obs 1000000000\ngenerate double x = 1\n",
            "stata": "set obs 1000000000\ngenerate double x = 1\n"}


@pytest.mark.parametrize("engine", ["embedded", "stata"])
async def test_a_huge_set_obs_is_stopped_by_the_memory_limit(
        engine: str, embedded: EmbeddedRunner, stata: StataRunner, tmp_path: Path) -> None:
    runner = embedded if engine == "embedded" else stata
    out = await run(runner, tmp_path / engine, GIGA_OBS[engine])
    assert (out.status, out.rc, out.limit) == (RunStatus.MEMORY, 909, "memory_bytes")
    assert failure_code(out) is ErrorCode.JOB_MEMORY_EXCEEDED
    assert "r(909);" in (tmp_path / engine / "main.log").read_text()


async def test_a_forvalues_bomb_is_stopped_by_a_limit(embedded: EmbeddedRunner,
                                                      tmp_path: Path) -> None:
    out = await run(embedded, tmp_path, "forvalues i = 1/1000000000 {\n  local x = `i'\n}\n",
                    timeout_s=30)
    assert out.status in (RunStatus.MEMORY, RunStatus.TIMEOUT)
    assert out.limit in ("memory_bytes", "time_s", "cpu_s")


@pytest.mark.parametrize("engine", ["embedded", "stata"])
async def test_an_endless_loop_is_stopped_by_the_time_limit_and_says_so(
        engine: str, embedded: EmbeddedRunner, stata: StataRunner, tmp_path: Path) -> None:
    runner = embedded if engine == "embedded" else stata
    out = await run(runner, tmp_path / engine, "while 1 {\n  sleep 10\n}\n", timeout_s=3)
    assert (out.status, out.limit) == (RunStatus.TIMEOUT, "time_s")
    assert failure_code(out) is ErrorCode.JOB_TIMEOUT


@pytest.mark.parametrize("engine", ["embedded", "stata"])
async def test_a_cpu_hog_is_stopped_by_the_cpu_limit(
        engine: str, embedded: EmbeddedRunner, stata: StataRunner, tmp_path: Path) -> None:
    runner = embedded if engine == "embedded" else stata
    body = "while 1 {\n  local k = 1\n}\n" if engine == "embedded" else "while 1 {\n}\n"
    out = await run(runner, tmp_path / engine, body,
                    limits=RunLimits(cpu_s=1), timeout_s=120)
    assert (out.status, out.limit) == (RunStatus.TIMEOUT, "cpu_s")


WRITERS = {
    # one file past the 4 MiB limit: 1,000,000 doubles saved
    "file_bytes": {"embedded": "set obs 1000000\ngenerate double x = 1\nsave big\n",
                   "stata": ('file open h using big.txt, write\nforvalues i = 1/200000 {\n'
                             'file write h "0123456789012345678901234567890123456789" _n\n}\n')},
    # forty-one small files, one more than a run may add
    "files": {"embedded": "set obs 1\ngenerate x = 1\nforvalues i = 1/41 {\n save f`i'\n}\n",
              "stata": ("forvalues i = 1/41 {\nfile open h using f`i'.txt, write\n"
                        'file write h "x" _n\nfile close h\n}\n')},
}


@pytest.mark.parametrize("engine", ["embedded", "stata"])
@pytest.mark.parametrize("limit", ["file_bytes", "files"])
async def test_writing_too_much_is_stopped_and_says_which_limit(
        engine: str, limit: str, embedded: EmbeddedRunner, stata: StataRunner,
        tmp_path: Path) -> None:
    runner = embedded if engine == "embedded" else stata
    out = await run(runner, tmp_path / engine, WRITERS[limit][engine])
    assert out.status is RunStatus.OUTPUT
    # One file grown line by line passes the workspace's limit (the same size, the log
    # counting too) about when it passes a file's: either stops it.
    assert out.limit == limit or (limit, out.limit) == ("file_bytes", "output_bytes")
    assert failure_code(out) is ErrorCode.JOB_OUTPUT_EXCEEDED


async def test_many_files_each_under_the_limit_still_count_together(
        embedded: EmbeddedRunner, tmp_path: Path) -> None:
    # 30 files of 400 KB: each under the 4 MiB a file may have, 12 MB together
    text = "set obs 50000\ngenerate double x = 1\nforvalues i = 1/30 {\n  save part`i'\n}\n"
    out = await run(embedded, tmp_path, text)
    assert (out.status, out.limit) == (RunStatus.OUTPUT, "output_bytes")


async def test_what_was_there_before_the_run_does_not_count(embedded: EmbeddedRunner,
                                                            tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "upload.bin").write_bytes(b"\0" * (6 * MIB))  # an input bigger than the limit
    out = await run(embedded, tmp_path, "display 1\n")
    assert out.status is RunStatus.OK


async def test_a_hostile_run_does_not_hurt_the_run_beside_it(embedded: EmbeddedRunner,
                                                             tmp_path: Path) -> None:
    honest = ("set obs 200\nset seed 7\ngenerate x = rnormal()\ngenerate y = 2*x + rnormal()\n"
              "regress y x\n")
    hostile, normal = await asyncio.gather(
        run(embedded, tmp_path / "hostile", GIGA_OBS["embedded"]),
        run(embedded, tmp_path / "normal", honest))
    assert hostile.status is RunStatus.MEMORY
    assert normal.status is RunStatus.OK
    # and the next run gets the same limits, not what the last one left
    again = await run(embedded, tmp_path / "again", honest)
    assert again.status is RunStatus.OK


async def test_the_epilogue_collects_stored_estimates(embedded: EmbeddedRunner,
                                                      tmp_path: Path) -> None:
    text = ("set obs 100\nset seed 3\ngenerate x = rnormal()\ngenerate y = 1 + x + rnormal()\n"
            "regress y x\nestimates store plain\nregress y x, vce(robust)\n"
            "estimates store robust\n")
    out = await run(embedded, tmp_path, text, epilogue=("ss_collect_estimates",))
    assert out.status is RunStatus.OK
    with (tmp_path / "results" / "models.csv").open(encoding="utf-8") as fh:
        models = list(csv.DictReader(fh))
    assert [(m["model"], m["vce"]) for m in models] == [("plain", "ols"), ("robust", "robust")]


async def test_a_failing_epilogue_never_changes_the_verdict(embedded: EmbeddedRunner,
                                                            tmp_path: Path) -> None:
    out = await run(embedded, tmp_path, "display 1\n", epilogue=("error 459",))
    assert (out.status, out.rc) == (RunStatus.OK, 0)
    failed = await run(embedded, tmp_path / "f", "error 198\n", epilogue=("display 2",))
    assert (failed.status, failed.rc) == (RunStatus.DOFILE_ERROR, 198)


async def test_stata_runs_the_epilogue_and_caps_its_memory(stata: StataRunner,
                                                           tmp_path: Path) -> None:
    out = await run(stata, tmp_path, 'display "analysis"\n',
                    epilogue=("ss_collect_estimates",))
    assert out.status is RunStatus.OK
    wrapper = (tmp_path / "ss_wrapper.do").read_text()
    assert "set max_memory 256m" in wrapper
    assert wrapper.index('do "main.do"') < wrapper.index("capture noisily ss_collect_estimates")
    # the double computes nothing, so SS's helper fails inside it: the verdict stays the
    # do-file's
    assert ". capture noisily ss_collect_estimates" in (tmp_path / "main.log").read_text()


async def test_stata_finds_a_job_s_ado_file_in_the_working_directory(
        stata: StataRunner, tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "hello.ado").write_text('program define hello\n  display "hello `1\'"\nend\n')
    out = await run(stata, tmp_path, "hello world\n")
    assert out.status is RunStatus.OK
    assert "hello world" in (tmp_path / "main.log").read_text().splitlines()
