"""The console's test stack: api, two workers and a formatter on the real NATS and S3, the
merged template library, and API keys of two tenants (shared by the tests and the screenshot
script)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from dev.servers import OPERATOR_TOKEN, NatsServer, S3Server
from dev.stack import Stack
from tests.api.catalogue import check
from tests.console.library import merged_library

SECRET = "console-tests-" + "s" * 32
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


def checked(response: httpx.Response) -> None:
    """httpx response hook: every JSON error a test client receives is checked against the
    catalogue (docs/errors.md)."""
    if response.status_code >= 400 and "text/html" not in response.headers.get(
            "content-type", ""):
        response.read()
        found = check(response)
        assert found is None, f"{response.request.method} {response.request.url}: {found}"


@dataclass
class Console:
    stack: Stack
    #: role name -> API key: alpha_client, alpha_admin, beta_client, beta_admin, operator
    keys: dict[str, str] = field(default_factory=dict)
    #: clients handed out, closed with the stack
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, **kwargs: object) -> httpx.Client:
        made = httpx.Client(base_url=self.url, timeout=30, **kwargs)  # type: ignore[arg-type]
        self.clients.append(made)
        return made

    @property
    def url(self) -> str:
        return self.stack.api_url

    def api(self, key: str) -> httpx.Client:
        """A JSON API client with ``key`` whose every error is checked against the catalogue."""
        return self.client(event_hooks={"response": [checked]},
                           headers={"authorization": f"Bearer {self.keys[key]}"})

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.stack.stop_all()

    def session(self, key: str) -> Session:
        """A logged-in console session (cookie and CSRF token) of ``key``."""
        http = self.client(event_hooks={"response": [checked]})
        answer = http.post("/console/login", data={"key": self.keys[key], "next": ""})
        assert answer.status_code == 303, answer.text
        page = http.get("/console/templates", headers={"accept": "text/html"})
        found = _CSRF.search(page.text)
        assert found, "the page carries no CSRF token"
        return Session(http, found.group(1))


@dataclass
class Session:
    http: httpx.Client
    csrf: str

    def page(self, path: str) -> httpx.Response:
        return self.http.get(path, headers={"accept": "text/html"})

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        headers = {"x-csrf-token": self.csrf, "accept": "application/json"}
        return self.http.post(path, headers=headers, **kwargs)  # type: ignore[arg-type]


def _new_key(url: str, tenant: str, role: str) -> str:
    with httpx.Client(base_url=url, timeout=30, event_hooks={"response": [checked]},
                      headers={"authorization": f"Bearer {OPERATOR_TOKEN}"}) as http:
        answer = http.post("/v1/admin/keys", json={"tenant": tenant, "role": role})
        assert answer.status_code == 201, answer.text
        token: str = answer.json()["token"]
        return token


def start_console(nats: NatsServer, s3: S3Server, root: Path) -> Console:
    """The stack with short leases (a killed worker's job moves on within seconds), a rate
    limit the browser's parallel requests never reach, and uploads from 256 KiB up going
    straight to S3 (presigned; multipart from 1 MiB)."""
    stack = Stack(nats=nats, s3=s3, root=root, settings={
        "SS_DO_LIBRARY": str(merged_library(root)), "SS_CONSOLE_SECRET": SECRET,
        "SS_ACK_WAIT_S": "2", "SS_WORKER_SLOTS": "2", "SS_MAX_DELIVER": "4",
        "SS_SHUTDOWN_GRACE_S": "1", "SS_RATE_LIMIT_PER_S": "1000",
        "SS_RATE_LIMIT_BURST": "1000", "SS_CONSOLE_DIRECT_UPLOAD_BYTES": str(256 * 1024),
        "SS_PRESIGN_SINGLE_MAX_BYTES": str(1024 * 1024)})
    stack.start_all()
    found = Console(stack)
    for tenant in ("alpha", "beta"):
        for role in ("client", "admin"):
            found.keys[f"{tenant}_{role}"] = _new_key(stack.api_url, tenant, role)
    found.keys["operator"] = OPERATOR_TOKEN
    return found
