"""Acceptance: every template on at least one more parameter set than its bundled example.

Each case validates its parameters against the fixture's columns, checks the data's shape,
renders the do-file, runs it on the embedded engine, asserts every declared output exists, and
compares the key numbers with an independent pandas / statsmodels / linearmodels / scipy
computation (``cases_*.py``). Nothing is skipped: a command the engine does not implement yet
fails here with the engine's r(199) in the message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.templates import example_request, load_catalogue
from tests.templates.cases import ALL_CASES
from tests.templates.support import Case, run_case


def test_every_template_has_a_case_beyond_its_example() -> None:
    catalogue = load_catalogue()
    for meta in catalogue.templates():
        example = example_request(meta)["params"]
        others = [c for c in ALL_CASES if c.template == meta.id and c.params != example]
        assert others, f"{meta.id}: no parameter set besides the example"
    assert {c.template for c in ALL_CASES} <= {m.id for m in catalogue.templates()}
    assert len({str(c) for c in ALL_CASES}) == len(ALL_CASES)


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_template_runs_and_matches_independent_numbers(case: Case, tmp_path: Path) -> None:
    results, params = run_case(case, tmp_path)
    case.check(results, case.inputs, params.values)
