"""The Kubernetes manifests: every overlay renders, every object is valid for the Kubernetes API
(kubernetes-validate, strict) or for KEDA's CRD, and what the schemas cannot see holds: the
names, ports and paths are the code's own (libs/names.py, libs/settings.py, the probe servers),
the KEDA triggers read the right consumers with thresholds from the slots, and pods stop,
disrupt and run as the services need.
"""

from __future__ import annotations

import copy
import hashlib
import math
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import msgspec
import pytest

from dev.servers import free_port
from libs import names
from libs.bus.auth.operator import ACCOUNT_NAME
from libs.bus.auth.permissions import SERVICES
from libs.settings import Settings, env_name, load_settings
from services.api.routes.health import healthz, readyz
from services.common.probes import ProbeServer
from tests.deploy.dockerfile import runtime_stage
from tests.deploy.k8s import (
    K8S,
    OVERLAYS,
    UNKNOWN,
    Container,
    Obj,
    crd_schema,
    data,
    environment,
    find,
    nats_conf,
    nats_statefulset,
    one,
    pod_spec,
    quantity,
    render,
    scaled_object_for,
    ss_containers,
    volume_sources,
)

#: The oldest Kubernetes the manifests support (the preStop `sleep` action is on by default
#: from 1.30) and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.utils.latest_version())
#: KEDA's CRDs, vendored (schemas/README.md), by the kind each defines.
KEDA_CRDS = {"ScaledObject": K8S / "schemas" / "keda.sh_scaledobjects.yaml",
             "TriggerAuthentication": K8S / "schemas" / "keda.sh_triggerauthentications.yaml"}
SETTINGS = {env_name(f.name) for f in msgspec.structs.fields(Settings)}
#: Each SS service's NATS credential (``<role>.creds`` of the auth folder), one Secret per role.
NATS_CREDS_SECRETS = {role.value: f"ss-nats-{role.value}" for role in SERVICES}
#: The auth folder's server configuration (every NATS node includes it) and the SS account's id
#: (KEDA's accountID).
NATS_SERVER_SECRET, NATS_ACCOUNT_SECRET = "ss-nats-server", "ss-nats-account"
#: Secrets an operator creates out of band (docs/deploy.md, "Secrets"); a rendered overlay may
#: reference them without holding them.
OUT_OF_BAND = {"ss-s3", "ss-api", "ss-api-tls", "ss-stata-licence", NATS_SERVER_SECRET,
               NATS_ACCOUNT_SECRET, *NATS_CREDS_SECRETS.values()}
BIN = Path(sys.executable).parent


def _is_custom(obj: Obj) -> bool:
    return bool(obj["apiVersion"].startswith("keda.sh/"))


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_for_the_kubernetes_api(overlay: str, version: str) -> None:
    objects = render(overlay)
    assert objects
    for obj in objects:
        if _is_custom(obj):
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']} ({version}): {exc.message} "
                        f"at {list(exc.path)}")


def _strict(schema: Any) -> Any:
    """The CRD schema with unknown fields refused, as `kubectl apply` refuses them."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if ("properties" in out and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


KEDA_VALIDATORS = {kind: jsonschema.Draft7Validator(_strict(crd_schema(path)))
                   for kind, path in KEDA_CRDS.items()}


def keda_problems(obj: Obj) -> list[str]:
    validator = KEDA_VALIDATORS.get(obj["kind"])
    if validator is None:
        return [f"{obj['kind']}: no vendored KEDA CRD"]
    problems = [f"{'/'.join(map(str, e.path))}: {e.message}"
                for e in validator.iter_errors(obj)]
    spec = obj.get("spec", {})
    low, high = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
    # The CRD's CEL rule (x-kubernetes-validations), which a JSON schema cannot express.
    if not problems and low > high:
        problems.append("minReplicaCount must be less than or equal to maxReplicaCount")
    return problems


def test_vendored_keda_crds_are_the_documented_release() -> None:
    readme = (K8S / "schemas" / "README.md").read_text()
    for path in KEDA_CRDS.values():
        assert hashlib.sha256(path.read_bytes()).hexdigest() in readme, path.name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_objects_are_valid_for_kedas_crds(overlay: str) -> None:
    custom = [o for o in render(overlay) if _is_custom(o)]
    assert {o["kind"] for o in custom} == set(KEDA_CRDS)
    for obj in custom:
        assert keda_problems(obj) == [], obj["metadata"]["name"]


def test_the_validators_reject_broken_objects() -> None:
    # Guards the guards: a misspelt field, a wrong type, a broken CEL rule are all caught.
    objects = render("local")
    deployment = copy.deepcopy(one(objects, "Deployment", "api"))
    pod_spec(deployment)["containers"][0]["imagee"] = "x"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)
    scaled = one(objects, "ScaledObject", "worker-embedded")
    for path, value in ((("spec", "pollingIntervall"), 5), (("spec", "minReplicaCount"), "1"),
                        (("spec", "minReplicaCount"), 50)):
        broken = copy.deepcopy(scaled)
        broken[path[0]][path[1]] = value
        assert keda_problems(broken), path
    auth = copy.deepcopy(one(objects, "TriggerAuthentication", "nats-account"))
    auth["spec"]["secretTargetRef"][0]["secretName"] = auth["spec"]["secretTargetRef"][0].pop(
        "name")
    assert keda_problems(auth)


def _env(objects: tuple[Obj, ...], container: Container) -> dict[str, str]:
    """The container's SS_* variables whose values the render holds."""
    return {k: str(v) for k, v in environment(objects, container).items()
            if k.startswith("SS_") and v is not UNKNOWN}


def _settings(objects: tuple[Obj, ...], container: Container) -> Settings:
    return load_settings(_env(objects, container))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_ss_variable_is_a_setting_with_a_valid_value(overlay: str) -> None:
    objects = render(overlay)
    for container in ss_containers(objects):
        named = {k for k in environment(objects, container) if k.startswith("SS_")}
        assert named <= SETTINGS, f"{container.name}: not settings: {named - SETTINGS}"
        _settings(objects, container)  # raises SettingsError naming a bad value


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_references_resolve(overlay: str) -> None:
    """Every ConfigMap and Secret a pod uses is in the render, optional, or created out of band
    (and a pod never names a generated object by its unhashed name)."""
    objects = render(overlay)
    present = {(o["kind"], o["metadata"]["name"]) for o in objects}
    for workload in (o for o in objects if o["kind"] in ("Deployment", "StatefulSet", "Job")):
        spec = pod_spec(workload)
        refs: list[tuple[str, str, bool]] = []
        for volume in spec.get("volumes", []):
            refs += volume_sources(volume)
        for c in spec["containers"]:
            for source in c.get("envFrom", []):
                ref = source.get("configMapRef") or source["secretRef"]
                kind = "ConfigMap" if "configMapRef" in source else "Secret"
                refs.append((kind, ref["name"], ref.get("optional", False)))
            for var in c.get("env", []):
                key_ref = var.get("valueFrom", {})
                for kind, field in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                    if field in key_ref:
                        refs.append((kind, key_ref[field]["name"],
                                     key_ref[field].get("optional", False)))
        for kind, name, optional in refs:
            assert ((kind, name) in present or optional
                    or (kind == "Secret" and name in OUT_OF_BAND)), \
                f"{workload['metadata']['name']}: {kind}/{name} is missing"
    ingresses = find(objects, "Ingress")
    for ingress in ingresses:
        for tls in ingress["spec"].get("tls", []):
            assert ("Secret", tls["secretName"]) in present or tls["secretName"] in OUT_OF_BAND
    for auth in find(objects, "TriggerAuthentication"):
        for ref in auth["spec"]["secretTargetRef"]:
            assert ("Secret", ref["name"]) in present or ref["name"] in OUT_OF_BAND
            secret = data(objects, "Secret", ref["name"])
            assert secret is None or ref["key"] in secret, ref
    for so in find(objects, "ScaledObject"):
        for trigger in so["spec"]["triggers"]:
            if "authenticationRef" in trigger:
                one(objects, "TriggerAuthentication", trigger["authenticationRef"]["name"])


def _workers(objects: tuple[Obj, ...]) -> list[Container]:
    return [c for c in ss_containers(objects) if c.service == "worker"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_worker_pool_scales_on_its_own_consumer_by_its_slots(overlay: str) -> None:
    objects = render(overlay)
    pools = set()
    for container in _workers(objects):
        settings = _settings(objects, container)
        pools.add(settings.run_pool)
        scaled = scaled_object_for(objects, container.workload)
        assert scaled is not None, f"{container.name} has no ScaledObject"
        (trigger,) = scaled["spec"]["triggers"]
        meta = trigger["metadata"]
        assert trigger["type"] == "nats-jetstream"
        assert meta["stream"] == names.WORK_STREAM
        assert meta["consumer"] == names.worker_consumer(settings.run_pool)
        # KEDA's metric is pending + ack-pending: one replica per SS_WORKER_SLOTS of them.
        assert int(meta["lagThreshold"]) == settings.worker_slots
        spec = scaled["spec"]
        if settings.engine == "stata":
            # Idle Stata pools hold no licence seat; replicas beyond the licence sit idle.
            assert spec["minReplicaCount"] == 0
            assert spec["maxReplicaCount"] == math.ceil(
                settings.max_ack_pending / settings.worker_slots)
            assert int(meta["activationLagThreshold"]) == 0
        else:
            assert spec.get("minReplicaCount", 0) >= 1
            assert settings.max_ack_pending >= spec["maxReplicaCount"] * settings.worker_slots
    assert "embedded" in pools
    if overlay == "production":
        assert "stata" in pools


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_formatter_scales_on_its_consumer_by_its_slots(overlay: str) -> None:
    objects = render(overlay)
    (container,) = [c for c in ss_containers(objects) if c.service == "formatter"]
    settings = _settings(objects, container)
    scaled = scaled_object_for(objects, container.workload)
    assert scaled is not None
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["metadata"]["stream"] == names.WORK_STREAM
    assert trigger["metadata"]["consumer"] == names.FORMATTER_CONSUMER
    assert int(trigger["metadata"]["lagThreshold"]) == settings.formatter_slots
    assert scaled["spec"]["minReplicaCount"] >= 1
    assert settings.max_ack_pending >= scaled["spec"]["maxReplicaCount"] * settings.formatter_slots


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_api_scales_on_cpu_against_a_cpu_request(overlay: str) -> None:
    objects = render(overlay)
    (container,) = [c for c in ss_containers(objects) if c.service == "api"]
    scaled = scaled_object_for(objects, container.workload)
    assert scaled is not None
    assert [t["type"] for t in scaled["spec"]["triggers"]] == ["cpu"]
    assert scaled["spec"]["minReplicaCount"] >= 2
    assert "cpu" in container.spec["resources"]["requests"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_scaled_deployments_leave_replicas_to_keda(overlay: str) -> None:
    objects = render(overlay)
    for so in find(objects, "ScaledObject"):
        target = one(objects, "Deployment", so["spec"]["scaleTargetRef"]["name"])
        assert "replicas" not in target["spec"], target["metadata"]["name"]


def _ports(workload: Obj) -> dict[str, int]:
    return {p["name"]: p["containerPort"] for c in pod_spec(workload)["containers"]
            for p in c.get("ports", [])}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_reads_the_nats_monitoring_endpoint_of_this_namespace(overlay: str) -> None:
    objects = render(overlay)
    sts, headless = nats_statefulset(objects)
    assert headless["spec"]["clusterIP"] == "None"
    namespace = sts["metadata"]["namespace"]
    # KEDA asks <server_name>.<endpoint host> for a consumer's leader; server_name is the pod.
    assert "server_name: $POD_NAME" in nats_conf(objects)
    expected = (f"{headless['metadata']['name']}.{namespace}.svc.cluster.local:"
                f"{_ports(sts)['monitor']}")
    for so in find(objects, "ScaledObject"):
        for trigger in so["spec"]["triggers"]:
            if trigger["type"] == "nats-jetstream":
                assert trigger["metadata"]["natsServerMonitoringEndpoint"] == expected
                assert so["metadata"]["namespace"] == namespace
                # With accounts, /jsz answers only for the account's public key (accountID,
                # from the TriggerAuthentication); KEDA matches the account by id or name.
                assert trigger["metadata"]["account"] == ACCOUNT_NAME
                auth = one(objects, "TriggerAuthentication",
                           trigger["authenticationRef"]["name"])
                assert [(r["parameter"], r["name"]) for r in auth["spec"]["secretTargetRef"]] \
                    == [("accountID", NATS_ACCOUNT_SECRET)]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_reach_every_nats_node_and_replicate_within_the_cluster(overlay: str) -> None:
    objects = render(overlay)
    sts, headless = nats_statefulset(objects)
    nodes = {f"{sts['metadata']['name']}-{i}.{headless['metadata']['name']}"
             for i in range(sts["spec"]["replicas"])}
    assert sts["spec"]["replicas"] == 3
    for container in ss_containers(objects):
        settings = _settings(objects, container)
        urls = [re.fullmatch(r"nats://([^:]+):(\d+)", u) for u in settings.nats_url.split(",")]
        assert all(urls), settings.nats_url
        assert {m.group(1) for m in urls if m} == nodes
        assert {int(m.group(2)) for m in urls if m} == {_ports(sts)["client"]}
        assert settings.js_replicas == sts["spec"]["replicas"]
    conf = nats_conf(objects)
    routes = set(re.findall(r"nats://([^:\s]+):(\d+)", conf))
    assert routes == {(node, str(_ports(sts)["cluster"])) for node in nodes}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_api_probes_and_port_are_the_apis_own(overlay: str) -> None:
    objects = render(overlay)
    (container,) = [c for c in ss_containers(objects) if c.service == "api"]
    settings = _settings(objects, container)
    ports = {p["name"]: p["containerPort"] for p in container.spec["ports"]}
    assert ports["http"] == settings.api_port
    assert settings.api_host == "0.0.0.0"
    served = healthz.paths | readyz.paths
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container.spec[probe]["httpGet"]["path"] in served
        assert container.spec[probe]["httpGet"]["port"] == "http"
    assert container.spec["readinessProbe"]["httpGet"]["path"] in readyz.paths
    service = one(objects, "Service", "api")
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]


async def _status(port: int, path: str) -> int:
    import asyncio

    def get() -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return int(r.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    return await asyncio.to_thread(get)


@pytest.mark.parametrize("overlay", OVERLAYS)
async def test_worker_and_formatter_probes_are_served_by_their_probe_server(overlay: str) -> None:
    objects = render(overlay)
    port = free_port()

    async def not_ready() -> dict[str, str]:
        return {"nats": "not connected"}

    server = ProbeServer("127.0.0.1", port, not_ready)
    await server.start()
    try:
        for container in ss_containers(objects):
            if container.service == "api":
                continue
            settings = _settings(objects, container)
            ports = {p["name"]: p["containerPort"] for p in container.spec["ports"]}
            assert ports["health"] == settings.health_port != 0
            for probe, wanted in (("startupProbe", 200), ("livenessProbe", 200),
                                  ("readinessProbe", 503)):
                get = container.spec[probe]["httpGet"]
                assert get["port"] == "health"
                # The probe server answers its own paths (readiness: 503 while not ready) and
                # 404 anything else.
                assert await _status(port, get["path"]) == wanted, (container.name, probe)
    finally:
        await server.close()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_outlive_the_shutdown_grace(overlay: str) -> None:
    objects = render(overlay)
    for container in ss_containers(objects):
        grace = pod_spec(container.workload)["terminationGracePeriodSeconds"]
        if container.service == "api":
            assert grace >= 15
            continue
        # Running jobs get SS_SHUTDOWN_GRACE_S; uploading and closing need a little more.
        assert grace >= _settings(objects, container).shutdown_grace_s + 10, container.name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_has_a_disruption_budget(overlay: str) -> None:
    objects = render(overlay)
    budgets = find(objects, "PodDisruptionBudget")
    for workload in find(objects, "Deployment") + find(objects, "StatefulSet"):
        if workload["metadata"]["name"] == "minio":
            continue  # the local overlay's single-node store: a budget could only block drains
        labels = workload["spec"]["template"]["metadata"]["labels"]
        matching = [b for b in budgets
                    if b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        assert len(matching) == 1, workload["metadata"]["name"]


def _writable_paths(objects: tuple[Obj, ...], container: Container) -> list[str]:
    """Folders each service writes to (read from its code and documentation)."""
    env = environment(objects, container)
    paths = ["/tmp"]  # tempfile: upload spools, render scratch, fork-server sockets
    if container.service == "worker":
        paths.append(str(env["SS_WORKDIR"]))
        if env.get("SS_ENGINE") == "stata":
            paths.append(str(env["HOME"]))  # Stata writes its settings under HOME
    if container.service == "formatter":
        paths += [str(env["MPLCONFIGDIR"]), str(env["XDG_CACHE_HOME"])]
    return paths


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_as_the_images_user_with_a_read_only_root(overlay: str) -> None:
    objects = render(overlay)
    for workload in (o for o in objects if o["kind"] in ("Deployment", "StatefulSet", "Job")):
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec.get("automountServiceAccountToken") is False
        for c in spec["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"]
    for container in ss_containers(objects):
        assert container.service is not None
        user = runtime_stage(container.service).last("USER").args[0]
        pod = pod_spec(container.workload)["securityContext"]
        assert f"{pod['runAsUser']}:{pod['runAsGroup']}" == user
        mounts = container.mounts()
        for path in _writable_paths(objects, container):
            mount = next((m for p, m in mounts.items() if path == p or path.startswith(p + "/")),
                         None)
            assert mount is not None, (container.name, path)
            assert not mount.get("readOnly"), (container.name, path)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_stata_pool_mounts_stata_and_its_licence_read_only(overlay: str) -> None:
    objects = render(overlay)
    stata = [c for c in _workers(objects) if _settings(objects, c).engine == "stata"]
    if overlay == "production":
        assert stata
    for container in stata:
        command = _settings(objects, container).stata_cmd
        mounts = container.mounts()
        (install,) = [p for p in mounts if command.startswith(p + "/")]
        assert mounts[install]["readOnly"] is True
        licence = mounts[f"{install}/stata.lic"]
        assert licence["readOnly"] is True
        assert licence["subPath"] == "stata.lic"
        volumes = {v["name"]: v for v in pod_spec(container.workload)["volumes"]}
        assert volumes[licence["name"]]["secret"]["secretName"] == "ss-stata-licence"
        assert volumes[mounts[install]["name"]]["persistentVolumeClaim"]["readOnly"] is True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_requests_within_limits(overlay: str) -> None:
    objects = render(overlay)
    for workload in (o for o in objects if o["kind"] in ("Deployment", "StatefulSet", "Job")):
        for c in pod_spec(workload)["containers"]:
            resources = c["resources"]
            for name in ("cpu", "memory"):
                assert quantity(resources["requests"][name]) <= quantity(
                    resources["limits"][name]), (workload["metadata"]["name"], name)
