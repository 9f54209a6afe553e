"""Jobs, inputs, idempotency, limits and every error code the API produces."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx

from dev.stack import Stack
from tests.api.conftest import AUTO_CSV, OLS, client_for, new_job, new_key


async def test_upload_returns_the_stata_name_map_and_preview(admin: httpx.AsyncClient) -> None:
    job_id = await new_job(admin)
    data = "Price (USD),mpg,Weight lbs,名字\n4099,22,2930,a\n4749,17,3350,b\n".encode()
    response = await admin.put(f"/v1/jobs/{job_id}/inputs/odd.csv", content=data)
    assert response.status_code == 201, response.text
    upload = response.json()
    assert upload["format"] == "csv"
    assert upload["size"] == len(data)
    originals = {c["original"]: c for c in upload["columns"]}
    assert originals["mpg"]["name"] == "mpg"
    assert originals["Price (USD)"]["name"].isidentifier()
    assert originals["名字"]["kind"] == "string"
    preview = await admin.get(f"/v1/jobs/{job_id}/inputs/odd.csv/preview?rows=1")
    assert preview.status_code == 200
    body = preview.json()
    assert body["source"]["format"] == "csv"
    assert len(body["rows"]) == 1
    assert body["rows"][0][1] == 22


async def test_bad_upload_is_refused_and_keeps_what_was_stored(admin: httpx.AsyncClient) -> None:
    job_id = await new_job(admin)
    assert (await admin.put(f"/v1/jobs/{job_id}/inputs/auto.csv",
                            content=AUTO_CSV)).status_code == 201
    before = (await admin.get(f"/v1/jobs/{job_id}")).json()["inputs"]
    junk = bytes(range(256)) * 8
    response = await admin.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=junk)
    assert response.status_code == 422
    assert response.json()["error_code"] == "INPUT_UNSUPPORTED_FORMAT"
    assert "csv" in str(response.json()["details"])
    after = (await admin.get(f"/v1/jobs/{job_id}")).json()["inputs"]
    assert after == before
    preview = await admin.get(f"/v1/jobs/{job_id}/inputs/auto.csv/preview")
    assert preview.status_code == 200  # the good upload is still there and readable


async def test_submit_validates_parameters_against_the_uploaded_columns(
    admin: httpx.AsyncClient,
) -> None:
    job_id = await new_job(admin, {**OLS, "params": {"depvar": "price",
                                                  "indepvars": ["mpg", "horsepower"]}})
    missing = await admin.post(f"/v1/jobs/{job_id}/submit")
    assert missing.status_code == 422
    assert missing.json()["error_code"] == "INPUT_MISSING"
    await admin.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
    response = await admin.post(f"/v1/jobs/{job_id}/submit")
    assert response.status_code == 422
    body = response.json()
    assert body["error_code"] == "TEMPLATE_PARAM_INVALID"
    assert [p["field"] for p in body["details"]["problems"]] == ["params.indepvars[1]"]
    assert (await admin.get(f"/v1/jobs/{job_id}")).json()["state"] == "created"


async def test_submit_queues_and_locks_inputs(admin: httpx.AsyncClient) -> None:
    job_id = await new_job(admin)
    await admin.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
    submitted = await admin.post(f"/v1/jobs/{job_id}/submit")
    assert submitted.status_code == 202
    assert submitted.json()["state"] == "queued"
    assert submitted.json()["submission"] == 1
    # The revision is the record's real one (what GET shows, if nothing moved it since).
    assert submitted.json()["revision"] == (await admin.get(f"/v1/jobs/{job_id}")).json()[
        "revision"]
    locked = await admin.put(f"/v1/jobs/{job_id}/inputs/more.csv", content=AUTO_CSV)
    assert locked.status_code == 409
    assert locked.json()["error_code"] == "INPUT_LOCKED"
    retry = await admin.post(f"/v1/jobs/{job_id}/retry")
    assert retry.status_code == 409
    assert retry.json()["error_code"] == "JOB_STATE_CONFLICT"


async def test_uploads_at_once_to_one_job_are_all_listed(admin: httpx.AsyncClient) -> None:
    # Each upload reads the record before its bytes go to S3 and lists itself with a CAS from
    # that copy: the other upload's change in between must fail that CAS, not be overwritten.
    job_id = await new_job(admin)
    names = ["a.csv", "b.csv"]
    responses = await asyncio.gather(*(admin.put(f"/v1/jobs/{job_id}/inputs/{name}",
                                                 content=AUTO_CSV) for name in names))
    assert [r.status_code for r in responses] == [201, 201]
    job = (await admin.get(f"/v1/jobs/{job_id}")).json()
    assert sorted(f["name"] for f in job["inputs"]) == names
    assert len({f["key"] for f in job["inputs"]}) == 2


async def test_submitting_a_running_job_is_refused_and_leaves_the_run_alone(
    api: Stack, admin: httpx.AsyncClient
) -> None:
    from libs.bus.connection import connect
    from libs.bus.jobstore import JobStore
    from libs.contracts.work import RunWork
    from services.worker import transitions

    tenant = "running"
    async with client_for(api, await new_key(admin, tenant)) as c:
        job_id = await new_job(c)
        await c.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
        assert (await c.post(f"/v1/jobs/{job_id}/submit")).status_code == 202
        bus = await connect(api.nats.url, name="ss-worker-claim",
                            creds=api.nats.creds("worker"))
        try:  # a worker claims it
            await (await JobStore.open(bus)).mutate(tenant, job_id, transitions.claim(
                RunWork(tenant=tenant, job_id=job_id, submission=1), "w-1", "embedded"))
        finally:
            await bus.close()
        again = await c.post(f"/v1/jobs/{job_id}/submit")
        assert again.status_code == 409
        assert again.json()["error_code"] == "JOB_STATE_CONFLICT"
        after = (await c.get(f"/v1/jobs/{job_id}")).json()
        assert (after["state"], after["submission"], after["attempt"]) == ("running", 1, 1)


async def test_idempotency_key_replays_and_refuses_reuse(admin: httpx.AsyncClient) -> None:
    key = {"idempotency-key": str(uuid.uuid4())}
    first = await admin.post("/v1/jobs", json=OLS, headers=key)
    again = await admin.post("/v1/jobs", json=OLS, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = await admin.post("/v1/jobs", json={**OLS, "output_formats": ["csv"]}, headers=key)
    assert other.status_code == 409
    assert other.json()["error_code"] == "IDEMPOTENCY_KEY_REUSED"
    concurrent = {"idempotency-key": str(uuid.uuid4())}
    results = await asyncio.gather(*(admin.post("/v1/jobs", json=OLS, headers=concurrent)
                                     for _ in range(5)))
    assert len({r.json()["id"] for r in results}) == 1
    job_id = first.json()["id"]
    await admin.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
    sub_key = {"idempotency-key": str(uuid.uuid4())}
    s1 = await admin.post(f"/v1/jobs/{job_id}/submit", headers=sub_key)
    s2 = await admin.post(f"/v1/jobs/{job_id}/submit", headers=sub_key)
    assert s1.status_code == s2.status_code == 202
    assert s1.json()["submission"] == s2.json()["submission"] == 1


async def test_list_pagination_with_cursor(api: Stack, admin: httpx.AsyncClient) -> None:
    async with client_for(api, await new_key(admin, "pager")) as c:
        ids = [await new_job(c) for _ in range(5)]
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
            page = (await c.get("/v1/jobs", params=params)).json()
            seen += [j["id"] for j in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(ids, reverse=True)
        for bad in ("%%%", "0", ids[0]):
            assert (await c.get("/v1/jobs", params={"cursor": bad})).status_code == 400


async def test_error_codes_of_the_api(api: Stack, admin: httpx.AsyncClient) -> None:
    async def code(response: httpx.Response) -> tuple[int, str]:
        body = response.json()
        assert body["request_id"]
        assert "Traceback" not in response.text
        return response.status_code, body["error_code"]

    assert await code(await admin.post("/v1/jobs", json={"params": {}})) == (
        400, "VALIDATION_FAILED")
    assert await code(await admin.post("/v1/jobs", json={**OLS, "output_formats": []})) == (
        422, "OUTPUT_FORMATS_INVALID")
    assert await code(await admin.post("/v1/jobs", json={**OLS, "template_id": "nope"})) == (
        404, "TEMPLATE_NOT_FOUND")
    bad_param = {**OLS, "params": {"depvar": "price; shell rm -rf /", "indepvars": ["mpg"]}}
    assert await code(await admin.post("/v1/jobs", json=bad_param)) == (
        422, "TEMPLATE_PARAM_INVALID")
    assert await code(await admin.get("/v1/nothing")) == (404, "ROUTE_NOT_FOUND")
    assert await code(await admin.delete("/v1/jobs")) == (405, "METHOD_NOT_ALLOWED")
    assert await code(await admin.get("/v1/jobs/0123")) == (404, "JOB_NOT_FOUND")
    huge = {**OLS, "labels": {"x": "y" * (2 * 1024 * 1024)}}
    assert await code(await admin.post("/v1/jobs", json=huge)) == (413, "REQUEST_TOO_LARGE")
    job_id = await new_job(admin)
    assert await code(await admin.put(f"/v1/jobs/{job_id}/inputs/..bad",
                                      content=b"x")) == (400, "INPUT_NAME_INVALID")
    big = b"a,b\n" + b"1,2\n" * 100_000
    assert await code(await admin.put(f"/v1/jobs/{job_id}/inputs/big.csv",
                                      content=big)) == (413, "INPUT_TOO_LARGE")
    for name in ("one.csv", "two.csv"):
        await admin.put(f"/v1/jobs/{job_id}/inputs/{name}", content=AUTO_CSV)
    assert await code(await admin.put(f"/v1/jobs/{job_id}/inputs/three.csv",
                                      content=AUTO_CSV)) == (422, "INPUT_TOO_MANY")
    assert await code(await admin.get(f"/v1/jobs/{job_id}/artifacts/none.txt")) == (
        404, "ARTIFACT_NOT_FOUND")
    other = await new_job(admin)
    assert await code(await admin.put(f"/v1/jobs/{other}/inputs/charts.xlsx",
                                      content=_chart_only_workbook())) == (
        422, "INPUT_NO_WORKSHEET")


def _chart_only_workbook() -> bytes:
    """A workbook whose only worksheet is hidden behind a chart sheet."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["a", "b"])
    sheet.append([1, 2])
    sheet.sheet_state = "hidden"
    book.create_chartsheet("Chart")
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_rate_limit_answers_429_with_retry_after(api: Stack,
                                                       admin: httpx.AsyncClient) -> None:
    # SS_RATE_LIMIT_BURST=100 requests count for 100 / SS_RATE_LIMIT_PER_S=25 = 4 s each.
    async with client_for(api, await new_key(admin, "hammer")) as c:
        responses = await asyncio.gather(*(c.get("/v1/templates") for _ in range(150)))
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) >= 100
        limited = next(r for r in responses if r.status_code == 429)
        assert 1 <= int(limited.headers["retry-after"]) <= 4
        assert limited.json()["error_code"] == "RATE_LIMITED"
        await asyncio.sleep(int(limited.headers["retry-after"]))
        assert (await c.get("/v1/templates")).status_code == 200


async def test_a_create_that_died_after_storing_its_job_is_finished_by_the_retry(
    api: Stack, admin: httpx.AsyncClient
) -> None:
    """The first request claimed its key, stored the job and died (NATS went away under it,
    or its process was killed) before announcing it or releasing the key: the retry with the
    same key, once the claim's lease has run out, answers with that same job, announced once."""
    import msgspec

    from libs import names
    from libs.bus.connection import connect
    from libs.bus.idempotency import LEASE_S, IdempotencyStore, StoredResponse, fingerprint
    from libs.bus.jobindex import BLOCK, JobIndex
    from libs.bus.jobstore import JobStore
    from libs.contracts.jobs import JobRecord, JobSpec, new_job_id, now_iso
    from tests.jetstream import job_events

    tenant, key = "died", str(uuid.uuid4())
    spec = msgspec.convert(OLS, JobSpec)
    reserved = new_job_id()
    async with client_for(api, await new_key(admin, tenant)) as c:
        bus = await connect(api.nats.url, name="dead-request", creds=api.nats.creds("admin"))
        try:
            kv = await bus.js.key_value(names.IDEMPOTENCY_BUCKET)
            await kv.put(IdempotencyStore.entry_key(tenant, "create", key),
                         msgspec.json.encode(StoredResponse(
                             fingerprint=fingerprint("POST", "/v1/jobs",
                                                     msgspec.json.encode(spec)),
                             claimed_at=time.time() - LEASE_S - 1, reservation=reserved)))
            # It indexed the job and stored it, as create does; the tenant's index moved past
            # that block since (ids of requests that died before storing their record).
            index = JobIndex(bus)
            await index.add(tenant, reserved)
            await (await JobStore.open(bus)).create(JobRecord(
                id=reserved, tenant=tenant, spec=spec, created_at=now_iso()))
            await asyncio.gather(*(index.add(tenant, new_job_id()) for _ in range(BLOCK)))
            retried = await c.post("/v1/jobs", json=OLS, headers={"idempotency-key": key})
            assert retried.status_code == 201, retried.text
            assert retried.json()["id"] == reserved
            again = await c.post("/v1/jobs", json=OLS, headers={"idempotency-key": key})
            assert again.json()["id"] == reserved
            assert again.headers["idempotent-replayed"] == "true"
            listed = (await c.get("/v1/jobs", params={"limit": 200})).json()["items"]
            assert [j["id"] for j in listed] == [reserved]
            events = await job_events(bus, tenant, reserved)
            assert [type(e).__name__ for e in events] == ["JobCreated"]
        finally:
            await bus.close()
