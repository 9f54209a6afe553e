"""The three services as separate processes against the test NATS and S3."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from dev.servers import NatsServer, S3Server, free_port, service_env, wait_http

LIBRARY = Path(__file__).parent / "library"
TERMINAL = {"succeeded", "failed", "cancelled"}


def add_setting_option(parser: argparse.ArgumentParser) -> None:
    """``--setting SS_NAME=VALUE`` (repeatable): a setting for every service a benchmark
    starts; ``settings_given(args.setting)`` is then their dict."""
    parser.add_argument("--setting", action="append", default=[], metavar="SS_NAME=VALUE",
                        help="a setting for every service (repeatable), e.g. "
                        "SS_API_NORMALISE_MAX_BYTES=0")


def settings_given(items: list[str]) -> dict[str, str]:
    """The ``--setting`` values as a dict."""
    return dict(item.split("=", 1) for item in items)


@dataclass
class Stack:
    nats: NatsServer
    s3: S3Server
    root: Path
    settings: dict[str, str] = field(default_factory=dict)
    api_port: int = 0
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def env(self, role: str = "admin", **extra: str) -> dict[str, str]:
        values = {"SS_API_PORT": str(self.api_port), "SS_DO_LIBRARY": str(LIBRARY),
                  "SS_WORKDIR": str(self.root / "work"), **self.settings, **extra}
        return service_env(self.nats, self.s3, role, **values)

    def start(self, name: str, module: str, ready: str | None = None, **extra: str) -> None:
        """Start ``python -m module``; an SS service logs in to NATS as itself."""
        log_path = self.root / f"{name}.log"
        offset = log_path.stat().st_size if log_path.exists() else 0
        role = module.removeprefix("services.") if module.startswith("services.") else "admin"
        with log_path.open("ab") as log:
            proc = subprocess.Popen([sys.executable, "-m", module], env=self.env(role, **extra),
                                    stdout=log, stderr=subprocess.STDOUT,
                                    cwd=Path(__file__).resolve().parents[1])
        self.procs[name] = proc
        if ready:
            deadline = time.monotonic() + 60
            while ready.encode() not in log_path.read_bytes()[offset:]:
                if proc.poll() is not None:
                    self.procs.pop(name)
                    raise RuntimeError(f"{name} exited: see {log_path}")
                if time.monotonic() > deadline:
                    # Never leave a half-started service behind: it would take work from the
                    # shared test servers long after this test gave up.
                    self.kill(name)
                    raise AssertionError(f"{name} not ready: see {log_path}")
                time.sleep(0.05)

    def start_api(self) -> None:
        self.api_port = self.api_port or free_port()
        self.start("api", "services.api")
        try:
            wait_http(f"{self.api_url}/healthz", 60)
        except TimeoutError:
            self.kill("api")
            raise

    def start_worker(self, name: str = "worker", **extra: str) -> None:
        self.start(name, "services.worker", ready="SS worker", SS_WORKER_ID=name, **extra)

    def start_formatter(self, name: str = "formatter") -> None:
        self.start(name, "services.formatter", ready="SS formatter")

    def start_all(self) -> None:
        """api, two workers (``worker-a``, ``worker-b``) and a formatter; all or none (a
        service that does not start stops the ones already running)."""
        try:
            self.start_api()
            self.start_worker("worker-a")
            self.start_worker("worker-b")
            self.start_formatter()
        except BaseException:
            self.stop_all()
            raise

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(sig)
        proc.wait(60)

    def stop_all(self) -> None:
        for name in list(self.procs):
            with contextlib.suppress(Exception):
                self.kill(name, signal.SIGTERM)


class Client:
    """A thin async client of the API for tests."""

    def __init__(self, base_url: str, key: str = "ss-dev-key") -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30,
                                      headers={"authorization": f"Bearer {key}"})

    async def close(self) -> None:
        await self.http.aclose()

    async def create(self, template_id: str, params: dict[str, Any],
                     formats: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"template_id": template_id, "params": params, **extra}
        if formats is not None:
            body["output_formats"] = formats
        response = await self.http.post("/v1/jobs", json=body)
        assert response.status_code == 201, response.text
        job: dict[str, Any] = response.json()
        return job

    async def upload(self, job_id: str, name: str, data: bytes) -> dict[str, Any]:
        response = await self.http.put(f"/v1/jobs/{job_id}/inputs/{name}", content=data)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def submit(self, job_id: str) -> dict[str, Any]:
        response = await self.http.post(f"/v1/jobs/{job_id}/submit")
        assert response.status_code == 202, response.text
        body: dict[str, Any] = response.json()
        return body

    async def job(self, job_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/v1/jobs/{job_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def run(self, template_id: str, params: dict[str, Any], data: bytes,
                  formats: list[str] | None = None, name: str = "data.csv") -> str:
        job = await self.create(template_id, params, formats)
        await self.upload(job["id"], name, data)
        await self.submit(job["id"])
        return str(job["id"])

    async def wait(self, job_id: str, states: set[str] | None = None,
                   timeout: float = 60) -> dict[str, Any]:
        wanted = states or TERMINAL
        deadline = time.monotonic() + timeout
        while True:
            job = await self.job(job_id)
            if job["state"] in wanted:
                return job
            assert time.monotonic() < deadline, f"job {job_id} stuck in {job['state']}"
            await asyncio.sleep(0.05)


def csv_bytes(rows: int = 20) -> bytes:
    lines = ["x,y"] + [f"{i},{(i * 7) % 5}" for i in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


os.environ.setdefault("PYTHONUNBUFFERED", "1")


@contextlib.contextmanager
def fresh_stack(prefix: str, settings: dict[str, str]) -> Iterator[Stack]:
    """New NATS and S3 servers in a temporary folder and a ``Stack`` on them (benchmarks);
    on exit every process is stopped and the folder (data, logs, workspaces) removed."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    nats, s3 = NatsServer(root=root / "nats"), S3Server(root=root / "s3")
    nats.start()
    s3.start()
    stack = Stack(nats=nats, s3=s3, root=root, settings=settings)
    try:
        yield stack
    finally:
        stack.stop_all()
        s3.stop()
        nats.stop()
        shutil.rmtree(root, ignore_errors=True)
