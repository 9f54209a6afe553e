"""A KV bucket of small records, for a library that keeps data in NATS without speaking NATS
itself (the API key store): get, create, compare-and-set update, list the keys."""

from __future__ import annotations

from nats.js.errors import KeyNotFoundError, NoKeysError
from nats.js.kv import KeyValue

from libs.bus.connection import Bus

#: How many times an empty listing of a bucket that holds messages is asked.
LIST_ATTEMPTS = 3


class RecordBucket:
    """The records of one KV bucket, as bytes with their revision."""

    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv

    @classmethod
    async def open(cls, bus: Bus, bucket: str) -> RecordBucket:
        """The bucket ``bucket`` (it must exist: the API provisions every bucket)."""
        return cls(await bus.js.key_value(bucket))

    async def get(self, key: str) -> tuple[bytes, int] | None:
        """The record under ``key`` and its revision; None when there is none (or it was
        deleted)."""
        try:
            entry = await self._kv.get(key)
        except KeyNotFoundError:
            return None
        return (entry.value, int(entry.revision or 0)) if entry.value else None

    async def create(self, key: str, value: bytes) -> int:
        """Store a new record; ``key`` must not hold one. Returns its revision."""
        return int(await self._kv.create(key, value))

    async def update(self, key: str, value: bytes, revision: int) -> int:
        """Replace the record if it is still at ``revision`` (else the NATS error for a wrong
        last sequence is raised). Returns the new revision."""
        return int(await self._kv.update(key, value, last=revision))

    async def keys(self) -> list[str]:
        """Every key that holds a record (none on an empty bucket).

        nats-py's listing can raise ``NoKeysError`` on a bucket that has keys, right after
        heavy traffic (../shared/NOTES.md): an empty answer from a bucket whose stream holds
        messages is asked again before it is believed (a bucket of deleted keys only holds
        their markers, so after ``LIST_ATTEMPTS`` it is believed)."""
        for _ in range(LIST_ATTEMPTS):
            try:
                return list(await self._kv.keys())
            except NoKeysError:
                if (await self._kv.status()).values == 0:
                    return []
        return []
