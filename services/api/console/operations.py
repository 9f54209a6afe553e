"""The operators' pages: the overview (live over SSE) and the failed jobs, retried in bulk.

The platform operator sees every tenant; a tenant admin sees the shared queues and processes
(counts only: jobs of other tenants are never named) and its own tenant's jobs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.response import ServerSentEvent, ServerSentEventMessage

from libs.auth.keys import Role
from libs.contracts.errors import SSError
from services.api import operations
from services.api.console import fleet
from services.api.console.access import job_tenant, listed_tenants, require_operator_view
from services.api.console.jobpage import meaning
from services.api.console.jobs import AGES
from services.api.console.render import PREFIX
from services.api.console.trails import replay
from services.api.console.viewer import Viewer, viewer_dependency
from services.api.state import Services
from services.api.streams import until_stopping

#: Seconds between two overview refreshes on the live stream.
REFRESH_S = 2.0
#: Most failed jobs the failures page lists.
FAILURES_SHOWN = 200


async def _overview(services: Services, viewer: Viewer) -> dict[str, Any]:
    principal = viewer.principal
    tenant = None if principal.role is Role.OPERATOR else principal.tenant
    queues, activity = await asyncio.gather(fleet.queues(services.bus, principal),
                                            services.activity.summary(tenant))
    return {"queues": queues, "activity": activity,
            "processes": fleet.processes(services.roster.members(), principal),
            "listening_s": services.roster.listening_s, "meaning": meaning,
            "refresh_s": REFRESH_S}


async def _refreshing(services: Services,
                      viewer: Viewer) -> AsyncGenerator[ServerSentEventMessage]:
    while True:
        await asyncio.sleep(REFRESH_S)
        fragment = viewer.page.fragment("_overview.html", **await _overview(services, viewer))
        yield ServerSentEventMessage(event="overview", data=fragment)


class RetryRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    #: jobs to retry: [tenant, job id] pairs
    jobs: list[tuple[str, str]]


class RetryOutcome(msgspec.Struct, kw_only=True, frozen=True):
    tenant: str
    job_id: str
    #: the job's new state, or None when refused
    state: str | None = None
    error_code: str | None = None
    message: str | None = None


class OperatorPages(Controller):
    path = PREFIX
    include_in_schema = False
    dependencies = {"viewer": Provide(viewer_dependency)}  # noqa: RUF012

    @get("/overview")
    async def overview(self, viewer: Viewer, services: Services) -> Response[str]:
        require_operator_view(viewer.principal)
        return viewer.page.html("overview.html", **await _overview(services, viewer))

    @get("/overview/live")
    async def overview_live(self, viewer: Viewer, services: Services) -> ServerSentEvent:
        require_operator_view(viewer.principal)
        return ServerSentEvent(until_stopping(_refreshing(services, viewer), services.stopping))

    @get("/failures")
    async def failures(self, viewer: Viewer, services: Services, age: str = "24h",
                       tenant: str | None = None) -> Response[str]:
        require_operator_view(viewer.principal)
        chosen = listed_tenants(viewer.principal, tenant)
        since = time.time() - AGES.get(age, AGES["24h"])
        fold = await replay(services.bus, chosen[0] if chosen else None, since)
        failed = [t for t in fold.of(None) if t.state == "failed"][:FAILURES_SHOWN]
        return viewer.page.html("failures.html", failed=failed, ages=list(AGES),
                                query={"age": age, "tenant": tenant or ""}, meaning=meaning)

    @post("/failures/retry", status_code=200)
    async def retry_many(self, data: RetryRequest, viewer: Viewer,
                         services: Services) -> list[RetryOutcome]:
        """Retry each job; one refusal does not stop the others."""
        require_operator_view(viewer.principal)

        async def one(tenant: str, job_id: str) -> RetryOutcome:
            try:
                owner = job_tenant(viewer.principal, tenant, job_id)
                record, _ = await operations.retry_job(services, owner, job_id)
            except SSError as exc:
                return RetryOutcome(tenant=tenant, job_id=job_id, error_code=exc.code.value,
                                    message=exc.message)
            return RetryOutcome(tenant=tenant, job_id=job_id, state=record.state.value)

        return list(await asyncio.gather(*(one(t, j) for t, j in data.jobs[:500])))
