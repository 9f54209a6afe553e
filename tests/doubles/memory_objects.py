"""TEST DOUBLE: ``ObjectStore`` kept in a dict, for fast tests of services logic.

Same methods and answers as ``libs.storage.ObjectStore`` for what a service does with its
objects — put (bytes, file, stream with a size limit), get (bytes, file, chunks, a reader),
head, list, delete — checked against the real store on real S3 by
tests/storage/test_object_store_contract.py. Presigning and client-driven multipart uploads
need a real S3 to talk to and are left out: tests of them use the real store.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from libs.contracts.errors import ErrorCode, SSError
from libs.storage.s3 import ObjectInfo, UploadResult


@dataclass(frozen=True)
class _Stored:
    data: bytes
    content_type: str


class MemoryObjectStore:
    """One bucket in memory."""

    def __init__(self, bucket: str = "memory") -> None:
        self.bucket = bucket
        self._objects: dict[str, _Stored] = {}

    async def close(self) -> None:
        """Nothing to release."""

    async def ensure_bucket(self) -> None:
        """The bucket always exists."""

    async def ping(self) -> None:
        """Always reachable."""

    async def put_bytes(self, key: str, data: bytes,
                        content_type: str = "application/octet-stream") -> None:
        self._objects[key] = _Stored(bytes(data), content_type)

    async def put_file(self, key: str, path: Path,
                       content_type: str = "application/octet-stream") -> int:
        data = path.read_bytes()
        await self.put_bytes(key, data, content_type)
        return len(data)

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes], *,
                         content_type: str = "application/octet-stream",
                         max_bytes: int | None = None) -> UploadResult:
        received = bytearray()
        async for chunk in chunks:
            received += chunk
            if max_bytes is not None and len(received) > max_bytes:
                raise SSError(ErrorCode.INPUT_TOO_LARGE,
                              f"upload exceeds the limit of {max_bytes} bytes", limit=max_bytes)
        await self.put_bytes(key, bytes(received), content_type)
        return UploadResult(size=len(received), sha256=hashlib.sha256(received).hexdigest())

    def _get(self, key: str) -> _Stored:
        stored = self._objects.get(key)
        if stored is None:
            raise SSError(ErrorCode.ARTIFACT_NOT_FOUND, f"no object {key}")
        return stored

    async def get_bytes(self, key: str) -> bytes:
        return self._get(key).data

    async def download_file(self, key: str, path: Path) -> int:
        data = self._get(key).data
        path.write_bytes(data)
        return len(data)

    async def stream(self, key: str, chunk_size: int = 1024 * 1024) -> AsyncIterator[bytes]:
        data = self._get(key).data
        for start in range(0, len(data), chunk_size):
            yield data[start:start + chunk_size]

    async def reader(self, key: str, chunk_size: int = 1024 * 1024) -> AsyncIterator[bytes]:
        self._get(key)  # a missing object raises here, as the real reader does
        return self.stream(key, chunk_size)

    def _info(self, key: str, stored: _Stored, *, with_type: bool) -> ObjectInfo:
        return ObjectInfo(key=key, size=len(stored.data),
                          etag=hashlib.md5(stored.data, usedforsecurity=False).hexdigest(),
                          content_type=stored.content_type if with_type else "")

    async def head(self, key: str) -> ObjectInfo | None:
        stored = self._objects.get(key)
        return None if stored is None else self._info(key, stored, with_type=True)

    async def list_prefix(self, prefix: str) -> list[ObjectInfo]:
        return [self._info(key, self._objects[key], with_type=False)
                for key in sorted(self._objects) if key.startswith(prefix)]

    async def delete(self, key: str) -> None:
        self._objects.pop(key, None)
