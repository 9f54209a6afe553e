"""``/v1/jobs/{id}/events``: a job's events as Server-Sent Events.

Replayed from ``SS_EVENTS`` (an ordered consumer filtered on the job), then live; the SSE id is
the stream sequence, so a client reconnecting with ``Last-Event-ID`` resumes right after the
last event it saw. The stream ends after the ``completed`` event of a finished job.

A ``Last-Event-ID`` that is not one of those ids (not ASCII digits, or beyond the last
sequence the stream has) is answered 400 ``VALIDATION_FAILED`` before anything is streamed:
resuming from a made-up position would silently skip events, and replaying from the start
would repeat ones the client has. An empty one means "from the start".

If the stream cannot go on (NATS went away, or a bug), the failure is logged and the stream
ends with one ``error`` event whose data is the API's error body with a catalogued code
(``SERVICE_UNAVAILABLE`` for an outage, else ``INTERNAL_ERROR``); a client reconnects with
``Last-Event-ID`` and loses nothing.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import AsyncGenerator

import msgspec
from litestar import Controller, Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage

from libs.bus.connection import Bus
from libs.bus.events import job_feed, last_sequence
from libs.bus.jobstore import JobStore
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.events import JobCompleted
from libs.contracts.jobs import TERMINAL_STATES
from libs.contracts.views import ErrorBody
from libs.outages import describe, is_outage
from services.api.auth import Principal
from services.api.openapi import errors
from services.api.state import Services
from services.api.streams import until_stopping
from services.common.logs import request_id_var

log = logging.getLogger(__name__)

KEEPALIVE_S = 15.0
#: An id this stream sends: a stream sequence in ASCII digits (``str.isdigit`` would also take
#: "²" or "٣", which ``int`` refuses).
_EVENT_ID = re.compile(r"^[0-9]{1,20}$")


def _refused(message: str) -> SSError:
    return SSError(ErrorCode.VALIDATION_FAILED, message,
                   fields=[{"field": "Last-Event-ID", "message": message}])


async def resume_after(services: Services, header: str) -> int:
    """The stream sequence a ``Last-Event-ID`` header names (0: from the start)."""
    given = header.strip(" \t")
    if not given:
        return 0
    if not _EVENT_ID.match(given):
        raise _refused(f"Last-Event-ID {given[:40]!r} is not an event id of this stream "
                       "(a decimal sequence number)")
    after = int(given)
    last = await last_sequence(services.bus)
    if after > last:
        raise _refused(f"Last-Event-ID {after} is beyond the last event ({last})")
    return after


def stream_error(exc: Exception) -> ServerSentEventMessage:
    """The ``error`` event that ends a stream which cannot go on, logged with the request id."""
    if is_outage(exc):
        log.warning("event stream ended: a dependency is unavailable: %s", describe(exc))
        code, message = (ErrorCode.SERVICE_UNAVAILABLE,
                         "the event feed is unavailable; reconnect with Last-Event-ID")
    elif isinstance(exc, SSError):
        log.warning("event stream ended: %s", describe(exc))
        code, message = exc.code, exc.message
    else:
        log.exception("event stream failed", exc_info=exc)
        code, message = (ErrorCode.INTERNAL_ERROR,
                         "the event stream failed; reconnect with Last-Event-ID")
    body = ErrorBody(error_code=code.value, message=message,
                     request_id=request_id_var.get() or uuid.uuid4().hex)
    return ServerSentEventMessage(data=msgspec.json.encode(body).decode(), event="error")


async def job_events(
    bus: Bus, jobs: JobStore, tenant: str, job_id: str, after_seq: int
) -> AsyncGenerator[ServerSentEventMessage]:
    """The SSE messages of one job's events after ``after_seq``, ending after the
    ``completed`` of the job's current submission (or with an ``error`` event)."""
    feed = job_feed(bus, tenant, job_id, after_seq, idle_s=KEEPALIVE_S)
    try:
        async with contextlib.aclosing(feed):
            async for found in feed:
                if found is None:
                    yield ServerSentEventMessage(comment="keepalive")
                    continue
                yield ServerSentEventMessage(data=found.data.decode(), event=found.type,
                                             id=str(found.seq))
                if isinstance(found.event, JobCompleted):
                    record, _ = await jobs.get(tenant, job_id)
                    if (record.state in TERMINAL_STATES
                            and record.submission == found.event.submission):
                        return
    except Exception as exc:
        yield stream_error(exc)


class EventsController(Controller):
    path = "/v1/jobs/{job_id:str}/events"
    tags = ("events",)

    @get("/", summary="Stream a job's events (SSE; resumable with Last-Event-ID)",
         responses=errors(400, 404), media_type="text/event-stream")
    async def stream(self, job_id: str, request: Request,  # type: ignore[type-arg]
                     principal: Principal, services: Services) -> ServerSentEvent:
        await services.jobs.get(principal.tenant, job_id)  # 404 before streaming anything
        after = await resume_after(services, request.headers.get("last-event-id", ""))
        return ServerSentEvent(until_stopping(
            job_events(services.bus, services.jobs, principal.tenant, job_id, after),
            services.stopping))
