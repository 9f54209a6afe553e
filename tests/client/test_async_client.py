"""The async client against the in-memory API: retries, idempotency, SSE resume, transfers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from client import AsyncSSClient, SSClient, SSClientError
from libs.contracts.events import JobCompleted
from libs.contracts.jobs import JobState
from tests.client.fake_api import FakeAPI, output_bytes


@pytest.fixture
async def api_and_client() -> AsyncIterator[tuple[FakeAPI, AsyncSSClient]]:
    api = FakeAPI()
    async with AsyncSSClient("http://ss.test", "test-key", transport=api.transport(),
                             backoff_s=0.001) as ss:
        yield api, ss


async def test_create_retries_a_lost_answer_with_the_same_idempotency_key(
        api_and_client: tuple[FakeAPI, AsyncSSClient]) -> None:
    api, ss = api_and_client
    api.fail_creates = 2
    job = await ss.create_job("ols_robust", {"depvar": "price", "indepvars": ["mpg"]})
    creates = [r for r in api.requests if r.method == "POST"]
    assert len(creates) == 3
    assert len({r.headers["idempotency-key"] for r in creates}) == 1
    assert list(api.jobs) == [job.id]  # one job, not three
    second = await ss.create_job("ols_robust", {"depvar": "price", "indepvars": ["mpg"]})
    assert second.id != job.id  # a new logical operation gets a new key


async def test_create_waits_out_the_claim_of_its_own_lost_try(
        api_and_client: tuple[FakeAPI, AsyncSSClient]) -> None:
    api, ss = api_and_client
    api.fail_creates, api.busy_creates = 1, 2
    job = await ss.create_job("ols_robust", {"depvar": "price", "indepvars": ["mpg"]})
    creates = [r for r in api.requests if r.method == "POST"]
    assert len(creates) == 4
    assert len({r.headers["idempotency-key"] for r in creates}) == 1
    assert list(api.jobs) == [job.id]


async def test_errors_carry_the_api_fields(
        api_and_client: tuple[FakeAPI, AsyncSSClient]) -> None:
    _, ss = api_and_client
    with pytest.raises(SSClientError) as caught:
        await ss.job("nope")
    err = caught.value
    assert (err.status, err.error_code, err.message, err.request_id) == (
        404, "JOB_NOT_FOUND", "no job nope", "req-1")


async def test_bad_key_and_unreachable_server() -> None:
    api = FakeAPI()
    async with AsyncSSClient("http://ss.test", "wrong", transport=api.transport()) as ss:
        with pytest.raises(SSClientError, match="UNAUTHORIZED") as caught:
            await ss.templates()
        assert caught.value.status == 401

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with AsyncSSClient("http://ss.test", "k", transport=httpx.MockTransport(refuse),
                             retries=1, backoff_s=0.001) as ss:
        with pytest.raises(SSClientError) as caught:
            await ss.job("x")
        assert (caught.value.status, caught.value.error_code) == (0, "CONNECTION_FAILED")


async def test_upload_streams_the_file_with_length_and_progress(
        api_and_client: tuple[FakeAPI, AsyncSSClient], tmp_path: Path) -> None:
    api, ss = api_and_client
    data = tmp_path / "big.csv"
    content = b"x,y\n" + b"1,2\n" * 700_000  # 2.8 MB: three 1 MiB chunks
    data.write_bytes(content)
    job = await ss.create_job("ols_robust")
    seen: list[tuple[int, int | None]] = []
    uploaded = await ss.upload(job.id, data, progress=lambda d, t: seen.append((d, t)))
    assert api.uploads["big.csv"] == content
    assert uploaded.size == len(content)
    put = next(r for r in api.requests if r.method == "PUT")
    assert put.headers["content-length"] == str(len(content))
    assert [d for d, _ in seen] == [0, 1 << 20, 2 << 20, len(content)]
    assert {t for _, t in seen} == {len(content)}


async def test_events_resume_after_a_drop_without_loss_or_repeat(
        api_and_client: tuple[FakeAPI, AsyncSSClient]) -> None:
    api, ss = api_and_client
    api.drop_events_after = 2
    job = await ss.create_job("ols_robust")
    await ss.submit(job.id)
    got = [m async for m in ss.events(job.id)]
    assert [m.seq for m in got] == [1, 2, 3, 4, 5]
    assert [m.type for m in got] == ["created", "queued", "running", "formatting", "completed"]
    sse = [r for r in api.requests if r.url.path.endswith("/events/")]
    assert [r.headers.get("last-event-id") for r in sse] == [None, "2"]


async def test_events_resume_after_an_error_event_without_loss_or_repeat(
        api_and_client: tuple[FakeAPI, AsyncSSClient]) -> None:
    api, ss = api_and_client
    api.drop_events_after, api.events_error = 3, "SERVICE_UNAVAILABLE"
    job = await ss.create_job("ols_robust")
    await ss.submit(job.id)
    got = [m async for m in ss.events(job.id)]
    assert [m.seq for m in got] == [1, 2, 3, 4, 5]
    sse = [r for r in api.requests if r.url.path.endswith("/events/")]
    assert [r.headers.get("last-event-id") for r in sse] == [None, "3"]


async def test_events_give_up_with_the_servers_error_after_repeated_error_events(
        api_and_client: tuple[FakeAPI, AsyncSSClient]) -> None:
    api, ss = api_and_client
    api.drop_events_after, api.events_error = 0, "SERVICE_UNAVAILABLE"
    api.events_error_connections = 100
    job = await ss.create_job("ols_robust")
    await ss.submit(job.id)
    with pytest.raises(SSClientError) as info:
        _ = [m async for m in ss.events(job.id, max_reconnects=2)]
    assert info.value.error_code == "SERVICE_UNAVAILABLE"
    assert info.value.request_id == "r1"
    assert len([r for r in api.requests if r.url.path.endswith("/events/")]) == 3


async def test_run_waits_and_downloads_every_output(
        api_and_client: tuple[FakeAPI, AsyncSSClient], tmp_path: Path) -> None:
    _, ss = api_and_client
    data = tmp_path / "auto.csv"
    data.write_bytes(b"price,mpg\n1,2\n")
    result = await ss.run("ols_robust", data, {"depvar": "price", "indepvars": ["mpg"]},
                          formats=["xlsx", "json"], out=tmp_path / "out")
    assert result.job.state is JobState.SUCCEEDED
    assert sorted(p.name for p in result.files) == ["report.xlsx", "results.json"]
    for path in result.files:
        assert path.read_bytes() == output_bytes(path.name)
    assert not list((tmp_path / "out").glob("*.part"))


async def test_download_refuses_names_escaping_the_folder(
        api_and_client: tuple[FakeAPI, AsyncSSClient], tmp_path: Path) -> None:
    _, ss = api_and_client
    for name in ("../evil", "/etc/passwd", "a/../../b"):
        with pytest.raises(SSClientError, match="ARTIFACT_NAME_INVALID"):
            await ss.download("job0001", name, tmp_path)


async def test_jobs_pages_through_every_job(
        api_and_client: tuple[FakeAPI, AsyncSSClient]) -> None:
    _, ss = api_and_client
    made = [(await ss.create_job("ols_robust")).id for _ in range(5)]
    listed = [job.id async for job in ss.jobs(page_size=2)]
    assert listed == sorted(made, reverse=True)


def test_sync_client_runs_the_same_calls(tmp_path: Path) -> None:
    api = FakeAPI()
    data = tmp_path / "auto.csv"
    data.write_bytes(b"price,mpg\n1,2\n")
    with SSClient("http://ss.test", "test-key", transport=api.transport()) as ss:
        assert "ols_robust" in {t.id for t in ss.templates(family="regression")}
        result = ss.run("ols_robust", data, {"depvar": "price", "indepvars": ["mpg"]},
                        formats=["csv"], wait=False)
        events = list(ss.events(result.job.id))
        assert isinstance(events[-1].event, JobCompleted)
        assert len(list(ss.jobs(page_size=1))) == 1
