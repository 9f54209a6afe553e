"""StataRunner against the batch-mode test double (tests/doubles/fake_stata.py)."""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path

import pytest

from libs.contracts.errors import ErrorCode, SSError
from libs.runners.base import RunOutcome, RunStatus
from libs.runners.stata import (
    NO_RC,
    RC_SIDECAR,
    WRAPPER_DO,
    StataRunner,
    batch_command,
    check_stata_cmd,
    rc_from_log,
)
from tests.doubles import install_fake_stata
from tests.doubles.fake_stata import C_VALUES

_ANY_RC_LINE = re.compile(r"^r\(\d+\);$", re.MULTILINE)


@pytest.fixture
def stata_cmd(tmp_path: Path) -> Path:
    return install_fake_stata(tmp_path / "bin")


@pytest.fixture
def ado_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "ado"
    folder.mkdir()
    return folder


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    # A space in the attempt directory: the wrapper quotes every path it writes.
    folder = tmp_path / "attempt 1"
    folder.mkdir()
    return folder


@pytest.fixture
def runner(stata_cmd: Path, ado_dir: Path) -> StataRunner:
    return StataRunner(str(stata_cmd), ado_dir)


async def run_do(
    runner: StataRunner,
    workdir: Path,
    text: str,
    *,
    timeout_s: float = 20.0,
    cancel: asyncio.Event | None = None,
) -> RunOutcome:
    (workdir / "main.do").write_text(text, encoding="utf-8")
    return await runner.run(
        workdir, "main.do", timeout_s=timeout_s, cancel=cancel or asyncio.Event()
    )


def output_lines(log: str) -> list[str]:
    """Lines Stata printed, as opposed to echoed commands (``. cmd``)."""
    return [line for line in log.splitlines() if not line.startswith(". ")]


def alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie waiting for a non-reaping init counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


async def gone_soon(pid: int) -> bool:
    for _ in range(50):
        if not alive(pid):
            return True
        await asyncio.sleep(0.02)
    return False


async def read_pid(path: Path) -> int:
    for _ in range(500):
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} never appeared")


async def test_success(runner: StataRunner, stata_cmd: Path, workdir: Path) -> None:
    out = await run_do(runner, workdir, 'display "hello from main"\n')

    assert out.status is RunStatus.OK
    assert out.rc == 0
    assert out.log_file == "main.log"
    assert "hello from main" in output_lines((workdir / "main.log").read_text())
    assert (workdir / RC_SIDECAR).read_text().strip() == "0"
    assert out.command == [str(stata_cmd), "-b", "do", WRAPPER_DO]
    expected = " ".join(C_VALUES[k] for k in ("stata_version", "edition_real", "born_date"))
    assert out.versions == {"stata": expected}
    assert out.log_excerpt == ""
    assert out.duration_s > 0


@pytest.mark.parametrize("code", [111, 198, 459])
async def test_dofile_error_rc_from_sidecar(runner: StataRunner, workdir: Path, code: int) -> None:
    text = f'display "before"\nerror {code}\ndisplay "not reached"\n'
    out = await run_do(runner, workdir, text)

    assert out.status is RunStatus.DOFILE_ERROR
    assert out.rc == code
    assert (workdir / RC_SIDECAR).read_text().strip() == str(code)
    log = (workdir / "main.log").read_text()
    assert "before" in output_lines(log)
    assert "not reached" not in output_lines(log)
    assert out.log_excerpt.splitlines()[-1] == f"r({code});"
    assert f". error {code}" in out.log_excerpt
    assert f"r({code})" in out.message


async def test_error_message_in_outcome(runner: StataRunner, workdir: Path) -> None:
    out = await run_do(runner, workdir, "error 198\n")
    assert out.message == "do-file stopped with r(198): invalid syntax"


async def test_false_positives_are_not_errors(runner: StataRunner, workdir: Path) -> None:
    (workdir / "inner.do").write_text("error 601\n", encoding="utf-8")
    text = 'capture noisily error 198\ndisplay "r(199);"\ncapture noisily do inner.do\n'
    out = await run_do(runner, workdir, text)

    log = (workdir / "main.log").read_text()
    # The log really holds r(NNN); lines a naive scan would take for errors.
    assert set(_ANY_RC_LINE.findall(log)) == {"r(199);", "r(601);"}
    assert out.status is RunStatus.OK
    assert out.rc == 0


async def test_missing_sidecar_falls_back_to_log(runner: StataRunner, workdir: Path) -> None:
    # The do-file puts a directory where the sidecar goes: the wrapper's `file open` fails with
    # r(603) at top level, so only the log tells what happened.
    out = await run_do(runner, workdir, f'shell mkdir "{RC_SIDECAR}"\n')

    assert (workdir / RC_SIDECAR).is_dir()
    assert out.status is RunStatus.DOFILE_ERROR
    assert out.rc == 603
    assert RC_SIDECAR in out.message
    assert "main.log" in out.message


async def test_stale_sidecar_is_not_trusted(runner: StataRunner, workdir: Path) -> None:
    # A do-file that leaves Stata itself: no sidecar, no final `end of do-file`; exit code 0.
    (workdir / RC_SIDECAR).write_text("0\n")
    out = await run_do(runner, workdir, 'display "bye"\nexit, STATA clear\n')

    assert out.status is RunStatus.CRASHED
    assert out.rc == NO_RC
    assert "exited with code 0" in out.message


async def test_exit_code_zero_alone_is_a_crash(ado_dir: Path, workdir: Path) -> None:
    runner = StataRunner("/bin/true", ado_dir)
    out = await run_do(runner, workdir, 'display "never runs"\n')
    assert out.status is RunStatus.CRASHED
    assert out.rc == NO_RC


def test_rc_from_log_reads_only_after_final_end_of_do_file() -> None:
    log = "\n".join(
        [
            ". capture noisily do main.do",
            "r(198);",  # inside main.do, captured
            'display "r(199);"',
            "r(199);",
            "",
            "end of do-file",
            ". file open h using x.txt, write",
            "file x.txt could not be opened",
            "r(603);",
            "",
            "end of do-file",
            "r(603);",
        ]
    )
    assert rc_from_log(log) == 603
    assert rc_from_log("r(198);\n\nend of do-file\n. local ss_rc = _rc\n") is None
    assert rc_from_log("r(198);\n") is None
    assert rc_from_log("") is None


async def test_timeout_kills_the_process_group(runner: StataRunner, workdir: Path) -> None:
    # `shell` blocks Stata on a child; `exec` keeps the pid the child wrote.
    text = "shell echo $$ > child.pid; exec sleep 1000\n"
    started = time.monotonic()
    out = await run_do(runner, workdir, text, timeout_s=1.0)
    elapsed = time.monotonic() - started

    assert out.status is RunStatus.TIMEOUT
    assert out.rc == NO_RC
    assert 1.0 <= elapsed < 1.0 + 0.5 + 1.5
    assert await gone_soon(await read_pid(workdir / "child.pid"))
    assert "1 s" in out.message


async def test_child_ignoring_sigterm_gets_sigkill(runner: StataRunner, workdir: Path) -> None:
    text = 'shell trap "" TERM; echo $$ > child.pid; while :; do sleep 0.05; done\n'
    out = await run_do(runner, workdir, text, timeout_s=0.5)

    assert out.status is RunStatus.TIMEOUT
    assert await gone_soon(await read_pid(workdir / "child.pid"))


async def test_cancel_kills_within_a_fraction_of_a_second(
    runner: StataRunner, workdir: Path
) -> None:
    cancel = asyncio.Event()
    set_at: list[float] = []

    def cancel_now() -> None:
        set_at.append(time.monotonic())
        cancel.set()

    asyncio.get_running_loop().call_later(0.3, cancel_now)
    out = await run_do(runner, workdir, 'display "working"\nsleep 100000\n', cancel=cancel)
    reaction = time.monotonic() - set_at[0]

    assert out.status is RunStatus.CANCELLED
    assert reaction < 0.5
    # The log was being written when the run was killed: the excerpt shows how far it got.
    assert ". sleep 100000" in out.log_excerpt


async def test_leftover_background_children_are_killed(runner: StataRunner, workdir: Path) -> None:
    out = await run_do(runner, workdir, "shell sleep 1000 > /dev/null 2>&1 & echo $! > child.pid\n")
    assert out.status is RunStatus.OK
    assert await gone_soon(await read_pid(workdir / "child.pid"))


async def test_ado_folder_first_on_adopath(
    runner: StataRunner, workdir: Path, ado_dir: Path
) -> None:
    await run_do(runner, workdir, 'display "`c(adopath)\'"\n')
    adopath = [line for line in output_lines((workdir / "main.log").read_text()) if ";" in line]
    assert adopath[0].split(";")[0] == str(ado_dir.resolve())


async def test_stata_path_with_spaces(tmp_path: Path, ado_dir: Path, workdir: Path) -> None:
    exe = install_fake_stata(tmp_path / "Program Files" / "Stata 18")
    for value in (str(exe), f'"{exe}"', f"'{exe}' -q"):
        runner = StataRunner(value, ado_dir)
        out = await run_do(runner, workdir, 'display "ok"\n')
        assert out.status is RunStatus.OK, value
        assert out.command[0] == str(exe)


async def test_windows_exe_uses_slash_e(tmp_path: Path, ado_dir: Path, workdir: Path) -> None:
    exe = install_fake_stata(tmp_path / "win", name="StataMP-64.exe")
    out = await run_do(StataRunner(str(exe), ado_dir), workdir, "error 198\n")
    assert out.command[1:] == ["/e", "do", WRAPPER_DO]
    assert out.status is RunStatus.DOFILE_ERROR
    assert out.rc == 198


def test_batch_command_flags() -> None:
    assert batch_command(["/usr/local/stata18/stata-mp"], "w.do")[1:] == ["-b", "do", "w.do"]
    assert batch_command([r"C:\Stata18\StataMP-64.EXE"], "w.do")[1:] == ["/e", "do", "w.do"]


@pytest.mark.parametrize("value", ["", "   "])
def test_unset_stata_cmd(value: str, ado_dir: Path) -> None:
    with pytest.raises(SSError) as err:
        check_stata_cmd(value)
    assert err.value.code is ErrorCode.STATA_CMD_NOT_CONFIGURED
    with pytest.raises(SSError) as err:
        StataRunner(value, ado_dir)
    assert err.value.code is ErrorCode.STATA_CMD_NOT_CONFIGURED


def test_invalid_stata_cmd(tmp_path: Path, stata_cmd: Path) -> None:
    not_executable = tmp_path / "stata-mp"
    not_executable.write_text("#!/bin/sh\n")
    for value in (
        str(tmp_path / "missing" / "stata-mp"),
        str(tmp_path),  # a directory
        str(not_executable),
        f'"{stata_cmd}',  # unbalanced quote
        "no-such-stata-command-on-path",
    ):
        with pytest.raises(SSError) as err:
            check_stata_cmd(value)
        assert err.value.code is ErrorCode.STATA_CMD_INVALID, value


def test_stata_cmd_forms(tmp_path: Path, stata_cmd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_stata_cmd(f" {stata_cmd} -q ") == [str(stata_cmd), "-q"]
    monkeypatch.setenv("PATH", str(stata_cmd.parent))
    assert check_stata_cmd("stata-mp") == [str(stata_cmd)]
    monkeypatch.chdir(stata_cmd.parent)
    # Relative paths become absolute: the run's working directory is elsewhere.
    assert check_stata_cmd("./stata-mp") == [str(stata_cmd)]


@pytest.mark.parametrize("name", ["../main.do", "main.txt", WRAPPER_DO, "a b.do"])
async def test_rejects_do_file_names(runner: StataRunner, workdir: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"plain \.do file name"):
        await runner.run(workdir, name, timeout_s=5, cancel=asyncio.Event())


def test_rejects_ado_folder_stata_cannot_quote(tmp_path: Path, stata_cmd: Path) -> None:
    folder = tmp_path / "ado$x"
    folder.mkdir()
    with pytest.raises(ValueError, match="cannot quote"):
        StataRunner(str(stata_cmd), folder)
