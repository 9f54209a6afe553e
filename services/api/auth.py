"""Who is calling: ``Authorization: Bearer <key>`` → a tenant and a role, rate-limited per key."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from libs.auth.keys import Principal, Role
from libs.contracts.errors import ErrorCode, SSError
from services.api.state import Services

__all__ = ["Principal", "admin_dependency", "principal_dependency"]


async def principal_dependency(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    services: Services = request.app.state.services
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        raise SSError(ErrorCode.UNAUTHORIZED, "missing API key: send Authorization: Bearer <key>")
    principal = await services.keys.authenticate(header[7:].strip())
    await services.limiter.check(principal.key_id)
    return principal


async def admin_dependency(principal: Principal) -> Principal:
    """Admin routes: a tenant admin (its own tenant) or the platform operator (any tenant)."""
    if principal.role is Role.CLIENT:
        raise SSError(ErrorCode.FORBIDDEN, "this route needs an admin or operator API key")
    return principal
