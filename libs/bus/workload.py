"""How busy the work queues are, as JetStream sees their durable consumers on ``SS_WORK``:
one pool's load (the API's dispatch check), every consumer's (the console's overview) and the
first item a consumer has not delivered yet."""

from __future__ import annotations

import time
from dataclasses import dataclass

from nats.js.api import ConsumerInfo
from nats.js.errors import NotFoundError

from libs import names
from libs.bus.connection import Bus


@dataclass(frozen=True)
class PoolLoad:
    """A work consumer (``worker-<pool>``, ...) right now."""

    #: pull requests its processes have waiting (an idle process has one)
    waiting_pulls: int
    #: items delivered to its processes and not yet acknowledged
    in_flight: int
    #: items not yet delivered to any process
    backlog: int


@dataclass(frozen=True)
class WorkConsumer:
    """One durable consumer of ``SS_WORK`` (a pool's, the formatters', the API's dispatch)."""

    name: str
    #: the subject it consumes (None: the whole stream)
    subject: str | None
    load: PoolLoad
    #: items in flight that were delivered more than once
    redelivered: int
    #: stream sequence of the last item it delivered (0: none yet)
    delivered_seq: int


@dataclass(frozen=True)
class Pending:
    """A stored work item no worker has been given yet."""

    #: seconds since it was published (None: the server did not say)
    waited_s: float | None
    data: bytes


def _load(info: ConsumerInfo) -> PoolLoad:
    return PoolLoad(waiting_pulls=info.num_waiting or 0, in_flight=info.num_ack_pending or 0,
                    backlog=info.num_pending or 0)


async def pool_load(bus: Bus, pool: str) -> PoolLoad | None:
    """The load of ``pool``'s consumer; None when the pool has none (no worker of it ever
    started)."""
    try:
        info = await bus.js.consumer_info(names.WORK_STREAM, names.worker_consumer(pool))
    except NotFoundError:
        return None
    return _load(info)


async def work_consumers(bus: Bus) -> list[WorkConsumer]:
    """Every consumer of ``SS_WORK``, as the server lists them."""
    return [WorkConsumer(name=str(info.name), subject=info.config.filter_subject,
                         load=_load(info), redelivered=info.num_redelivered or 0,
                         delivered_seq=(info.delivered.stream_seq or 0) if info.delivered else 0)
            for info in await bus.js.consumers_info(names.WORK_STREAM)]


async def oldest_pending(bus: Bus, consumer: WorkConsumer) -> Pending | None:
    """The first item on the consumer's subject after the last one it delivered; None when
    nothing waits (or the item went meanwhile)."""
    if not consumer.load.backlog or consumer.subject is None:
        return None
    try:
        msg = await bus.js.get_msg(names.WORK_STREAM, seq=consumer.delivered_seq + 1, next=True,
                                   subject=consumer.subject)
    except NotFoundError:
        return None
    waited = max(0.0, time.time() - msg.time.timestamp()) if msg.time else None
    return Pending(waited_s=waited, data=msg.data or b"")
