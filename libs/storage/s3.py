"""``ObjectStore``: a small async facade over one S3 bucket (MinIO, SeaweedFS, AWS).

Streams both ways so a multi-GB input never sits in memory: uploads go through multipart with
a bounded part buffer, downloads are yielded in chunks. Presigned URLs are signed by a second,
network-less client configured with the endpoint *clients* reach (``SS_S3_PUBLIC_ENDPOINT``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aioboto3
import msgspec
from botocore.config import Config
from botocore.exceptions import ClientError

from libs.contracts.errors import ErrorCode, SSError
from libs.settings import Settings
from libs.storage.media import content_disposition
from libs.storage.signed import SignedHttp

#: S3's minimum part size (except the last); bigger parts mean fewer round trips.
PART_SIZE = 8 * 1024 * 1024
#: Parts of one streamed upload in flight at once.
IN_FLIGHT = 2


class ObjectInfo(msgspec.Struct, kw_only=True, frozen=True):
    key: str
    size: int
    etag: str = ""
    content_type: str = ""
    last_modified: str = ""


class UploadResult(msgspec.Struct, kw_only=True, frozen=True):
    size: int
    sha256: str


class ObjectStore:
    """One bucket. Create with ``await ObjectStore.open(settings)``; ``close()`` when done."""

    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self._settings = settings
        self._session = aioboto3.Session(
            aws_access_key_id=settings.s3_access_key,
            aws_secret_access_key=settings.s3_secret_key,
            region_name=settings.s3_region,
        )
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._signer: Any = None
        self._http: SignedHttp

    @classmethod
    async def open(cls, settings: Settings) -> ObjectStore:
        store = cls(settings)
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            max_pool_connections=50,
        )
        store._client = await store._stack.enter_async_context(
            store._session.client("s3", endpoint_url=settings.s3_endpoint, config=config)
        )
        store._signer = await store._stack.enter_async_context(
            store._session.client("s3", endpoint_url=settings.presign_endpoint, config=config)
        )
        store._http = SignedHttp(settings.s3_endpoint, settings.s3_bucket, settings.s3_region,
                                 settings.s3_access_key, settings.s3_secret_key)
        store._stack.push_async_callback(store._http.close)
        return store

    async def close(self) -> None:
        await self._stack.aclose()

    async def ensure_bucket(self) -> None:
        try:
            await self._client.head_bucket(Bucket=self.bucket)
        except ClientError:
            with contextlib.suppress(ClientError):
                await self._client.create_bucket(Bucket=self.bucket)
            await self._client.head_bucket(Bucket=self.bucket)

    async def ping(self) -> None:
        """Raise unless the bucket is reachable (readiness)."""
        await self._client.head_bucket(Bucket=self.bucket)

    async def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> None:
        await self._http.put(key, data, content_type)

    async def put_file(
        self, key: str, path: Path, content_type: str = "application/octet-stream"
    ) -> int:
        """Upload a local file (multipart above one part); returns its size."""
        size = path.stat().st_size
        if size <= PART_SIZE:
            await self.put_bytes(key, path.read_bytes(), content_type)
            return size

        async def chunks() -> AsyncIterator[bytes]:
            with path.open("rb") as fh:
                while block := fh.read(PART_SIZE):
                    yield block

        await self.put_stream(key, chunks(), content_type=content_type)
        return size

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterator[bytes],
        *,
        content_type: str = "application/octet-stream",
        max_bytes: int | None = None,
    ) -> UploadResult:
        """Upload an async byte stream of unknown length; memory stays near one part.

        Raises ``INPUT_TOO_LARGE`` (and aborts the multipart upload, leaving nothing behind)
        once more than ``max_bytes`` arrive.
        """
        digest = hashlib.sha256()
        size = 0
        buffer = bytearray()
        upload_id: str | None = None
        # Parts upload while the next one is being received; at most IN_FLIGHT parts are
        # buffered, so memory stays bounded whatever the object's size.
        pending: list[asyncio.Task[dict[str, Any]]] = []
        parts: list[dict[str, Any]] = []
        try:
            async for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise SSError(
                        ErrorCode.INPUT_TOO_LARGE,
                        f"upload exceeds the limit of {max_bytes} bytes",
                        limit=max_bytes,
                    )
                digest.update(chunk)
                buffer += chunk
                if len(buffer) >= PART_SIZE:
                    if upload_id is None:
                        upload_id = await self.create_multipart(key, content_type)
                    if len(pending) >= IN_FLIGHT:
                        parts.append(await pending.pop(0))
                    number = len(parts) + len(pending) + 1
                    pending.append(asyncio.create_task(
                        self._upload_part(key, upload_id, number, bytes(buffer))))
                    buffer = bytearray()
            if upload_id is None:
                await self.put_bytes(key, bytes(buffer), content_type)
            else:
                if buffer:
                    number = len(parts) + len(pending) + 1
                    pending.append(asyncio.create_task(
                        self._upload_part(key, upload_id, number, bytes(buffer))))
                parts += await asyncio.gather(*pending)
                pending = []
                await self._client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            for task in pending:
                task.cancel()
            if upload_id is not None:
                with contextlib.suppress(Exception):
                    await self.abort_multipart(key, upload_id)
            raise
        return UploadResult(size=size, sha256=digest.hexdigest())

    async def _upload_part(
        self, key: str, upload_id: str, number: int, data: bytes
    ) -> dict[str, Any]:
        response = await self._client.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
        )
        return {"PartNumber": number, "ETag": response["ETag"]}

    async def get_bytes(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.stream(key)])

    async def download_file(self, key: str, path: Path) -> int:
        """Stream an object to a local file; returns its size."""
        size = 0
        with path.open("wb") as fh:
            async for chunk in self.stream(key):
                fh.write(chunk)
                size += len(chunk)
        return size

    async def stream(self, key: str, chunk_size: int = 1024 * 1024) -> AsyncIterator[bytes]:
        """Yield an object's bytes in chunks (``ARTIFACT_NOT_FOUND`` when absent)."""
        async for chunk in self._http.stream(key, chunk_size):
            yield chunk

    async def reader(self, key: str, chunk_size: int = 1024 * 1024) -> AsyncIterator[bytes]:
        """``stream(key)`` with its first chunk already read: a missing object or an S3 that
        does not answer raises here, while a caller can still answer with an error instead of
        cutting off a response it has begun."""
        chunks = self.stream(key, chunk_size)
        try:
            first = await anext(chunks)
        except StopAsyncIteration:
            first = b""

        async def rest() -> AsyncIterator[bytes]:
            if first:
                yield first
            async for chunk in chunks:
                yield chunk

        return rest()

    async def head(self, key: str) -> ObjectInfo | None:
        try:
            response = await self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        return ObjectInfo(
            key=key,
            size=int(response["ContentLength"]),
            etag=str(response.get("ETag", "")).strip('"'),
            content_type=str(response.get("ContentType", "")),
            last_modified=str(response.get("LastModified", "")),
        )

    async def list_prefix(self, prefix: str) -> list[ObjectInfo]:
        """Every object under ``prefix``, in key order."""
        found: list[ObjectInfo] = []
        paginator = self._client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found.append(
                    ObjectInfo(
                        key=item["Key"],
                        size=int(item["Size"]),
                        etag=str(item.get("ETag", "")).strip('"'),
                        last_modified=str(item.get("LastModified", "")),
                    )
                )
        return found

    async def delete(self, key: str) -> None:
        await self._client.delete_object(Bucket=self.bucket, Key=key)

    async def presign_get(self, key: str, *, expires_s: int, filename: str | None = None) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        url: str = await self._signer.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_s
        )
        return url

    async def create_multipart(self, key: str, content_type: str) -> str:
        created = await self._client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type)
        return str(created["UploadId"])

    async def presign_part(self, key: str, upload_id: str, number: int, *,
                           expires_s: int) -> str:
        url: str = await self._signer.generate_presigned_url(
            "upload_part",
            Params={"Bucket": self.bucket, "Key": key, "UploadId": upload_id,
                    "PartNumber": number},
            ExpiresIn=expires_s,
        )
        return url

    async def complete_multipart(self, key: str, upload_id: str,
                                 parts: list[tuple[int, str]]) -> None:
        """Assemble the parts; ``UPLOAD_PARTS_INVALID`` when S3 refuses the part list."""
        try:
            await self._client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in parts]},
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchUpload",):
                raise SSError(ErrorCode.UPLOAD_INCOMPLETE, "the multipart upload is gone "
                              "(completed, aborted or expired)") from exc
            raise SSError(ErrorCode.UPLOAD_PARTS_INVALID,
                          f"S3 refused the part list: {code or exc}", s3_code=code) from exc

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        with contextlib.suppress(ClientError):
            await self._client.abort_multipart_upload(Bucket=self.bucket, Key=key,
                                                      UploadId=upload_id)

    async def presign_put(
        self, key: str, *, expires_s: int, content_type: str | None = None
    ) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ContentType"] = content_type
        url: str = await self._signer.generate_presigned_url(
            "put_object", Params=params, ExpiresIn=expires_s
        )
        return url
