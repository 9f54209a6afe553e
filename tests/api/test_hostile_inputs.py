"""Uploads outside the happy path: header-only files in every format, and ordinary file names
(spaces, CJK, parentheses) alongside the names that stay refused."""

from __future__ import annotations

import hashlib
import io
from typing import Any
from urllib.parse import quote

import httpx
import openpyxl
import pandas as pd
import pytest

from tests.api.catalogue import assert_catalogued
from tests.api.conftest import AUTO_CSV, new_job
from tests.datasets.builders import xls


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _dta(rows: int) -> bytes:
    frame = pd.DataFrame({"price": [float(i) for i in range(rows)],
                          "make": [f"car {i}" for i in range(rows)]})
    buffer = io.BytesIO()
    frame.to_stata(buffer, write_index=False, version=118)
    return buffer.getvalue()


#: name -> (header-only file, the same file with one row)
FILES: dict[str, tuple[bytes, bytes]] = {
    "t.csv": (b"price,make\n", b"price,make\n1,a\n"),
    "t.xlsx": (_xlsx([["price", "make"]]), _xlsx([["price", "make"], [1, "a"]])),
    "t.xls": (xls([("Sheet1", [["price", "make"]], 0)]),
              xls([("Sheet1", [["price", "make"], [1.0, "a"]], 0)])),
    "t.dta": (_dta(0), _dta(1)),
}


@pytest.mark.parametrize("name", sorted(FILES))
async def test_a_header_without_rows_is_refused_at_upload(client: httpx.AsyncClient,
                                                          name: str) -> None:
    empty, one_row = FILES[name]
    job_id = await new_job(client)
    stored = await client.put(f"/v1/jobs/{job_id}/inputs/{name}", content=one_row)
    assert stored.status_code == 201, stored.text
    body = assert_catalogued(await client.put(f"/v1/jobs/{job_id}/inputs/{name}",
                                              content=empty), "INPUT_EMPTY")
    assert body["details"]["input"] == name
    assert "make" in body["details"]["columns"]
    job = (await client.get(f"/v1/jobs/{job_id}")).json()
    assert job["inputs"] == [stored.json()]  # the stored input is untouched
    preview = await client.get(f"/v1/jobs/{job_id}/inputs/{name}/preview")
    assert preview.status_code == 200
    assert len(preview.json()["rows"]) == 1


@pytest.mark.parametrize("name", sorted(FILES))
async def test_a_header_without_rows_is_refused_on_presigned_completion(
    client: httpx.AsyncClient, name: str,
) -> None:
    empty, _ = FILES[name]
    job_id = await new_job(client)
    await client.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
    before = (await client.get(f"/v1/jobs/{job_id}")).json()["inputs"]
    plan = (await client.post(f"/v1/jobs/{job_id}/uploads", json={
        "name": name, "size": len(empty), "sha256": hashlib.sha256(empty).hexdigest()})).json()
    async with httpx.AsyncClient() as s3:
        assert (await s3.put(plan["url"], content=empty,
                             headers=plan["headers"])).status_code == 200
    assert_catalogued(await client.post(
        f"/v1/jobs/{job_id}/uploads/{plan['upload_id']}/complete", json={}), "INPUT_EMPTY")
    job = (await client.get(f"/v1/jobs/{job_id}")).json()
    assert job["inputs"] == before
    assert job["pending_uploads"] == []


ORDINARY = ["my data.csv", "数据.csv", "Umfrage_2020 (final).csv", "résumé – v2.csv",
            "100% sample.csv", "#1 & co.csv", ".hidden.csv", "-dash.csv", "a" * 251 + ".csv",
            "données'16.csv", "x.y.z.csv"]


@pytest.mark.parametrize("name", ORDINARY)
async def test_an_ordinary_file_name_is_accepted_and_shown_as_given(
    client: httpx.AsyncClient, name: str,
) -> None:
    job_id = await new_job(client)
    response = await client.put(f"/v1/jobs/{job_id}/inputs/{quote(name, safe='')}",
                                content=AUTO_CSV)
    assert response.status_code == 201, response.text
    upload = response.json()
    assert upload["name"] == name
    segment = upload["key"].rsplit("/", 1)[-1]
    assert segment.isascii()
    assert " " not in segment
    assert "/" not in segment
    assert upload["key"].startswith(f"tenants/dev/jobs/{job_id}/inputs/")
    assert [f["name"] for f in (await client.get(f"/v1/jobs/{job_id}")).json()["inputs"]] == [
        name]
    preview = await client.get(f"/v1/jobs/{job_id}/inputs/{quote(name, safe='')}/preview")
    assert preview.status_code == 200, preview.text
    presigned = await client.post(f"/v1/jobs/{job_id}/uploads", json={
        "name": name, "size": len(AUTO_CSV), "sha256": hashlib.sha256(AUTO_CSV).hexdigest()})
    assert presigned.status_code == 201, presigned.text


REFUSED = ["..", ".", "a..b.csv", "../x.csv", "a\\b.csv", "x\x00.csv", "x\n.csv", "x\r.csv",
           "x\x7f.csv", "x\x85.csv", "evil\u202ecsv.exe", "a\u2028b.csv", "   ", "",
           "a" * 252 + ".csv", "数" * 100 + ".csv"]


@pytest.mark.parametrize("name", REFUSED)
async def test_an_unsafe_file_name_is_refused(client: httpx.AsyncClient, name: str) -> None:
    job_id = await new_job(client)
    body = assert_catalogued(await client.post(f"/v1/jobs/{job_id}/uploads", json={
        "name": name, "size": 10, "sha256": "0" * 64}), "INPUT_NAME_INVALID")
    assert body["details"]["name"] == name
    if name and name not in (".", ".."):  # these two are resolved away by URL rules
        put = await client.put(f"/v1/jobs/{job_id}/inputs/{quote(name, safe='')}",
                               content=AUTO_CSV)
        assert_catalogued(put)
        assert put.status_code in (400, 404)
    assert (await client.get(f"/v1/jobs/{job_id}")).json()["inputs"] == []


async def test_a_path_separator_in_a_put_name_never_reaches_storage(
    client: httpx.AsyncClient,
) -> None:
    job_id = await new_job(client)
    for raw in ("a%2Fb.csv", "a/b.csv", "..%2Fx.csv", "%2E%2E"):
        assert_catalogued(await client.put(f"/v1/jobs/{job_id}/inputs/{raw}", content=AUTO_CSV))
    assert (await client.get(f"/v1/jobs/{job_id}")).json()["inputs"] == []


async def test_sheets_are_checked_against_what_is_uploaded(client: httpx.AsyncClient) -> None:
    book = _xlsx([["price", "make"], [1, "a"]])
    two = io.BytesIO()
    workbook = openpyxl.load_workbook(io.BytesIO(book))
    workbook.create_sheet("Daten").append(["weight", "mpg"])
    workbook["Daten"].append([2930, 22])
    workbook.save(two)
    spec = {"template_id": "ols_robust", "params": {"depvar": "weight", "indepvars": ["mpg"]},
            "sheets": {"cars.xlsx": "Daten", "cars.bin": "Daten"}}
    job_id = (await client.post("/v1/jobs", json=spec)).json()["id"]
    # A sheet for an upload whose content is text, whatever its name says.
    assert_catalogued(await client.put(f"/v1/jobs/{job_id}/inputs/cars.bin", content=AUTO_CSV),
                      "INPUT_SHEET_NOT_FOUND")
    # ?sheet= may not contradict the job's sheets.
    body = assert_catalogued(await client.put(f"/v1/jobs/{job_id}/inputs/cars.xlsx?sheet=Sheet",
                                              content=two.getvalue()), "VALIDATION_FAILED")
    assert body["details"]["fields"][0]["field"] == "sheet"
    # The upload is read from the job's sheet, and says so.
    stored = (await client.put(f"/v1/jobs/{job_id}/inputs/cars.xlsx",
                               content=two.getvalue())).json()
    assert stored["sheet"] == "Daten"
    assert [c["name"] for c in stored["columns"]] == ["weight", "mpg"]
    # A sheet named for a file that feeds nothing is refused at submit, not ignored.
    body = assert_catalogued(await client.post(f"/v1/jobs/{job_id}/submit"),
                             "VALIDATION_FAILED")
    assert [f["field"] for f in body["details"]["fields"]] == ['sheets["cars.bin"]']
    # An upload's ?sheet= is kept on the input, so the worker reads what was checked.
    other = (await client.post("/v1/jobs", json={**spec, "sheets": {}})).json()["id"]
    kept = (await client.put(f"/v1/jobs/{other}/inputs/cars.xlsx?sheet=Daten",
                             content=two.getvalue())).json()
    assert kept["sheet"] == "Daten"
    assert (await client.post(f"/v1/jobs/{other}/submit")).status_code == 202


async def test_an_input_too_wide_for_the_job_record_is_refused_not_retried(
    client: httpx.AsyncClient,
) -> None:
    """The record is one NATS message: an upload whose column map would not leave it room
    is a catalogued refusal (it was a 503 "retry shortly", which no retry could cure)."""
    job_id = await new_job(client)
    await client.put(f"/v1/jobs/{job_id}/inputs/auto.csv", content=AUTO_CSV)
    before = (await client.get(f"/v1/jobs/{job_id}")).json()["inputs"]
    frame = pd.DataFrame({f"v{i:05d}_answer_to_the_survey_q": [1.0] for i in range(5200)})
    buffer = io.BytesIO()
    frame.to_stata(buffer, write_index=False, version=118)
    body = assert_catalogued(await client.put(f"/v1/jobs/{job_id}/inputs/wide.dta",
                                              content=buffer.getvalue()), "INPUT_TOO_MANY_CELLS")
    assert body["details"]["columns"] == 5200
    assert (await client.get(f"/v1/jobs/{job_id}")).json()["inputs"] == before


async def test_a_spec_larger_than_a_job_record_may_hold_is_413(client: httpx.AsyncClient) -> None:
    names = [f"v{i}" for i in range(20_000)]
    response = await client.post("/v1/jobs", json={
        "template_id": "ols_robust", "params": {"depvar": "price", "indepvars": names}})
    assert_catalogued(response, "REQUEST_TOO_LARGE")


@pytest.mark.parametrize("ctype", ["a\nb", "text/csv\r\nx-amz-acl: public-read", "csv",
                                   "t/" + "x" * 300, "ünï/cödé"])
async def test_a_presigned_content_type_must_be_a_header_value(client: httpx.AsyncClient,
                                                               ctype: str) -> None:
    job_id = await new_job(client)
    body = assert_catalogued(await client.post(f"/v1/jobs/{job_id}/uploads", json={
        "name": "a.csv", "size": 10, "sha256": "0" * 64, "content_type": ctype}),
        "VALIDATION_FAILED")
    assert body["details"]["field"] == "content_type"
