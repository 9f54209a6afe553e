"""Readiness (are NATS and S3 reachable?) and a tiny HTTP server for the worker's and
formatter's probes: /healthz, /readyz, /metrics.

Those services have no web framework, and a probe server must not be able to block the
consumer loop, so this is a few lines over ``asyncio.start_server`` (HTTP/1.0, GET only).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from libs.bus.connection import Bus
from libs.outages import describe
from libs.storage import ObjectStore

ReadyCheck = Callable[[], Awaitable[dict[str, str]]]


async def dependency_problems(bus: Bus, objects: ObjectStore) -> dict[str, str]:
    """What any service needs to do its work: NATS connected with JetStream answering, and the
    bucket reachable (empty when both are)."""
    problems = {}
    if not bus.connected:
        problems["nats"] = "not connected"
    else:
        try:
            await asyncio.wait_for(bus.js.account_info(), 2)
        except Exception as exc:
            problems["nats"] = describe(exc)
    try:
        await asyncio.wait_for(objects.ping(), 2)
    except Exception as exc:
        problems["s3"] = describe(exc)
    return problems


class ProbeServer:
    """Serves liveness, readiness (``ready()`` returns problems; empty means ready), metrics."""

    def __init__(self, host: str, port: int, ready: ReadyCheck,
                 before_metrics: Callable[[], Awaitable[None]] | None = None) -> None:
        self._host = host
        self._port = port
        self._ready = ready
        self._before_metrics = before_metrics
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            parts = request.decode("latin-1").split()
            path = parts[1].split("?")[0] if len(parts) >= 2 else ""
            status, ctype, body = await self._respond(path)
            head = (
                f"HTTP/1.0 {status}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _respond(self, path: str) -> tuple[str, str, bytes]:
        if path == "/healthz":
            return "200 OK", "application/json", b'{"status":"ok"}'
        if path == "/readyz":
            problems = await self._ready()
            body = json.dumps({"status": "ready" if not problems else "not ready",
                               "problems": problems}).encode()
            return ("200 OK" if not problems else "503 Service Unavailable",
                    "application/json", body)
        if path == "/metrics":
            if self._before_metrics is not None:
                await self._before_metrics()
            return "200 OK", CONTENT_TYPE_LATEST, generate_latest()
        return "404 Not Found", "text/plain", b"not found"
