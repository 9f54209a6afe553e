"""The pull-consumer loop every worker and formatter runs.

One fetcher asks JetStream for as many items as there are free slots (finite fetch timeout:
a timeout means idle), runs each in its own task while renewing the lease with
``in_progress`` every heartbeat, and maps the outcome to a queue action in exactly one place:

    handler returns           -> ack
    JobFailed                 -> ack (the handler already failed the job; never retried)
    TransientError            -> nak with the error's delay (redelivered, counts a delivery)
    any other exception       -> nak with backoff
    delivery > budget         -> ``on_exhausted`` (fail the job as dead-lettered), then term

On shutdown the loop stops fetching, lets running items finish for a grace period, then
cancels them: a handler catches ``CancelledError`` to release its work (see the worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext

from libs import names
from libs.bus.connection import Bus
from libs.contracts.errors import JobFailed, TransientError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a handler knows about the message it handles."""

    data: bytes
    num_delivered: int
    stream_seq: int
    #: when the stream stored the message (unix seconds)
    stored_at: float = 0.0


Handler = Callable[[Delivery], Awaitable[None]]
ExhaustedHandler = Callable[[Delivery], Awaitable[None]]


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
        delivery_budget: int,
        fetch_timeout_s: float = 1.0,
    ) -> None:
        self._bus = bus
        self._durable = durable
        self._handler = handler
        self._on_exhausted = on_exhausted
        self._slots = asyncio.Semaphore(slots)
        self._slot_count = slots
        self._heartbeat_s = heartbeat_s
        self._budget = delivery_budget
        self._fetch_timeout = fetch_timeout_s
        self._sub: JetStreamContext.PullSubscription | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._rebuild = asyncio.Event()
        #: monotonic time of the last fetch that reached the server (readiness)
        self.last_fetch_ok = 0.0
        bus.on_reconnect(self._request_rebuild)

    def ready(self, within_s: float = 10.0) -> bool:
        return time.monotonic() - self.last_fetch_ok < within_s

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
        sub = await self._subscribe()
        failures = 0
        while not self._stopping.is_set():
            if self._rebuild.is_set() or failures >= 3:
                try:
                    sub = await self._subscribe()
                    failures = 0
                except Exception as exc:
                    log.warning("rebuilding pull subscription failed: %s", exc)
                    await asyncio.sleep(0.5)
                    continue
            await self._slots.acquire()
            free = 1
            while free < self._slot_count and not self._slots.locked():
                await self._slots.acquire()
                free += 1
            try:
                msgs = await sub.fetch(batch=free, timeout=self._fetch_timeout)
                self.last_fetch_ok = time.monotonic()
                failures = 0
            except NatsTimeoutError:
                self.last_fetch_ok = time.monotonic()
                msgs = []
            except Exception as exc:
                if not self._stopping.is_set():
                    log.warning("fetch failed: %s", exc)
                    failures += 1
                    await asyncio.sleep(0.2)
                msgs = []
            if self._stopping.is_set():
                # Never start work after stop(): hand fetched items straight back.
                for msg in msgs:
                    with contextlib.suppress(Exception):
                        await msg.nak()
                msgs = []
            for _ in range(free - len(msgs)):
                self._slots.release()
            for msg in msgs:
                task = asyncio.create_task(self._process(msg))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _process(self, msg: Msg) -> None:
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
                await self._dispatch(msg, delivery)
            finally:
                heartbeat.cancel()
        finally:
            self._slots.release()

    async def _dispatch(self, msg: Msg, delivery: Delivery) -> None:
        if delivery.num_delivered > self._budget:
            try:
                await self._on_exhausted(delivery)
            except Exception:
                log.exception("dead-lettering failed; item will be redelivered")
                await _quietly(msg.nak(delay=5.0))
                return
            await _quietly(msg.term())
            return
        try:
            await self._handler(delivery)
        except JobFailed as exc:
            log.info("job failed deterministically: %s %s", exc.code, exc.message)
            await _quietly(msg.ack_sync())
        except TransientError as exc:
            log.warning("transient failure, redelivering in %.1fs: %s", exc.delay, exc.message)
            await _quietly(msg.nak(delay=exc.delay))
        except asyncio.CancelledError:
            # Shutdown cancelled the handler before it could finish or release: let the
            # lease lapse naturally is slower than handing it back now.
            await _quietly(msg.nak())
            raise
        except Exception:
            log.exception("handler crashed; redelivering")
            await _quietly(msg.nak(delay=min(2.0 * delivery.num_delivered, 30.0)))
        else:
            await _quietly(msg.ack_sync())

    async def _heartbeat(self, msg: Msg) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            try:
                await msg.in_progress()
            except Exception as exc:
                log.warning("in_progress failed: %s", exc)

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


async def _quietly(action: Awaitable[object]) -> None:
    # Acks are best effort: if NATS is away the item is redelivered after ack_wait, and every
    # handler is idempotent against the job record, so a lost ack costs time, not correctness.
    try:
        await action
    except Exception as exc:
        log.warning("ack/nak failed: %s", exc)
