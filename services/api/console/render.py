"""Rendering console pages: the Jinja2 environment, its filters and the security headers.

Autoescaping is on for every template, so a value (a job label, a file name, a log line) is
text, never markup. Every page carries a Content-Security-Policy that allows only the
console's own scripts and styles (no inline script, no ``eval``), frames only from the API
itself (the sandboxed report), and no framing of the console by other sites.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import MediaType, Response

from libs.auth.keys import Principal, Role
from libs.settings import Settings
from services.api.console.trails import epoch_of

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
#: Where the console lives and where its static files are served.
PREFIX = "/console"
STATIC_PATH = f"{PREFIX}/static"


def content_security_policy(settings: Settings) -> str:
    """The console's policy. Scripts may talk to the API and, for direct uploads, to the S3
    endpoint that presigned URLs point at."""
    s3 = urlsplit(settings.presign_endpoint)
    connect = "'self'" + (f" {s3.scheme}://{s3.netloc}" if s3.scheme and s3.netloc else "")
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"font-src 'self'; connect-src {connect}; frame-src 'self'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")


def security_headers(settings: Settings) -> dict[str, str]:
    return {"content-security-policy": content_security_policy(settings),
            "x-content-type-options": "nosniff", "x-frame-options": "DENY",
            "referrer-policy": "same-origin", "cache-control": "no-store"}


#: A job's report is SS-rendered HTML of user data: shown inside the console, never run.
REPORT_HEADERS = {
    "content-security-policy": "sandbox; default-src 'none'; img-src data:; "
                               "style-src 'unsafe-inline'; frame-ancestors 'self'",
    "x-content-type-options": "nosniff", "cache-control": "no-store",
}


def ago(value: str | float | None) -> str:
    """``3 s ago``, ``5 min ago``... for an ISO time or unix seconds."""
    if value is None or value == "":
        return "—"
    at = epoch_of(value) if isinstance(value, str) else value
    return seconds(max(0.0, time.time() - at)) + " ago"


def seconds(value: float | None) -> str:
    """A duration for people: ``850 ms``, ``12.3 s``, ``4 min``, ``2 h 5 min``."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 60:
        return f"{value:.1f} s"
    if value < 3600:
        return f"{value / 60:.0f} min"
    return f"{int(value // 3600)} h {int(value % 3600 // 60)} min"


def size(value: int | None) -> str:
    if value is None:
        return "—"
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{value} B"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(ago=ago, seconds=seconds, size=size)
    env.globals.update(prefix=PREFIX, static=STATIC_PATH, Role=Role)
    return env


ENV = _environment()


def render(name: str, /, **context: Any) -> str:
    return ENV.get_template(name).render(**context)


class Page:
    """Renders full pages and fragments for one request's viewer."""

    def __init__(self, settings: Settings, principal: Principal | None = None,
                 csrf: str = "") -> None:
        self._headers = security_headers(settings)
        self.principal = principal
        self.csrf = csrf

    def html(self, name: str, /, status: int = 200, **context: Any) -> Response[str]:
        body = render(name, viewer=self.principal, csrf=self.csrf, **context)
        return Response(body, media_type=MediaType.HTML, status_code=status,
                        headers=self._headers)

    def fragment(self, name: str, /, **context: Any) -> str:
        return render(name, viewer=self.principal, csrf=self.csrf, **context)
