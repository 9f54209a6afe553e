"""examples/completed_subscriber.py against the running services: one completed per job,
outputs fetched, and a durable consumer that catches up on what finished while it was down."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from client import SSClient
from services.api.views import JobView
from tests.client.conftest import PYTHON, REPO, LibraryStack

pytestmark = pytest.mark.slow

AUTO = REPO / "do_library" / "examples" / "auto.csv"


class Subscriber:
    """The example as a process; its stdout lines arrive on a queue."""

    def __init__(self, stack: LibraryStack, out: Path, durable: str) -> None:
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "examples.completed_subscriber", "--out", str(out),
             "--durable", durable], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env=stack.client_env(), cwd=REPO)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        assert self.next_line(30).startswith(f"subscribed as {durable!r}"), self.seen

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, timeout: float) -> str:
        line = self.lines.get(timeout=timeout)
        self.seen.append(line)
        return line

    def wait_for(self, job_id: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(0.1, deadline - time.monotonic()))
            if line.startswith(f"completed {job_id} "):
                return line

    def quiet_for(self, seconds: float) -> list[str]:
        """Every line printed during the next ``seconds``."""
        deadline, got = time.monotonic() + seconds, []
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(self.next_line(left))
            except queue.Empty:
                break
        return got

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            assert self.proc.stdout is not None
            self.proc.stdout.close()
        assert status == 0, self.seen


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
    subscriber = Subscriber(live_stack, tmp_path, durable)
    try:
        first = run_job(ss)
        line = subscriber.wait_for(first.id)
        outputs = [a for a in first.artifacts if a.kind == "output"]
        assert re.fullmatch(rf"completed {first.id} succeeded seq=\d+ files={len(outputs)}",
                            line)
        check_outputs(first, tmp_path / first.id)
        assert not [x for x in subscriber.quiet_for(3) if first.id in x]  # exactly one
    finally:
        subscriber.stop()

    second = run_job(ss)  # finishes while nobody listens
    subscriber = Subscriber(live_stack, tmp_path, durable)
    try:
        subscriber.wait_for(second.id)
        check_outputs(second, tmp_path / second.id)
        later = subscriber.quiet_for(3)
        assert not [x for x in subscriber.seen + later if first.id in x]  # acked: not again
    finally:
        subscriber.stop()
