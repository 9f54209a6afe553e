"""Python client of the SS API and the ``ss`` command.

    AsyncSSClient   the client (httpx, asyncio): templates, jobs, uploads, events, downloads
    SSClient        the same calls, blocking, for scripts and notebooks
    SSClientError   every failure: HTTP status, ``error_code``, message, details, request id
"""

from __future__ import annotations

from client.async_client import AsyncSSClient
from client.errors import SSClientError
from client.records import Progress, RunObserver, RunResult, TemplateInfo
from client.sse import EventMessage
from client.sync_client import SSClient

__all__ = [
    "AsyncSSClient", "EventMessage", "Progress", "RunObserver", "RunResult", "SSClient",
    "SSClientError", "TemplateInfo",
]
