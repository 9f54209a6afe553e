"""Acceptance: every template rendered and run on the embedded engine against its fixture.

Each case validates its parameters against the fixture's columns, checks the data's shape,
renders the do-file, runs it with ``libs.engine.batch.run_do_file``, asserts every declared
output exists, and compares the key numbers with an independent pandas / statsmodels /
linearmodels / scipy computation (``cases_*.py``). Nothing is skipped: a command the engine
does not implement yet fails here with the engine's r(199) in the message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.templates import load_catalogue
from tests.templates.cases import ALL_CASES
from tests.templates.support import Case, run_case


def test_every_template_has_a_run_case() -> None:
    assert {c.template for c in ALL_CASES} == {m.id for m in load_catalogue().templates()}
    assert len({str(c) for c in ALL_CASES}) == len(ALL_CASES)


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_template_runs_and_matches_independent_numbers(case: Case, tmp_path: Path) -> None:
    results = run_case(case, tmp_path)
    case.check(results, case.inputs)
