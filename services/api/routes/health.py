"""Probes and metrics."""

from __future__ import annotations

from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.api.openapi import PUBLIC
from services.api.state import Services
from services.common.metrics import refresh_queue_metrics
from services.common.probes import dependency_problems


@get("/healthz", tags=["ops"], summary="Alive", include_in_schema=True, security=PUBLIC)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", tags=["ops"], summary="NATS and S3 reachable", security=PUBLIC)
async def readyz(services: Services) -> Response[dict[str, object]]:
    problems = await dependency_problems(services.bus, services.objects)
    status = 200 if not problems else 503
    return Response({"status": "ready" if not problems else "not ready", "problems": problems},
                    status_code=status)


@get("/metrics", tags=["ops"], summary="Prometheus metrics", media_type=CONTENT_TYPE_LATEST,
     security=PUBLIC)
async def metrics(services: Services) -> bytes:
    await refresh_queue_metrics(services.bus)
    return generate_latest()
