"""A worker with engine `stata` and no usable SS_STATA_CMD exits at once, saying why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dev.servers import NatsServer, S3Server, free_port, service_env

REPO = Path(__file__).resolve().parents[2]


def test_unset_stata_cmd_refuses_to_start(nats_server: NatsServer, s3_server: S3Server) -> None:
    env = service_env(nats_server, s3_server, "worker", SS_ENGINE="stata")
    done = subprocess.run([sys.executable, "-m", "services.worker"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "STATA_CMD_NOT_CONFIGURED" in done.stderr


def test_invalid_stata_cmd_exits_with_the_reason_even_with_a_probe_port(
        nats_server: NatsServer, s3_server: S3Server, tmp_path: Path) -> None:
    # The image sets SS_HEALTH_PORT: the worker still exits (an orchestrator shows a crash
    # loop with the reason and retries) rather than staying up, never ready, unnoticed.
    port = free_port()
    env = service_env(nats_server, s3_server, "worker", SS_ENGINE="stata",
                      SS_HEALTH_PORT=str(port),
                      SS_STATA_CMD=str(tmp_path / "no such stata"))
    done = subprocess.run([sys.executable, "-m", "services.worker"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("ss-worker: STATA_CMD_INVALID: ")
