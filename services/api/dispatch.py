"""Finishing hand-overs an API process may have left undone by dying.

The API changes a record with a CAS and then publishes what the new state owes: the run item
and ``queued`` after a submit or retry, ``completed`` after a cancel. A process that dies
between the two leaves a job ``queued`` that no worker will ever hear of, or a cancel nobody
is told about. Every record change is also a message on the bucket's stream, so a durable
consumer of those changes (``api-dispatch``, shared by the API replicas, so a restarted or
surviving replica picks up where a dead one stopped) sees each of them. After a grace period
that lets the process that made the change publish first, it re-publishes what the state
still owes. Publishes are de-duplicated (``Nats-Msg-Id``; events are checked against the
stream first), so normally this costs one KV read per submit and nothing reaches a worker or
a subscriber twice. Other changes (the workers' and the formatter's) are acked at once: those
services recover their own hand-overs from redelivered work items.
"""

from __future__ import annotations

import asyncio
import logging
import time

import msgspec

from libs.bus.connection import Bus
from libs.bus.consumer import Delivery
from libs.bus.jobstore import JobStore
from libs.bus.publish import publish_event, publish_run, republish_event
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.events import JobQueued, completed_of
from libs.contracts.jobs import JobRecord, JobState, now_iso
from libs.contracts.work import RunWork

log = logging.getLogger(__name__)

#: Seconds a change is left to the process that made it before it is checked.
GRACE_S = 3.0

_record = msgspec.json.Decoder(JobRecord)


async def publish_queued(bus: Bus, run_pool: str, record: JobRecord, *,
                         again: bool = False) -> None:
    """Publish the run item and the ``queued`` event of the record's current submission."""
    pool = record.spec.engine or run_pool
    work = RunWork(tenant=record.tenant, job_id=record.id, submission=record.submission)
    event = JobQueued(tenant=record.tenant, job_id=record.id, at=record.queued_at or now_iso(),
                      submission=record.submission, attempt=record.attempt)
    # Both publishes leave on one connection back to back, the item first so that a worker
    # gets it without waiting for the event to be stored. The event is stored long before
    # that worker can announce `running` (a fetch and two KV round trips later).
    await asyncio.gather(
        publish_run(bus, pool, work),
        (republish_event if again else publish_event)(bus, event),
    )


class Dispatcher:
    """The ``api-dispatch`` consumer's handler (run by a ``ConsumerLoop``)."""

    def __init__(self, bus: Bus, store: JobStore, run_pool: str,
                 grace_s: float = GRACE_S) -> None:
        self._bus = bus
        self._jobs = store
        self._run_pool = run_pool
        self._grace_s = grace_s

    async def handle(self, delivery: Delivery) -> None:
        if not delivery.data:
            return  # a delete or purge marker
        try:
            changed = _record.decode(delivery.data)
        except msgspec.DecodeError:
            log.warning("unreadable job record change %s", delivery.subject)
            return
        if changed.state not in (JobState.QUEUED, JobState.CANCELLED):
            return
        wait = delivery.stored_at + self._grace_s - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if changed.state is JobState.CANCELLED:
            # Owed whatever happened since: the cancel of that submission was final.
            await republish_event(self._bus, completed_of(changed))
            return
        try:
            current, _ = await self._jobs.get(changed.tenant, changed.id)
        except SSError as exc:
            if exc.code is ErrorCode.JOB_NOT_FOUND:
                return
            raise
        # Still waiting in that submission: its item may never have been published. (If the
        # job moved on, a worker claimed it, so the item existed, or it was cancelled.)
        if current.state is JobState.QUEUED and current.submission == changed.submission:
            await publish_queued(self._bus, self._run_pool, current, again=True)

    async def on_exhausted(self, delivery: Delivery) -> None:
        log.error("gave up dispatching record change %s (stream seq %d)",
                  delivery.subject, delivery.stream_seq)
