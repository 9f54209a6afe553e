"""The viewer of a console page: the caller, authenticated exactly like a JSON API request,
and what its pages need (the CSRF token they embed, a renderer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection

from libs.auth.keys import Principal
from libs.auth.sessions import COOKIE
from services.api.auth import principal_dependency
from services.api.console.render import Page
from services.api.state import Services


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    page: Page


async def viewer_dependency(request: ASGIConnection[Any, Any, Any, Any]) -> Viewer:
    services: Services = request.app.state.services
    principal = await principal_dependency(request)
    csrf = ""
    if services.sessions is not None:
        session = services.sessions.verify(request.cookies.get(COOKIE, ""))
        csrf = services.sessions.csrf_token(session) if session is not None else ""
    return Viewer(principal, Page(services.settings, principal, csrf))
