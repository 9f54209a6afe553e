"""A worker with engine `stata` and no usable SS_STATA_CMD never consumes, and says why."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.servers import NatsServer, S3Server, free_port, service_env

REPO = Path(__file__).resolve().parents[2]


def test_unset_stata_cmd_refuses_to_start(nats_server: NatsServer, s3_server: S3Server) -> None:
    env = service_env(nats_server, s3_server, "worker", SS_ENGINE="stata")
    done = subprocess.run([sys.executable, "-m", "services.worker"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "STATA_CMD_NOT_CONFIGURED" in done.stderr


def test_invalid_stata_cmd_is_reported_by_readyz(nats_server: NatsServer,
                                                 s3_server: S3Server, tmp_path: Path) -> None:
    port = free_port()
    env = service_env(nats_server, s3_server, "worker", SS_ENGINE="stata",
                      SS_HEALTH_PORT=str(port),
                      SS_STATA_CMD=str(tmp_path / "no such stata"))
    proc = subprocess.Popen([sys.executable, "-m", "services.worker"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
                raise AssertionError("a worker without Stata reported ready")
            except urllib.error.HTTPError as exc:
                status, body = exc.code, json.load(exc)
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert status == 503
        assert body["problems"]["engine"].startswith("STATA_CMD_INVALID")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "STATA_CMD_INVALID" in err
