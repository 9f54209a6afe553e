"""Who is calling: a Bearer API key resolves to a tenant and a role."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException

from libs.settings import Settings


@dataclass(frozen=True)
class Principal:
    tenant: str
    role: str
    key_id: str


def authenticate(settings: Settings, header: str | None) -> Principal:
    """Resolve ``Authorization: Bearer <key>``; constant-time comparison."""
    if not header or not header.lower().startswith("bearer "):
        raise NotAuthorizedException("missing Bearer API key")
    token = header[7:].strip()
    if settings.dev_api_key and hmac.compare_digest(token.encode(), settings.dev_api_key.encode()):
        return Principal(tenant=settings.dev_tenant, role="admin", key_id="dev")
    raise NotAuthorizedException("invalid API key")


async def principal_dependency(request: ASGIConnection) -> Principal:  # type: ignore[type-arg]
    services = request.app.state.services
    principal = authenticate(services.settings, request.headers.get("authorization"))
    return principal
