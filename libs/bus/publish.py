"""Publishing work items and job events with ``Nats-Msg-Id`` so a replayed publish is a no-op."""

from __future__ import annotations

import msgspec
from nats.js.errors import NotFoundError

from libs import names
from libs.bus.connection import Bus
from libs.contracts.events import JobEvent, encode_event, event_type
from libs.contracts.work import FormatWork, HandOverCheck, RunWork

_encoder = msgspec.json.Encoder()


async def publish_run(bus: Bus, pool: str, work: RunWork, *, stage: str = "run") -> bool:
    """Queue a run; returns False when JetStream dropped it as a duplicate."""
    ack = await bus.js.publish(
        names.run_subject(pool),
        _encoder.encode(work),
        headers={names.MSG_ID_HEADER: names.msg_id(work.job_id, work.submission, stage)},
    )
    return not ack.duplicate


async def publish_format(bus: Bus, work: FormatWork) -> bool:
    """Queue the rendering of one attempt's outputs."""
    ack = await bus.js.publish(
        names.FORMAT_SUBJECT,
        _encoder.encode(work),
        headers={names.MSG_ID_HEADER: names.msg_id(work.job_id, work.attempt, "format")},
    )
    return not ack.duplicate


async def publish_check(bus: Bus, check: HandOverCheck) -> None:
    """Store a hand-over check (no message id: a repeated check only costs one more look)."""
    await bus.js.publish(names.DISPATCH_SUBJECT, _encoder.encode(check))


def _event_msg_id(event: JobEvent) -> str:
    counter = event.submission * 10_000 + event.attempt
    return names.msg_id(event.job_id, counter, event_type(event))


async def publish_event(bus: Bus, event: JobEvent) -> bool:
    """Publish a job event once per (job, submission, attempt, type)."""
    ack = await bus.js.publish(
        names.event_subject(event.tenant, event.job_id, event_type(event)),
        encode_event(event),
        headers={names.MSG_ID_HEADER: _event_msg_id(event)},
    )
    return not ack.duplicate


async def republish_event(bus: Bus, event: JobEvent) -> bool:
    """Publish ``event`` unless the stream already holds it: for redelivered work that may or
    may not have announced before dying. (JetStream would drop the duplicate from the stream,
    but plain-NATS subscribers would still see it.)"""
    subject = names.event_subject(event.tenant, event.job_id, event_type(event))
    try:
        last = await bus.js.get_last_msg(names.EVENTS_STREAM, subject)
        if last.headers and last.headers.get(names.MSG_ID_HEADER) == _event_msg_id(event):
            return False
    except NotFoundError:
        pass
    return await publish_event(bus, event)
