"""TEST DOUBLE: a JetStream KV bucket kept in a dict, for fast tests of services logic.

``JobStore(MemoryKV())`` is a real ``JobStore`` — its compare-and-set loop, transition checks
and listing run unchanged — over the part of nats-py's ``KeyValue`` it uses: ``get``,
``create``, ``update(last=)``, ``put``, ``delete`` and a ``watch`` of the current keys,
raising nats-py's own errors where the server would answer with one. Each write takes the
bucket's next revision, as the stream sequence does. tests/bus/test_job_store_contract.py runs
the same checks against it and against the real bucket.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError


@dataclass(frozen=True)
class MemoryEntry:
    """What ``KeyValue.get`` returns, as far as its callers read it."""

    key: str
    value: bytes | None
    revision: int


class _Watcher:
    def __init__(self, entries: list[MemoryEntry]) -> None:
        self._entries = entries

    def __aiter__(self) -> AsyncIterator[MemoryEntry | None]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[MemoryEntry | None]:
        for entry in self._entries:
            yield entry
        yield None  # nats-py's marker: every current value has been delivered

    async def stop(self) -> None:
        """Nothing to unsubscribe."""


class MemoryKV:
    """One bucket in memory; keys are NATS subjects (``.``-separated tokens)."""

    def __init__(self) -> None:
        self._entries: dict[str, MemoryEntry] = {}
        self._revision = 0

    def _write(self, key: str, value: bytes | None) -> int:
        self._revision += 1
        self._entries[key] = MemoryEntry(key=key, value=value, revision=self._revision)
        return self._revision

    async def get(self, key: str) -> MemoryEntry:
        entry = self._entries.get(key)
        if entry is None or entry.value is None:
            raise KeyNotFoundError
        return entry

    async def put(self, key: str, value: bytes) -> int:
        return self._write(key, value)

    async def create(self, key: str, value: bytes) -> int:
        entry = self._entries.get(key)
        if entry is not None and entry.value is not None:
            raise KeyWrongLastSequenceError
        return self._write(key, value)

    async def update(self, key: str, value: bytes, last: int | None = None) -> int:
        entry = self._entries.get(key)
        if (entry.revision if entry is not None else 0) != (last or 0):
            raise KeyWrongLastSequenceError
        return self._write(key, value)

    async def delete(self, key: str) -> bool:
        self._write(key, None)
        return True

    async def watch(self, keys: str, *, meta_only: bool = False,
                    ignore_deletes: bool = False) -> _Watcher:
        """The current entries matching the subject filter ``keys`` (``*`` one token, ``>``
        the rest), then the end marker."""
        pattern = keys.split(".")
        rest = pattern[-1] == ">"
        if rest:
            pattern = pattern[:-1]

        def matches(key: str) -> bool:
            tokens = key.split(".")
            fits = len(tokens) > len(pattern) if rest else len(tokens) == len(pattern)
            return fits and all(p in ("*", t) for t, p in zip(tokens, pattern, strict=False))

        return _Watcher([entry for key, entry in sorted(self._entries.items())
                         if matches(key) and not (ignore_deletes and entry.value is None)])
