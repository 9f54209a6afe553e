"""`make up`'s stack (dev/Procfile under honcho) comes up, runs the example job, stops cleanly.

Runs the same Procfile and modules as `make up`, on free ports and a temporary data folder.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dev.servers import free_port

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


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


def test_make_up_stack_runs_the_example_job(tmp_path: Path) -> None:
    honcho = Path(sys.executable).parent / "honcho"
    (tmp_path / "data").mkdir()
    log = tmp_path / "stack.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(honcho), "-f", "dev/Procfile", "-d", ".", "start"],
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
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
