"""The corpus of realistic do-files (examples/dofiles): the ones listed in ``passing.txt`` must
keep running to the end on the engine. The list only grows: when a change makes another
do-file run to the end, add it (``python -m libs.engine check examples/dofiles`` says which).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.engine.corpus import Outcome, report, try_do_file

CORPUS = Path(__file__).resolve().parents[2] / "examples" / "dofiles"
PASSING = CORPUS / "passing.txt"


def _listed() -> list[str]:
    lines = PASSING.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def test_corpus_is_large_and_the_passing_list_names_its_files():
    names = {p.name for p in CORPUS.glob("*.do")}
    assert len(names) >= 24
    listed = _listed()
    assert len(listed) == len(set(listed))
    assert set(listed) <= names, set(listed) - names


@pytest.mark.parametrize("name", _listed())
def test_listed_do_file_runs_to_the_end(name: str):
    outcome = try_do_file(CORPUS / name)
    assert outcome.passed, outcome.describe()


def test_report_names_the_failing_command_line_and_code(tmp_path):
    do = tmp_path / "broken.do"
    do.write_text('display "start"\nforvalues i = 1/2 {\n    summarize nosuchvar\n}\n')
    failed = try_do_file(do)
    assert (failed.rc, failed.lineno, failed.command) == (111, 3, "summarize nosuchvar")
    ok = tmp_path / "fine.do"
    ok.write_text("display 1\n")
    text = report([failed, try_do_file(ok)])
    assert "broken.do  r(111) at line 3: summarize nosuchvar  [variable nosuchvar not found]" \
        in text
    assert text.endswith("1 of 2 do-files ran to the end")
    assert Outcome("x.do", 0).describe() == "ok"
