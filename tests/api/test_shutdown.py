"""An API replica told to stop (SIGTERM, as a deployment does) ends its open event streams
at once instead of waiting for them: a stream is never done by itself, and uvicorn waits for
open responses before it stops."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncGenerator
from pathlib import Path

from dev.servers import NatsServer, S3Server
from dev.stack import Client, Stack
from services.api.streams import until_stopping


async def test_sigterm_ends_open_event_streams_and_the_api_exits(
        nats_server: NatsServer, s3_server: S3Server, tmp_path: Path) -> None:
    stack = Stack(nats=nats_server, s3=s3_server, root=tmp_path, settings={})
    stack.start_api()
    client = Client(stack.api_url)
    try:
        # A job that is never submitted: its stream would stay open for good.
        job = await client.create("sleepy", {"var": "x", "ms": 0})
        async with client.http.stream("GET", f"/v1/jobs/{job['id']}/events/",
                                      headers={"accept": "text/event-stream"}) as response:
            assert response.status_code == 200
            lines = response.aiter_lines()
            while not (await anext(lines)).startswith("event: created"):
                pass
            proc = stack.procs["api"]
            proc.send_signal(signal.SIGTERM)
            # The keepalive comes every 15 s, so a stream left open would still be going.
            rest = await asyncio.wait_for(_drain(lines), 10)
        assert not any(line.startswith("event:") for line in rest), rest
        began = time.monotonic()
        while proc.poll() is None:
            assert time.monotonic() - began < 10, "the API did not exit after its streams ended"
            await asyncio.sleep(0.1)
    finally:
        await client.close()
        stack.stop_all()


async def _drain(lines: AsyncGenerator[str]) -> list[str]:
    return [line async for line in lines]


async def test_until_stopping_passes_messages_then_closes_the_source_when_told() -> None:
    closed = asyncio.Event()

    async def source() -> AsyncGenerator[int]:
        try:
            for n in range(3):
                yield n
            await asyncio.sleep(3600)  # a stream waiting for an event that does not come
            yield 99
        finally:
            closed.set()

    stopping = asyncio.Event()
    seen = []
    async for n in until_stopping(source(), stopping):
        seen.append(n)
        if n == 2:
            asyncio.get_running_loop().call_later(0.05, stopping.set)
    assert seen == [0, 1, 2]
    assert closed.is_set()


async def test_until_stopping_ends_with_its_source() -> None:
    async def source() -> AsyncGenerator[str]:
        yield "a"
        yield "b"

    assert [m async for m in until_stopping(source(), asyncio.Event())] == ["a", "b"]


async def test_a_stream_asked_for_while_stopping_sends_nothing() -> None:
    async def source() -> AsyncGenerator[int]:
        yield 1

    stopping = asyncio.Event()
    stopping.set()
    assert [m async for m in until_stopping(source(), stopping)] == []
