"""The console's routes under ``/console``, its static files, and how it answers errors.

A refusal keeps its catalogued code and status everywhere. A page asked for by a browser
(``Accept: text/html``) gets it as a readable page, and a missing or expired session sends
the browser to the login page; the page scripts' requests get the JSON API's error body, which
they show in the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, Router
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.views import ErrorBody
from libs.settings import Settings
from services.api.console.catalogue import CataloguePages
from services.api.console.dofile import DoFilePages
from services.api.console.jobpage import meaning
from services.api.console.jobs import JobPages
from services.api.console.login import LoginController
from services.api.console.operations import OperatorPages
from services.api.console.render import PREFIX, STATIC_DIR, STATIC_PATH, Page
from services.api.errors import HANDLERS, http_error, ss_error


def _wants_page(request: Request[Any, Any, Any]) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


ErrorHandler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def _page_error(settings: Settings) -> ErrorHandler:
    def handle(request: Request[Any, Any, Any], exc: SSError) -> Response[Any]:
        if not _wants_page(request):
            return ss_error(request, exc)
        if exc.code is ErrorCode.UNAUTHORIZED:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return Redirect(f"{PREFIX}/login?next={quote(target)}", status_code=303)
        return Page(settings).html("error.html", status=exc.http_status, error=exc,
                                   meaning=meaning(exc.code.value))

    return handle


def _http_error(settings: Settings) -> ErrorHandler:
    pages = _page_error(settings)

    def handle(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        answer = http_error(request, exc)
        if not _wants_page(request):
            return answer
        body: ErrorBody = answer.content
        return pages(request, SSError(ErrorCode(body.error_code), body.message))

    return handle


def console_router(settings: Settings) -> Router:
    static = create_static_files_router(
        path=STATIC_PATH, directories=[STATIC_DIR], include_in_schema=False,
        cache_control=None, opt={"console": True})
    handlers: dict[type[Exception], ErrorHandler] = {
        **HANDLERS, SSError: _page_error(settings), HTTPException: _http_error(settings)}
    return Router(
        path="/", include_in_schema=False,
        route_handlers=[LoginController, OperatorPages, JobPages, CataloguePages, DoFilePages,
                        static],
        exception_handlers=handlers,  # type: ignore[arg-type]
    )
