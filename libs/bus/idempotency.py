"""Idempotency keys: a replayed request gets the original response, never a second effect.

Entries live in KV ``ss_idem`` (TTL ``SS_IDEMPOTENCY_TTL_S``) under
``sha256(tenant, scope, key)``. ``begin`` claims the key with a KV create (so two concurrent
requests cannot both proceed); ``finish`` stores the response; ``abandon`` releases the claim
when the request failed, so the client may try again with the same key.
"""

from __future__ import annotations

import asyncio
import hashlib

import msgspec
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from libs.contracts.errors import ErrorCode, SSError


class StoredResponse(msgspec.Struct, kw_only=True, frozen=True):
    fingerprint: str
    #: 0 while the first request is still being processed
    status: int = 0
    body: bytes = b""


_decoder = msgspec.json.Decoder(StoredResponse)


def fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(self, kv: KeyValue, *, wait_s: float = 5.0) -> None:
        self._kv = kv
        self._wait_s = wait_s

    @staticmethod
    def entry_key(tenant: str, scope: str, key: str) -> str:
        return fingerprint(tenant, scope, key)

    async def begin(self, entry: str, print_: str) -> StoredResponse | None:
        """Claim ``entry``; None means "proceed", a response means "replay this"."""
        try:
            await self._kv.create(entry, msgspec.json.encode(StoredResponse(fingerprint=print_)))
            return None
        except KeyWrongLastSequenceError:
            pass
        deadline = asyncio.get_running_loop().time() + self._wait_s
        while True:
            try:
                stored = _decoder.decode((await self._kv.get(entry)).value or b"")
            except (KeyNotFoundError, msgspec.DecodeError):
                return await self.begin(entry, print_)  # released meanwhile: claim it
            if stored.fingerprint != print_:
                raise SSError(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                              "this Idempotency-Key was used with a different request")
            if stored.status:
                return stored
            if asyncio.get_running_loop().time() > deadline:
                raise SSError(ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
                              "a request with this Idempotency-Key is still in progress")
            await asyncio.sleep(0.05)

    async def finish(self, entry: str, print_: str, status: int, body: bytes) -> None:
        await self._kv.put(entry, msgspec.json.encode(
            StoredResponse(fingerprint=print_, status=status, body=body)))

    async def abandon(self, entry: str) -> None:
        try:
            await self._kv.delete(entry)
        except Exception:  # the TTL removes it anyway
            return
