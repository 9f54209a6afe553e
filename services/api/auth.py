"""Who is calling: ``Authorization: Bearer <key>`` (or a console session cookie) → a tenant and
a role, rate-limited per key."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from libs.auth.keys import Principal, Role
from libs.auth.sessions import COOKIE, CSRF_HEADER
from libs.contracts.errors import ErrorCode, SSError
from services.api.state import Services

__all__ = ["Principal", "admin_dependency", "authenticate", "principal_dependency"]

#: Methods that change nothing: a cookie-authenticated request needs no CSRF token for them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def principal_dependency(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller of ``request`` (the console's pages ask for it themselves)."""
    return await authenticate(request, request.app.state.services)


async def authenticate(request: ASGIConnection[Any, Any, Any, Any],
                       services: Services) -> Principal:
    """The routes' ``principal`` dependency: the caller, counted against its key's rate limit.

    It takes ``services`` (the other dependency every route has) as a dependency itself, so
    Litestar resolves the two one after the other; two independent dependencies are resolved
    concurrently, in an anyio task group that starts a task for each, on every request.
    """
    header = request.headers.get("authorization", "")
    if header:
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            raise SSError(ErrorCode.UNAUTHORIZED,
                          "missing API key: send Authorization: Bearer <key>")
        principal = await services.keys.authenticate(header[7:].strip())
    elif COOKIE in request.cookies:
        principal = await session_principal(request, services)
    else:
        raise SSError(ErrorCode.UNAUTHORIZED, "missing API key: send Authorization: Bearer <key>")
    await services.limiter.check(principal.key_id)
    return principal


async def session_principal(request: ASGIConnection[Any, Any, Any, Any],
                            services: Services, csrf: str | None = None) -> Principal:
    """The principal of the console session cookie. A request that may change something must
    come from the console itself: same origin, and the session's CSRF token in
    ``X-CSRF-Token`` (or ``csrf``, the token a console form posted)."""
    signer = services.sessions
    session = signer.verify(request.cookies.get(COOKIE, "")) if signer is not None else None
    if signer is None or session is None:
        raise SSError(ErrorCode.UNAUTHORIZED, "no valid console session; log in again")
    if request.scope.get("method", "GET") not in SAFE_METHODS:
        token = csrf if csrf is not None else request.headers.get(CSRF_HEADER, "")
        site = request.headers.get("sec-fetch-site", "same-origin")
        if site not in ("same-origin", "none") or not signer.csrf_ok(session, token):
            raise SSError(ErrorCode.CSRF_REJECTED,
                          "this request changes data and did not come from a console page "
                          "(missing or wrong CSRF token); reload the page and try again")
    return await services.keys.resolve(session.k)


async def admin_dependency(principal: Principal) -> Principal:
    """Admin routes: a tenant admin (its own tenant) or the platform operator (any tenant)."""
    if principal.role is Role.CLIENT:
        raise SSError(ErrorCode.FORBIDDEN, "this route needs an admin or operator API key")
    return principal
