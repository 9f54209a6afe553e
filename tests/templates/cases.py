"""Every run case: one fixture dataset and parameter set per template."""

from __future__ import annotations

from tests.templates import (
    cases_data,
    cases_descriptive,
    cases_panel,
    cases_regression,
    cases_tests,
)
from tests.templates.support import Case

ALL_CASES: list[Case] = [
    *cases_regression.CASES,
    *cases_panel.CASES,
    *cases_tests.CASES,
    *cases_descriptive.CASES,
    *cases_data.CASES,
]
