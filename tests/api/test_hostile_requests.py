"""Requests outside the happy path: every answer is a catalogued error, never a 500.

Malformed and non-JSON bodies on every JSON route, a fuzz sweep of bodies, path segments and
headers, hostile ``Last-Event-ID`` values, refused parameters named by their path, and job
specs that could only fail at run time. (Uploads: test_hostile_inputs.py; engines without
workers: test_engine_pools.py.)
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dev.stack import Stack
from tests.api.catalogue import assert_catalogued, check, problem
from tests.api.conftest import AUTO_CSV, OLS, new_job

JSON = {"content-type": "application/json"}

#: Bodies no JSON route may answer with anything but a catalogued 4xx.
BAD_BODIES: dict[str, bytes] = {
    "truncated": b'{"template_id":',
    "nan": b'{"template_id":"ols","timeout_s":NaN}',
    "infinity": b'{"template_id":"ols","timeout_s":Infinity}',
    "minus-infinity": b'{"template_id":"ols","timeout_s":-Infinity}',
    "out-of-range": b'{"template_id":"ols","timeout_s":1e400}',
    "invalid-utf8": b'{"template_id":"\xff\xfe"}',
    "overlong-utf8": b'{"template_id":"\xc0\xaf"}',
    "surrogate-utf8": b'{"template_id":"\xed\xa0\x80"}',
    "latin1": '{"template_id":"Umfrage für 2020"}'.encode("latin-1"),
    "empty": b"",
    "whitespace": b"  \n ",
    "null": b"null",
    "array": b"[]",
    "string": b'"ols"',
    "deep": b'{"template_id":' + b"[" * 30_000 + b"]" * 30_000 + b"}",
    "trailing": b'{"template_id":"ols"} {}',
    "nul": b'{"template_id":"ols\x00"}',
}


def test_the_catalogue_check_refuses_what_the_page_does_not_list() -> None:
    json_type = httpx.Headers({"content-type": "application/json"})

    def body(code: str) -> bytes:
        return json.dumps({"error_code": code, "message": "m", "details": {},
                           "request_id": "r"}).encode()

    assert problem(400, json_type, body("VALIDATION_FAILED")) is None
    assert "does not list" in str(problem(400, json_type, body("HTTP_400")))
    assert "came with 404" in str(problem(404, json_type, body("VALIDATION_FAILED")))
    assert "server error" in str(problem(500, json_type, body("INTERNAL_ERROR")))
    assert "not JSON" in str(problem(400, httpx.Headers({"content-type": "text/plain"}), b"x"))
    assert "error shape" in str(problem(400, json_type, b'{"detail": "x"}'))


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
async def test_a_bad_json_body_is_a_catalogued_400(client: httpx.AsyncClient, name: str) -> None:
    response = await client.post("/v1/jobs", content=BAD_BODIES[name], headers=JSON)
    body = assert_catalogued(response)
    assert response.status_code in (400, 404, 422), body


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", "application/xml",
                                   "application/msgpack"])
async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient, ctype: str) -> None:
    response = await client.post("/v1/jobs", content=b'{"template_id":"ols"}',
                            headers={"content-type": ctype})
    body = assert_catalogued(response, "UNSUPPORTED_MEDIA_TYPE")
    assert "application/json" in body["message"]


async def test_json_content_types_are_accepted(client: httpx.AsyncClient) -> None:
    for ctype in ("application/json", "application/json; charset=utf-8",
                  "application/vnd.ss+json"):
        response = await client.post("/v1/jobs", json=OLS, headers={"content-type": ctype})
        assert response.status_code == 201, (ctype, response.text)


async def test_every_route_answers_hostile_requests_from_the_catalogue(
    client: httpx.AsyncClient,
) -> None:
    """For each operation of the OpenAPI document: a method it does not have, junk path
    parameters, and (for JSON bodies) each bad body and a wrong content type."""
    document = (await client.get("/schema/openapi.json")).json()
    job_id = await new_job(client)
    junk = ["%00", "%FF%FE", "..", "a%20b", "x" * 300, "%E2%80%AE", "-1"]
    failures: list[str] = []

    async def probe(method: str, url: str, **kwargs: Any) -> None:
        response = await client.request(method, url, **kwargs)
        found = check(response)
        if found:
            failures.append(f"{method} {url}: {found}")

    for path, item in document["paths"].items():
        methods = {m.upper() for m in item if m != "parameters"}
        concrete = path.replace("{job_id}", job_id)
        for other in sorted({"GET", "POST", "PUT", "DELETE", "PATCH"} - methods):
            await probe(other, concrete)
        for method in sorted(methods):
            for value in junk:
                await probe(method, path.replace("{job_id}", value).replace("{", "").replace(
                    "}", ""))
            if "requestBody" in item[method.lower()]:
                for bad in BAD_BODIES.values():
                    await probe(method, concrete, content=bad, headers=JSON)
                await probe(method, concrete, content=b"{}", headers={"content-type":
                                                                     "text/plain"})
    assert not failures, "\n".join(failures[:40])


def test_random_bodies_headers_and_names_get_catalogued_answers(hostile_api: Stack) -> None:
    """A fuzz sweep: arbitrary bytes as JSON bodies, arbitrary text as path segments, and
    arbitrary Last-Event-ID values; every answer is a success or a catalogued error."""
    headers = {"authorization": "Bearer ss-dev-key"}
    with httpx.Client(base_url=hostile_api.api_url, headers=headers, timeout=30) as http:
        job_id = http.post("/v1/jobs", json=OLS).json()["id"]
        json_routes = ["/v1/jobs", f"/v1/jobs/{job_id}/uploads",
                       f"/v1/jobs/{job_id}/uploads/u1/complete",
                       f"/v1/jobs/{job_id}/uploads/u1/parts", "/v1/admin/keys"]
        texts = st.text(st.characters(codec="utf-8"), max_size=40)
        failures: list[str] = []

        def record(response: httpx.Response) -> None:
            found = check(response)
            if found:
                failures.append(f"{response.request.method} {response.request.url}: {found}")

        @given(body=st.one_of(st.binary(max_size=300), texts.map(str.encode),
                              # raw bytes inside a JSON string: where UTF-8 is checked
                              st.binary(max_size=12).map(lambda b: b'{"name":"' + b + b'"}'),
                              st.recursive(st.none() | st.booleans() | st.floats() | texts,
                                           lambda inner: st.lists(inner, max_size=4)
                                           | st.dictionaries(texts, inner, max_size=4))
                              .map(lambda v: json.dumps(v).encode())),
               route=st.sampled_from(json_routes), segment=texts,
               # What HTTP lets through a header value: visible ASCII and obs-text bytes.
               event_id=st.lists(st.sampled_from([*range(0x21, 0x7F), *range(0x80, 0x100)]),
                                 max_size=30).map(bytes))
        @settings(max_examples=150, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def sweep(body: bytes, route: str, segment: str, event_id: bytes) -> None:
            record(http.post(route, content=body, headers=JSON))
            quoted = quote(segment, safe="")
            record(http.get(f"/v1/jobs/{quoted}"))
            record(http.put(f"/v1/jobs/{job_id}/inputs/{quoted}", content=b"a,b\n1,2\n"))
            record(http.get(f"/v1/jobs/{job_id}/artifacts/{quoted}"))
            record(http.get(f"/v1/templates/{quoted}"))
            with http.stream("GET", f"/v1/jobs/{job_id}/events",
                             headers={b"last-event-id": event_id}, timeout=5) as response:
                if response.status_code != 200:
                    response.read()
                    record(response)

        sweep()
    assert not failures, "\n".join(sorted(set(failures))[:30])


async def test_a_query_parameter_given_twice_is_refused(client: httpx.AsyncClient) -> None:
    body = assert_catalogued(await client.get("/v1/jobs?limit=5&limit=50"), "VALIDATION_FAILED")
    assert _fields(body) == ["limit"]


async def test_an_unknown_query_parameter_is_refused(client: httpx.AsyncClient) -> None:
    """A misspelt filter must not silently list everything."""
    body = assert_catalogued(await client.get("/v1/templates?famliy=panel"),
                             "VALIDATION_FAILED")
    assert _fields(body) == ["famliy"]
    body = assert_catalogued(await client.get("/v1/jobs?limit=5&other=1&other=2"),
                             "VALIDATION_FAILED")
    assert _fields(body) == ["other"]
    assert (await client.get("/v1/templates?family=panel")).status_code == 200
    assert (await client.get("/v1/jobs?limit=5")).status_code == 200


async def test_unknown_routes_and_methods_are_catalogued(client: httpx.AsyncClient) -> None:
    assert_catalogued(await client.get("/v1/nope"), "ROUTE_NOT_FOUND")
    assert_catalogued(await client.get("/"), "ROUTE_NOT_FOUND")
    assert_catalogued(await client.delete("/v1/jobs"), "METHOD_NOT_ALLOWED")
    assert_catalogued(await client.patch("/v1/templates"), "METHOD_NOT_ALLOWED")
    assert_catalogued(await client.post("/v1/jobs", content=b"x" * (2 * 1024 * 1024),
                                   headers=JSON), "REQUEST_TOO_LARGE")


# --- Last-Event-ID -----------------------------------------------------------------------

async def _first_event(client: httpx.AsyncClient, job_id: str,
                       last_event_id: bytes | None) -> tuple[int, str]:
    """Status and the first SSE block (or the error body) of the job's event stream."""
    headers = {b"last-event-id": last_event_id} if last_event_id is not None else {}
    async with client.stream("GET", f"/v1/jobs/{job_id}/events", headers=headers) as response:
        if response.status_code != 200:
            await response.aread()
            assert_catalogued(response)
            return response.status_code, response.text
        text = ""
        async for chunk in response.aiter_text():
            text += chunk
            if "\n\n" in text.replace("\r\n", "\n"):
                return 200, text
    return 200, text


@pytest.mark.parametrize("value", [
    "²".encode("latin-1"), "²".encode(), "٣".encode(), b"99999999999999999999",
    b"18446744073709551615", b"9223372036854775808", b"-1", b"+1", b"1 2", b"1" * 400,
    b"0x10", b"1e3", b"abc", b"1.0",
])
async def test_a_hostile_last_event_id_is_400(client: httpx.AsyncClient, value: bytes) -> None:
    job_id = await new_job(client)
    status, text = await asyncio.wait_for(_first_event(client, job_id, value), 10)
    assert status == 400, text
    assert '"VALIDATION_FAILED"' in text
    assert "Last-Event-ID" in text


async def test_an_id_beyond_the_stream_is_400_and_a_real_one_resumes(
    client: httpx.AsyncClient,
) -> None:
    job_id = await new_job(client)
    status, first = await asyncio.wait_for(_first_event(client, job_id, None), 10)
    assert status == 200
    assert "event: created" in first
    seq = int(next(line for line in first.splitlines() if line.startswith("id: "))[4:])
    status, text = await asyncio.wait_for(_first_event(client, job_id, str(seq + 10**9).encode()),
                                          10)
    assert status == 400
    assert "Last-Event-ID" in text
    # Resuming after the created event: the next event is the one submit publishes.
    await client.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
    assert (await client.post(f"/v1/jobs/{job_id}/submit")).status_code == 202
    status, text = await asyncio.wait_for(_first_event(client, job_id, str(seq).encode()), 10)
    assert status == 200, text
    assert "event: queued" in text, text
    status, text = await asyncio.wait_for(_first_event(client, job_id, b"0"), 10)
    assert "event: created" in text


# --- a refused parameter names its path --------------------------------------------

@pytest.mark.parametrize(("params", "field"), [
    ({"depvar": "price", "indepvars": [["mpg"]]}, "params.indepvars[0]"),
    ({"depvar": "price", "indepvars": ["mpg", 7]}, "params.indepvars[1]"),
    ({"depvar": "price", "indepvars": ["mpg", "weight", None]}, "params.indepvars[2]"),
    ({"depvar": "price", "indepvars": ["mpg", "2x"]}, "params.indepvars[1]"),
    ({"depvar": {"a": 1}, "indepvars": ["mpg"]}, "params.depvar"),
    ({"depvar": "price", "indepvars": ["mpg"], "odd name": 1}, 'params["odd name"]'),
])
async def test_a_refused_parameter_names_its_path(client: httpx.AsyncClient, params: dict[str, Any],
                                                  field: str) -> None:
    response = await client.post("/v1/jobs", json={**OLS, "params": params})
    body = assert_catalogued(response)
    assert field in _fields(body), body


async def test_a_parameter_refused_at_submit_names_its_path(client: httpx.AsyncClient) -> None:
    job_id = await new_job(client, {**OLS, "params": {"depvar": "price",
                                                 "indepvars": ["mpg", "nope", "weight"]}})
    await client.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
    body = assert_catalogued(await client.post(f"/v1/jobs/{job_id}/submit"),
                             "TEMPLATE_PARAM_INVALID")
    assert _fields(body) == ["params.indepvars[1]"]
    assert body["details"]["problems"][0]["param"] == "indepvars"


@pytest.mark.parametrize(("extra", "field"), [
    ({"labels": {"team": 1}}, "labels.team"),
    ({"labels": {"a b": ["x"]}}, 'labels["a b"]'),
    ({"inputs": {"main": 3}}, "inputs.main"),
    ({"sheets": {"data.xlsx": None}}, 'sheets["data.xlsx"]'),
    ({"output_formats": ["csv", 7]}, "output_formats[1]"),
    ({"timeout_s": [60]}, "timeout_s"),
])
async def test_a_refused_spec_field_names_its_path(client: httpx.AsyncClient, extra: dict[str, Any],
                                                   field: str) -> None:
    body = assert_catalogued(await client.post("/v1/jobs", json={**OLS, **extra}))
    assert field in _fields(body), body


async def test_nested_upload_bodies_name_their_path(client: httpx.AsyncClient) -> None:
    job_id = await new_job(client)
    body = assert_catalogued(await client.post(f"/v1/jobs/{job_id}/uploads/x/complete",
                                          json={"parts": [{"number": 1, "etag": 5}]}))
    assert "parts[0].etag" in _fields(body)


def _fields(body: dict[str, Any]) -> list[str]:
    """Every field an error body names (``details.fields``, parameter problems)."""
    details = body["details"]
    if body["error_code"] == "VALIDATION_FAILED":
        assert details["fields"], body  # the one shape of every VALIDATION_FAILED
    named = [f["field"] for f in details.get("fields", [])]
    return named + [p["field"] for p in details.get("problems", [])]


# --- the spec is validated at create -----------------------------------------------

@pytest.mark.parametrize(("extra", "field"), [
    ({"timeout_s": -1}, "timeout_s"),
    ({"timeout_s": 0}, "timeout_s"),
    ({"timeout_s": 1e300}, "timeout_s"),
    ({"timeout_s": 601}, "timeout_s"),
    ({"sheets": {"data.csv": "Sheet1"}}, 'sheets["data.csv"]'),
    ({"sheets": {"data.dta": "Sheet1"}}, 'sheets["data.dta"]'),
    ({"sheets": {"data.xlsx": ""}}, 'sheets["data.xlsx"]'),
    ({"sheets": {"data.xlsx": "a" * 256}}, 'sheets["data.xlsx"]'),
    ({"sheets": {"data.xlsx": "2020:Q1"}}, 'sheets["data.xlsx"]'),
    ({"sheets": {"a/b.xlsx": "S"}}, 'sheets["a/b.xlsx"]'),
    ({"inputs": {"using": "a.csv"}}, "inputs.using"),
    ({"inputs": {"main": "../a.csv"}}, "inputs.main"),
    ({"labels": {str(i): "x" for i in range(40)}}, "labels"),
    ({"labels": {"k" * 100: "x"}}, "labels." + "k" * 100),
    ({"labels": {"team": "a\nb"}}, "labels.team"),
    ({"engine": "gpu"}, "engine"),
])
async def test_a_spec_that_can_only_fail_later_is_refused_at_create(
    client: httpx.AsyncClient, extra: dict[str, Any], field: str,
) -> None:
    response = await client.post("/v1/jobs", json={**OLS, **extra})
    body = assert_catalogued(response, "VALIDATION_FAILED")
    assert field in _fields(body), body


async def test_repeated_output_formats_are_refused(client: httpx.AsyncClient) -> None:
    assert_catalogued(await client.post("/v1/jobs", json={**OLS, "output_formats": ["csv", "csv"]}),
                      "OUTPUT_FORMATS_INVALID")


async def test_a_sound_spec_is_accepted(client: httpx.AsyncClient) -> None:
    spec = {**OLS, "timeout_s": 600, "sheets": {"survey.xlsx": "Daten 2020"},
            "inputs": {"main": "survey.xlsx"}, "labels": {"team": "Umfrage (final)"}}
    response = await client.post("/v1/jobs", json=spec)
    assert response.status_code == 201, response.text
    assert response.json()["spec"]["timeout_s"] == 600
