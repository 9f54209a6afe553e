"""Fixtures of the console's tests: the stack (tests/console/stack.py), a headless
Chromium, and the browser visits a test opens (checked on the way out)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from dev.servers import NatsServer, S3Server
from tests.console.browser import chromium
from tests.console.stack import Console, start_console
from tests.console.tour import Visit


@pytest.fixture(scope="package")
def console(nats_server: NatsServer, s3_server: S3Server,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    found = start_console(nats_server, s3_server, Path(tmp_path_factory.mktemp("console")))
    yield found
    found.close()
    assert not nats_server.refusals(), "a service was refused by NATS"


@pytest.fixture
def lone_nats(tmp_path: Path) -> Iterator[NatsServer]:
    """A NATS server of the test's own: on the shared one the console stack's processes send
    heartbeats and own work consumers, which tests of presence and queues must not count."""
    server = NatsServer(root=tmp_path / "nats")
    server.start()
    yield server
    refused = server.refusals()
    server.stop()
    assert not refused


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Closed at the end of its module: Playwright's sync API keeps an event loop running
    in the main thread while a browser is open, and the async tests after it need their own."""
    # Assertions wait for the page; on a shared, loaded machine 5 s is not always enough.
    expect.set_options(timeout=30_000)
    with chromium() as found:
        yield found


@pytest.fixture
def visits(browser: Browser, console: Console) -> Iterator[list[Visit]]:
    """Visits a test opens (``tour.visit``); on the way out each is checked for script errors
    and for requests to any origin but the console's and the S3 endpoint presigned URLs name."""
    opened: list[Visit] = []
    yield opened
    s3 = console.stack.s3.endpoint
    for visit in opened:
        assert visit.errors == [], visit.errors
        assert visit.foreign_requests(console.url, s3) == []
        visit.close()
