"""``/v1/jobs/{id}/events``: a job's events as Server-Sent Events.

Replayed from ``SS_EVENTS`` (an ordered consumer filtered on the job), then live; the SSE id is
the stream sequence, so a client reconnecting with ``Last-Event-ID`` resumes right after the
last event it saw. The stream ends after the ``completed`` event of a finished job.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from litestar import Controller, Request, get
from litestar.response import ServerSentEvent, ServerSentEventMessage
from nats.js import api

from libs import names
from libs.contracts.events import JobCompleted, decode_event
from libs.contracts.jobs import TERMINAL_STATES
from services.api.auth import Principal
from services.api.openapi import errors
from services.api.state import Services

KEEPALIVE_S = 15.0


async def job_events(
    services: Services, tenant: str, job_id: str, after_seq: int
) -> AsyncIterator[ServerSentEventMessage]:
    config = (api.DeliverPolicy.BY_START_SEQUENCE, after_seq + 1) if after_seq else (
        api.DeliverPolicy.ALL, None)
    sub = await services.bus.js.subscribe(
        names.job_events_filter(tenant, job_id), ordered_consumer=True,
        deliver_policy=config[0], config=api.ConsumerConfig(opt_start_seq=config[1]),
        stream=names.EVENTS_STREAM,
    )
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=KEEPALIVE_S)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keepalive")
                continue
            except Exception:
                return
            event = decode_event(msg.data)
            seq = msg.metadata.sequence.stream
            kind = msg.subject.rsplit(".", 1)[-1]
            yield ServerSentEventMessage(data=msg.data.decode(), event=kind, id=str(seq))
            if isinstance(event, JobCompleted):
                record, _ = await services.jobs.get(tenant, job_id)
                if record.state in TERMINAL_STATES and record.submission == event.submission:
                    return
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()


class EventsController(Controller):
    path = "/v1/jobs/{job_id:str}/events"
    tags = ("events",)

    @get("/", summary="Stream a job's events (SSE; resumable with Last-Event-ID)",
         responses=errors(404), media_type="text/event-stream")
    async def stream(self, job_id: str, request: Request,  # type: ignore[type-arg]
                     principal: Principal, services: Services) -> ServerSentEvent:
        await services.jobs.get(principal.tenant, job_id)  # 404 before streaming anything
        last = request.headers.get("last-event-id", "")
        after = int(last) if last.isdigit() else 0
        return ServerSentEvent(job_events(services, principal.tenant, job_id, after))
