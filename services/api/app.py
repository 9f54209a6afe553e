"""The Litestar application: routes, dependencies, error handlers, OpenAPI, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp, Receive, Scope, Send

from libs import names
from libs.auth.keys import KeyStore, load_static_keys
from libs.auth.sessions import SessionSigner
from libs.bus.auth.users import SubscriberIssuer
from libs.bus.connection import connect
from libs.bus.consumer import ConsumerLoop
from libs.bus.idempotency import IdempotencyStore
from libs.bus.jobindex import JobIndex
from libs.bus.jobstore import JobStore
from libs.bus.presence import Roster
from libs.bus.provision import (
    DISPATCH_BUDGET,
    DISPATCH_IN_FLIGHT,
    ensure_dispatch_consumer,
    ensure_topology,
)
from libs.bus.ratelimit import RateLimiter
from libs.bus.records import RecordBucket
from libs.bus.retries import RetryPolicy
from libs.outages import describe, is_outage
from libs.settings import Settings
from libs.storage import ObjectStore
from services.api.auth import authenticate
from services.api.console.router import console_router
from services.api.console.trails import Activity
from services.api.dispatch import FETCH_GAP_S, FETCH_S, Dispatcher
from services.api.errors import HANDLERS
from services.api.intake import JsonRequest, check_query_parameters
from services.api.metrics import REQUEST_SECONDS
from services.api.openapi import tidy_document
from services.api.packed_memory import PackedMemory
from services.api.pools import Pools
from services.api.routes.admin import AdminController
from services.api.routes.artifacts import ArtifactsController
from services.api.routes.credentials import EventCredentialsController
from services.api.routes.dofiles import DoFilesController
from services.api.routes.events import EventsController
from services.api.routes.health import healthz, metrics, readyz
from services.api.routes.jobs import JobsController
from services.api.routes.schemas import events_schema
from services.api.routes.templates import TemplatesController
from services.api.routes.uploads import UploadsController
from services.api.state import Services
from services.common.library import catalogue_for
from services.common.logs import job_id_var, request_id_var
from services.common.metrics import count_transition


async def _services(request: Request[Any, Any, Any]) -> Services:
    services: Services = request.app.state.services
    return services


_JOB_PATH = re.compile(r"^/v1/jobs/([A-Za-z0-9_-]{1,64})")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give every request an id (or keep the caller's ``X-Request-ID``) for logs and errors."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if 0 < len(given) <= 64 and given.isprintable() else uuid.uuid4().hex
        token = request_id_var.set(rid)
        job = _JOB_PATH.match(scope["path"])
        job_token = job_id_var.set(job.group(1) if job else None)

        status = [500]
        began = time.perf_counter()

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            REQUEST_SECONDS.labels(
                method=scope.get("method", ""), route=scope.get("path_template") or "unmatched",
                status=str(status[0]),
            ).observe(time.perf_counter() - began)
            request_id_var.reset(token)
            job_id_var.reset(job_token)

    return middleware


log = logging.getLogger(__name__)

#: Longest wait between two tries at the bucket while S3 is unreachable at start-up.
BUCKET_RETRY_MAX_S = 10.0


async def ensure_bucket(objects: ObjectStore) -> asyncio.Task[None] | None:
    """Make sure the bucket exists; if S3 is unreachable, keep trying in the background
    (the task returned) instead of refusing to start.

    A pod may come up during a storage blip. Until S3 answers, /readyz says why the API is
    not ready and routes that need storage answer 503 SERVICE_UNAVAILABLE, as during any
    outage. Anything but an outage at the first try stops the start, as a bug or a wrong
    setting should.
    """
    try:
        await objects.ensure_bucket()
    except Exception as exc:
        if not is_outage(exc):
            raise
        log.warning("S3 bucket not reachable at start (%s); the API starts without it",
                    describe(exc))
        return asyncio.create_task(_keep_trying(objects))
    return None


async def _keep_trying(objects: ObjectStore) -> None:
    wait = 0.5
    while True:
        await asyncio.sleep(wait)
        try:
            await objects.ensure_bucket()
        except Exception as exc:
            if not is_outage(exc):
                log.exception("could not make sure the S3 bucket exists")
                return
            wait = min(wait * 2, BUCKET_RETRY_MAX_S)
            log.warning("S3 bucket still not reachable (%s); trying again in %.1f s",
                        describe(exc), wait)
        else:
            log.warning("S3 bucket %s reachable again", objects.bucket)
            return


def create_app(settings: Settings) -> Litestar:
    catalogue = catalogue_for(settings)
    # Uploads are read in fork-server children that already imported the dataset readers.
    multiprocessing.set_forkserver_preload(["libs.datasets"])

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        bus = await connect(settings.nats_url, name="ss-api", creds=settings.nats_creds)
        objects = await ObjectStore.open(settings)
        try:
            await ensure_topology(bus, settings)
            bucket = await ensure_bucket(objects)
            static_keys = load_static_keys(settings.api_keys_file, settings.api_keys)
            jobs = await JobStore.open(bus, count_transition)
            await ensure_dispatch_consumer(bus, settings)
            packed = PackedMemory(settings.work_inline_max_bytes)
            dispatcher = Dispatcher(bus, jobs, settings.run_pool, memory=packed)
            dispatch = ConsumerLoop(
                bus, durable=names.DISPATCH_CONSUMER, handler=dispatcher.handle,
                on_exhausted=dispatcher.on_exhausted, slots=DISPATCH_IN_FLIGHT // 4,
                heartbeat_s=settings.heartbeat_s,
                policy=RetryPolicy.of(settings, crash_budget=DISPATCH_BUDGET),
                fetch_timeout_s=FETCH_S, fetch_gap_s=FETCH_GAP_S)
            dispatching = asyncio.create_task(dispatch.run())
            roster = Roster(bus)
            await roster.start()
            activity = Activity(bus)
            app.state.services = Services(
                settings=settings, bus=bus, jobs=jobs, objects=objects, index=JobIndex(bus),
                catalogue=catalogue,
                keys=KeyStore(await RecordBucket.open(bus, names.API_KEYS_BUCKET), static_keys,
                              dev_key=settings.dev_api_key, dev_tenant=settings.dev_tenant),
                idempotency=IdempotencyStore(
                    await bus.js.key_value(names.IDEMPOTENCY_BUCKET)),
                limiter=RateLimiter(bus, settings.rate_limit_per_s, settings.rate_limit_burst),
                pools=Pools(bus, settings.run_pool), roster=roster, activity=activity,
                packed=packed,
                sessions=SessionSigner(settings.console_secret, settings.console_session_ttl_s)
                if settings.console_secret else None,
                event_credentials=SubscriberIssuer.load(
                    settings.nats_subscriber_signer, settings.nats_creds)
                if settings.nats_subscriber_signer else None,
            )
            yield
            # Changes still in their grace period go back to the consumer for another replica.
            await dispatch.drain(0.5)
            dispatching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dispatching
            await activity.close()
            await roster.close()
            if bucket is not None:
                bucket.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await bucket
        finally:
            await objects.close()
            await bus.close()

    app = Litestar(
        route_handlers=[JobsController, ArtifactsController, EventsController,
                        TemplatesController, AdminController, EventCredentialsController,
                        UploadsController, DoFilesController, healthz,
                        readyz, metrics, events_schema, console_router(settings)],
        # Small JSON bodies everywhere; the upload route streams and enforces its own limit.
        request_max_body_size=1024 * 1024,
        dependencies={"principal": Provide(authenticate),
                      "services": Provide(_services)},
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
        request_class=JsonRequest,
        before_request=check_query_parameters,
        lifespan=[lifespan],
        middleware=[request_id_middleware],
        state=State(),
        openapi_config=OpenAPIConfig(
            title="SS API", version="1.0.0",
            description="Run parameterised Stata do-file templates, or clients' own "
                        "do-files, as jobs.",
            path="/schema",
            components=Components(security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer",
                                         description="API key as a Bearer token")}),
            security=[{"bearer": []}],
        ),
        debug=False,
        logging_config=None,
    )
    tidy_document(app)
    return app
