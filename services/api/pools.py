"""Which engine pools have workers, as JetStream sees their consumers (``worker-<pool>``).

A worker of pool P creates the durable consumer ``worker-P`` when it starts, and the consumer
outlives its workers (a pool scaled to zero keeps it). So the API can tell, for the pool a
job's run item goes to:

- no consumer: no worker of that pool ever started on this NATS; a job sent there would
  wait forever. Create, submit and retry refuse it with ``ENGINE_NOT_SERVED`` -- except for
  the API's own default pool (``SS_POOL``/``SS_ENGINE``), which the deployment runs by
  definition (and whose workers may simply start after the API);
- pull requests waiting: a worker has a free slot and is asking for work (``serving``);
- none waiting, items in flight: every worker is busy, or one just died holding items
  (``busy``);
- none waiting, nothing in flight: no worker is asking for work -- none runs, or the ones
  that do cannot (``no_workers``).

A queued job's view carries its pool's state (``JobView.pool``) with a sentence for people
when the job may wait long. Consumer info is cached ``CACHE_S`` per pool, and concurrent
requests share one lookup, so the hot path costs at most one JetStream API call per pool
every ``CACHE_S`` per API process (a missing consumer is not cached, so a pool that appears
is usable at once; refusals are bounded by the rate limit).
"""

from __future__ import annotations

import asyncio
import logging
import time

from libs import names
from libs.bus.connection import Bus
from libs.bus.workload import PoolLoad, pool_load
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.views import PoolState, PoolStatus

log = logging.getLogger(__name__)

#: Seconds a pool's consumer info is reused.
CACHE_S = 2.0


class Pools:
    """Cached knowledge of the worker pools' consumers."""

    def __init__(self, bus: Bus, default_pool: str, cache_s: float = CACHE_S) -> None:
        self._bus = bus
        self._default = default_pool
        self._cache_s = cache_s
        self._known: dict[str, tuple[float, PoolLoad]] = {}
        self._asking: dict[str, asyncio.Task[PoolLoad | None]] = {}

    async def _info(self, pool: str) -> PoolLoad | None:
        """The pool's consumer (None: there is none), at most ``cache_s`` old."""
        known = self._known.get(pool)
        if known is not None and known[0] > time.monotonic():
            return known[1]
        asking = self._asking.get(pool)
        if asking is None:
            asking = self._asking[pool] = asyncio.create_task(self._lookup(pool))
            asking.add_done_callback(lambda _: self._asking.pop(pool, None))
        return await asyncio.shield(asking)

    async def _lookup(self, pool: str) -> PoolLoad | None:
        load = await pool_load(self._bus, pool)
        if load is not None:  # none is not cached: a pool that appears is usable at once
            self._known[pool] = (time.monotonic() + self._cache_s, load)
        return load

    async def serves(self, pool: str) -> bool:
        """Whether work queued for ``pool`` can be taken: a worker served it, or it is the
        deployment's own default pool."""
        return pool == self._default or await self._info(pool) is not None

    async def require(self, pool: str) -> None:
        """Refuse (``ENGINE_NOT_SERVED``) to queue work for a pool no worker ever served."""
        if not await self.serves(pool):
            raise SSError(ErrorCode.ENGINE_NOT_SERVED,
                          f"no worker pool serves engine {pool!r} on this deployment (no "
                          f"consumer {names.worker_consumer(pool)}); a job for it would wait "
                          "forever", engine=pool)

    async def status(self, pool: str) -> PoolStatus | None:
        """What a job queued for ``pool`` waits on; None when NATS cannot say right now (a
        job's view never fails for it)."""
        try:
            info = await self._info(pool)
        except Exception as exc:
            log.warning("cannot read the consumer of pool %s: %s", pool, exc or type(exc))
            return None
        if info is None:
            return PoolStatus(name=pool, state=PoolState.NO_WORKERS, waiting_pulls=0,
                              in_flight=0, backlog=0,
                              message=f"no worker of pool {pool!r} has started yet; the job "
                                      "waits until one does")
        waiting, in_flight, backlog = info.waiting_pulls, info.in_flight, info.backlog
        if waiting:
            state, message = PoolState.SERVING, None
        elif in_flight:
            state, message = PoolState.BUSY, (
                f"every worker of pool {pool!r} is busy ({in_flight} runs in flight, "
                f"{backlog} waiting); the job runs when a slot frees")
        else:
            state, message = PoolState.NO_WORKERS, (
                f"no worker of pool {pool!r} is asking for work (none runs, or none can "
                "reach NATS and S3); the job waits until one does")
        return PoolStatus(name=pool, state=state, waiting_pulls=waiting, in_flight=in_flight,
                          backlog=backlog, message=message)
