"""``ss run ... --wait`` against the running services, on a terminal (a pty) and in a pipe."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import signal
import subprocess
import threading
from pathlib import Path

import httpx
import numpy as np
import pytest

from client import SSClient
from tests.client.conftest import PYTHON, REPO, LibraryStack, LineProcess

pytestmark = pytest.mark.slow

AUTO = REPO / "do_library" / "examples" / "auto.csv"
RUN = ["run", "ols_robust", str(AUTO), "-p", "depvar=price", "indepvars=mpg", "weight",
       "--format", "xlsx,json", "--wait"]


def ss_on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run ``ss`` with its stdout on a pseudo-terminal; (exit status, terminal text, stderr)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([PYTHON, "-m", "client.cli", *argv], stdout=slave,
                            stderr=subprocess.PIPE, env=env, cwd=REPO)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:  # a full pty would block the child
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    _, err = proc.communicate(timeout=180)
    reader.join(10)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode(), err.decode()


def ols_coefficients() -> dict[str, float]:
    """price on mpg, weight and a constant, by least squares from the CSV itself."""
    with AUTO.open() as f:
        rows = list(csv.DictReader(f))
    y = np.array([float(r["price"]) for r in rows])
    x = np.column_stack([[float(r["mpg"]) for r in rows], [float(r["weight"]) for r in rows],
                         np.ones(len(rows))])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    return {"mpg": beta[0], "weight": beta[1], "_cons": beta[2]}


def json_coefficients(doc: object) -> dict[str, float]:
    """Every (term, coefficient) pair found in results.json, whatever its nesting."""
    found: dict[str, float] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            term = node.get("term", node.get("var", node.get("variable")))
            coef = node.get("coef", node.get("b", node.get("coefficient")))
            if isinstance(term, str) and isinstance(coef, int | float):
                found[term] = float(coef)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return found


def test_ss_run_wait_on_a_terminal_shows_progress_and_downloads(
        live_stack: LibraryStack, tmp_path: Path) -> None:
    out = tmp_path / "out"
    status, text, err = ss_on_a_terminal([*RUN, "--out", str(out)], live_stack.client_env())
    assert status == 0, f"ss exited {status}\n{text}\n{err}"
    # The upload bar is redrawn in place and ends full.
    size = AUTO.stat().st_size / 1024
    assert re.search(rf"\r\x1b\[Kupload auto\.csv \[#{{24}}\] 100%  {size:.1f} KiB / "
                     rf"{size:.1f} KiB\r?\n", text), text
    lines = [re.sub(r".*\x1b\[K", "", line) for line in text.replace("\r\n", "\n").split("\n")]
    steps = [line.split(maxsplit=1)[1] for line in lines if re.match(r"^ +\d+\.\ds  ", line)]
    assert steps[:2] == ["created", "queued"], text
    assert re.fullmatch(r"running on worker-[ab] \(embedded\), attempt 1", steps[2]), steps
    assert re.fullmatch(r"formatting \(rc 0, ran \d+\.\d\d s\)", steps[3]), steps
    assert steps[4:] == ["completed: succeeded"], steps
    # The live status line (spinner, state, elapsed) was drawn while waiting.
    assert re.search(r"\x1b\[K[|/\\-] (queued|running|formatting|created) \d+\.\ds", text)
    assert sorted(p.name for p in out.iterdir()) == ["report.xlsx", "results.json"]
    assert f"saved {out / 'report.xlsx'}" in text
    assert (out / "report.xlsx").read_bytes()[:2] == b"PK"
    got = json_coefficients(json.loads((out / "results.json").read_text()))
    for term, value in ols_coefficients().items():
        assert got[term] == pytest.approx(value, rel=1e-6), (term, got)


def test_ss_run_in_a_pipe_prints_a_line_per_step(live_stack: LibraryStack,
                                                 tmp_path: Path) -> None:
    proc = subprocess.run([PYTHON, "-m", "client.cli", *RUN, "--out", str(tmp_path)],
                          capture_output=True, text=True, env=live_stack.client_env(),
                          cwd=REPO, timeout=180, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "\r" not in proc.stdout
    lines = proc.stdout.splitlines()
    job_id = re.fullmatch(r"job (\w+) created \(ols_robust\)", lines[0])
    assert job_id, lines
    assert lines[1:3] == [f"upload auto.csv: {p}% of {AUTO.stat().st_size / 1024:.1f} KiB"
                          for p in (0, 100)]
    assert [line.split()[1] for line in lines if re.match(r"^ +\d+\.\ds  ", line)] == [
        "created", "queued", "running", "formatting", "completed:"]
    status = subprocess.run([PYTHON, "-m", "client.cli", "status", job_id[1]],
                            capture_output=True, text=True, env=live_stack.client_env(),
                            cwd=REPO, timeout=60, check=True).stdout
    assert "state      succeeded" in status
    log = subprocess.run([PYTHON, "-m", "client.cli", "logs", job_id[1]],
                         capture_output=True, text=True, env=live_stack.client_env(),
                         cwd=REPO, timeout=60, check=True).stdout
    # main.log of the run: the parameters as the header's locals, then the whole do-file.
    assert 'local indepvars "mpg weight"' in log
    assert log.rstrip().endswith("end of do-file")


def test_ss_run_takes_a_file_named_the_way_people_name_files(live_stack: LibraryStack,
                                                            tmp_path: Path) -> None:
    data = tmp_path / "my data (数据).csv"
    data.write_bytes(AUTO.read_bytes())
    proc = subprocess.run([PYTHON, "-m", "client.cli", "run", "ols_robust", str(data), "-p",
                           "depvar=price", "indepvars=mpg", "--format", "csv", "--wait",
                           "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=live_stack.client_env(),
                          cwd=REPO, timeout=180, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    job_id = re.fullmatch(r"job (\w+) created \(ols_robust\)", proc.stdout.splitlines()[0])
    assert job_id, proc.stdout
    with SSClient(live_stack.api_url, "ss-dev-key") as ss:
        job = ss.job(job_id[1])
        assert job.state == "succeeded"
        assert [f.name for f in job.inputs] == [data.name]  # the job shows the user's name
        # The do-file reads the normalised input by the template's input name.
        do_file = ss.download(job.id, "main.do", tmp_path / "raw").read_text()
        assert 'local main_data "inputs/main.dta"' in do_file
        assert "inputs/main.dta" in {a.name for a in job.artifacts}
    download = httpx.get(f"{live_stack.api_url}/v1/jobs/{job.id}/artifacts/inputs/main.dta",
                         headers={"authorization": "Bearer ss-dev-key"}, timeout=30)
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"main.dta\"; filename*=UTF-8''main.dta")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["results.zip"]


def test_ss_events_tails_completions_from_nats(live_stack: LibraryStack) -> None:
    with SSClient(live_stack.api_url, "ss-dev-key") as ss:
        job = ss.run("ols_robust", AUTO, {"depvar": "price", "indepvars": ["mpg"]},
                     formats=["csv"]).job
    # --from-start replays the kept events first, so the job's completion is seen without
    # racing the subscription against the job.
    tail = LineProcess(live_stack, "client.cli", "events", "--completed", "--from-start")
    try:
        line = tail.wait_for(" ", timeout=30)
        while job.id not in line:
            line = tail.wait_for(" ", timeout=30)
        seq, *rest = line.split()
        assert rest == [job.id, "completed:", "succeeded"]
        assert seq.isdigit()
        assert not [x for x in tail.lines_during(2) if job.id in x]
    finally:
        tail.stop(expect=-signal.SIGTERM)
