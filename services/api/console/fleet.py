"""The work queues and the processes serving them, as the overview shows them.

Queues are the consumers of ``SS_WORK`` (one per engine pool, the formatters', the API's
hand-over checks) with the first item each has not delivered yet (``libs.bus.workload``).
Processes come from their heartbeats (``libs.bus.presence``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import msgspec

from libs import names
from libs.auth.keys import Principal
from libs.bus.connection import Bus
from libs.bus.presence import Member
from libs.bus.workload import WorkConsumer, oldest_pending, work_consumers
from libs.contracts.work import RunWork
from services.api.console.access import sees_tenant

log = logging.getLogger(__name__)

_run_work = msgspec.json.Decoder(RunWork).decode


@dataclass(frozen=True)
class Queue:
    """One work consumer."""

    consumer: str
    #: run pool name, "formatter" or "api-dispatch"
    serves: str
    #: items not yet delivered
    depth: int
    #: delivered, not yet acknowledged
    in_flight: int
    #: in flight and delivered more than once
    redelivered: int
    #: pull requests waiting (an idle process has one)
    waiting_pulls: int
    #: seconds the oldest undelivered item has waited (None: nothing waits)
    oldest_wait_s: float | None
    #: the job of the oldest waiting run item, when the viewer may see it: (tenant, job id)
    oldest_job: tuple[str, str] | None


def _serves(consumer: str) -> str:
    return consumer.removeprefix("worker-")


async def _oldest(bus: Bus, consumer: WorkConsumer) -> tuple[float | None, RunWork | None]:
    """Age and run item of the first item the consumer has not delivered yet."""
    pending = await oldest_pending(bus, consumer)
    if pending is None:
        return None, None
    try:
        item = _run_work(pending.data)
    except msgspec.DecodeError:
        item = None
    return pending.waited_s, item


async def queues(bus: Bus, viewer: Principal) -> list[Queue]:
    """Every work consumer, worker pools first."""
    consumers = await work_consumers(bus)
    oldest = await asyncio.gather(*(_oldest(bus, c) for c in consumers),
                                  return_exceptions=True)
    found = []
    for consumer, old in zip(consumers, oldest, strict=True):
        age, item = (None, None) if isinstance(old, BaseException) else old
        if isinstance(old, BaseException):
            log.warning("cannot read the oldest item of %s: %s", consumer.name, old)
        job = (item.tenant, item.job_id) if item and sees_tenant(viewer, item.tenant) else None
        load = consumer.load
        found.append(Queue(
            consumer=consumer.name, serves=_serves(consumer.name), depth=load.backlog,
            in_flight=load.in_flight, redelivered=consumer.redelivered,
            waiting_pulls=load.waiting_pulls, oldest_wait_s=age, oldest_job=job))
    order = {names.FORMATTER_CONSUMER: 1, names.DISPATCH_CONSUMER: 2}
    return sorted(found, key=lambda q: (order.get(q.consumer, 0), q.consumer))


@dataclass(frozen=True)
class Process:
    """A live worker or formatter, as the viewer may see it."""

    kind: str
    member: str
    pool: str | None
    engine: str | None
    slots: int
    busy: int
    #: the running jobs the viewer may see: (tenant, job id)
    jobs: list[tuple[str, str]]
    host: str
    pid: int
    started_at: str
    heard_s_ago: float


def processes(members: list[Member], viewer: Principal) -> list[Process]:
    """The live members; jobs of tenants the viewer may not see are counted, never named."""
    shown = []
    for member in members:
        beat = member.heartbeat
        jobs = [tuple(key.split(".", 1)) for key in beat.jobs]
        shown.append(Process(
            kind=beat.kind, member=beat.member, pool=beat.pool, engine=beat.engine,
            slots=beat.slots, busy=len(jobs),
            jobs=[(t, j) for t, j in jobs if sees_tenant(viewer, t)],
            host=beat.host, pid=beat.pid, started_at=beat.started_at,
            heard_s_ago=member.heard_s_ago))
    return shown
