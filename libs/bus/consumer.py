"""The pull-consumer loop every worker, formatter and API dispatcher runs.

One fetcher asks JetStream for as many items as there are free slots (finite fetch timeout:
a timeout means idle), runs each in its own task while renewing the lease with
``in_progress`` every heartbeat, and maps the outcome to a queue action in exactly one place:

    handler returns              -> ack
    JobFailed                    -> ack (the handler already failed the job; never retried)
    an outage (``is_outage``)    -> nak with exponential backoff and jitter; the delivery is
                                    excused (not a crash); once the item has been held up
                                    longer than the outage budget: ``on_exhausted`` with
                                    INFRA_RETRY_BUDGET_EXCEEDED, then term
    any other exception          -> nak with backoff (a crash: counts against the budget)
    shutdown cancels the handler -> nak, excused
    crashes >= budget            -> the next delivery is not run: ``on_exhausted`` with
                                    DELIVERY_LIMIT_EXCEEDED, then term

``libs.bus.retries`` says how crashes are told from excused deliveries, ``libs.bus.pause`` how
the loop stops fetching after an outage until its probe passes. On shutdown the loop stops
fetching, lets running items finish for a grace period, then cancels them: a handler catches
``CancelledError`` to release its work (see the worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import msgspec
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from libs import names
from libs.bus.connection import Bus
from libs.bus.pause import Pause, Probe, reasons
from libs.bus.retries import RetryLedger, RetryPolicy, RetryRecord
from libs.contracts.errors import ErrorInfo, JobFailed, TransientError
from libs.outages import describe, is_outage

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a handler knows about the message it handles."""

    data: bytes
    num_delivered: int
    stream_seq: int
    #: when the stream stored the message (unix seconds)
    stored_at: float = 0.0


Handler = Callable[[Delivery], Awaitable[None]]
#: Fails the item's job with the error the loop gives up with.
ExhaustedHandler = Callable[[Delivery, ErrorInfo], Awaitable[None]]


class ConsumerLoop:
    """Runs ``handler`` for every item of one durable pull consumer, ``slots`` at a time."""

    def __init__(
        self,
        bus: Bus,
        *,
        durable: str,
        handler: Handler,
        on_exhausted: ExhaustedHandler,
        slots: int,
        heartbeat_s: float,
        policy: RetryPolicy,
        probe: Probe | None = None,
        fetch_timeout_s: float = 1.0,
        fetch_gap_s: float = 0.0,
    ) -> None:
        self._bus = bus
        self._durable = durable
        self._handler = handler
        self._on_exhausted = on_exhausted
        self._slots = _Slots(slots)
        self._heartbeat_s = heartbeat_s
        self._policy = policy
        self._pause = Pause(durable, probe, sweep_every_s=policy.max_delay_s)
        self._fetch_timeout = fetch_timeout_s
        #: pause between two fetches: 0 keeps a pull request waiting on the server nearly all
        #: the time, so an item is delivered the moment it is stored; items that may wait
        #: (hand-over checks) are then taken in polls instead, away from the work that stored
        #: them (see services.api.app)
        self._fetch_gap = fetch_gap_s
        self._ledger: RetryLedger | None = None
        self._sub: JetStreamContext.PullSubscription | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._rebuild = asyncio.Event()
        #: monotonic time of the last fetch that reached the server (readiness)
        self.last_fetch_ok = 0.0
        bus.on_reconnect(self._request_rebuild)

    def ready(self, within_s: float = 10.0) -> bool:
        return time.monotonic() - self.last_fetch_ok < within_s

    def problems(self) -> dict[str, str]:
        """Why this consumer is not taking work, for ``/readyz`` (empty when it is)."""
        if self._pause.problems:
            return {"consumer": "paused until dependencies are reachable "
                                f"({reasons(self._pause.problems)})"}
        if not self.ready():
            return {"consumer": "no successful fetch recently"}
        return {}

    async def _request_rebuild(self) -> None:
        self._rebuild.set()

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
        self._sub = await self._bus.js.pull_subscribe_bind(
            durable=self._durable, stream=names.WORK_STREAM
        )
        self._rebuild.clear()
        return self._sub

    async def run(self) -> None:
        """Fetch and dispatch until ``stop()``."""
        self._ledger = await RetryLedger.open(self._bus, self._durable)
        sub = await self._subscribe()
        failures = 0
        while not self._stopping.is_set():
            if self._pause.suspected:
                await self._pause.hold(self._stopping, self._sweep)
                continue
            if self._rebuild.is_set() or failures >= 3:
                try:
                    sub = await self._subscribe()
                    failures = 0
                except Exception as exc:
                    log.warning("rebuilding the pull subscription of %s failed: %s",
                                self._durable, describe(exc))
                    self._pause.suspect()
                    await asyncio.sleep(0.5)
                    continue
            free = await self._acquire_slots()
            msgs: list[Msg] = []
            try:
                msgs = await sub.fetch(batch=free, timeout=self._fetch_timeout)
                self.last_fetch_ok = time.monotonic()
                failures = 0
            except TimeoutError:
                # Nothing to do (nats' own TimeoutError is one too). While disconnected the
                # request never left, so it proves nothing about the server.
                if self._bus.connected:
                    self.last_fetch_ok = time.monotonic()
            except Exception as exc:
                if not self._stopping.is_set():
                    log.warning("fetch from %s failed: %s", self._durable, describe(exc))
                    failures += 1
                    self._pause.suspect()
                    await asyncio.sleep(0.2)
            if self._stopping.is_set():
                # Never start work after stop(): hand fetched items straight back.
                for msg in msgs:
                    await self._hand_back(msg)
                msgs = []
            handler = self._handler
            if msgs and self._pause.suspected and await self._pause.check():
                # An outage began while this fetch was waiting: hold its items back too.
                handler = _held_back("an outage began")
            self._start(msgs, free, handler)
            if self._fetch_gap:
                await self._pause_fetching(self._fetch_gap)

    async def _pause_fetching(self, seconds: float) -> None:
        """Wait ``seconds``, or less if ``stop()`` comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _acquire_slots(self) -> int:
        """Wait for one free slot, then take every other free one."""
        return await self._slots.take_all()

    def _start(self, msgs: list[Msg], taken: int, handler: Handler) -> None:
        """Run each fetched item in its own task; give back the slots no item fills."""
        self._slots.release(taken - len(msgs))
        for msg in msgs:
            task = asyncio.create_task(self._process(msg, handler))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _sweep(self, reason: str) -> None:
        """While paused: take up to the free slots' worth of items and hand them back unrun
        (an item whose outage budget is spent fails its job)."""
        free = self._slots.take_free()
        if not free or self._sub is None or not self._bus.connected:
            self._start([], free, self._handler)
            return
        msgs: list[Msg] = []
        with contextlib.suppress(Exception):
            msgs = await self._sub.fetch(batch=free, timeout=min(self._fetch_timeout, 0.5))
        self._start(msgs, free, _held_back(f"paused: {reason}"))

    async def _process(self, msg: Msg, handler: Handler) -> None:
        try:
            meta = msg.metadata
            delivery = Delivery(
                data=msg.data,
                num_delivered=meta.num_delivered,
                stream_seq=meta.sequence.stream,
                stored_at=meta.timestamp.timestamp(),
            )
            heartbeat = asyncio.create_task(self._heartbeat(msg))
            try:
                await self._dispatch(msg, delivery, handler)
            finally:
                heartbeat.cancel()
        finally:
            self._slots.release()

    async def _dispatch(self, msg: Msg, delivery: Delivery, handler: Handler) -> None:
        record = RetryRecord(stored_at=delivery.stored_at)
        if delivery.num_delivered > 1:
            found = await self._with_nats(lambda: self._ledger_of().get(
                delivery.stream_seq, delivery.stored_at))
            if found is None:  # NATS stayed away; try again later
                await _quietly(msg.nak(delay=self._policy.backoff(1)))
                return
            record = found
        if record.crashes(delivery.num_delivered) >= self._policy.crash_budget:
            await self._give_up(msg, delivery, record.delivery_limit(
                delivery.num_delivered, self._policy.crash_budget))
            return
        try:
            await handler(delivery)
        except JobFailed as exc:
            log.info("job failed deterministically: %s %s", exc.code, exc.message)
            await self._done(msg, delivery)
        except asyncio.CancelledError:
            # Shutdown cancelled the handler before it could finish or release: letting the
            # lease lapse is slower than handing it back now, and it is not the item's fault.
            await self._hand_back(msg, record)
            raise
        except Exception as exc:
            if is_outage(exc):
                await self._outage(msg, delivery, record, exc)
            else:
                log.exception("handler crashed on %s item %d; redelivering", self._durable,
                              delivery.stream_seq)
                crashes = record.crashes(delivery.num_delivered) + 1
                await _quietly(msg.nak(delay=self._policy.backoff(crashes)))
        else:
            await self._done(msg, delivery)

    async def _hand_back(self, msg: Msg, record: RetryRecord | None = None) -> None:
        """Nak an item this process will not handle (shutdown), excused: not a crash."""
        with contextlib.suppress(Exception):
            meta = msg.metadata
            if record is None:
                record = await asyncio.wait_for(self._ledger_of().get(
                    meta.sequence.stream, meta.timestamp.timestamp()), 2.0)
            await asyncio.wait_for(self._ledger_of().put(meta.sequence.stream,
                                                         record.excused_once()), 2.0)
        await _quietly(msg.nak())

    async def _done(self, msg: Msg, delivery: Delivery) -> None:
        await _quietly(msg.ack_sync())
        if delivery.num_delivered > 1:
            await _quietly(self._ledger_of().forget(delivery.stream_seq))

    async def _outage(self, msg: Msg, delivery: Delivery, record: RetryRecord,
                      exc: Exception) -> None:
        self._pause.suspect()
        now = time.time()
        if record.outage_since is not None and now - record.outage_since >= \
                self._policy.outage_budget_s:
            await self._give_up(msg, delivery, record.outage_exceeded(
                now, self._policy.outage_budget_s))
            return
        updated = record.failed_transiently(now, describe(exc))
        delay = self._policy.backoff(updated.transient)
        log.warning("%s item %d held up by an outage (retry %d, %.0f s into it), again in "
                    "%.1f s: %s", self._durable, delivery.stream_seq, updated.transient,
                    now - (updated.outage_since or now), delay, updated.last_error)
        # Written before the nak, waiting out a NATS outage: a hand-back the ledger does not
        # know of would count as a crash.
        async def put() -> bool:
            await self._ledger_of().put(delivery.stream_seq, updated)
            return True

        if not await self._with_nats(put):
            log.warning("%s item %d: the retry could not be recorded; it counts as a crash",
                        self._durable, delivery.stream_seq)
        await _quietly(msg.nak(delay=delay))

    async def _give_up(self, msg: Msg, delivery: Delivery, info: ErrorInfo) -> None:
        log.error("%s item %d: giving up: %s %s", self._durable, delivery.stream_seq,
                  info.error_code, info.message)
        try:
            await self._on_exhausted(delivery, info)
        except msgspec.DecodeError as exc:
            # The item itself cannot be read: there is no job to fail, and no later delivery
            # could read it either, so it is dropped instead of handed back for ever.
            log.error("%s item %d cannot be read (%s): dropped", self._durable,
                      delivery.stream_seq, describe(exc))
        except Exception as exc:
            log.warning("failing the job of %s item %d failed (%s); it will come back",
                        self._durable, delivery.stream_seq, describe(exc))
            await _quietly(msg.nak(delay=self._policy.backoff(1)))
            return
        await _quietly(msg.term())
        await _quietly(self._ledger_of().forget(delivery.stream_seq))

    async def _with_nats(self, call: Callable[[], Awaitable[T]]) -> T | None:
        """``call()``, retried through a NATS outage for up to the outage budget (the item's
        lease is renewed meanwhile); None if it never succeeded or the loop is stopping."""
        deadline = time.monotonic() + self._policy.outage_budget_s
        pause = 0.2
        while True:
            try:
                return await call()
            except Exception as exc:
                if not is_outage(exc) or time.monotonic() > deadline or \
                        self._stopping.is_set():
                    log.warning("retry ledger of %s unavailable: %s", self._durable,
                                describe(exc))
                    return None
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)

    def _ledger_of(self) -> RetryLedger:
        assert self._ledger is not None, "run() opens the ledger before any item is handled"
        return self._ledger

    async def _heartbeat(self, msg: Msg) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            try:
                await msg.in_progress()
            except Exception as exc:
                log.warning("in_progress on %s failed: %s", self._durable, describe(exc))

    def stop(self) -> None:
        """Stop fetching; running items go on."""
        self._stopping.set()

    async def drain(self, grace_s: float) -> None:
        """Wait up to ``grace_s`` for running items, then cancel the rest."""
        self.stop()
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=10.0)
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()


def _held_back(reason: str) -> Handler:
    """A handler that does not run the item: it goes back as held up by an outage."""

    async def held_back(_: Delivery) -> None:
        raise TransientError(f"held back ({reason})")

    return held_back


async def _quietly(action: Awaitable[object]) -> None:
    # Acks are best effort: if NATS is away the item is redelivered after ack_wait, and every
    # handler is idempotent against the job record, so a lost ack costs time, not correctness.
    try:
        await action
    except Exception as exc:
        log.warning("ack/nak failed: %s", describe(exc))


class _Slots:
    """A consumer's free slots, taken all at once: one step for however many are free (a
    semaphore taken one slot at a time cost the API's hand-over consumer, with 1,024 slots,
    most of its idle CPU, once a second)."""

    def __init__(self, count: int) -> None:
        self._free = count
        self._freed = asyncio.Event()
        if count:
            self._freed.set()

    async def take_all(self) -> int:
        """Wait until a slot is free, then take every free one; how many."""
        while not self._free:
            self._freed.clear()
            await self._freed.wait()
        return self.take_free()

    def take_free(self) -> int:
        """Take every free slot now (maybe none); how many."""
        taken, self._free = self._free, 0
        self._freed.clear()
        return taken

    def release(self, count: int = 1) -> None:
        """Give ``count`` slots back."""
        if count > 0:
            self._free += count
            self._freed.set()
