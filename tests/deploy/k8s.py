"""The Kubernetes manifests (deploy/k8s) as the cluster would see them: rendered by kubectl's
built-in Kustomize, offline, and read back as plain objects.

Also what a container's environment resolves to (``envFrom`` ConfigMaps and Secrets first,
then ``env``, which wins), so tests can compare it with ``libs/settings.py``.
"""

from __future__ import annotations

import atexit
import base64
import functools
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.dockerfile import REPO

K8S = REPO / "deploy" / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
#: Where the local overlay's secret generators read NATS auth material (``make k8s-local-auth``).
LOCAL_AUTH = Path("overlays") / "local" / "nats-auth"
#: Kinds whose pods run SS's own images.
WORKLOADS = ("Deployment", "StatefulSet", "Job")

Obj = dict[str, Any]


def kubectl() -> str:
    """Debian's kubectl (`make sysdeps` installs it); its absence fails the test, never skips."""
    path = shutil.which("kubectl")
    if path is None:
        pytest.fail("kubectl is not installed: run `make sysdeps` (apt-get install kubectl)")
    return path


@functools.cache
def tree() -> Path:
    """A copy of deploy/k8s with the local overlay's NATS auth folder made as the Makefile's
    ``k8s-local-auth`` makes it (``python -m libs.bus.auth init``), so the tests never write
    into the checkout and always start from what a fresh clone has."""
    root = Path(tempfile.mkdtemp(prefix="ss-k8s-"))
    atexit.register(shutil.rmtree, root, True)
    shutil.copytree(K8S, root / "k8s", ignore=shutil.ignore_patterns(LOCAL_AUTH.name))
    subprocess.run([sys.executable, "-m", "libs.bus.auth", "init", str(root / "k8s" / LOCAL_AUTH)],
                   cwd=REPO, check=True, capture_output=True, timeout=60)
    return root / "k8s"


@functools.cache
def render(overlay: str) -> tuple[Obj, ...]:
    """Every object ``kubectl kustomize`` makes of one overlay."""
    result = subprocess.run([kubectl(), "kustomize", str(tree() / "overlays" / overlay)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def named(rendered: str, name: str) -> bool:
    """Whether ``rendered`` is ``name`` or, for a generated object, ``name`` with Kustomize's
    content-hash suffix."""
    return re.fullmatch(re.escape(name) + r"(-[a-z0-9]{10})?", rendered) is not None


def find(objects: tuple[Obj, ...], kind: str, name: str | None = None) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind
            and (name is None or o["metadata"]["name"] == name)]


def one(objects: tuple[Obj, ...], kind: str, name: str) -> Obj:
    found = find(objects, kind, name)
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_spec(workload: Obj) -> Obj:
    spec: Obj = workload["spec"]["template"]["spec"]
    return spec


@dataclass(frozen=True)
class Container:
    workload: Obj
    spec: Obj

    @property
    def name(self) -> str:
        return f"{self.workload['kind']}/{self.workload['metadata']['name']}"

    @property
    def image(self) -> str:
        return str(self.spec["image"])

    @property
    def service(self) -> str | None:
        """``api``, ``worker`` or ``formatter`` when the container runs an SS image."""
        repo = self.image.rsplit("/", 1)[-1].split(":")[0]
        return repo.removeprefix("ss-") if repo.startswith("ss-") else None

    def mounts(self) -> dict[str, Obj]:
        return {m["mountPath"]: m for m in self.spec.get("volumeMounts", [])}


def volume_sources(volume: Obj) -> Iterator[tuple[str, str, bool]]:
    """(kind, name, optional) of each ConfigMap and Secret a pod volume reads, projected
    volumes' sources included."""
    sources = volume["projected"]["sources"] if "projected" in volume else [volume]
    for source in sources:
        if "secret" in source:
            ref = source["secret"]
            yield "Secret", ref.get("secretName") or ref["name"], ref.get("optional", False)
        if "configMap" in source:
            yield "ConfigMap", source["configMap"]["name"], source["configMap"].get(
                "optional", False)


def containers(objects: tuple[Obj, ...]) -> Iterator[Container]:
    for workload in objects:
        if workload["kind"] in WORKLOADS:
            for spec in pod_spec(workload)["containers"]:
                yield Container(workload, spec)


def ss_containers(objects: tuple[Obj, ...]) -> list[Container]:
    return [c for c in containers(objects) if c.service is not None]


#: Value of a variable taken from a Secret that the render does not hold (created out of band).
UNKNOWN = object()


def data(objects: tuple[Obj, ...], kind: str, name: str) -> dict[str, str] | None:
    """The decoded data of a ConfigMap or Secret of the render (None: not in it)."""
    found = find(objects, kind, name)
    if not found:
        return None
    if kind == "Secret":
        data = {k: base64.b64decode(v).decode() for k, v in found[0].get("data", {}).items()}
        return {**data, **found[0].get("stringData", {})}
    return dict(found[0].get("data", {}))


def environment(objects: tuple[Obj, ...], container: Container) -> dict[str, object]:
    """The container's variables: ``envFrom`` in order, then ``env``; a value from a Secret
    or ConfigMap missing from the render is ``UNKNOWN`` (whole missing sources are skipped:
    ``test_references_resolve`` says which may be missing)."""
    env: dict[str, object] = {}
    for source in container.spec.get("envFrom", []):
        kind, ref = (("ConfigMap", source["configMapRef"]) if "configMapRef" in source
                     else ("Secret", source["secretRef"]))
        env.update(data(objects, kind, ref["name"]) or {})
    for var in container.spec.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
            continue
        ref = var["valueFrom"].get("configMapKeyRef") or var["valueFrom"].get("secretKeyRef")
        if ref is None:  # fieldRef / resourceFieldRef: the downward API
            env[var["name"]] = UNKNOWN
            continue
        kind = "ConfigMap" if "configMapKeyRef" in var["valueFrom"] else "Secret"
        values = data(objects, kind, ref["name"]) or {}
        env[var["name"]] = values.get(ref["key"], UNKNOWN)
    return env


def scaled_object_for(objects: tuple[Obj, ...], workload: Obj) -> Obj | None:
    for so in find(objects, "ScaledObject"):
        target = so["spec"]["scaleTargetRef"]
        if (target["name"] == workload["metadata"]["name"]
                and target.get("kind", "Deployment") == workload["kind"]):
            return so
    return None


def quantity(value: str | int) -> float:
    """A Kubernetes quantity (``250m``, ``1536Mi``, ``10Gi``, ``2``) as a number."""
    text = str(value)
    suffixes = {"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
                "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    for suffix in sorted(suffixes, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * suffixes[suffix]
    return float(text)


def nats_size(value: str) -> float:
    """A NATS size (``8GB``, ``1536MB``) in bytes; NATS counts a GB as 1024**3."""
    units = {"KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}
    for unit, factor in units.items():
        if value.upper().endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def crd_schema(path: Path) -> Obj:
    crd = yaml.safe_load(path.read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v.get("storage")]
    schema: Obj = version["schema"]["openAPIV3Schema"]
    return schema


def nats_statefulset(objects: tuple[Obj, ...]) -> tuple[Obj, Obj]:
    """The NATS StatefulSet and its governing (headless) Service."""
    (sts,) = [o for o in find(objects, "StatefulSet") if o["metadata"]["name"] == "nats"]
    headless = one(objects, "Service", sts["spec"]["serviceName"])
    return sts, headless


def nats_config_files(objects: tuple[Obj, ...]) -> dict[str, tuple[str, str, str]]:
    """The files of the NATS pods' config folder: name -> (kind, object, key)."""
    sts, _ = nats_statefulset(objects)
    (volume,) = [v for v in pod_spec(sts)["volumes"] if v["name"] == "config"]
    files = {}
    for source in volume["projected"]["sources"]:
        kind, ref = (("ConfigMap", source["configMap"]) if "configMap" in source
                     else ("Secret", source["secret"]))
        items = ref.get("items") or [{"key": k, "path": k}
                                     for k in data(objects, kind, ref["name"]) or {}]
        for item in items:
            files[item["path"]] = (kind, ref["name"], item["key"])
    return files


def nats_conf(objects: tuple[Obj, ...]) -> str:
    """``nats.conf`` as the NATS pods read it."""
    kind, name, key = nats_config_files(objects)["nats.conf"]
    return (data(objects, kind, name) or {})[key]
