"""Reading stored messages straight from a stream: JetStream's direct get.

nats-py's direct get puts the subject into the request's own subject, which a subject filter
with a wildcard cannot be; the job index needs the last message of a filter
(``ss.index.<tenant>.*``) and the rate limiter the first message of a subject, so the request
carries them in its body. Any replica of the stream may answer (the stream must allow direct
gets), so on a cluster a read can lag the leader by the replication delay.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from nats.js.api import Header
from nats.js.errors import APIError

from libs.bus.connection import Bus

_SEQUENCE, _SUBJECT, _TIME = "Nats-Sequence", "Nats-Subject", "Nats-Time-Stamp"
#: Status the server answers when nothing matches.
_NOT_FOUND = "404"


@dataclass(frozen=True, slots=True)
class Stored:
    """One message as the stream stored it."""

    seq: int
    subject: str
    data: bytes
    #: when the stream stored it (the server's clock)
    time: datetime


def _api_subject(stream: str) -> str:
    return f"$JS.API.DIRECT.GET.{stream}"


def _lift(headers: dict[str, str] | None, data: bytes) -> Stored | None:
    """The message of one answer; None for "nothing there"."""
    headers = headers or {}
    status = headers.get(Header.STATUS.value)
    if status == _NOT_FOUND:
        return None
    if status is not None:
        raise APIError(code=int(status), description=headers.get(Header.DESCRIPTION.value, ""))
    return Stored(seq=int(headers[_SEQUENCE]), subject=headers[_SUBJECT], data=data,
                  time=parse_time(headers[_TIME]))


def parse_time(stamp: str) -> datetime:
    """A JetStream timestamp (RFC 3339 with nanoseconds, ``Z``) as an aware datetime."""
    head, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(fraction + '000000')[:6]}+00:00")


async def _one(bus: Bus, stream: str, request: dict[str, object], timeout: float) -> Stored | None:
    reply = await bus.nc.request(_api_subject(stream), json.dumps(request).encode(),
                                 timeout=timeout)
    return _lift(reply.headers, reply.data)


async def last(bus: Bus, stream: str, subjects: str, *, timeout: float = 5.0) -> Stored | None:
    """The newest message whose subject matches ``subjects`` (wildcards allowed), if any."""
    return await _one(bus, stream, {"last_by_subj": subjects}, timeout)


async def first(bus: Bus, stream: str, subjects: str, *, timeout: float = 5.0) -> Stored | None:
    """The oldest message whose subject matches ``subjects``, if any."""
    return await _one(bus, stream, {"next_by_subj": subjects, "seq": 0}, timeout)
