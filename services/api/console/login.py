"""Logging in and out: an API key exchanged for a session cookie, and the cookie dropped.

The key is checked exactly as a Bearer token is (``KeyStore.authenticate``); the cookie names
only the key's id (``libs.auth.sessions``). A login posted from another site is refused, so a
page elsewhere cannot log a browser in under someone else's key.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect

from libs.auth.keys import Role
from libs.auth.sessions import COOKIE, CSRF_FIELD
from libs.contracts.errors import ErrorCode, SSError
from services.api.auth import principal_dependency, session_principal
from services.api.console.render import PREFIX, Page
from services.api.state import Services


def _home(role: Role) -> str:
    return f"{PREFIX}/overview" if role is not Role.CLIENT else f"{PREFIX}/templates"


def _local(target: str) -> str | None:
    """``target`` if it is a console path of this site (never another site's address)."""
    if target.startswith(f"{PREFIX}/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _signer(services: Services) -> Any:
    if services.sessions is None:
        raise SSError(ErrorCode.CONSOLE_DISABLED,
                      "the web console is switched off on this deployment (SS_CONSOLE_SECRET "
                      "is not set)")
    return services.sessions


def _cookie(request: Request[Any, Any, Any], value: str, max_age: int) -> Cookie:
    return Cookie(key=COOKIE, value=value, path="/", httponly=True, samesite="strict",
                  secure=request.url.scheme == "https", max_age=max_age)


class LoginController(Controller):
    path = PREFIX
    include_in_schema = False

    @get("/login")
    async def login_page(self, services: Services, next: str = "") -> Response[str]:
        _signer(services)
        return Page(services.settings).html("login.html", next=_local(next) or "", error=None)

    @post("/login", status_code=303)
    async def login(self, request: Request[Any, Any, Any],
                    services: Services) -> Response[Any]:
        signer = _signer(services)
        form = await request.form()
        target = _local(str(form.get("next", ""))) or ""
        page = Page(services.settings)
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            error = SSError(ErrorCode.CSRF_REJECTED, "log in from the console's own login page")
            return page.html("login.html", status=error.http_status, next=target, error=error)
        try:
            principal = await services.keys.authenticate(str(form.get("key", "")).strip())
            await services.limiter.check(principal.key_id)
        except SSError as exc:
            return page.html("login.html", status=exc.http_status, next=target, error=exc)
        answer = Redirect(target or _home(principal.role), status_code=303)
        answer.cookies.append(_cookie(request, signer.issue(principal.key_id),
                                      int(signer.ttl_s)))
        return answer

    @post("/logout", status_code=303)
    async def logout(self, request: Request[Any, Any, Any], services: Services) -> Response[Any]:
        form = await request.form()
        # Only the console's own form may log a browser out (CSRF token of the session).
        await session_principal(request, services, csrf=str(form.get(CSRF_FIELD, "")))
        answer = Redirect(f"{PREFIX}/login", status_code=303)
        answer.cookies.append(_cookie(request, "", 0))
        return answer

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Redirect:
        """The viewer's start page (the login page without a session)."""
        principal = await principal_dependency(request)
        return Redirect(_home(principal.role), status_code=303)
