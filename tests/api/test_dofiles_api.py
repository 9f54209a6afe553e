"""Clients' own do-files through the API: POST /v1/dofiles/check, a do-file job's spec, its
uploads kept as they are, and the check at submit that refuses before anything is queued.
Every error body is checked against docs/errors.md (``client_for``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dev.servers import NatsServer, S3Server
from dev.stack import Stack
from tests.api.catalogue import assert_catalogued
from tests.api.conftest import REPO, client_for

ANALYSIS = """\
import delimited using "wages.csv", clear
merge m:1 firm using firms, keep(match) nogenerate
foreach v in wage hours {
    summarize `v'
}
regress wage hours, vce(robust)
estimates store m1
save analysis, replace
"""


@pytest.fixture(scope="module")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """This module's own NATS: whether a pool has workers is a fact of the server (a worker's
    durable consumer outlives it), and other modules start Stata workers on the shared one."""
    server = NatsServer(root=tmp_path_factory.mktemp("nats-dofiles"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(nats_server: NatsServer, s3_server: S3Server,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The API alone (no workers: jobs of the default pool stay queued), small do-file
    limits."""
    stack = Stack(nats=nats_server, s3=s3_server, root=Path(tmp_path_factory.mktemp("dofiles")),
                  settings={"SS_DO_LIBRARY": str(REPO / "do_library"),
                            "SS_DOFILE_INLINE_MAX_BYTES": "1024",
                            "SS_DOFILE_MAX_BYTES": "4096", "SS_INPUTS_MAX_PER_JOB": "6",
                            "SS_RATE_LIMIT_PER_S": "1000", "SS_RATE_LIMIT_BURST": "1000"})
    stack.start_api()
    yield stack
    stack.stop_all()


@pytest.fixture
async def c(api: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(api, "ss-dev-key") as client:
        yield client


async def check(c: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await c.post("/v1/dofiles/check", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def create(c: httpx.AsyncClient, **dofile: Any) -> dict[str, Any]:
    body = {"dofile": dofile, "output_formats": ["json", "log"]}
    response = await c.post("/v1/jobs", json=body)
    assert response.status_code == 201, response.text
    job: dict[str, Any] = response.json()
    return job


async def upload(c: httpx.AsyncClient, job_id: str, name: str, data: bytes) -> httpx.Response:
    return await c.put(f"/v1/jobs/{job_id}/inputs/{name}", content=data)


async def test_check_answers_per_line_and_per_engine(c: httpx.AsyncClient) -> None:
    answer = await check(c, source=ANALYSIS, name="analysis.do",
                         files=["wages.csv", "firms.dta"])
    assert (answer["ok"], answer["engine"], answer["engines"]) == (
        True, "embedded", ["embedded", "stata"])
    assert answer["problems"] == []
    assert [r["path"] for r in answer["reads"]] == ["wages.csv", "firms.dta"]
    assert [w["path"] for w in answer["writes"]] == ["analysis.dta"]

    answer = await check(c, source=ANALYSIS + "tabout wage educ using t.txt\nshell ls\n",
                         name="analysis.do", files=["wages.csv"])
    found = [(p["line"], p["kind"], p["rc"], p["engines"]) for p in answer["problems"]]
    assert found == [(2, "missing_file", 601, ["embedded", "stata"]),
                     (9, "unknown_command", 199, ["embedded"]),
                     (10, "policy", None, ["embedded", "stata"])]
    assert (answer["ok"], answer["engines"]) == (False, [])


async def test_check_says_which_engine_can_run_it(c: httpx.AsyncClient) -> None:
    source = "use data\ntabout y x using t.txt\n"
    assert (await check(c, source=source, files=["data.dta"]))["ok"] is False
    for engine, ok in (("stata", True), ("any", True), ("embedded", False)):
        answer = await check(c, source=source, files=["data.dta"], engine=engine)
        assert (answer["ok"], answer["engines"]) == (ok, ["stata"])


async def test_check_reads_the_do_and_ado_files_it_is_given(c: httpx.AsyncClient) -> None:
    answer = await check(c, source="do clean\nwins y\n",
                         texts={"clean.do": "use ../x\n", "wins.ado": "program wins\nend\n"})
    assert [(p["file"], p["line"], p["rule"]) for p in answer["problems"]] == [
        ("clean.do", 1, "outside_workspace")]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"source": "display 1", "engine": "spss"}, 400, "engine"),
    ({"source": "display 1", "files": ["../x.csv"]}, 400, "files[0]"),
    ({"source": "display 1", "name": "a/b.do"}, 400, "name"),
    ({"source": "x" * 5000}, 413, "source"),
    ({"source": "display 1", "texts": {"sub.do": "y" * 5000}}, 413, 'texts["sub.do"]'),
    ({"files": []}, 400, None),
    ({"source": "display 1", "extra": 1}, 400, None),
])
async def test_a_bad_check_request_names_its_field(c: httpx.AsyncClient, body: dict[str, Any],
                                                   status: int, field: str | None) -> None:
    response = await c.post("/v1/dofiles/check", json=body)
    assert response.status_code == status
    error = assert_catalogued(response)
    if field is not None:
        assert field in [f["field"] for f in error["details"]["fields"]]


@pytest.mark.parametrize(("body", "field"), [
    ({"dofile": {"source": "display 1"}, "template_id": "ols_robust"}, "template_id"),
    ({"output_formats": ["json"]}, "template_id"),
    ({"dofile": {}}, "dofile"),
    ({"dofile": {"source": "display 1", "input": "a.do"}}, "dofile"),
    ({"dofile": {"source": "   "}}, "dofile.source"),
    ({"dofile": {"source": "display 1\n" * 200}}, "dofile.source"),
    ({"dofile": {"input": "analysis.txt"}}, "dofile.input"),
    ({"dofile": {"input": "../a.do"}}, "dofile.input"),
    ({"dofile": {"source": "display 1"}, "engine": "spss"}, "engine"),
    ({"dofile": {"source": "display 1"}, "params": {"x": 1}}, "params"),
    ({"dofile": {"source": "display 1"}, "inputs": {"main": "a.csv"}}, "inputs"),
    ({"dofile": {"source": "display 1"}, "sheets": {"a.xlsx": "s"}}, "sheets"),
    ({"dofile": {"source": "display 1"}, "timeout_s": -1}, "timeout_s"),
])
async def test_a_bad_do_file_spec_is_refused_at_create(c: httpx.AsyncClient,
                                                       body: dict[str, Any],
                                                       field: str) -> None:
    response = await c.post("/v1/jobs", json=body)
    error = assert_catalogued(response, "VALIDATION_FAILED")
    assert field in [f["field"] for f in error["details"]["fields"]]


async def test_uploads_are_kept_as_they_are_and_ss_own_names_are_refused(
        c: httpx.AsyncClient) -> None:
    job = await create(c, input="analysis.do")
    for name, data in (("analysis.do", ANALYSIS.encode()), ("notes.txt", b"not a dataset"),
                       ("wins.ado", b"program wins\nend\n"), ("wave 1.csv", b"a,b\n1,2\n")):
        response = await upload(c, job["id"], name, data)
        assert response.status_code == 201, response.text
        assert (response.json()["format"], response.json()["columns"]) == ("", [])
    for name in ("main.log", "run.json", "results", "ss_rc.txt", "main.do"):
        assert_catalogued(await upload(c, job["id"], name, b"x"), "INPUT_NAME_INVALID")
    too_big = await upload(c, job["id"], "big.do", b"display 1\n" * 500)
    assert_catalogued(too_big, "INPUT_TOO_LARGE")
    presigned = await c.post(f"/v1/jobs/{job['id']}/uploads", json={
        "name": "big.ado", "size": 5000, "sha256": "0" * 64})
    assert_catalogued(presigned, "INPUT_TOO_LARGE")


async def test_submit_checks_with_the_uploads_and_refuses_with_every_problem(
        c: httpx.AsyncClient) -> None:
    job = await create(c, source=ANALYSIS + "shell rm -rf /\nsave /tmp/x\n")
    assert (await upload(c, job["id"], "wages.csv", b"firm,wage,hours\n1,10,3\n")).is_success
    refused = await c.post(f"/v1/jobs/{job['id']}/submit")
    error = assert_catalogued(refused, "DOFILE_CHECK_FAILED")
    assert [(p["line"], p["kind"]) for p in error["details"]["problems"]] == [
        (2, "missing_file"), (9, "policy"), (10, "policy")]
    assert error["details"]["engine"] == "embedded"
    assert "line 2" in error["message"]
    state = (await c.get(f"/v1/jobs/{job['id']}")).json()
    assert (state["state"], state["submission"]) == ("created", 0)


async def test_a_job_whose_do_file_checks_out_is_queued(c: httpx.AsyncClient) -> None:
    job = await create(c, input="analysis.do")
    missing = await c.post(f"/v1/jobs/{job['id']}/submit")
    assert_catalogued(missing, "INPUT_MISSING")
    for name, data in (("analysis.do", ANALYSIS.encode()), ("wages.csv", b"firm,wage\n1,2\n"),
                       ("firms.dta", b"not read before the run")):
        assert (await upload(c, job["id"], name, data)).is_success
    submitted = await c.post(f"/v1/jobs/{job['id']}/submit")
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["state"] == "queued"
    again = await c.post(f"/v1/jobs/{job['id']}/submit")
    assert again.status_code == 202
    assert again.json()["submission"] == 1


async def test_engine_any_goes_where_the_do_file_runs_and_workers_are(
        c: httpx.AsyncClient) -> None:
    runs_anywhere = (await c.post("/v1/jobs", json={
        "dofile": {"source": "display 1\n"}, "engine": "any"})).json()
    queued = await c.post(f"/v1/jobs/{runs_anywhere['id']}/submit")
    assert queued.status_code == 202, queued.text
    assert queued.json()["engine"] == "embedded"

    stata_only = (await c.post("/v1/jobs", json={
        "dofile": {"source": "tabout y x using t.txt\n"}, "engine": "any"})).json()
    # it could run on Stata, but no Stata worker ever served this deployment
    assert_catalogued(await c.post(f"/v1/jobs/{stata_only['id']}/submit"), "ENGINE_NOT_SERVED")

    nowhere = (await c.post("/v1/jobs", json={
        "dofile": {"source": "shell ls\n"}, "engine": "any"})).json()
    error = assert_catalogued(await c.post(f"/v1/jobs/{nowhere['id']}/submit"),
                              "DOFILE_CHECK_FAILED")
    assert error["details"]["engines"] == []


async def test_an_explicit_engine_without_workers_is_refused_at_create(
        c: httpx.AsyncClient) -> None:
    response = await c.post("/v1/jobs", json={"dofile": {"source": "display 1\n"},
                                               "engine": "stata"})
    assert_catalogued(response, "ENGINE_NOT_SERVED")
