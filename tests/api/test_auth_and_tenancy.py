"""API keys, roles and tenant isolation across every route."""

from __future__ import annotations

import httpx

from tests.api.conftest import AUTO_CSV, OLS, client_for, new_key
from tests.e2e.stack import Stack


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


async def test_no_route_leaks_another_tenants_job(api: Stack,
                                                  admin: httpx.AsyncClient) -> None:
    key_a, key_b = await new_key(admin, "tenant-a"), await new_key(admin, "tenant-b")
    async with client_for(api, key_a) as a, client_for(api, key_b) as b:
        job = (await a.post("/v1/jobs", json=OLS)).json()
        job_id = job["id"]
        assert (await a.put(f"/v1/jobs/{job_id}/inputs/auto.csv",
                            content=AUTO_CSV)).status_code == 201
        routes = [
            ("GET", f"/v1/jobs/{job_id}", None),
            ("POST", f"/v1/jobs/{job_id}/submit", None),
            ("POST", f"/v1/jobs/{job_id}/cancel", None),
            ("POST", f"/v1/jobs/{job_id}/retry", None),
            ("PUT", f"/v1/jobs/{job_id}/inputs/x.csv", b"a,b\n1,2\n"),
            ("GET", f"/v1/jobs/{job_id}/inputs/auto.csv/preview", None),
            ("GET", f"/v1/jobs/{job_id}/artifacts", None),
            ("GET", f"/v1/jobs/{job_id}/artifacts/main.log", None),
            ("GET", f"/v1/jobs/{job_id}/artifacts/main.log?redirect=true", None),
            ("GET", f"/v1/jobs/{job_id}/events", None),
        ]
        for method, path, body in routes:
            response = await b.request(method, path, content=body)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error_code"] == "JOB_NOT_FOUND", (method, path)
            assert "tenant-a" not in response.text
        listed = (await b.get("/v1/jobs")).json()["items"]
        assert job_id not in {j["id"] for j in listed}
        # ...and tenant a still sees its job untouched.
        again = (await a.get(f"/v1/jobs/{job_id}")).json()
        assert again["state"] == "created"
        assert [f["name"] for f in again["inputs"]] == ["auto.csv"]
