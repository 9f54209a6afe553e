"""Shared fixtures of the worker tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dev.servers import S3Server
from libs.settings import Settings
from libs.storage import ObjectStore


@pytest.fixture
async def objects(s3_server: S3Server) -> AsyncIterator[ObjectStore]:
    """The test S3 server's bucket, made if missing."""
    store = await ObjectStore.open(Settings(
        s3_endpoint=s3_server.endpoint, s3_access_key=s3_server.access_key,
        s3_secret_key=s3_server.secret_key, s3_bucket=s3_server.bucket))
    await store.ensure_bucket()
    yield store
    await store.close()
