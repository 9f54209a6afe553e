"""The running services for end-to-end tests of the CLI and the example subscriber:
api + 2 workers + formatter on the session's NATS and S3, with the real template library."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dev.servers import NatsServer, S3Server
from dev.stack import Stack

REPO = Path(__file__).resolve().parents[2]


class LibraryStack(Stack):
    """``Stack`` on the bundled ``do_library``. (``Stack.env`` passes its test library as a
    keyword beside ``settings``, so the library cannot be overridden through ``settings``.)"""

    def env(self, role: str = "admin", **extra: str) -> dict[str, str]:
        return {**super().env(role, **extra), "SS_DO_LIBRARY": str(REPO / "do_library")}

    def event_creds(self) -> str:
        """A NATS event credential of the dev tenant, issued by the API to its dev key (a
        tenant admin) as a tenant's own services get theirs; made once per stack."""
        path = self.root / "dev-events.creds"
        if not path.exists():
            response = httpx.post(f"{self.api_url}/v1/admin/event-credentials", json={},
                                  headers={"authorization": "Bearer ss-dev-key"}, timeout=30)
            assert response.status_code == 201, response.text
            path.write_text(response.json()["creds"])
        return str(path)

    def client_env(self, **extra: str) -> dict[str, str]:
        """Environment of a client process (the CLI, a subscriber) talking to this stack."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SS_")}
        return {**env, "SS_API_URL": self.api_url, "SS_API_KEY": "ss-dev-key",
                "SS_NATS_URL": self.nats.url, "SS_NATS_CREDS": self.event_creds(),
                "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **extra}


@pytest.fixture(scope="module")
def live_stack(nats_server: NatsServer, s3_server: S3Server,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibraryStack]:
    stack = LibraryStack(nats=nats_server, s3=s3_server,
                         root=Path(tmp_path_factory.mktemp("client-stack")),
                         settings={"SS_WORKER_SLOTS": "2"})
    stack.start_all()
    yield stack
    stack.stop_all()
    assert not nats_server.refusals(), "a service or client program was refused by NATS"


PYTHON = sys.executable


class LineProcess:
    """A client process (``python -m <module> ...``) whose stdout lines arrive on a queue."""

    def __init__(self, stack: LibraryStack, module: str, *argv: str) -> None:
        self.proc = subprocess.Popen([PYTHON, "-m", module, *argv], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     env=stack.client_env(), cwd=REPO)
        self.lines: queue.Queue[str] = queue.Queue()
        #: every line taken off the queue so far
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, timeout: float) -> str:
        line = self.lines.get(timeout=timeout)
        self.seen.append(line)
        return line

    def wait_for(self, prefix: str, timeout: float = 60) -> str:
        """The first line starting with ``prefix``."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(0.1, deadline - time.monotonic()))
            if line.startswith(prefix):
                return line

    def lines_during(self, seconds: float) -> list[str]:
        """Every line printed during the next ``seconds``."""
        deadline, got = time.monotonic() + seconds, []
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(self.next_line(left))
            except queue.Empty:
                break
        return got

    def stop(self, expect: int = 0) -> None:
        """SIGTERM; kill if it lingers; check its exit status."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            assert self.proc.stdout is not None
            self.proc.stdout.close()
        assert status == expect, self.seen
