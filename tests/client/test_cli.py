"""The ``ss`` command's arguments, output and exit statuses, against the in-memory API."""

from __future__ import annotations

import io
import re
from pathlib import Path

import msgspec
import pytest

from client.cli import EXIT_API_ERROR, EXIT_USAGE, run_cli
from client.commands import EXIT_JOB_FAILED
from libs.templates.catalogue import DEFAULT_ROOT, load_catalogue
from libs.templates.request import example_request
from tests.client.fake_api import FakeAPI, output_bytes

BASE = ["--api-url", "http://ss.test", "--api-key", "test-key"]


def ss(api: FakeAPI, *argv: str, tty: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    command, rest = argv[0], list(argv[1:])
    status = run_cli([command, *BASE, *rest], out=out, tty=tty, transport=api.transport())
    return status, out.getvalue()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "auto.csv"
    path.write_bytes(b"price,mpg,weight\n" + b"4099,22,2930\n" * 5000)
    return path


def test_templates_lists_the_family(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = ss(FakeAPI(), "templates", "--family", "regression")
    expected = [t for t in load_catalogue(DEFAULT_ROOT).search() if t.family == "regression"]
    lines = out.splitlines()
    assert status == 0
    assert len(lines) == len(expected) > 0
    assert {line.split()[0] for line in lines} == {t.id for t in expected}
    ols = next(line for line in lines if line.startswith("ols_robust "))
    assert ols.endswith(next(t.title for t in expected if t.id == "ols_robust"))


def test_template_shows_parameters_and_a_runnable_example() -> None:
    status, out = ss(FakeAPI(), "template", "ols_robust")
    assert status == 0
    assert re.search(r"^  depvar +varname +required", out, re.M)
    assert re.search(r"^  level +number +default 95", out, re.M)
    assert "example: ss run ols_robust DATA -p depvar=price -p 'indepvars=mpg weight'" in out


def test_template_says_when_to_use_it_and_how_to_run_its_example() -> None:
    status, out = ss(FakeAPI(), "template", "did_2x2")
    assert status == 0
    assert out.count("use when: A policy or treatment reaches one group") == 1
    assert "assumptions:\n  - Parallel trends" in out
    assert "stata commands: collapse, generate, keep, local, regress, use; " \
           "ado helpers: ss_export_table, ss_store_model" in out
    assert "bundled: ss run did_2x2 --example  (data main=minimum_wage.csv)" in out


def test_template_names_the_ssc_packages_a_licensed_stata_needs() -> None:
    with_package = [t for t in load_catalogue(DEFAULT_ROOT).search() if t.ssc_packages]
    assert with_package, "no template of the library lists an SSC package"
    for t in with_package:
        status, out = ss(FakeAPI(), "template", t.id)
        assert status == 0
        line = next(line for line in out.splitlines() if line.startswith("stata commands: "))
        assert line.endswith(f"; SSC packages: {', '.join(t.ssc_packages)}"), line
    status, out = ss(FakeAPI(), "template", "ols_robust")
    assert "SSC packages" not in out


def test_run_example_uploads_the_bundled_files_with_the_example_request() -> None:
    api = FakeAPI()
    status, out = ss(api, "run", "merge_datasets", "--example", "--wait")
    assert status == 0, out
    job = next(iter(api.jobs.values()))
    request = example_request(load_catalogue(DEFAULT_ROOT).get("merge_datasets"))
    assert job.spec.params == request["params"] == {"keys": ["firm"], "kind": "m:1"}
    assert job.spec.inputs == request["inputs"]
    for name in ("grunfeld.csv", "grunfeld_firms.csv"):
        assert api.uploads[name] == (DEFAULT_ROOT / "examples" / name).read_bytes()
    uploads = [line for line in out.splitlines() if line.startswith("upload")]
    assert [line.split(":")[0] for line in uploads] == [
        "upload grunfeld.csv", "upload grunfeld.csv",
        "upload grunfeld_firms.csv", "upload grunfeld_firms.csv"]
    assert "completed: succeeded" in out


def test_run_uploads_follows_and_downloads_line_by_line(data: Path, tmp_path: Path) -> None:
    api = FakeAPI()
    out_dir = tmp_path / "out"
    status, out = ss(api, "run", "ols_robust", str(data), "-p", "depvar=price",
                     "indepvars=mpg", "weight", "--format", "xlsx,json", "--out", str(out_dir))
    assert status == 0, out
    job = next(iter(api.jobs.values()))
    assert job.spec.params == {"depvar": "price", "indepvars": ["mpg", "weight"]}
    assert job.spec.output_formats == ["xlsx", "json"]
    assert api.uploads["auto.csv"] == data.read_bytes()
    size = f"{data.stat().st_size / 1024:.1f} KiB"
    assert [line for line in out.splitlines() if line.startswith("upload")] == [
        f"upload auto.csv: {p}% of {size}" for p in (0, 100)]
    states = [line.split(maxsplit=1)[1] for line in out.splitlines() if line[:1] == " "]
    assert states == ["created", "queued", "running on w1 (embedded), attempt 1",
                      "formatting (rc 0, ran 0.25 s)", "completed: succeeded"]
    for name in ("report.xlsx", "results.json"):
        assert (out_dir / name).read_bytes() == output_bytes(name)
        assert f"saved {out_dir / name}" in out
    assert "\r" not in out  # no terminal control characters in a log


def test_run_on_a_terminal_draws_bars_in_place(data: Path, tmp_path: Path) -> None:
    status, out = ss(FakeAPI(), "run", "ols_robust", str(data), "-p", "depvar=price",
                     "indepvars=mpg", "--out", str(tmp_path / "o"), tty=True)
    assert status == 0
    assert re.search(r"\r\x1b\[Kupload auto\.csv \[#{24}\] 100%  [\d.]+ KiB / [\d.]+ KiB\n",
                     out)
    assert "\x1b[K" in out
    assert "completed: succeeded" in out


def test_a_failed_job_exits_1_and_points_at_the_log(data: Path) -> None:
    api = FakeAPI(job_fails=True)
    status, out = ss(api, "run", "ols_robust", str(data), "-p", "depvar=price",
                     "indepvars=mpg", "--wait")
    job_id = next(iter(api.jobs))
    assert status == EXIT_JOB_FAILED
    assert out.rstrip().endswith(f"job {job_id} failed; its log: ss logs {job_id}")


def test_without_wait_it_prints_the_job_and_returns(data: Path) -> None:
    api = FakeAPI()
    status, out = ss(api, "run", "ols_robust", str(data), "-p", "depvar=price",
                     "indepvars=mpg")
    job_id = next(iter(api.jobs))
    assert status == 0
    assert out.splitlines()[-1] == (f"job {job_id} queued; follow it with: "
                                    f"ss events --job {job_id}")
    assert not [r for r in api.requests if r.url.path.endswith("/events/")]


def test_bad_parameter_is_a_usage_error(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = ss(FakeAPI(), "run", "ols_robust", str(data), "-p", "depvar=price",
                   "level=high")
    assert status == EXIT_USAGE
    assert "parameter 'level' wants a number, got 'high'" in capsys.readouterr().err


def test_status_logs_events_and_api_errors(data: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    api = FakeAPI()
    ss(api, "run", "ols_robust", str(data), "-p", "depvar=price", "indepvars=mpg",
       "--format", "pdf", "--wait")
    job_id = next(iter(api.jobs))
    status, out = ss(api, "status", job_id)
    assert status == 0
    size = len(output_bytes("report.pdf")) / 1024
    assert "state      succeeded" in out
    assert f"output     report.pdf ({size:.1f} KiB)" in out
    assert ss(api, "logs", job_id) == (0, "log of the run\n")
    status, out = ss(api, "status", job_id, "--json")
    assert msgspec.json.decode(out)["id"] == job_id
    status, out = ss(api, "events", "--job", job_id, "--completed")
    assert out.split() == ["5", job_id, "completed:", "succeeded"]
    capsys.readouterr()
    assert ss(api, "cancel", job_id) == (EXIT_API_ERROR, "")
    err = capsys.readouterr().err
    assert "ss: already finished [JOB_STATE_CONFLICT]" in err
    assert "request id req-1" in err


def test_status_says_why_a_queued_job_waits() -> None:
    from client.commands import describe_job
    from libs.contracts.jobs import JobSpec, JobState
    from libs.contracts.views import JobView, PoolState, PoolStatus

    pool = PoolStatus(name="stata", state=PoolState.NO_WORKERS, waiting_pulls=0, in_flight=0,
                      backlog=1, message="no worker of pool 'stata' is asking for work")
    job = JobView(id="j1", state=JobState.QUEUED, spec=JobSpec(template_id="ols"), inputs=[],
                  pending_uploads=[], submission=1, attempt=0, attempts=[], artifacts=[],
                  created_at="2026-01-01T00:00:00.000Z", revision=3, pool=pool)
    assert "waiting    no worker of pool 'stata' is asking for work" in list(describe_job(job))


def test_events_of_every_job_need_nats(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SS_NATS_URL", raising=False)
    assert ss(FakeAPI(), "events") == (EXIT_API_ERROR, "")
    assert "pass --nats URL or set SS_NATS_URL" in capsys.readouterr().err


def test_usage_errors_exit_2() -> None:
    for argv in ([], ["run", "ols_robust"], ["frobnicate"], ["run", "ols", "--example", "x.csv"],
                 ["run", "ols", "--example", "-p", "depvar=price"]):
        with pytest.raises(SystemExit) as caught:
            run_cli(argv)
        assert caught.value.code == 2
