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
    # second parameter sets: other options and code paths of the same templates
    *cases_regression.VARIANTS,
    *cases_panel.VARIANTS,
    *cases_tests.VARIANTS,
    *cases_descriptive.VARIANTS,
    *cases_data.VARIANTS,
]
