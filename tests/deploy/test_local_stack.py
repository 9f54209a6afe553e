"""`make up`'s stack (dev/Procfile under honcho) comes up, runs the example job, and `make down`
stops every process of it and nothing else.

Runs `make up` itself, with the environment moving its ports and data folder (dev/stack.env
gives only what the environment leaves unset).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from dev.servers import free_port

REPO = Path(__file__).resolve().parents[2]


def _stack_env(data: Path) -> dict[str, str]:
    nats, s3, api = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SS_", "AWS_"))}
    for line in (REPO / "dev" / "stack.env").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    env.update({
        "SS_DEV_DATA": str(data), "SS_WORKDIR": str(data / "work"),
        "SS_DEV_NATS_PORT": str(nats), "SS_DEV_NATS_MONITOR": str(free_port()),
        "SS_NATS_URL": f"nats://127.0.0.1:{nats}", "SS_S3_ENDPOINT": f"http://127.0.0.1:{s3}",
        "SS_API_PORT": str(api), "SS_DEV_WEED_BASE_PORT": str(random.randrange(20000, 40000, 20)),
        "PYTHONPATH": str(REPO),
    })
    return env


def _make_down(pid_file: Path) -> str:
    return subprocess.run(["make", "-s", "down", f"STACK_PID={pid_file}"], cwd=REPO,
                          capture_output=True, text=True, check=True, timeout=60).stdout


def _running(pid: int) -> bool:
    """``pid`` is a process that has not exited (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid``."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent[int(entry.name)] = int(
                    (entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, ValueError):
                continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, ppid in parent.items() if ppid in frontier} - found
        found |= frontier
    return {p for p in found if _running(p)}


def test_make_down_leaves_a_process_that_is_not_its_stack(tmp_path: Path) -> None:
    pid_file = tmp_path / "honcho.pid"
    assert _make_down(pid_file).strip() == "no stack started here"
    other = subprocess.Popen(["sleep", "60"])
    try:
        pid_file.write_text(f"{other.pid}\n")
        assert _make_down(pid_file).strip() == "the stack started here is not running"
        assert other.poll() is None
        assert not pid_file.exists()
    finally:
        other.kill()
        other.wait()


@pytest.mark.slow
def test_make_up_stack_runs_the_example_job(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    log, pid_file = tmp_path / "stack.log", tmp_path / "honcho.pid"
    with log.open("wb") as out:  # the README's command; the environment moves its ports
        proc = subprocess.Popen(["make", "-s", "up", f"STACK_PID={pid_file}"],
                                cwd=REPO, env=_stack_env(tmp_path / "data"), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while b"Serving; Ctrl-C" not in log.read_bytes():
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        text = log.read_text()
        assert "SS is up." in text
        line = next(x for x in text.splitlines() if "Example job" in x)
        assert " succeeded in " in line, text[-3000:]
        outputs = tmp_path / "data" / "example-outputs"
        for name in ("report.xlsx", "report.pdf", "report.docx", "report.html", "results.json"):
            assert (outputs / name).stat().st_size > 0, name

        # `make down`, as after `make up`: honcho's pid from the file, every process it
        # started stops with it.
        honcho = int(pid_file.read_text())
        started = _descendants(honcho)
        assert len(started) >= 6, started  # nats, s3, api, worker, formatter, example
        assert _make_down(pid_file).strip() == f"stopping the stack (honcho pid {honcho})"
        proc.wait(60)
        deadline = time.monotonic() + 30
        while (left := {p for p in started if _running(p)}) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not left, f"still running after make down: {left}"
    finally:  # a failed test's stack (the group is gone once make down stopped it)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
