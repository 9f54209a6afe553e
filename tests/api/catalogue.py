"""The error catalogue as a client reads it (docs/errors.md), and the check every error body
the API sends must pass: the one error shape, a catalogued code, and that code's status."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

ERRORS_MD = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
_ROW = re.compile(r"^\| `([A-Z_]+)` \| (\d{3}) \|", re.MULTILINE)


def catalogue() -> dict[str, int]:
    """code -> HTTP status, from the table in docs/errors.md."""
    return {code: int(status) for code, status in _ROW.findall(ERRORS_MD.read_text("utf-8"))}


CATALOGUE = catalogue()


def problem(status: int, headers: httpx.Headers, content: bytes,
            method: str = "GET") -> str | None:
    """Why an answer breaks the catalogue's rules, or None. Successes pass; a HEAD answer
    has no body by definition, so only its status is checked."""
    if status < 400:
        return None
    # 503 (try again) and 501 (a feature this deployment switched off) are answers; any
    # other 5xx is a bug.
    if status >= 500 and status not in (501, 503):
        return f"server error {status}: {content[:300]!r}"
    if method == "HEAD":
        return None
    if not headers.get("content-type", "").startswith("application/json"):
        return f"{status} is not JSON ({headers.get('content-type')}): {content[:200]!r}"
    try:
        body: Any = httpx.Response(status, content=content).json()
    except ValueError:
        return f"{status} body is not JSON: {content[:200]!r}"
    if not isinstance(body, dict) or set(body) != {"error_code", "message", "details",
                                                   "request_id"}:
        return f"{status} body is not the error shape: {body!r:.300}"
    code = body["error_code"]
    if code not in CATALOGUE:
        return f"{status} carries {code!r}, which docs/errors.md does not list"
    if CATALOGUE[code] != status:
        return f"{code} is {CATALOGUE[code]} in docs/errors.md but came with {status}"
    return None


def check(response: httpx.Response) -> str | None:
    """``problem`` of a read httpx response."""
    return problem(response.status_code, response.headers, response.content,
                   response.request.method)


def assert_catalogued(response: httpx.Response, code: str | None = None) -> dict[str, Any]:
    """The error body of ``response`` after checking it against the catalogue (and that its
    code is ``code``, when given)."""
    assert response.status_code >= 400, f"expected an error, got {response.status_code}"
    found = check(response)
    assert found is None, found
    body: dict[str, Any] = response.json()
    if code is not None:
        assert body["error_code"] == code, body
    return body


async def check_hook(response: httpx.Response) -> None:
    """httpx response hook: every error a test client receives is checked."""
    if response.status_code >= 400:
        await response.aread()
        found = check(response)
        assert found is None, f"{response.request.method} {response.request.url}: {found}"
