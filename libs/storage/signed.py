"""Single-request S3 calls (PUT, GET) as plain SigV4-signed HTTP.

A job moves about a dozen small objects. Through aioboto3 each request costs ~1.5 ms of
client CPU (botocore's request pipeline); signing with botocore's SigV4 signer and sending on
an aiohttp session cost ~0.9 ms, half of it the signer (building an ``AWSRequest``, parsing
the URL twice, deriving the signing key). ``Signer`` computes the same signature (the same
canonical request, byte for byte: tests/storage/test_signer.py) from the parts it already
has and keeps the day's signing key: ~0.05 ms. Everything else (multipart, listing,
presigning, HEAD, DELETE) stays on aioboto3.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import aiohttp

from libs.contracts.errors import ErrorCode, SSError

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


class Signer:
    """AWS Signature Version 4 of a request without a query string or a signed payload, as
    botocore computes it for S3 (host from the URL, every given header signed,
    ``x-amz-date`` and ``x-amz-content-sha256`` added). S3's canonical URI is the path as
    sent, encoded once (botocore's ``S3SigV4Auth``): the generic SigV4 rule of encoding it
    again would sign ``%2520`` for a key holding ``%20`` and real S3 would refuse it."""

    def __init__(self, access_key: str, secret_key: str, region: str,
                 service: str = "s3") -> None:
        self._access_key = access_key
        self._secret = f"AWS4{secret_key}".encode()
        self._suffix = f"{region}/{service}/aws4_request"
        self._keys: dict[str, bytes] = {}

    def _key(self, day: str) -> bytes:
        key = self._keys.get(day)
        if key is None:
            key = self._secret
            for part in (day, *self._suffix.split("/")):
                key = hmac.digest(key, part.encode(), "sha256")
            self._keys = {day: key}  # one day at a time
        return key

    def headers(self, method: str, url: str, headers: dict[str, str],
                now: datetime | None = None) -> dict[str, str]:
        """``headers`` plus ``X-Amz-Date``, ``x-amz-content-sha256`` and ``Authorization``."""
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        day = stamp[:8]
        parts = urlsplit(url)
        default = {"http": 80, "https": 443}.get(parts.scheme)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port is not None and parts.port != default:
            host = f"{host}:{parts.port}"
        sent = {**headers, "x-amz-content-sha256": UNSIGNED_PAYLOAD, "X-Amz-Date": stamp}
        signed = {name.lower(): " ".join(value.split()) for name, value in sent.items()}
        signed.setdefault("host", host)
        names = sorted(signed)
        canonical = "\n".join([
            method.upper(), parts.path, "",
            "".join(f"{name}:{signed[name]}\n" for name in names), ";".join(names),
            UNSIGNED_PAYLOAD,
        ])
        scope = f"{day}/{self._suffix}"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        signature = hmac.new(self._key(day), to_sign.encode(), "sha256").hexdigest()
        sent["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={self._access_key}/{scope}, "
                                 f"SignedHeaders={';'.join(names)}, Signature={signature}")
        return sent


class SignedHttp:
    """Path-style requests to one bucket, payload unsigned (the TLS/HTTP layer carries it)."""

    def __init__(self, endpoint: str, bucket: str, region: str, access_key: str,
                 secret_key: str) -> None:
        self._base = f"{endpoint.rstrip('/')}/{quote(bucket)}/"
        self._signer = Signer(access_key, secret_key, region)
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=60),
            connector=aiohttp.TCPConnector(limit=50),
        )

    async def close(self) -> None:
        await self._session.close()

    def _signed(self, method: str, key: str, headers: dict[str, str]) -> tuple[str, dict[str, str]]:
        url = self._base + quote(key, safe="/")
        return url, self._signer.headers(method, url, headers)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        url, headers = self._signed("PUT", key, {"Content-Type": content_type})
        async with self._session.put(url, data=data, headers=headers) as response:
            await _check(response, key)

    async def stream(self, key: str, chunk_size: int) -> AsyncIterator[bytes]:
        url, headers = self._signed("GET", key, {})
        async with self._session.get(url, headers=headers) as response:
            await _check(response, key)
            async for chunk in response.content.iter_chunked(chunk_size):
                yield chunk


async def _check(response: aiohttp.ClientResponse, key: str) -> None:
    if response.status == 404:
        raise SSError(ErrorCode.ARTIFACT_NOT_FOUND, f"no object {key}")
    if response.status >= 300:
        body = (await response.text())[:300]
        raise aiohttp.ClientResponseError(
            response.request_info, (), status=response.status,
            message=f"S3 {response.method} {key}: {body}")
