"""The tenant job index behind ``GET /v1/jobs``.

Listing by scanning KV keys costs a consumer and a pass over every key of the tenant per
request. Instead each API process keeps the ids (never the records) of every tenant in
memory, fed by one long-lived KV watcher: a page is then a slice plus one KV get per job.
A job this process creates is indexed at once (read-your-writes); other replicas see it
within the watcher's latency. If the watcher dies, listing falls back to the key scan.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections import defaultdict

from nats.js.kv import KeyValue

from libs.bus.jobstore import JobStore
from libs.outages import describe

log = logging.getLogger(__name__)


class JobIndex:
    def __init__(self, kv: KeyValue, store: JobStore) -> None:
        self._kv = kv
        self._store = store
        #: tenant -> job ids in ascending order (ids are time-ordered)
        self._ids: dict[str, list[str]] = defaultdict(list)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self, timeout_s: float = 30.0) -> None:
        self._task = asyncio.create_task(self._follow())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout_s)

    async def restart(self) -> None:
        """Rebuild the watcher (after a NATS reconnect its consumer may be gone)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._task = asyncio.create_task(self._follow())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    @property
    def healthy(self) -> bool:
        return self._ready.is_set() and self._task is not None and not self._task.done()

    def add(self, tenant: str, job_id: str) -> None:
        ids = self._ids[tenant]
        at = bisect.bisect_left(ids, job_id)
        if at == len(ids) or ids[at] != job_id:
            ids.insert(at, job_id)

    def _remove(self, tenant: str, job_id: str) -> None:
        ids = self._ids.get(tenant, [])
        at = bisect.bisect_left(ids, job_id)
        if at < len(ids) and ids[at] == job_id:
            del ids[at]

    async def page(self, tenant: str, before: str | None, limit: int) -> tuple[list[str], bool]:
        """Up to ``limit`` ids older than ``before`` (newest first), and whether more exist."""
        if self.healthy:
            ids = self._ids.get(tenant, [])
            end = bisect.bisect_left(ids, before) if before is not None else len(ids)
            chosen = ids[max(0, end - limit):end][::-1]
            return chosen, end - limit > 0
        every = await self._store.job_ids(tenant)
        if before is not None:
            every = [i for i in every if i < before]
        return every[:limit], len(every) > limit

    async def _follow(self) -> None:
        while True:
            try:
                watcher = await self._kv.watchall(meta_only=True)
                async for entry in watcher:
                    if entry is None:
                        self._ready.set()
                        continue
                    tenant, _, job_id = entry.key.partition(".")
                    if entry.operation in ("DEL", "PURGE"):
                        self._remove(tenant, job_id)
                    else:
                        self.add(tenant, job_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("job index watcher stopped (%s); restarting", describe(exc))
                await asyncio.sleep(1.0)
