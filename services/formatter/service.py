"""The formatter process: report rendering behind the shared consumer-service skeleton."""

from __future__ import annotations

import asyncio
import multiprocessing

from libs import names
from libs.bus.jobstore import JobStore
from libs.bus.presence import Beacon
from libs.settings import Settings
from services.common.consumer_service import connections, consume_until_stopped
from services.common.library import catalogue_for
from services.common.lifecycle import process_identity
from services.common.metrics import count_transition
from services.formatter.handler import FormatHandler
from services.formatter.renderers import PRELOAD, RenderPool


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run the formatter until ``stop`` is set, then drain gracefully."""
    ident = process_identity()
    catalogue = catalogue_for(settings)
    # One renderer process per slot, forked from a server that imported the renderers.
    multiprocessing.set_forkserver_preload(PRELOAD)
    renderers = RenderPool(settings.formatter_slots, settings.render_timeout_s,
                           settings.log_level)
    async with connections(settings, f"ss-formatter-{ident}") as conns:
        await asyncio.to_thread(renderers.warm_up)
        store = await JobStore.open(conns.bus, count_transition)
        handler = FormatHandler(bus=conns.bus, store=store, objects=conns.objects,
                                catalogue=catalogue, renderers=renderers)
        try:
            await consume_until_stopped(
                conns, settings, stop, durable=names.FORMATTER_CONSUMER,
                subject=names.FORMAT_SUBJECT, handler=handler.handle,
                on_exhausted=handler.on_exhausted, slots=settings.formatter_slots,
                banner=f"SS formatter {ident} ready: {settings.formatter_slots} slots",
                beacon=Beacon(conns.bus, "formatter", ident, settings.formatter_slots,
                              settings.heartbeat_s),
            )
        finally:
            renderers.close()
