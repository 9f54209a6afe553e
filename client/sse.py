"""Server-Sent Events: a line parser (no I/O) and the typed job event it carries.

Follows the WHATWG event-stream rules the client needs: ``field: value`` lines (one leading
space of the value dropped), ``data`` lines joined with newlines, ``:`` comments ignored
(the API's keepalives), a blank line dispatches, ``id`` persists across messages so a
reconnect can send it as ``Last-Event-ID``, ``retry`` sets the reconnect delay.
"""

from __future__ import annotations

import msgspec

from libs.contracts.events import JobEvent, decode_event


class SSEMessage(msgspec.Struct, kw_only=True, frozen=True):
    """One dispatched message of an event stream."""

    event: str = "message"
    data: str
    id: str = ""


class EventMessage(msgspec.Struct, kw_only=True, frozen=True):
    """A job event as the API streams it: the ``SS_EVENTS`` sequence, its type and payload."""

    seq: int
    type: str
    event: JobEvent


class SSEParser:
    """Feed lines (without their line ending); get a message at each blank line."""

    def __init__(self, last_event_id: str = "") -> None:
        self.last_event_id = last_event_id
        #: reconnect delay the server asked for, in seconds (None: the client's default)
        self.retry_s: float | None = None
        self._event = ""
        self._data: list[str] = []

    def feed(self, line: str) -> SSEMessage | None:
        """Take one line; return the message it completes, if any."""
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        elif field == "id" and "\0" not in value:
            self.last_event_id = value
        elif field == "retry" and value.isdigit():
            self.retry_s = int(value) / 1000
        return None

    def _dispatch(self) -> SSEMessage | None:
        data, event = self._data, self._event
        self._data, self._event = [], ""
        if not data:
            return None
        return SSEMessage(event=event or "message", data="\n".join(data), id=self.last_event_id)


def job_event(message: SSEMessage) -> EventMessage:
    """The typed job event in ``message`` (its id is the stream sequence)."""
    event = decode_event(message.data.encode())
    seq = int(message.id) if message.id.isdigit() else 0
    return EventMessage(seq=seq, type=message.event, event=event)
