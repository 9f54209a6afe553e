"""examples/completed_subscriber.py against the running services: one completed per job,
outputs fetched, and a durable consumer that catches up on what finished while it was down."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from client import SSClient
from libs.bus.auth.users import Credentials
from libs.contracts.views import JobView
from tests.client.conftest import REPO, LibraryStack, LineProcess

pytestmark = pytest.mark.slow

AUTO = REPO / "do_library" / "examples" / "auto.csv"


def subscriber(stack: LibraryStack, out: Path) -> LineProcess:
    """The example subscriber with the dev tenant's event credential (SS_NATS_CREDS), once
    it has bound its durable consumer, which is named after the credential's user."""
    user = Credentials.load(stack.event_creds()).public_key
    proc = LineProcess(stack, "examples.completed_subscriber", "--out", str(out))
    assert proc.next_line(30) == f"subscribed as {user!r} to ss.events.dev.*.completed", (
        proc.seen)
    return proc


@pytest.fixture
def ss(live_stack: LibraryStack) -> Iterator[SSClient]:
    with SSClient(live_stack.api_url, "ss-dev-key") as client:
        yield client


def run_job(ss: SSClient) -> JobView:
    result = ss.run("ols_robust", AUTO, {"depvar": "price", "indepvars": ["mpg", "weight"]},
                    formats=["json", "csv", "html"])
    assert result.job.state.value == "succeeded", result.job.error
    return result.job


def check_outputs(job: JobView, folder: Path) -> None:
    outputs = {a.name: a.size for a in job.artifacts if a.kind == "output"}
    assert outputs
    files = {p.relative_to(folder).as_posix(): p.stat().st_size
             for p in folder.rglob("*") if p.is_file()}
    assert files == outputs


def test_subscriber_fetches_each_job_once_and_catches_up_after_a_restart(
        live_stack: LibraryStack, ss: SSClient, tmp_path: Path) -> None:
    listener = subscriber(live_stack, tmp_path)
    try:
        first = run_job(ss)
        line = listener.wait_for(f"completed {first.id} ")
        outputs = [a for a in first.artifacts if a.kind == "output"]
        assert re.fullmatch(rf"completed {first.id} succeeded seq=\d+ files={len(outputs)}",
                            line)
        check_outputs(first, tmp_path / first.id)
        assert not [x for x in listener.lines_during(3) if first.id in x]  # exactly one
    finally:
        listener.stop()

    second = run_job(ss)  # finishes while nobody listens
    listener = subscriber(live_stack, tmp_path)
    try:
        listener.wait_for(f"completed {second.id} ")
        check_outputs(second, tmp_path / second.id)
        later = listener.lines_during(3)
        assert not [x for x in listener.seen + later if first.id in x]  # acked: not again
    finally:
        listener.stop()
