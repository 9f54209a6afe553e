"""Each image's CMD, started from the image's own file layout, becomes ready against real servers.

The test rebuilds what the runtime stage puts under its WORKDIR (the COPY instructions, after
.dockerignore) in a temporary folder, then runs the CMD there with this venv's Python (built
from the same pins) and the image's ENV, against the test NATS and S3. Ready means the probe the
image's HEALTHCHECK uses answers 200 on /readyz. Then SIGTERM must stop it in time.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dev.servers import NatsServer, S3Server, free_port, provision, service_env
from tests.deploy.dockerfile import (
    REPO,
    SERVICES,
    DockerIgnore,
    flag_value,
    runtime_stage,
    sent_files,
)

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


def _stage_image_files(service: str, root: Path) -> Path:
    """Copy what the runtime stage COPYs from the context into ``root``; return its WORKDIR."""
    stage = runtime_stage(service)
    workdir = stage.last("WORKDIR").args[0]
    app = root / workdir.lstrip("/")
    ignore = DockerIgnore.load()
    for copy in stage.all("COPY"):
        if flag_value(copy, "from") is not None:
            continue
        *sources, dest = copy.args
        assert not dest.startswith("/") or dest.startswith(workdir), f"{copy.raw}: outside WORKDIR"
        target = app / dest.removeprefix(workdir).lstrip("/")
        for source in sources:
            base = REPO / source.rstrip("/")
            for path in sent_files(source, ignore):
                relative = path.relative_to(base) if base.is_dir() else Path(path.name)
                destination = target / relative if dest.endswith("/") else target
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
    return app


def _image_env(service: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in runtime_stage(service).all("ENV"):
        for pair in instruction.args:
            key, _, value = pair.partition("=")
            if key.startswith("SS_"):
                env[key] = value
    return env


def _probe_port_variable(service: str) -> str:
    probe = " ".join(runtime_stage(service).last("HEALTHCHECK").args)
    match = re.search(r"environ\.get\('(SS_\w+)'", probe)
    assert match, f"HEALTHCHECK of Dockerfile.{service} names no SS_* port: {probe}"
    return match.group(1)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"exited {proc.returncode} before ready:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.2)
    pytest.fail(f"{url} not ready in {READY_TIMEOUT_S}s ({last}):\n{log.read_text()[-3000:]}")


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
def test_image_cmd_starts_from_the_image_layout_and_reaches_readyz(
    service: str, nats_server: NatsServer, s3_server: S3Server, tmp_path: Path
) -> None:
    app = _stage_image_files(service, tmp_path / "image")
    port = free_port()
    port_variable = _probe_port_variable(service)
    overrides = {
        **_image_env(service),
        port_variable: str(port),
        # Loopback instead of the image's 0.0.0.0: the test host is shared.
        "SS_API_HOST": "127.0.0.1",
        "SS_WORKDIR": str(tmp_path / "work"),
        # Only the image's files may be importable: never the repository checkout.
        "PYTHONPATH": str(app),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    provision(nats_server)
    env = service_env(nats_server, s3_server, service, **overrides)
    command = list(runtime_stage(service).last("CMD").args)
    assert command[0] == "python"
    log = tmp_path / f"{service}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, *command[1:]],
            cwd=app,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(f"http://127.0.0.1:{port}/readyz", proc, log)
        proc.send_signal(signal.SIGTERM)
        # Within compose's stop_grace_period. uvicorn re-raises SIGTERM once it has shut down
        # gracefully, so the API's status is -SIGTERM; the consumers return 0.
        returncode = proc.wait(timeout=STOP_TIMEOUT_S)
        assert returncode in (0, -signal.SIGTERM), f"exit {returncode}:\n{log.read_text()[-3000:]}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
