"""Fixtures of the console's tests: the stack (tests/console/stack.py) and a headless
Chromium, and a browser context logged in as one key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.console.browser import chromium
from tests.console.stack import Console, start_console
from tests.servers import NatsServer, S3Server


@pytest.fixture(scope="package")
def console(nats_server: NatsServer, s3_server: S3Server,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    found = start_console(nats_server, s3_server, Path(tmp_path_factory.mktemp("console")))
    yield found
    found.close()
    assert not nats_server.refusals(), "a service was refused by NATS"
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found
