"""Server-Sent Event streams that end when the API begins to stop.

uvicorn waits for open responses before it shuts down, and an event stream is never done on
its own: without this a replica told to stop would hold every open stream until its grace
period ran out and it was killed. Streams are resumable (``Last-Event-ID``; the console pages
reconnect by themselves), so ending them at once loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator


async def until_stopping[T](messages: AsyncGenerator[T], stopping: asyncio.Event
                            ) -> AsyncIterator[T]:
    """``messages`` as they come, until they end or ``stopping`` is set."""
    stop = asyncio.ensure_future(stopping.wait())
    step: asyncio.Future[T] | None = None
    try:
        while not stopping.is_set():
            step = asyncio.ensure_future(anext(messages))
            await asyncio.wait({step, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not step.done():
                break
            try:
                item = step.result()
            except StopAsyncIteration:
                break
            step = None
            yield item
    finally:
        stop.cancel()
        if step is not None and not step.done():
            step.cancel()
            # The generator unwinds (its finally blocks run) before it can be closed; how it
            # ends no longer matters to anyone.
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await step
        await messages.aclose()
