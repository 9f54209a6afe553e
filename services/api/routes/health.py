"""Probes and metrics."""

from __future__ import annotations

from litestar import get
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from libs.contracts.errors import ErrorCode, SSError
from services.api.openapi import PUBLIC, errors
from services.api.state import Services
from services.common.metrics import refresh_queue_metrics
from services.common.probes import dependency_problems


@get("/healthz", tags=["ops"], summary="Alive", include_in_schema=True, security=PUBLIC)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", tags=["ops"], summary="NATS and S3 reachable", security=PUBLIC,
     responses=errors(503))
async def readyz(services: Services) -> dict[str, str]:
    """200 when NATS and S3 answer; otherwise the catalogue's 503 SERVICE_UNAVAILABLE with
    each dependency's problem in ``details.problems`` (and Retry-After)."""
    problems = await dependency_problems(services.bus, services.objects)
    if problems:
        summary = "; ".join(f"{name}: {why}" for name, why in sorted(problems.items()))
        raise SSError(ErrorCode.SERVICE_UNAVAILABLE, f"not ready ({summary})",
                      problems=problems)
    return {"status": "ready"}


@get("/metrics", tags=["ops"], summary="Prometheus metrics", media_type=CONTENT_TYPE_LATEST,
     security=PUBLIC)
async def metrics(services: Services) -> bytes:
    await refresh_queue_metrics(services.bus)
    return generate_latest()
