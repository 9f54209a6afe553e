"""Every independent check: one per template's bundled example, and the fixture cases."""

from __future__ import annotations

from tests.templates import (
    cases_agreement_power,
    cases_causal,
    cases_counts,
    cases_data,
    cases_data_prep,
    cases_derived,
    cases_descriptive,
    cases_design,
    cases_finance,
    cases_limited,
    cases_matching,
    cases_medical,
    cases_panel,
    cases_panel_binary,
    cases_rank_and_variance,
    cases_regression,
    cases_reliability,
    cases_resampling,
    cases_selection,
    cases_staggered,
    cases_survival,
    cases_survival_models,
    cases_synthetic,
    cases_tests,
    cases_timeseries,
    cases_treatment,
    cases_ts_models,
)
from tests.templates.support import Case, Check

_MODULES = (
    cases_regression,
    cases_panel,
    cases_panel_binary,
    cases_tests,
    cases_rank_and_variance,
    cases_descriptive,
    cases_data,
    cases_data_prep,
    cases_medical,
    cases_agreement_power,
    cases_finance,
    cases_timeseries,
    cases_ts_models,
    cases_survival,
    cases_survival_models,
    cases_causal,
    cases_limited,
    cases_selection,
    cases_treatment,
    cases_matching,
    cases_resampling,
    cases_derived,
    cases_design,
    cases_reliability,
    cases_counts,
    cases_staggered,
    cases_synthetic,
)

#: template id → the check of its example request on the bundled data
EXAMPLE_CHECKS: dict[str, Check] = {
    template: check for module in _MODULES for template, check in module.EXAMPLE_CHECKS.items()
}
#: other parameter sets: other data, options and code paths of the same templates
ALL_CASES: list[Case] = [case for module in _MODULES for case in module.CASES]
