"""The running services for end-to-end tests of the CLI and the example subscriber:
api + 2 workers + formatter on the session's NATS and S3, with the real template library."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import Stack
from tests.servers import NatsServer, S3Server

REPO = Path(__file__).resolve().parents[2]


class LibraryStack(Stack):
    """``Stack`` on the bundled ``do_library``. (``Stack.env`` passes its test library as a
    keyword beside ``settings``, so the library cannot be overridden through ``settings``.)"""

    def env(self, **extra: str) -> dict[str, str]:
        return {**super().env(**extra), "SS_DO_LIBRARY": str(REPO / "do_library")}

    def client_env(self, **extra: str) -> dict[str, str]:
        """Environment of a client process (the CLI, a subscriber) talking to this stack."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SS_")}
        return {**env, "SS_API_URL": self.api_url, "SS_API_KEY": "ss-dev-key",
                "SS_NATS_URL": self.nats.url, "PYTHONPATH": str(REPO),
                "PYTHONUNBUFFERED": "1", **extra}


@pytest.fixture(scope="module")
def live_stack(nats_server: NatsServer, s3_server: S3Server,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibraryStack]:
    stack = LibraryStack(nats=nats_server, s3=s3_server,
                         root=Path(tmp_path_factory.mktemp("client-stack")),
                         settings={"SS_WORKER_SLOTS": "2"})
    stack.start_api()
    stack.start_worker("worker-a")
    stack.start_worker("worker-b")
    stack.start_formatter()
    yield stack
    stack.stop_all()


PYTHON = sys.executable
