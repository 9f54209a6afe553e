"""The worker process: an engine runner behind the shared consumer-service skeleton."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing

from libs import names
from libs.bus.jobstore import JobStore
from libs.bus.presence import Beacon
from libs.datasets.packed import normaliser_id
from libs.runners.base import Runner
from libs.settings import Settings
from services.common.consumer_service import connections, consume_until_stopped
from services.common.library import catalogue_for, library_root
from services.common.lifecycle import process_identity
from services.common.metrics import count_transition
from services.worker.attempt import RunHandler


def make_runner(settings: Settings) -> Runner:
    """The engine backend ``SS_ENGINE`` names; refuses to start a misconfigured Stata."""
    if settings.engine == "stata":
        from libs.runners.stata import StataRunner

        return StataRunner(settings.stata_cmd, library_root(settings) / "ado")
    from libs.runners.embedded import EmbeddedRunner

    return EmbeddedRunner()


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Run the worker until ``stop`` is set, then drain gracefully."""
    worker_id = settings.worker_id or process_identity()
    # Inputs are normalised in fork-server children (see workspace.prepare).
    multiprocessing.set_forkserver_preload(["libs.datasets"])
    # A worker that cannot run its engine (STATA_CMD_NOT_CONFIGURED / STATA_CMD_INVALID) raises
    # here, before it connects: the process exits 1 with the reason (services.worker.__main__),
    # so an orchestrator shows a crash loop with that message and retries, which also
    # recovers once a late Stata mount appears.
    runner = make_runner(settings)
    catalogue = catalogue_for(settings)
    await runner.warm_up()
    normaliser_id()  # read once (~6 ms) before any job waits on it
    pool = settings.run_pool
    async with connections(settings, f"ss-worker-{worker_id}") as conns:
        handler = RunHandler(bus=conns.bus, store=await JobStore.open(conns.bus, count_transition),
                             objects=conns.objects, runner=runner, catalogue=catalogue,
                             settings=settings, worker_id=worker_id)

        async def on_cancel(msg: object) -> None:
            handler.request_cancel(getattr(msg, "data", b"").decode())

        cancel_sub = await conns.bus.nc.subscribe(names.CANCEL_SUBJECT, cb=on_cancel)
        try:
            await consume_until_stopped(
                conns, settings, stop, durable=names.worker_consumer(pool),
                subject=names.run_subject(pool), handler=handler.handle,
                on_exhausted=handler.on_exhausted, slots=settings.worker_slots,
                banner=f"SS worker {worker_id} ready: pool {pool}, engine {runner.name}, "
                f"{settings.worker_slots} slots",
                beacon=Beacon(conns.bus, "worker", worker_id, settings.worker_slots,
                              settings.heartbeat_s, pool=pool, engine=runner.name),
            )
        finally:
            with contextlib.suppress(Exception):
                await cancel_sub.unsubscribe()
            handler.close()
            await runner.close()
