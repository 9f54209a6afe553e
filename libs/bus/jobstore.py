"""The job store: job records in KV ``ss_jobs``; every change is a compare-and-set."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import msgspec
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from libs import names
from libs.bus.connection import Bus
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.jobs import JobRecord, JobState

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(JobRecord)


class NotChanged(Exception):
    """Raised by a mutation to leave the record as it is (and return it unchanged)."""


class JobStore:
    """Typed access to the job records."""

    def __init__(self, kv: KeyValue, *, max_retries: int = 20,
                 observer: Callable[[JobState, JobState], None] | None = None) -> None:
        self._kv = kv
        self._max_retries = max_retries
        self._observer = observer

    @classmethod
    async def open(cls, bus: Bus,
                   observer: Callable[[JobState, JobState], None] | None = None) -> JobStore:
        """The store on ``ss_jobs``; ``observer(before, after)`` hears every stored change."""
        return cls(await bus.js.key_value(names.JOBS_BUCKET), observer=observer)

    async def create(self, record: JobRecord) -> int:
        """Store a new record; its key must not exist."""
        return int(
            await self._kv.create(names.job_key(record.tenant, record.id), _encoder.encode(record))
        )

    async def create_once(self, record: JobRecord) -> tuple[JobRecord, int, bool]:
        """Store a new record, or find the one already stored under its key (a create retried
        with the id it reserved); returns the stored record, its revision and whether this
        call stored it."""
        try:
            return record, await self.create(record), True
        except KeyWrongLastSequenceError:
            stored, revision = await self.get(record.tenant, record.id)
            return stored, revision, False

    async def get(self, tenant: str, job_id: str) -> tuple[JobRecord, int]:
        """The record and its revision; ``JOB_NOT_FOUND`` when absent (or another tenant's)."""
        try:
            key = names.job_key(tenant, job_id)
        except ValueError as exc:
            raise SSError(ErrorCode.JOB_NOT_FOUND, f"no job {job_id!r}", job_id=job_id) from exc
        try:
            entry = await self._kv.get(key)
        except KeyNotFoundError as exc:
            raise SSError(ErrorCode.JOB_NOT_FOUND, f"no job {job_id!r}", job_id=job_id) from exc
        if entry.value is None:
            raise SSError(ErrorCode.JOB_NOT_FOUND, f"no job {job_id!r}", job_id=job_id)
        return _decoder.decode(entry.value), int(entry.revision or 0)

    async def find(self, tenant: str, job_id: str) -> tuple[JobRecord, int] | None:
        """``get``, or None when the job does not exist (deleted, or never was)."""
        try:
            return await self.get(tenant, job_id)
        except SSError as exc:
            if exc.code is ErrorCode.JOB_NOT_FOUND:
                return None
            raise

    async def mutate(
        self, tenant: str, job_id: str, change: Callable[[JobRecord], JobRecord],
        *, known: tuple[JobRecord, int] | None = None,
    ) -> tuple[JobRecord, bool]:
        """Apply ``change`` to the current record with CAS, re-reading and retrying on races.

        ``change`` must be a pure function of the record (it may run several times); it raises
        ``SSError`` to refuse (e.g. an illegal transition) or ``NotChanged`` to leave the
        record alone. Returns the stored record and whether this call changed it.
        ``known`` is a (record, revision) the caller read or wrote last: the first try uses it
        instead of reading (one round trip less); the CAS still refuses it if it is stale.
        """
        record, _, changed = await self.mutate_revision(tenant, job_id, change, known=known)
        return record, changed

    async def mutate_revision(
        self, tenant: str, job_id: str, change: Callable[[JobRecord], JobRecord],
        *, known: tuple[JobRecord, int] | None = None,
    ) -> tuple[JobRecord, int, bool]:
        """``mutate``, also returning the revision of the returned record."""
        for attempt in range(self._max_retries):
            fresh = known is None
            if known is not None:
                (record, revision), known = known, None
            else:
                record, revision = await self.get(tenant, job_id)
            try:
                updated = change(record)
            except (NotChanged, SSError) as exc:
                if not fresh:
                    continue  # the caller's copy may be stale: decide on a fresh read
                if isinstance(exc, NotChanged):
                    return record, revision, False
                raise
            try:
                stored = await self._kv.update(
                    names.job_key(tenant, job_id), _encoder.encode(updated), last=revision
                )
            except KeyWrongLastSequenceError:
                if fresh:
                    await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                continue
            if self._observer is not None:
                self._observer(record.state, updated.state)
            return updated, int(stored), True
        raise SSError(
            ErrorCode.JOB_UPDATE_CONFLICT,
            f"job {job_id} changed concurrently {self._max_retries} times; try again",
            job_id=job_id,
        )
