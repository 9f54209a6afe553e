"""Session fixtures: one real nats-server and one real S3 (weed mini) for the whole run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from dev.servers import NatsServer, S3Server
from dev.stack import Client, Stack
from libs.settings import Settings
from libs.storage import ObjectStore


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    server = NatsServer(root=tmp_path_factory.mktemp("nats"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = S3Server(root=Path(tmp_path_factory.mktemp("s3")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[Client]:
    """The API client of the module's ``stack`` (each test package that runs the services
    defines ``stack``; tests/api's ``client`` is an httpx client of its own)."""
    c = Client(stack.api_url)
    yield c
    await c.close()


@pytest.fixture
async def objects(s3_server: S3Server) -> AsyncIterator[ObjectStore]:
    """The test S3 server's bucket, made if missing."""
    store = await ObjectStore.open(Settings(
        s3_endpoint=s3_server.endpoint, s3_access_key=s3_server.access_key,
        s3_secret_key=s3_server.secret_key, s3_bucket=s3_server.bucket))
    await store.ensure_bucket()
    yield store
    await store.close()
