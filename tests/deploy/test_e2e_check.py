"""compose/e2e_check.py against an in-memory fake of the job API and S3 (httpx.MockTransport).

The fake answers with the API's shapes (artifact index under ``items``, ``raw`` files per
attempt, ``output`` files, ``?redirect=true`` to a presigned S3 URL) and keeps what it was sent
and what it serves, so each test compares the script's view with the fake's own record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from compose.e2e_check import CheckError, CheckResult, run_check

KEY = "test-key"
PARAMS = {"depvar": "price", "indepvars": ["mpg", "weight"]}


@dataclass
class FakeApi:
    """Just the routes the check uses; the job runs after ``polls_to_finish`` GETs."""

    final_state: str = "succeeded"
    outputs: dict[str, bytes] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=lambda: {"main.log": b"log", "main.do": b"do"})
    declared_size_bonus: int = 0
    polls_to_finish: int = 3
    create_status: int = 201
    spec: dict[str, object] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    state: str = "created"
    polls: int = 0
    s3_requests: list[httpx.Request] = field(default_factory=list)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "s3.test":
            self.s3_requests.append(request)
            return httpx.Response(200, content=self._served()[request.url.path.lstrip("/")])
        if request.headers.get("authorization") != f"Bearer {KEY}":
            return httpx.Response(401, json={"code": "UNAUTHENTICATED"})
        path, method = request.url.path, request.method
        if (method, path) == ("POST", "/v1/jobs"):
            self.spec = json.loads(await request.aread())
            return httpx.Response(self.create_status, json={"id": "j1", "state": self.state})
        if method == "PUT" and path.startswith("/v1/jobs/j1/inputs/"):
            self.uploads[path.rsplit("/", 1)[1]] = await request.aread()
            return httpx.Response(201, json={})
        if (method, path) == ("POST", "/v1/jobs/j1/submit"):
            self.state = "queued"
            return httpx.Response(202, json={"id": "j1", "state": self.state})
        if (method, path) == ("GET", "/v1/jobs/j1"):
            self.polls += 1
            if self.state == "queued" and self.polls >= self.polls_to_finish:
                self.state = self.final_state
            error = {"code": "DOFILE_ERROR"} if self.state == "failed" else None
            return httpx.Response(200, json={"id": "j1", "state": self.state, "error": error})
        if (method, path) == ("GET", "/v1/jobs/j1/artifacts"):
            return httpx.Response(200, json={"items": self._index()})
        prefix = "/v1/jobs/j1/artifacts/"
        if method == "GET" and path.startswith(prefix):
            name = path.removeprefix(prefix)
            key = f"attempts/{request.url.params['attempt']}/{name}" if name in self.raw else name
            if key in self._served():
                if request.url.params.get("redirect") == "true":
                    return httpx.Response(307, headers={"location": f"http://s3.test/{key}"})
                return httpx.Response(200, content=self._served()[key])
        return httpx.Response(404, json={"code": "NOT_FOUND"})

    def _served(self) -> dict[str, bytes]:
        return {**self.outputs, **{f"attempts/1/{n}": body for n, body in self.raw.items()}}

    def _index(self) -> list[dict[str, object]]:
        files = [(n, b, "output") for n, b in self.outputs.items()]
        files += [(n, b, "raw") for n, b in self.raw.items()]
        return [
            {
                "name": name,
                "key": f"tenants/dev/jobs/j1/{name}",
                "size": len(body) + self.declared_size_bonus,
                "kind": kind,
                "attempt": 1,
            }
            for name, body, kind in files
        ]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "auto.csv"
    path.write_bytes(b"price,mpg,weight\n" + b"".join(b"%d,%d,%d\n" % (i, i, i) for i in range(99)))
    return path


def _outputs() -> dict[str, bytes]:
    return {
        f"result.{fmt}": hashlib.sha256(fmt.encode()).digest() * 3
        for fmt in ("xlsx", "json", "csv")
    }


async def _check(
    api: FakeApi,
    dataset: Path,
    out: Path,
    formats: tuple[str, ...] = ("xlsx",),
    presigned: bool = False,
) -> CheckResult:
    return await run_check(
        "http://ss.test",
        KEY,
        "ols_robust",
        PARAMS,
        dataset,
        formats,
        out,
        timeout=10.0,
        presigned=presigned,
        transport=httpx.MockTransport(api),
    )


async def test_a_succeeded_job_is_downloaded_whole(dataset: Path, tmp_path: Path) -> None:
    api = FakeApi(outputs=_outputs())
    result = await _check(api, dataset, tmp_path / "out", ("xlsx", "json", "csv"))
    assert result.ok, result.summary()
    assert api.spec == {
        "template_id": "ols_robust",
        "params": PARAMS,
        "output_formats": ["xlsx", "json", "csv"],
    }
    assert api.uploads == {"auto.csv": dataset.read_bytes()}
    assert api.polls >= api.polls_to_finish
    out = (tmp_path / "out").resolve()
    downloaded = {a.path.relative_to(out).as_posix(): a.path.read_bytes() for a in result.artifacts}
    expected_raw = {f"attempt-1/{name}": body for name, body in api.raw.items()}
    assert downloaded == {**api.outputs, **expected_raw}
    assert "E2E CHECK PASSED" in result.summary()
    assert not api.s3_requests


async def test_presigned_downloads_go_to_s3_without_the_api_key(
    dataset: Path, tmp_path: Path
) -> None:
    api = FakeApi(outputs=_outputs())
    result = await _check(api, dataset, tmp_path, ("xlsx", "json", "csv"), presigned=True)
    assert result.ok, result.summary()
    assert len(api.s3_requests) == len(api.outputs) + len(api.raw)
    assert all("authorization" not in r.headers for r in api.s3_requests)
    assert {a.name: a.path.read_bytes() for a in result.artifacts if a.kind == "output"} == (
        api.outputs
    )


async def test_raw_result_csvs_do_not_stand_in_for_a_csv_output(
    dataset: Path, tmp_path: Path
) -> None:
    api = FakeApi(outputs={"result.xlsx": b"x"}, raw={"results/coefficients.csv": b"a,b\n"})
    result = await _check(api, dataset, tmp_path, ("xlsx", "csv"))
    assert result.problems == ["no csv output among the artifacts"]


async def test_a_failed_job_fails_the_check(dataset: Path, tmp_path: Path) -> None:
    result = await _check(FakeApi(final_state="failed", outputs=_outputs()), dataset, tmp_path)
    assert not result.ok
    assert result.state == "failed"
    assert result.error == {"code": "DOFILE_ERROR"}
    # The failed attempt's files are still fetched, for the diagnosis.
    assert sorted(a.name for a in result.artifacts if a.kind == "raw") == ["main.do", "main.log"]
    assert "E2E CHECK FAILED" in result.summary()


async def test_a_missing_format_fails_the_check(dataset: Path, tmp_path: Path) -> None:
    outputs = {k: v for k, v in _outputs().items() if not k.endswith(".json")}
    result = await _check(FakeApi(outputs=outputs), dataset, tmp_path, ("xlsx", "json"))
    assert result.problems == ["no json output among the artifacts"]


async def test_a_truncated_download_fails_the_check(dataset: Path, tmp_path: Path) -> None:
    api = FakeApi(outputs=_outputs(), declared_size_bonus=1)
    result = await _check(api, dataset, tmp_path)
    assert len(result.problems) == len(api.outputs) + len(api.raw)
    assert all("the API declared" in p for p in result.problems)


async def test_a_job_that_never_ends_times_out(dataset: Path, tmp_path: Path) -> None:
    api = FakeApi(polls_to_finish=10**9)
    result = await run_check(
        "http://ss.test",
        KEY,
        "ols_robust",
        PARAMS,
        dataset,
        ["xlsx"],
        tmp_path,
        timeout=0.5,
        transport=httpx.MockTransport(api),
    )
    assert result.state == "queued"
    assert not result.ok


async def test_an_unexpected_status_raises_with_the_step(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(CheckError, match=r"POST /v1/jobs: expected HTTP 201, got 200"):
        await _check(FakeApi(create_status=200), dataset, tmp_path)
