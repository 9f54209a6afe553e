"""Finishing hand-overs an API process may have left undone by dying.

The API changes a record with a CAS and then publishes what the new state owes: the run item
and ``queued`` after a submit or retry, ``completed`` after a cancel. A process that dies
between the two would leave a job ``queued`` that no worker ever hears of, or a cancel nobody
is told about. So before its CAS the API stores a ``HandOverCheck`` on ``ss.work.dispatch``
(in parallel with reading the record, so it costs no latency). The API replicas share the
durable consumer of those checks (``api-dispatch``; a restarted or surviving replica takes
over a dead one's). After a grace period that lets the process that made the change publish
first, the dispatcher reads the record and re-publishes what its state still owes.
Publishes are de-duplicated (``Nats-Msg-Id``; events are checked against the stream first),
so normally this costs one message and one KV read per submit, retry or cancel, and nothing
reaches a worker or a subscriber twice. The workers and the formatter recover their own
hand-overs from redelivered work items.
"""

from __future__ import annotations

import asyncio
import logging
import time

import msgspec

from libs import names
from libs.bus.connection import Bus
from libs.bus.consumer import Delivery
from libs.bus.jobstore import JobStore
from libs.bus.publish import publish_event, publish_run, republish_event
from libs.contracts.errors import ErrorInfo
from libs.contracts.events import JobQueued, completed_of
from libs.contracts.jobs import JobRecord, JobState, now_iso
from libs.contracts.work import HandOverCheck, RunWork
from services.api.packed_memory import PackedMemory

log = logging.getLogger(__name__)

#: Seconds a change is left to the process that made it before it is checked.
GRACE_S = 3.0
#: The check consumer polls: a short fetch (FETCH_S), then a pause (FETCH_GAP_S). A pull
#: request kept waiting would be handed each check the moment it is stored, i.e. while the
#: API that stored it does its CAS (bench.pipeline: the submit's CAS took 1.4 ms instead of
#: 0.5). Checks wait GRACE_S anyway; polling delays a recovery by at most one second more.
FETCH_S = 0.1
FETCH_GAP_S = 0.9

_check = msgspec.json.Decoder(HandOverCheck)


async def publish_queued(bus: Bus, run_pool: str, record: JobRecord, *,
                         again: bool = False, memory: PackedMemory | None = None) -> None:
    """Publish the run item and the ``queued`` event of the record's current submission; the
    item carries the normalised inputs ``memory`` holds for the record."""
    pool = record.pool(run_pool)
    work = RunWork(tenant=record.tenant, job_id=record.id, submission=record.submission,
                   inline=memory.attach(record) if memory is not None else {})
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
                 grace_s: float = GRACE_S, memory: PackedMemory | None = None) -> None:
        self._bus = bus
        self._jobs = store
        self._run_pool = run_pool
        self._grace_s = grace_s
        #: the API process's normalised inputs, for the run items it publishes again
        self._memory = memory
        #: job key -> lock held while that job's check is handled: two checks of one job
        #: (a submit then a cancel) come due together, and handled at once both would find
        #: the stream without the event and both publish it to plain-NATS subscribers
        self._handling: dict[str, asyncio.Lock] = {}

    async def handle(self, delivery: Delivery) -> None:
        try:
            check = _check.decode(delivery.data)
        except msgspec.DecodeError:
            log.warning("unreadable hand-over check at stream seq %d", delivery.stream_seq)
            return
        wait = delivery.stored_at + self._grace_s - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        key = names.job_key(check.tenant, check.job_id)
        lock = self._handling.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await self._settle(check)
        finally:
            if not lock.locked() and self._handling.get(key) is lock:
                del self._handling[key]

    async def _settle(self, check: HandOverCheck) -> None:
        found = await self._jobs.find(check.tenant, check.job_id)
        if found is None:
            return
        record, _ = found
        # Whatever the record says now is what is owed: its item and `queued` while it waits
        # (if it moved on, a worker claimed it, so the item was out), or the `completed` of a
        # cancel. A refused change (the CAS never happened) owes nothing new.
        if record.state is JobState.QUEUED:
            await publish_queued(self._bus, self._run_pool, record, again=True,
                                 memory=self._memory)
        elif record.state is JobState.CANCELLED:
            await republish_event(self._bus, completed_of(record))

    async def on_exhausted(self, delivery: Delivery, info: ErrorInfo) -> None:
        log.error("gave up on a hand-over check (stream seq %d): %s", delivery.stream_seq,
                  info.message)
