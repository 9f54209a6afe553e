"""Which workers and formatters are alive, and what each is doing: heartbeats on core NATS.

Every worker and formatter process publishes a small ``Heartbeat`` on
``ss.presence.<kind>.<member>`` every ``interval_s`` (the services' ``heartbeat_s``, a third of
the work lease) and a last one with ``leaving`` set when it stops cleanly. Each API process
listens (``Roster``) and keeps the latest heartbeat of every member by the time *it* heard it,
on its own monotonic clock, so no two machines' clocks are ever compared: a member is gone
once ``MISSED`` heartbeats in a row did not arrive (a SIGKILLed worker disappears within about
its lease) or at once when it said it is leaving.

Core NATS rather than a stream or a KV bucket: nothing needs storing, a heartbeat costs one
small publish, and an API that starts knows every member after one interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from libs import names
from libs.bus.connection import Bus
from libs.bus.consumer import Delivery, Handler
from libs.contracts.jobs import now_iso

log = logging.getLogger(__name__)

#: Heartbeats a member may miss before it counts as gone...
MISSED = 3
#: ...but never sooner than this (a busy machine delays a beat now and then).
GONE_AFTER_MIN_S = 5.0


class Heartbeat(msgspec.Struct, kw_only=True, frozen=True):
    """What a worker or formatter process says about itself."""

    #: worker | formatter
    kind: str
    #: the process's identity (a worker's id in job records)
    member: str
    #: the engine pool a worker serves (None for a formatter)
    pool: str | None = None
    engine: str | None = None
    slots: int
    #: job keys (``<tenant>.<job>``) the process is working on now
    jobs: list[str] = msgspec.field(default_factory=list)
    host: str = ""
    pid: int = 0
    started_at: str
    #: seconds until the next heartbeat
    interval_s: float
    #: the process is stopping: forget it now
    leaving: bool = False


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Heartbeat).decode


class _JobRef(msgspec.Struct):
    """The two fields every work item has (``RunWork``, ``FormatWork``)."""

    tenant: str
    job_id: str


_job_ref = msgspec.json.Decoder(_JobRef).decode


@dataclass
class Beacon:
    """A process's heartbeat sender; ``tracking`` wraps its handler to list current jobs."""

    bus: Bus
    kind: str
    member: str
    slots: int
    interval_s: float
    pool: str | None = None
    engine: str | None = None
    _jobs: dict[str, int] = field(default_factory=dict)
    _started_at: str = field(default_factory=now_iso)

    def tracking(self, handler: Handler) -> Handler:
        """``handler``, noting the job of each item while it is handled."""

        async def handle(delivery: Delivery) -> None:
            try:
                ref = _job_ref(delivery.data)
                key = f"{ref.tenant}.{ref.job_id}"
            except msgspec.DecodeError:
                key = ""
            if key:
                self._jobs[key] = self._jobs.get(key, 0) + 1
            try:
                await handler(delivery)
            finally:
                if key:
                    self._jobs[key] -= 1
                    if not self._jobs[key]:
                        del self._jobs[key]

        return handle

    def heartbeat(self, leaving: bool = False) -> Heartbeat:
        return Heartbeat(kind=self.kind, member=self.member, pool=self.pool, engine=self.engine,
                         slots=self.slots, jobs=sorted(self._jobs), host=socket.gethostname(),
                         pid=os.getpid(), started_at=self._started_at,
                         interval_s=self.interval_s, leaving=leaving)

    async def _send(self, leaving: bool = False) -> None:
        await self.bus.nc.publish(names.presence_subject(self.kind, self.member),
                                  _encode(self.heartbeat(leaving)))

    async def run(self) -> None:
        """Send a heartbeat every ``interval_s`` until cancelled, then a last, leaving one."""
        try:
            while True:
                try:
                    await self._send()
                except Exception as exc:  # NATS away: the next beat tries again
                    log.debug("heartbeat not sent: %s", exc)
                await asyncio.sleep(self.interval_s)
        finally:
            with contextlib.suppress(Exception):
                await self._send(leaving=True)
                await self.bus.nc.flush(1)


@dataclass(frozen=True)
class Member:
    """A live member as one API process knows it."""

    heartbeat: Heartbeat
    #: seconds since this process last heard from it
    heard_s_ago: float


class Roster:
    """The live members, from the heartbeats this process hears."""

    def __init__(self, bus: Bus, clock: Callable[[], float] = time.monotonic) -> None:
        self._bus = bus
        self._clock = clock
        self._heard: dict[tuple[str, str], tuple[float, Heartbeat]] = {}
        self._sub: Subscription | None = None
        self._since = clock()

    async def start(self) -> None:
        self._sub = await self._bus.nc.subscribe(names.PRESENCE_SUBJECTS, cb=self._on_message)
        await self._bus.nc.flush()  # the server has the subscription: no beat is missed

    async def close(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()

    async def _on_message(self, msg: Msg) -> None:
        try:
            beat = _decode(msg.data)
        except msgspec.DecodeError:
            log.warning("ignoring a malformed heartbeat on %s", msg.subject)
            return
        key = (beat.kind, beat.member)
        if beat.leaving:
            self._heard.pop(key, None)
        else:
            self._heard[key] = (self._clock(), beat)

    @property
    def listening_s(self) -> float:
        """How long this process has been listening (a member may not have spoken yet)."""
        return self._clock() - self._since

    def members(self) -> list[Member]:
        """Live members by kind and name; the silent ones are forgotten."""
        now = self._clock()
        alive = []
        for key, (heard, beat) in list(self._heard.items()):
            if now - heard > max(MISSED * beat.interval_s, GONE_AFTER_MIN_S):
                del self._heard[key]
            else:
                alive.append(Member(beat, now - heard))
        return sorted(alive, key=lambda m: (m.heartbeat.kind, m.heartbeat.member))
