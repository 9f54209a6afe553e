from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from dev.servers import OPERATOR_TOKEN, NatsServer, S3Server
from dev.stack import Stack
from tests.api.catalogue import check_hook

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def api(nats_server: NatsServer, s3_server: S3Server,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The API alone (no workers: submitted jobs stay queued), with small limits."""
    stack = Stack(nats=nats_server, s3=s3_server, root=Path(tmp_path_factory.mktemp("api")),
                  settings={"SS_DO_LIBRARY": str(REPO / "do_library"),
                            "SS_UPLOAD_MAX_BYTES": str(256 * 1024),
                            "SS_INPUTS_MAX_PER_JOB": "2",
                            # 100 requests per key in any 4 s: room for the busiest test
                            # (the operator key), a limit test_rate_limit_* can reach.
                            "SS_RATE_LIMIT_PER_S": "25", "SS_RATE_LIMIT_BURST": "100"})
    stack.start_api()
    yield stack
    stack.stop_all()
    assert not nats_server.refusals(), "a service was refused by NATS"


def client_for(api: Stack, key: str | None) -> httpx.AsyncClient:
    """A client of ``api`` that checks every error it receives against the catalogue."""
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(base_url=api.api_url, headers=headers, timeout=30,
                             event_hooks={"response": [check_hook]})


@pytest.fixture
async def admin(api: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The platform operator (manages every tenant's keys)."""
    async with client_for(api, OPERATOR_TOKEN) as c:
        yield c


async def new_key(admin: httpx.AsyncClient, tenant: str, role: str = "client") -> str:
    response = await admin.post("/v1/admin/keys", json={"tenant": tenant, "role": role})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


AUTO_CSV = (REPO / "do_library" / "examples" / "auto.csv").read_bytes()
OLS = {"template_id": "ols_robust", "params": {"depvar": "price", "indepvars": ["mpg", "weight"]},
       "output_formats": ["xlsx", "json"]}


async def new_job(c: httpx.AsyncClient, body: dict[str, object] | None = None) -> str:
    """Create a job (``OLS`` unless ``body``) and return its id."""
    response = await c.post("/v1/jobs", json=body or OLS)
    assert response.status_code == 201, response.text
    job_id: str = response.json()["id"]
    return job_id


@pytest.fixture(scope="module")
def hostile_api(s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The API alone (no workers) with limits high enough for a sweep of requests, on a NATS
    server of its own: which worker pools exist is part of what is tested."""
    root = Path(tmp_path_factory.mktemp("hostile"))
    nats = NatsServer(root=root / "nats")
    nats.start()
    stack = Stack(nats=nats, s3=s3_server, root=root,
                  settings={"SS_DO_LIBRARY": str(REPO / "do_library"),
                            "SS_JOB_TIMEOUT_S": "600",
                            "SS_RATE_LIMIT_PER_S": "10000", "SS_RATE_LIMIT_BURST": "10000"})
    stack.start_api()
    yield stack
    stack.stop_all()
    nats.stop()


@pytest.fixture
async def client(hostile_api: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(hostile_api, "ss-dev-key") as hostile:
        yield hostile
