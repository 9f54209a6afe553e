"""The SSE line parser against the event-stream rules the API relies on."""

from __future__ import annotations

import pytest

from client.sse import SSEMessage, SSEParser, job_event
from libs.contracts.events import JobCompleted, JobQueued, encode_event
from libs.contracts.jobs import JobState


def feed_all(parser: SSEParser, text: str) -> list[SSEMessage]:
    out = []
    for line in text.split("\n"):
        message = parser.feed(line)
        if message is not None:
            out.append(message)
    return out


def test_fields_dispatch_on_blank_line_and_id_persists() -> None:
    parser = SSEParser()
    got = feed_all(parser, "event: queued\nid: 7\ndata: {\"a\":1}\n\ndata: second\n\n")
    assert got == [SSEMessage(event="queued", data='{"a":1}', id="7"),
                   SSEMessage(event="message", data="second", id="7")]
    assert parser.last_event_id == "7"


def test_multiline_data_joined_and_one_leading_space_dropped() -> None:
    got = feed_all(SSEParser(), "data:  two spaces\ndata:none\ndata\n\n")
    assert got == [SSEMessage(data=" two spaces\nnone\n")]


def test_comments_and_empty_messages_dispatch_nothing() -> None:
    parser = SSEParser("3")
    assert feed_all(parser, ": keepalive\n\n\nevent: x\n\n") == []
    # The event type of a message without data does not leak into the next one.
    assert feed_all(parser, "data: y\n\n") == [SSEMessage(data="y", id="3")]


def test_retry_sets_delay_and_bad_values_are_ignored() -> None:
    parser = SSEParser()
    feed_all(parser, "retry: 2500\nretry: soon\nid: a\0b\n")
    assert parser.retry_s == pytest.approx(2.5)
    assert parser.last_event_id == ""  # an id holding NUL is ignored


def test_job_event_decodes_the_payload_and_sequence() -> None:
    done = JobCompleted(tenant="t", job_id="j1", at="now", submission=2,
                        status=JobState.FAILED)
    message = SSEMessage(event="completed", data=encode_event(done).decode(), id="42")
    decoded = job_event(message)
    assert (decoded.seq, decoded.type, decoded.event) == (42, "completed", done)
    queued = job_event(SSEMessage(event="queued", id="",
                                  data=encode_event(JobQueued(tenant="t", job_id="j",
                                                              at="now")).decode()))
    assert queued.seq == 0
    assert isinstance(queued.event, JobQueued)
