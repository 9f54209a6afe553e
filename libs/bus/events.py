"""Reading ``SS_EVENTS``: one job's events for the API's SSE route, a live tail of many
jobs' for the client's ``ss events``, and for the console the events stored on a subject (a
job's timeline, a window of every job's) and a time window followed live.

Each event comes as a ``StreamEvent``: its stream sequence (the id a reader resumes after),
its type (the subject's last token), the payload as published and the decoded event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import api
from nats.js.errors import NotFoundError

from libs import names
from libs.bus.connection import Bus
from libs.contracts.events import JobEvent, decode_event

log = logging.getLogger(__name__)

#: Seconds an abandoned tail's consumer lives on the server before it removes it.
IDLE_CONSUMER_S = 60.0


@dataclass(frozen=True)
class StreamEvent:
    """One event as ``SS_EVENTS`` holds it."""

    seq: int
    type: str
    data: bytes
    event: JobEvent


def _stream_event(seq: int, subject: str, data: bytes) -> StreamEvent:
    return StreamEvent(seq=seq, type=subject.rsplit(".", 1)[-1], data=data,
                       event=decode_event(data))


async def last_sequence(bus: Bus) -> int:
    """The sequence of the newest event ``SS_EVENTS`` has stored (0: none yet)."""
    info = await bus.js.stream_info(names.EVENTS_STREAM)
    return int(info.state.last_seq)


async def job_feed(bus: Bus, tenant: str, job_id: str, after_seq: int,
                   idle_s: float) -> AsyncGenerator[StreamEvent | None]:
    """One job's events after stream sequence ``after_seq`` (0: from the first), then live,
    in order (an ordered consumer, which JetStream rebuilds by itself after a gap). ``None``
    each time ``idle_s`` pass without one, so the reader can keep its own client alive. Any
    other failure of the subscription (NATS closed the connection...) is raised."""
    config = (api.DeliverPolicy.BY_START_SEQUENCE, after_seq + 1) if after_seq else (
        api.DeliverPolicy.ALL, None)
    sub = await bus.js.subscribe(
        names.job_events_filter(tenant, job_id), ordered_consumer=True,
        deliver_policy=config[0], config=api.ConsumerConfig(opt_start_seq=config[1]),
        stream=names.EVENTS_STREAM,
    )
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=idle_s)
            except TimeoutError:
                yield None
                continue
            yield _stream_event(msg.metadata.sequence.stream, msg.subject, msg.data)
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()


async def _consume_from(bus: Bus, name: str, filter_subject: str, policy: api.DeliverPolicy,
                        after: int) -> None:
    """(Re)create the tail's consumer, starting after stream sequence ``after`` when it is set
    (else as ``policy`` says); a previous consumer of the same name is replaced."""
    if after:
        policy = api.DeliverPolicy.BY_START_SEQUENCE
    with contextlib.suppress(NotFoundError):
        await bus.js.delete_consumer(names.EVENTS_STREAM, name)
    await bus.js.add_consumer(names.EVENTS_STREAM, api.ConsumerConfig(
        name=name, filter_subject=filter_subject, ack_policy=api.AckPolicy.NONE,
        deliver_policy=policy, opt_start_seq=after + 1 if after else None,
        inactive_threshold=IDLE_CONSUMER_S,
        mem_storage=True, num_replicas=1))


async def tail(bus: Bus, consumer: str, filter_subject: str, *,
               from_start: bool) -> AsyncGenerator[StreamEvent]:
    """Events on ``filter_subject`` as they are published (or from the oldest kept, with
    ``from_start``), forever.

    Read through a pull consumer without acks named ``consumer``, removed when the tail ends
    and by the server once unused. After a server restart it is made again from the event
    after the last one seen.
    """
    policy = api.DeliverPolicy.ALL if from_start else api.DeliverPolicy.NEW
    last = 0
    try:
        await _consume_from(bus, consumer, filter_subject, policy, last)
        sub = await bus.js.pull_subscribe_bind(consumer, names.EVENTS_STREAM)
        while True:
            try:
                msgs = await sub.fetch(100, timeout=5.0)
            except NatsTimeoutError:
                continue
            except Exception:  # the server lost the consumer (a restart): make it again
                await asyncio.sleep(0.5)
                with contextlib.suppress(Exception):
                    await _consume_from(bus, consumer, filter_subject, policy, last)
                continue
            for msg in msgs:
                last = msg.metadata.sequence.stream
                yield _stream_event(last, msg.subject, msg.data)
    finally:
        with contextlib.suppress(Exception):
            await bus.js.delete_consumer(names.EVENTS_STREAM, consumer)


def _start_config(since: float) -> api.ConsumerConfig:
    return api.ConsumerConfig(deliver_policy=api.DeliverPolicy.BY_START_TIME,
                              opt_start_time=datetime.fromtimestamp(since, UTC))


def _decoded(msg: Msg) -> StreamEvent | None:
    """The message as a ``StreamEvent``; None (and a warning) when it is not an event."""
    try:
        return _stream_event(msg.metadata.sequence.stream, msg.subject, msg.data)
    except msgspec.DecodeError:
        log.warning("skipping an undecodable event on %s", msg.subject)
        return None


async def stored(bus: Bus, subject: str, since: float | None = None,
                 max_events: int = 500_000) -> AsyncGenerator[StreamEvent]:
    """The stored events on ``subject`` (since ``since``, unix seconds; None: all), in order;
    stops at the last one stored when it started, or after ``max_events``. An undecodable
    message is skipped."""
    sub = await bus.js.subscribe(subject, stream=names.EVENTS_STREAM, ordered_consumer=True,
                                 config=_start_config(since) if since is not None else None)
    try:
        info = await sub.consumer_info()
        # A push consumer may have delivered everything already: count what it sent too.
        if not info.num_pending and not (info.delivered and info.delivered.consumer_seq):
            return
        for _ in range(max_events):
            msg = await sub.next_msg(timeout=10)
            event = _decoded(msg)
            if event is not None:
                yield event
            if msg.metadata.num_pending == 0:
                break
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()


class Following:
    """Events handed to a callback as they are stored, until ``close``."""

    def __init__(self, sub: Subscription) -> None:
        self._sub = sub

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._sub.unsubscribe()


async def follow(bus: Bus, subject: str, since: float,
                 on_event: Callable[[StreamEvent], None]) -> Following:
    """Call ``on_event`` with every event on ``subject`` stored since ``since`` (unix seconds),
    in order, then with each new one as it is stored (an ordered consumer; an undecodable
    message is skipped). After a reconnect the consumer may be gone: close and follow again."""

    async def deliver(msg: Msg) -> None:
        event = _decoded(msg)
        if event is not None:
            on_event(event)

    return Following(await bus.js.subscribe(
        subject, stream=names.EVENTS_STREAM, ordered_consumer=True, cb=deliver,
        config=_start_config(since)))
