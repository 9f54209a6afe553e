"""The object store's contract: each test that takes ``objects`` runs against the real store
on S3 and against the in-memory double (tests/doubles/memory_objects.py) that fast tests of
services logic use, so the two cannot drift apart. Presigning needs the real S3 (``store``)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from dev.servers import S3Server
from libs.contracts.errors import ErrorCode, SSError
from libs.settings import Settings
from libs.storage import ObjectStore
from libs.storage.s3 import PART_SIZE
from tests.doubles.memory_objects import MemoryObjectStore


@pytest.fixture
async def store(s3_server: S3Server) -> AsyncIterator[ObjectStore]:
    settings = Settings(s3_endpoint=s3_server.endpoint, s3_access_key=s3_server.access_key,
                        s3_secret_key=s3_server.secret_key, s3_bucket=s3_server.bucket)
    s = await ObjectStore.open(settings)
    yield s
    await s.close()


@pytest.fixture(params=["s3", "memory"])
def objects(request: pytest.FixtureRequest) -> ObjectStore:
    if request.param == "memory":
        return MemoryObjectStore()  # type: ignore[return-value]
    real: ObjectStore = request.getfixturevalue("store")
    return real


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


async def test_put_get_head_list_delete(objects: ObjectStore) -> None:
    await objects.put_bytes("t/a/one.txt", b"hello", "text/plain")
    await objects.put_bytes("t/a/two.txt", b"world!")
    assert await objects.get_bytes("t/a/one.txt") == b"hello"
    info = await objects.head("t/a/one.txt")
    assert info is not None
    assert (info.size, info.content_type) == (5, "text/plain")
    assert [o.key for o in await objects.list_prefix("t/a/")] == ["t/a/one.txt", "t/a/two.txt"]
    await objects.delete("t/a/one.txt")
    assert await objects.head("t/a/one.txt") is None
    with pytest.raises(SSError) as info_missing:
        await objects.get_bytes("t/a/one.txt")
    assert info_missing.value.code is ErrorCode.ARTIFACT_NOT_FOUND


async def test_streamed_multipart_upload_round_trips(objects: ObjectStore, tmp_path: Path) -> None:
    data = os.urandom(2 * PART_SIZE + 12345)
    result = await objects.put_stream("t/big.bin", _chunks(data, 64 * 1024))
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    got = bytearray()
    async for chunk in objects.stream("t/big.bin", chunk_size=1 << 20):
        got += chunk
    assert bytes(got) == data
    assert await objects.download_file("t/big.bin", tmp_path / "big") == len(data)
    assert (tmp_path / "big").read_bytes() == data


async def test_oversize_stream_is_refused_and_leaves_nothing(objects: ObjectStore) -> None:
    data = os.urandom(PART_SIZE + 100)
    with pytest.raises(SSError) as info:
        await objects.put_stream("t/too-big.bin", _chunks(data, 1 << 20), max_bytes=PART_SIZE)
    assert info.value.code is ErrorCode.INPUT_TOO_LARGE
    assert await objects.head("t/too-big.bin") is None


async def test_files_readers_and_prefixes(objects: ObjectStore, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"a,b\n1,2\n3,4\n")
    assert await objects.put_file("t/c/in.csv", source, "text/csv") == 12
    await objects.put_bytes("t/cc/other.txt", b"x")
    assert [o.key for o in await objects.list_prefix("t/c/")] == ["t/c/in.csv"]
    assert await objects.download_file("t/c/in.csv", tmp_path / "out.csv") == 12
    assert (tmp_path / "out.csv").read_bytes() == source.read_bytes()
    chunks = await objects.reader("t/c/in.csv", chunk_size=4)
    assert b"".join([c async for c in chunks]) == source.read_bytes()
    with pytest.raises(SSError) as info:
        await objects.reader("t/c/missing.csv")
    assert info.value.code is ErrorCode.ARTIFACT_NOT_FOUND


async def test_presigned_get_and_put_are_really_signed(store: ObjectStore) -> None:
    await store.put_bytes("t/p.txt", b"presigned")
    url = await store.presign_get("t/p.txt", expires_s=60, filename="p.txt")
    async with httpx.AsyncClient() as http:
        ok = await http.get(url)
        assert ok.status_code == 200
        assert ok.content == b"presigned"
        tampered = await http.get(url.replace("t/p.txt", "t/other.txt"))
        assert tampered.status_code == 403
        put_url = await store.presign_put("t/up.txt", expires_s=60)
        assert (await http.put(put_url, content=b"via url")).status_code == 200
        assert await store.get_bytes("t/up.txt") == b"via url"
        named = await http.get(await store.presign_get("t/p.txt", expires_s=60,
                                                       filename='数据 "1".csv'))
        assert named.headers["content-disposition"] == (
            'attachment; filename="__ _1_.csv"; '
            "filename*=UTF-8''%E6%95%B0%E6%8D%AE%20%221%22.csv")
        short = await store.presign_get("t/p.txt", expires_s=1)
        await asyncio.sleep(2.2)
        assert (await http.get(short)).status_code == 403
