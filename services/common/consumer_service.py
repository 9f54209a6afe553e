"""The skeleton of a queue-consuming service (worker, formatter): start, serve, drain, close."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from libs.bus.connection import Bus, connect
from libs.bus.consumer import ConsumerLoop, ExhaustedHandler, Handler
from libs.bus.presence import Beacon
from libs.bus.provision import await_topology, ensure_consumer
from libs.bus.retries import RetryPolicy
from libs.settings import Settings
from libs.storage import ObjectStore
from services.common.metrics import refresh_queue_metrics
from services.common.probes import ProbeServer, dependency_problems

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connections:
    bus: Bus
    objects: ObjectStore


@contextlib.asynccontextmanager
async def connections(settings: Settings, name: str) -> AsyncIterator[Connections]:
    """NATS (once the API has provisioned the streams and buckets) and S3, closed on exit."""
    bus = await connect(settings.nats_url, name=name, creds=settings.nats_creds)
    try:
        objects = await ObjectStore.open(settings)
        try:
            await await_topology(bus)
            yield Connections(bus, objects)
        finally:
            await objects.close()
    finally:
        await bus.close()


async def consume_until_stopped(
    conns: Connections, settings: Settings, stop: asyncio.Event, *,
    durable: str, subject: str, handler: Handler, on_exhausted: ExhaustedHandler, slots: int,
    banner: str, beacon: Beacon,
) -> None:
    """Consume ``durable`` until ``stop`` is set, serving probes and sending ``beacon``'s
    heartbeats; then drain within the grace."""
    await ensure_consumer(conns.bus, settings, durable, subject)

    async def probe() -> dict[str, str]:
        return await dependency_problems(conns.bus, conns.objects)

    loop = ConsumerLoop(conns.bus, durable=durable, handler=beacon.tracking(handler),
                        on_exhausted=on_exhausted,
                        slots=slots, heartbeat_s=settings.heartbeat_s,
                        policy=RetryPolicy.of(settings), probe=probe)

    async def ready() -> dict[str, str]:
        return {**await probe(), **loop.problems()}

    probes = None
    if settings.health_port:
        probes = ProbeServer("0.0.0.0", settings.health_port, ready,
                             lambda: refresh_queue_metrics(conns.bus))
        await probes.start()
    consume = asyncio.create_task(loop.run())
    heartbeats = asyncio.create_task(beacon.run())
    log.info("%s", banner)
    print(banner, flush=True)
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({consume, stopped}, return_when=asyncio.FIRST_COMPLETED)
    log.info("stopping: draining for up to %.0fs", settings.shutdown_grace_s)
    await loop.drain(settings.shutdown_grace_s)
    heartbeats.cancel()
    consume.cancel()
    stopped.cancel()
    if consume.done() and not consume.cancelled() and consume.exception() is not None:
        raise RuntimeError(f"the {durable} consumer stopped") from consume.exception()
    with contextlib.suppress(asyncio.CancelledError):
        await consume
    with contextlib.suppress(asyncio.CancelledError):
        await heartbeats
    if probes is not None:
        await probes.close()
    log.info("stopped")
