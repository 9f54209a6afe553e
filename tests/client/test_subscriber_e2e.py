"""examples/completed_subscriber.py against the running services: one completed per job,
outputs fetched, and a durable consumer that catches up on what finished while it was down."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from client import SSClient
from services.api.views import JobView
from tests.client.conftest import REPO, LibraryStack, LineProcess

pytestmark = pytest.mark.slow

AUTO = REPO / "do_library" / "examples" / "auto.csv"


def subscriber(stack: LibraryStack, out: Path, durable: str) -> LineProcess:
    """The example subscriber, once it has bound its durable consumer."""
    proc = LineProcess(stack, "examples.completed_subscriber", "--out", str(out),
                       "--durable", durable)
    assert proc.next_line(30).startswith(f"subscribed as {durable!r}"), proc.seen
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
    durable = f"test-{uuid.uuid4().hex[:8]}"
    listener = subscriber(live_stack, tmp_path, durable)
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
    listener = subscriber(live_stack, tmp_path, durable)
    try:
        listener.wait_for(f"completed {second.id} ")
        check_outputs(second, tmp_path / second.id)
        later = listener.lines_during(3)
        assert not [x for x in listener.seen + later if first.id in x]  # acked: not again
    finally:
        listener.stop()
