"""Idempotency keys: a replayed request gets the original response, never a second effect.

Entries live in KV ``ss_idem`` (TTL ``SS_IDEMPOTENCY_TTL_S``) under
``sha256(tenant, scope, key)``. ``begin`` claims the key with a KV create (so two concurrent
requests cannot both proceed) and records a *reservation* — for a create, the id the new job
will get; ``finish`` stores the response; ``release`` hands the claim back when the request
failed, so the client may try again with the same key.

A request can die without releasing (its process was killed, or NATS went away under it and
took the release with it). Its claim is then a lease: ``LEASE_S`` seconds after the request
started, the next request with the key takes the claim over — with the same reservation, so a
create that did get as far as storing the job finds that job instead of making a second one.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from dataclasses import dataclass

import msgspec
from nats.js.errors import KeyDeletedError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from libs.contracts.errors import ErrorCode, SSError

#: Seconds after which a claim whose request neither finished nor released can be taken over.
LEASE_S = 10.0


class StoredResponse(msgspec.Struct, kw_only=True, frozen=True):
    fingerprint: str
    #: 0 while the first request is still being processed
    status: int = 0
    body: bytes = b""
    #: while in progress: when the request holding the claim started (unix seconds; 0 after
    #: a release)
    claimed_at: float = 0.0
    #: what the first request reserved (a new job's id); every later holder reuses it
    reservation: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to run a request once under its key."""

    entry: str
    fingerprint: str
    #: use this (e.g. as the new job's id) instead of minting a new one
    reservation: str
    #: an earlier request with this key started and did not finish: part of its effect may
    #: already be done
    resumed: bool = False
    revision: int = 0


_decoder = msgspec.json.Decoder(StoredResponse)


def fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


class IdempotencyStore:
    def __init__(self, kv: KeyValue, *, wait_s: float = 5.0, lease_s: float = LEASE_S) -> None:
        self._kv = kv
        self._wait_s = wait_s
        self._lease_s = lease_s

    @staticmethod
    def entry_key(tenant: str, scope: str, key: str) -> str:
        return fingerprint(tenant, scope, key)

    async def begin(self, entry: str, print_: str, reservation: str) -> Claim | StoredResponse:
        """Claim ``entry`` (a ``Claim``: proceed), or the stored response to replay."""
        try:
            revision = await self._kv.create(entry, msgspec.json.encode(StoredResponse(
                fingerprint=print_, claimed_at=time.time(), reservation=reservation)))
            return Claim(entry, print_, reservation, revision=int(revision))
        except KeyWrongLastSequenceError:
            pass
        deadline = asyncio.get_running_loop().time() + self._wait_s
        while True:
            try:
                found = await self._kv.get(entry)
                stored = _decoder.decode(found.value or b"")
            except (KeyNotFoundError, KeyDeletedError, msgspec.DecodeError):
                return await self.begin(entry, print_, reservation)  # expired meanwhile
            if stored.fingerprint != print_:
                raise SSError(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                              "this Idempotency-Key was used with a different request")
            if stored.status:
                return stored
            held_for = time.time() - stored.claimed_at
            if held_for >= self._lease_s:
                taken = await self._take_over(entry, stored, int(found.revision or 0))
                if taken is not None:
                    return taken
                continue  # another request took it first
            if asyncio.get_running_loop().time() > deadline:
                raise SSError(ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
                              "a request with this Idempotency-Key is still in progress",
                              retry_after=max(1, math.ceil(self._lease_s - held_for)))
            await asyncio.sleep(0.05)

    async def _take_over(self, entry: str, stored: StoredResponse,
                         revision: int) -> Claim | None:
        claimed = msgspec.structs.replace(stored, claimed_at=time.time())
        try:
            new = await self._kv.update(entry, msgspec.json.encode(claimed), last=revision)
        except KeyWrongLastSequenceError:
            return None
        return Claim(entry, stored.fingerprint, stored.reservation, resumed=True,
                     revision=int(new))

    async def finish(self, claim: Claim, status: int, body: bytes) -> None:
        await self._kv.put(claim.entry, msgspec.json.encode(StoredResponse(
            fingerprint=claim.fingerprint, status=status, body=body,
            reservation=claim.reservation)))

    async def release(self, claim: Claim) -> None:
        """Let the next request with this key proceed now, with the same reservation (only if
        no other request took the claim over meanwhile). Best effort: the lease covers a
        release that cannot be stored."""
        released = StoredResponse(fingerprint=claim.fingerprint, reservation=claim.reservation)
        try:
            await self._kv.update(claim.entry, msgspec.json.encode(released),
                                  last=claim.revision)
        except Exception:
            return
