"""The log of a mixed do-file, reviewed line by line against Stata's batch-log layout."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from libs.engine.batch import run_do_file

GOLDEN = Path(__file__).parent / "golden"


def test_mixed_do_file_log_matches_golden(tmp_path):
    shutil.copy(GOLDEN / "mixed.do", tmp_path / "mixed.do")
    rc = run_do_file(tmp_path / "mixed.do", tmp_path)
    assert rc == 199
    produced = (tmp_path / "mixed.log").read_text()
    assert produced == (GOLDEN / "mixed.log").read_text()
    # the numbers in it, computed independently
    assert f"mean of 10.5 12 15 20 = {(10.5 + 12 + 15 + 20) / 4:6.3f}" in produced
    assert f"North   {(10.5 + 12) / 2:g}" in produced


def test_command_line_behaves_like_stata_batch(tmp_path):
    (tmp_path / "ok.do").write_text('display "hi"\n')
    (tmp_path / "bad.do").write_text("display 1\nfoo\n")
    root = Path(__file__).resolve().parents[2]
    env_path = {"PYTHONPATH": str(root)}
    ok = subprocess.run([sys.executable, "-m", "libs.engine", "run", "ok.do"], cwd=tmp_path,
                        env=env_path, capture_output=True, check=False)
    bad = subprocess.run([sys.executable, "-m", "libs.engine", "run", "bad.do"], cwd=tmp_path,
                         env=env_path, capture_output=True, check=False)
    assert (ok.returncode, bad.returncode) == (0, 1)
    assert (tmp_path / "ok.log").read_text().endswith("hi\n\nend of do-file\n")
    assert (tmp_path / "bad.log").read_text().endswith("r(199);\n\nend of do-file\nr(199);\n")
