"""API keys, roles and tenant isolation across every route."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from dev.servers import OPERATOR_TOKEN
from dev.stack import Stack
from tests.api.conftest import AUTO_CSV, OLS, client_for, new_key


async def test_missing_invalid_and_revoked_keys_are_401(api: Stack,
                                                        admin: httpx.AsyncClient) -> None:
    async with client_for(api, None) as anonymous:
        response = await anonymous.get("/v1/jobs")
        assert response.status_code == 401
        assert response.json()["error_code"] == "UNAUTHORIZED"
        assert response.headers["www-authenticate"].startswith("Bearer")
    for bad in ("nope", "ss_0123456789abcdef_wrong", "ss_x_y"):
        async with client_for(api, bad) as c:
            assert (await c.get("/v1/jobs")).status_code == 401
    token = await new_key(admin, "revoker")
    async with client_for(api, token) as c:
        assert (await c.get("/v1/jobs")).status_code == 200
        key_id = token.split("_")[1]
        revoked = await admin.delete(f"/v1/admin/keys/{key_id}")
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"]
        # The revoking replica forgets the key at once (others within their cache time:
        # tests/bus/test_keystore.py).
        response = await c.get("/v1/jobs")
        assert response.status_code == 401


async def test_keys_are_stored_hashed_and_admin_only(api: Stack,
                                                     admin: httpx.AsyncClient) -> None:
    token = await new_key(admin, "acme")
    listed = (await admin.get("/v1/admin/keys")).json()["items"]
    mine = [k for k in listed if k["key_id"] == token.split("_")[1]]
    assert len(mine) == 1
    assert mine[0]["tenant"] == "acme"
    assert mine[0]["origin"] == "api"
    assert token.split("_", 2)[2] not in str(listed)  # the secret is never stored or listed
    async with client_for(api, token) as client:
        for method, path in (("GET", "/v1/admin/keys"), ("POST", "/v1/admin/keys"),
                             ("DELETE", "/v1/admin/keys/0123456789abcdef")):
            response = await client.request(method, path, json={"tenant": "acme"})
            assert response.status_code == 403, (method, path)
            assert response.json()["error_code"] == "FORBIDDEN"
    bad = await admin.post("/v1/admin/keys", json={"tenant": "a.b"})
    assert bad.status_code == 400
    for key_id in ("0123456789abcdef", "not.a*key%20id"):  # the fuzzer found the second a 500
        missing = await admin.delete(f"/v1/admin/keys/{key_id}")
        assert missing.status_code == 404
        assert missing.json()["error_code"] == "KEY_NOT_FOUND"


async def test_no_response_carries_a_secret_hash(api: Stack, admin: httpx.AsyncClient) -> None:
    token = await new_key(admin, "hashes", "admin")
    secret_hash = hashlib.sha256(token.split("_", 2)[2].encode()).hexdigest()
    async with client_for(api, token) as tenant_admin:
        answers = [await admin.get("/v1/admin/keys"),
                   await tenant_admin.get("/v1/admin/keys"),
                   await tenant_admin.post("/v1/admin/keys", json={"name": "x"}),
                   await admin.delete(f"/v1/admin/keys/{token.split('_')[1]}")]
    for response in answers:
        assert response.status_code in (200, 201), response.text
        assert "secret" not in response.text
        assert secret_hash not in response.text
    # The operator's own key, provisioned through SS_API_KEYS, is listed without its hash too.
    operator = [k for k in answers[0].json()["items"] if k["role"] == "operator"]
    assert [k["origin"] for k in operator] == ["operator"]


async def test_a_tenant_admin_manages_only_its_own_tenant(api: Stack,
                                                          admin: httpx.AsyncClient) -> None:
    """An admin key of tenant b can neither see, mint nor revoke tenant a's keys: listing
    every tenant's keys, or minting a key for a, would let it read a's jobs."""
    a_client = await new_key(admin, "roles-a")
    a_admin = await new_key(admin, "roles-a", "admin")
    b_admin = await new_key(admin, "roles-b", "admin")
    async with client_for(api, b_admin) as b, client_for(api, a_client) as a:
        listed = (await b.get("/v1/admin/keys")).json()["items"]
        assert {k["tenant"] for k in listed} == {"roles-b"}
        assert "operator" not in {k["role"] for k in listed}
        for query in ("?tenant=roles-a", "?tenant=ops"):
            response = await b.get(f"/v1/admin/keys{query}")
            assert response.status_code == 403, query
            assert response.json()["error_code"] == "FORBIDDEN"
        for body in ({"tenant": "roles-a"}, {"tenant": "roles-a", "role": "admin"}):
            response = await b.post("/v1/admin/keys", json=body)
            assert response.status_code == 403, body
            assert response.json()["error_code"] == "FORBIDDEN"
        escalate = await b.post("/v1/admin/keys", json={"role": "operator"})
        assert escalate.status_code == 400
        assert escalate.json()["error_code"] == "VALIDATION_FAILED"
        for victim in (a_client, a_admin):
            response = await b.delete(f"/v1/admin/keys/{victim.split('_')[1]}")
            assert response.status_code == 404
            assert response.json()["error_code"] == "KEY_NOT_FOUND"
            assert "roles-a" not in response.text
        operator_id = OPERATOR_TOKEN.split("_")[1]
        response = await b.delete(f"/v1/admin/keys/{operator_id}")
        assert response.status_code == 404  # as unknown as a missing key
        assert (await a.get("/v1/jobs")).status_code == 200  # a's keys still work

        # Its own tenant: keys of either role, listed and revocable.
        own = await b.post("/v1/admin/keys", json={"name": "ci"})
        assert own.status_code == 201, own.text
        assert own.json()["key"]["tenant"] == "roles-b"
        minted = own.json()["key"]["key_id"]
        assert minted in {k["key_id"] for k in (await b.get("/v1/admin/keys")).json()["items"]}
        assert (await b.delete(f"/v1/admin/keys/{minted}")).status_code == 200

    # The operator names the tenant, and sees and revokes any tenant's keys.
    assert (await admin.post("/v1/admin/keys", json={})).status_code == 400
    everyone = {k["tenant"] for k in (await admin.get("/v1/admin/keys")).json()["items"]}
    assert {"roles-a", "roles-b", "ops"} <= everyone
    only_a = (await admin.get("/v1/admin/keys?tenant=roles-a")).json()["items"]
    assert {k["tenant"] for k in only_a} == {"roles-a"}
    assert (await admin.delete(f"/v1/admin/keys/{a_admin.split('_')[1]}")).status_code == 200


def _job_routes(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path template) of every documented route about one job."""
    return [(method.upper(), path) for path, item in document["paths"].items()
            if "{job_id}" in path for method in item if method in ("get", "post", "put",
                                                                     "delete", "patch")]


#: A valid body for each job route that takes one, so that only the job lookup can refuse it.
BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/v1/jobs/{job_id}/inputs/{name}"): b"a,b\n1,2\n",
    ("POST", "/v1/jobs/{job_id}/uploads"): {"name": "x.csv", "size": 3, "sha256": "0" * 64},
    ("POST", "/v1/jobs/{job_id}/uploads/{upload_id}/parts"): {"numbers": [1]},
    ("POST", "/v1/jobs/{job_id}/uploads/{upload_id}/complete"): {},
}


async def test_no_route_leaks_another_tenants_job(api: Stack,
                                                  admin: httpx.AsyncClient) -> None:
    """Every documented job route (read from the API's own OpenAPI document, so a new route is
    covered the day it appears) answers another tenant's keys — client, tenant admin, the
    operator — with 404 and nothing of the job."""
    key_a = await new_key(admin, "tenant-a")
    outsiders = [await new_key(admin, "tenant-b"), await new_key(admin, "tenant-b", "admin"),
                 OPERATOR_TOKEN]
    async with client_for(api, key_a) as a:
        job_id = (await a.post("/v1/jobs", json=OLS)).json()["id"]
        assert (await a.put(f"/v1/jobs/{job_id}/inputs/auto.csv",
                            content=AUTO_CSV)).status_code == 201
        upload = await a.post(f"/v1/jobs/{job_id}/uploads", json={
            "name": "late.csv", "size": 3, "sha256": "0" * 64})
        assert upload.status_code == 201, upload.text
        values = {"job_id": job_id, "name": "auto.csv",
                  "upload_id": upload.json()["upload_id"]}
        document = (await a.get("/schema/openapi.json")).json()
        routes = _job_routes(document)
        assert len(routes) >= 12, routes  # every job route there is today
        for method, template in routes:
            path = template.format(**values)
            body = BODIES.get((method, template))
            requests = [path] + ([f"{path}?redirect=true"] if "artifacts/" in template else [])
            for key in outsiders:
                async with client_for(api, key) as b:
                    for url in requests:
                        response = await (b.request(method, url, content=body)
                                          if isinstance(body, bytes) else
                                          b.request(method, url, json=body))
                        assert response.status_code == 404, (method, url, response.text)
                        assert response.json()["error_code"] == "JOB_NOT_FOUND", (method, url)
                        assert "tenant-a" not in response.text
                        assert "auto.csv" not in response.text
        for key in outsiders:
            async with client_for(api, key) as b:
                listed = (await b.get("/v1/jobs")).json()["items"]
                assert job_id not in {j["id"] for j in listed}
        # ...and tenant a still sees its job untouched.
        again = (await a.get(f"/v1/jobs/{job_id}")).json()
        assert again["state"] == "created"
        assert [f["name"] for f in again["inputs"]] == ["auto.csv"]
