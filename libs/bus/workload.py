"""How busy a worker pool is, as JetStream sees the pool's durable consumer."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js.errors import NotFoundError

from libs import names
from libs.bus.connection import Bus


@dataclass(frozen=True)
class PoolLoad:
    """The consumer ``worker-<pool>`` right now."""

    #: pull requests the pool's workers have waiting (an idle worker has one)
    waiting_pulls: int
    #: runs delivered to the pool's workers and not finished
    in_flight: int
    #: run items not yet delivered to any worker
    backlog: int


async def pool_load(bus: Bus, pool: str) -> PoolLoad | None:
    """The load of ``pool``'s consumer; None when the pool has none (no worker of it ever
    started)."""
    try:
        info = await bus.js.consumer_info(names.WORK_STREAM, names.worker_consumer(pool))
    except NotFoundError:
        return None
    return PoolLoad(waiting_pulls=info.num_waiting or 0, in_flight=info.num_ack_pending or 0,
                    backlog=info.num_pending or 0)
