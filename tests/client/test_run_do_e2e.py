"""``ss run-do`` and ``ss check-do`` against the running services: a do-file with its data and
an ado-file, the reports and every file it wrote downloaded; a do-file that cannot run told
line by line, before any job runs it."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.client.conftest import PYTHON, REPO, LibraryStack

pytestmark = pytest.mark.slow

AUTO = REPO / "do_library" / "examples" / "auto.csv"
ANALYSIS = """\
import delimited using "auto.csv", clear
merge 1:1 make using "extra.dta", nogenerate
center weight
regress price mpg weight_c, vce(robust)
estimates store robust
mkdir "out"
export delimited make price using "out/prices.csv", replace
"""
CENTER = """\
program define center
    args var
    summarize `var', meanonly
    generate `var'_c = `var' - r(mean)
end
"""
EXTRA = """\
import delimited using "auto.csv", clear
keep make
generate double extra = _n
save "extra.dta", replace
"""


def ss(stack: LibraryStack, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "client.cli", *argv], capture_output=True, text=True,
                          env=stack.client_env(), cwd=REPO, timeout=240, check=False)


def test_ss_run_do_runs_a_do_file_with_its_files_and_downloads_everything(
        live_stack: LibraryStack, tmp_path: Path) -> None:
    (tmp_path / "analysis.do").write_text(ANALYSIS)
    (tmp_path / "center.ado").write_text(CENTER)
    (tmp_path / "auto.csv").write_bytes(AUTO.read_bytes())
    # extra.dta is made by a first do-file run, downloaded, and given to the second
    (tmp_path / "make_extra.do").write_text(EXTRA)
    first = ss(live_stack, "run-do", str(tmp_path / "make_extra.do"), str(tmp_path / "auto.csv"),
               "--out", str(tmp_path / "first"), "-f", "log")
    assert first.returncode == 0, first.stdout + first.stderr
    extra = tmp_path / "first" / "files" / "extra.dta"
    assert extra.read_bytes()[:1] == b"<"  # a Stata 118 file

    out = tmp_path / "results"
    proc = ss(live_stack, "run-do", str(tmp_path / "analysis.do"), str(tmp_path / "auto.csv"),
              str(extra), str(tmp_path / "center.ado"), "--wait", "--out", str(out),
              "-f", "xlsx,json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0].endswith("created (analysis.do)")
    assert sorted(p.name for p in out.iterdir()) == ["files", "report.xlsx", "results.json"]
    files = out / "files"
    assert (files / "main.do").read_text() == ANALYSIS
    assert {p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file()} == {
        "main.do", "main.log", "run.json", "out/prices.csv", "results/coefficients.csv",
        "results/model_stats.csv", "results/models.csv"}
    with (files / "results" / "coefficients.csv").open() as fh:
        coefs = {row["term"]: float(row["coef"]) for row in csv.DictReader(fh)}
    # price on mpg and centred weight: the slopes of a least-squares fit of the CSV itself
    with AUTO.open() as fh:
        rows = list(csv.DictReader(fh))
    x = np.column_stack([[float(r["mpg"]) for r in rows], [float(r["weight"]) for r in rows],
                         np.ones(len(rows))])
    beta = np.linalg.lstsq(x, [float(r["price"]) for r in rows], rcond=None)[0]
    assert coefs["mpg"] == pytest.approx(beta[0], rel=1e-6)
    assert coefs["weight_c"] == pytest.approx(beta[1], rel=1e-6)


def test_ss_check_do_and_run_do_say_what_will_not_work_line_by_line(
        live_stack: LibraryStack, tmp_path: Path) -> None:
    dofile = tmp_path / "bad.do"
    dofile.write_text("use survey\ntabout q1 q2 using t.txt\nshell rm -rf /\n")
    check = ss(live_stack, "check-do", str(dofile))
    assert check.returncode == 1, check.stdout + check.stderr
    assert check.stdout.splitlines() == [
        "bad.do:1: error [embedded, stata] r(601): reads survey.dta, which is neither uploaded "
        "nor written earlier by the do-file",
        "bad.do:2: error [embedded] r(199): command tabout is unrecognized by the embedded "
        "engine",
        "bad.do:3: error [embedded, stata]: command 'shell' is not allowed",
        "bad.do: runs on no engine; not on embedded"]
    run = ss(live_stack, "run-do", str(dofile), "--wait")
    assert run.returncode == 1
    assert "error DOFILE_CHECK_FAILED" in run.stdout
    assert "bad.do:3: error [embedded, stata]: command 'shell' is not allowed" in run.stdout
    fine = tmp_path / "fine.do"
    fine.write_text("display 1\n")
    assert ss(live_stack, "check-do", str(fine)).stdout.strip() == (
        "fine.do: runs on embedded, stata")


def test_a_do_file_that_fails_as_it_runs_exits_1_and_its_job_says_why(
        live_stack: LibraryStack, tmp_path: Path) -> None:
    dofile = tmp_path / "fails.do"
    dofile.write_text('display "before the error"\nerror 459\n')
    check = ss(live_stack, "check-do", str(dofile), "--engine", "any", "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    answer = json.loads(check.stdout)
    assert (answer["ok"], answer["engine"], answer["engines"], answer["problems"]) == (
        True, "any", ["embedded", "stata"], [])

    queued = ss(live_stack, "run-do", str(dofile), "--engine", "any")
    assert queued.returncode == 0, queued.stdout + queued.stderr
    job_id = queued.stdout.split()[1]
    assert f"job {job_id} queued; follow it with: ss events --job {job_id}" in queued.stdout

    run = ss(live_stack, "run-do", str(dofile), "--wait")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "error DOFILE_ERROR" in run.stdout
    failed = run.stdout.split()[1]
    status = ss(live_stack, "status", failed).stdout.splitlines()
    assert "do-file    fails.do" in status
    assert "state      failed" in status
    log = ss(live_stack, "logs", failed).stdout
    assert "before the error" in log
    assert "r(459);" in log
    chosen = ss(live_stack, "status", job_id).stdout.splitlines()
    assert "engine     embedded (chosen for engine any)" in chosen
