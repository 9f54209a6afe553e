"""NATS authentication in the Kubernetes manifests: every NATS node includes the auth
configuration `python -m libs.bus.auth` writes, every SS pod logs in with its own role's
credential from its own Secret, the API holds the subscriber signing key, and KEDA reads the
lag of the account the streams live in. For the local overlay, whose Secrets are generated from
a real auth folder, the pieces are also started together: a nats-server on the rendered auth
configuration admits each rendered credential as its role and answers KEDA's /jsz for the
rendered account id.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path, PurePosixPath

import pytest

from dev.servers import free_port, wait_http
from libs.bus.auth import jwt
from libs.bus.auth.nkeys import KeyPair
from libs.bus.auth.operator import ACCOUNT_NAME, AuthFolder
from libs.bus.auth.permissions import Role
from libs.bus.auth.users import Credentials, SubscriberIssuer
from libs.bus.connection import connect
from tests.deploy.k8s import (
    OVERLAYS,
    UNKNOWN,
    Container,
    Obj,
    data,
    environment,
    find,
    named,
    nats_conf,
    nats_config_files,
    nats_size,
    nats_statefulset,
    one,
    pod_spec,
    quantity,
    render,
    ss_containers,
)
from tests.deploy.test_k8s_manifests import (
    NATS_ACCOUNT_SECRET,
    NATS_CREDS_SECRETS,
    NATS_SERVER_SECRET,
)

BIN = Path(sys.executable).parent
#: The file names of the operator's auth folder, as libs.bus.auth writes them.
_FOLDER = AuthFolder("folder")
SERVER_CONFIG = _FOLDER.server_config.name


def _nats_auth_conf(objects: tuple[Obj, ...], tmp_path: Path) -> str:
    """The auth configuration beside nats.conf: the render's own Secret (the local overlay's
    generated folder) or, for an out-of-band Secret, one made now as docs/deploy.md says."""
    kind, name, key = nats_config_files(objects)[SERVER_CONFIG]
    assert kind == "Secret"
    assert named(name, NATS_SERVER_SECRET)
    rendered = data(objects, kind, name)
    if rendered is not None:
        return rendered[key]
    folder = AuthFolder(tmp_path / "auth")
    folder.init()
    return folder.server_config.read_text()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_nats_config_with_its_auth_include_is_accepted_by_nats_server(
        overlay: str, tmp_path: Path) -> None:
    objects = render(overlay)
    sts, _ = nats_statefulset(objects)
    env = {v["name"]: v.get("value", "nats-0") for v in pod_spec(sts)["containers"][0]["env"]}
    conf = nats_conf(objects)
    # The include names the file the Secret puts beside nats.conf in the projected volume.
    assert re.findall(r"^include\s+\./(\S+)$", conf, re.M) == [SERVER_CONFIG]
    (tmp_path / "nats.conf").write_text(conf)
    auth = _nats_auth_conf(objects, tmp_path)
    (tmp_path / SERVER_CONFIG).write_text(auth)
    result = subprocess.run([str(BIN / "nats-server"), "-c", str(tmp_path / "nats.conf"), "-t"],
                            capture_output=True, text=True, timeout=30,
                            env={**os.environ, **env}, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # Accounts on: what the credentials and KEDA's accountID rely on.
    assert "resolver: MEMORY" in auth
    assert "operator:" in auth
    claim = sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
    assert nats_size(env["JS_MAX_FILE_STORE"]) < quantity(claim)


def _secret_file(container: Container, path: str) -> tuple[str, str, bool]:
    """(Secret, key, optional) that puts the file ``path`` into ``container``."""
    folder = str(PurePosixPath(path).parent)
    (mount,) = [m for p, m in container.mounts().items() if p == folder]
    assert mount.get("readOnly") is True, (container.name, path)
    volumes = {v["name"]: v for v in pod_spec(container.workload)["volumes"]}
    secret = volumes[mount["name"]]["secret"]
    key = PurePosixPath(path).name
    if "items" in secret:
        (key,) = [i["key"] for i in secret["items"] if i["path"] == PurePosixPath(path).name]
    return secret["secretName"], key, bool(secret.get("optional", False))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_logs_in_with_its_own_roles_credential(overlay: str) -> None:
    objects = render(overlay)
    for container in ss_containers(objects):
        env = environment(objects, container)
        assert container.service is not None
        role = Role(container.service)
        creds = env.get("SS_NATS_CREDS")
        assert isinstance(creds, str), f"{container.name}: no SS_NATS_CREDS"
        name, key, optional = _secret_file(container, creds)
        assert named(name, NATS_CREDS_SECRETS[role.value])
        assert not optional
        rendered = data(objects, "Secret", name)
        if rendered is not None:  # the local overlay's generated credential
            credential = Credentials(rendered[key])
            assert credential.role is role, (container.name, credential.role)
        signer = env.get("SS_NATS_SUBSCRIBER_SIGNER")
        if role is Role.API:
            # Tenants' event credentials are offered: the signer comes with the API's Secret.
            assert isinstance(signer, str)
            assert _secret_file(container, signer)[:2] == (name, PurePosixPath(signer).name)
        else:
            assert signer in (None, UNKNOWN, ""), container.name


def _rendered_auth(objects: tuple[Obj, ...]) -> tuple[str, dict[str, str], str]:
    """The local overlay's generated material: server config, credential per role, account."""
    server = data(objects, "Secret", find_secret(objects, NATS_SERVER_SECRET))
    account = data(objects, "Secret", NATS_ACCOUNT_SECRET)
    assert server is not None
    assert account is not None
    creds = {}
    for role, prefix in NATS_CREDS_SECRETS.items():
        secret = data(objects, "Secret", find_secret(objects, prefix))
        assert secret is not None
        creds[role] = secret["nats.creds"]
        if role == Role.API:
            creds["subscriber-signer"] = secret["subscriber-signer.nk"]
    return server[SERVER_CONFIG], creds, account["accountID"]


def find_secret(objects: tuple[Obj, ...], name: str) -> str:
    """The rendered name of a generated Secret (with Kustomize's hash suffix)."""
    (found,) = [o["metadata"]["name"] for o in find(objects, "Secret")
                if named(o["metadata"]["name"], name)]
    return str(found)


def test_local_overlay_secrets_fit_together_on_a_real_server(tmp_path: Path) -> None:
    objects = render("local")
    server_config, creds, account_id = _rendered_auth(objects)
    # The Secret's value is the bare key: KEDA puts it into the URL as it is.
    assert account_id.isalnum()
    assert f"SS account (KEDA's `account`, /jsz): {account_id}\n" in server_config
    (tmp_path / SERVER_CONFIG).write_text(server_config)
    port, monitor = free_port(), free_port()
    proc = subprocess.Popen([str(BIN / "nats-server"), "-c", str(tmp_path / SERVER_CONFIG),
                             "-js", "-a", "127.0.0.1", "-p", str(port), "-m", str(monitor),
                             "-sd", str(tmp_path / "js"), "-l", str(tmp_path / "nats.log")])
    try:
        wait_http(f"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true", 20)
        issuer = SubscriberIssuer.load(_write(tmp_path, "signer.nk", creds["subscriber-signer"]),
                                       _write(tmp_path, "api.creds", creds[Role.API]))
        logins = {role: creds[role] for role in NATS_CREDS_SECRETS}
        logins["subscriber"] = issuer.issue("acme", expires=2**31 - 1).creds
        for role, text in logins.items():
            assert Credentials(text).account == account_id, role
        asyncio.run(_log_in(f"nats://127.0.0.1:{port}", {
            role: _write(tmp_path, f"{role}.creds", text) for role, text in logins.items()}))
        # KEDA's request with the rendered accountID finds the account by id and name.
        url = f"http://127.0.0.1:{monitor}/jsz?acc={account_id}&accounts=true"
        with urllib.request.urlopen(url, timeout=5) as resp:
            body = json.load(resp)
        assert [(a["id"], a["name"]) for a in body["account_details"]] == [
            (account_id, ACCOUNT_NAME)]
    finally:
        proc.terminate()
        proc.wait(10)
    log = (tmp_path / "nats.log").read_text()
    assert "Authorization Error" not in log, log


async def _log_in(url: str, creds_files: dict[str, str]) -> None:
    """Connect as each credential and make a round trip (the server admitted it)."""
    for role, path in creds_files.items():
        bus = await connect(url, name=f"ss-k8s-{role}", creds=path, connect_timeout=5)
        try:
            await bus.nc.flush(timeout=5)
        finally:
            await bus.close()


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text)
    return str(path)


def test_the_subscriber_signer_is_the_accounts_subscriber_key() -> None:
    """The local overlay's API Secret holds the key the account JWT lists for the subscriber
    role (else the server would refuse every event credential the API issues)."""
    objects = render("local")
    server_config, creds, account_id = _rendered_auth(objects)
    (account_jwt,) = re.findall(rf"^\s*{account_id}:\s*(\S+)$", server_config, re.M)
    claims = jwt.decode(account_jwt)
    scopes = {k["role"]: k["key"] for k in claims["nats"]["signing_keys"]}
    assert KeyPair.from_seed(creds["subscriber-signer"]).public_key == scopes["subscriber"]
    assert one(objects, "Secret", NATS_ACCOUNT_SECRET)["metadata"]["name"] == NATS_ACCOUNT_SECRET


def test_local_nats_secrets_can_be_applied_before_nats() -> None:
    """docs/deploy.md's install order applies them by label before the NATS StatefulSet."""
    objects = render("local")
    wanted = [NATS_SERVER_SECRET, NATS_ACCOUNT_SECRET, *NATS_CREDS_SECRETS.values()]
    labelled = {o["metadata"]["name"] for o in find(objects, "Secret")
                if o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "nats-auth"}
    assert sorted(find_secret(objects, name) for name in wanted) == sorted(labelled)
