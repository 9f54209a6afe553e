"""What jobs did lately, read from their events (``SS_EVENTS``) rather than their records.

Every transition publishes an event, so folding a time window of ``ss.events.>`` gives each
job's latest state in that window, its template and, for a failed job, its error code -- with
one ordered read of the feed (``libs.bus.events``) instead of a KV read per job. ``Activity``
follows the last hour live for the overview (started on first use, so an API whose console
nobody opens pays nothing); ``replay`` folds a longer window once, for the failures list.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from libs import names
from libs.bus.connection import Bus
from libs.bus.events import Following, StreamEvent, follow, stored
from libs.contracts.events import JobCompleted, JobCreated, JobEvent, event_type

#: The overview's window: jobs per state and failure codes of the last hour.
WINDOW_S = 3600.0
#: Most jobs a fold keeps (the oldest are dropped first).
MAX_JOBS = 200_000


@dataclass
class Trail:
    """A job as its latest event in the window left it."""

    tenant: str
    job_id: str
    #: the state the latest event put the job in (``completed`` gives its status)
    state: str
    #: unix seconds of that event
    at: float
    template: str | None = None
    error_code: str | None = None
    error_message: str | None = None


_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def epoch_of(iso: str) -> float:
    """Unix seconds of an RFC 3339 time (events' ``at``, JetStream's nanosecond stamps)."""
    try:
        return datetime.fromisoformat(_FRACTION.sub(r"\1", iso.replace("Z", "+00:00"))
                                      ).timestamp()
    except ValueError:
        return time.time()


class Fold:
    """Each job's trail, from its events in order."""

    def __init__(self) -> None:
        self.trails: dict[str, Trail] = {}

    def apply(self, event: JobEvent) -> None:
        key = f"{event.tenant}.{event.job_id}"
        trail = self.trails.pop(key, None)  # re-inserted last: the dict stays in event order
        state = event.status.value if isinstance(event, JobCompleted) else event_type(event)
        if trail is None:
            trail = Trail(tenant=event.tenant, job_id=event.job_id, state=state,
                          at=epoch_of(event.at))
        trail.state, trail.at = state, epoch_of(event.at)
        if isinstance(event, JobCreated):
            trail.template = event.template_id
        error = event.error if isinstance(event, JobCompleted) else None
        trail.error_code = error.error_code.value if error else None
        trail.error_message = error.message if error else None
        self.trails[key] = trail
        if len(self.trails) > MAX_JOBS:
            del self.trails[next(iter(self.trails))]

    def forget_before(self, cutoff: float) -> None:
        for key in [k for k, t in self.trails.items() if t.at < cutoff]:
            del self.trails[key]

    def of(self, tenant: str | None) -> list[Trail]:
        """Trails of ``tenant`` (None: all), newest first."""
        chosen = [t for t in self.trails.values() if tenant is None or t.tenant == tenant]
        return sorted(chosen, key=lambda t: t.at, reverse=True)


@dataclass(frozen=True)
class Summary:
    """The overview's activity figures."""

    #: state -> jobs whose latest event in the window left them there
    states: dict[str, int]
    #: (error code, failed jobs) by count, highest first
    failures: list[tuple[str, int]]
    window_s: float


class Activity:
    """The last ``window_s`` of events, followed live by one ordered consumer."""

    def __init__(self, bus: Bus, window_s: float = WINDOW_S) -> None:
        self._bus = bus
        self._window_s = window_s
        self._fold = Fold()
        self._following: Following | None = None
        self._starting = asyncio.Lock()
        bus.on_reconnect(self._restart)

    async def _start(self) -> None:
        async with self._starting:
            if self._following is not None:
                return
            self._fold = Fold()

            def on_event(event: StreamEvent) -> None:
                self._fold.apply(event.event)

            self._following = await follow(self._bus, names.EVENTS_SUBJECTS,
                                           time.time() - self._window_s, on_event)

    async def _restart(self) -> None:
        """After a reconnect the consumer may be gone: fold the window again from scratch."""
        if self._following is not None:
            await self.close()
            await self._start()

    async def close(self) -> None:
        following, self._following = self._following, None
        if following is not None:
            await following.close()

    async def summary(self, tenant: str | None) -> Summary:
        """Jobs per state and failure codes in the window (of ``tenant``; None: all)."""
        await self._start()
        self._fold.forget_before(time.time() - self._window_s)
        trails = self._fold.of(tenant)
        states = Counter(t.state for t in trails)
        codes = Counter(t.error_code for t in trails if t.state == "failed" and t.error_code)
        return Summary(states=dict(states), failures=codes.most_common(), window_s=self._window_s)


async def replay(bus: Bus, tenant: str | None, since: float) -> Fold:
    """Fold the events since ``since`` (of ``tenant``; None: every tenant) once."""
    subject = names.tenant_events_filter(tenant) if tenant else names.EVENTS_SUBJECTS
    fold = Fold()
    async for found in stored(bus, subject, since):
        fold.apply(found.event)
    return fold
