"""Every template's metadata against the generated JSON Schema, and the library's coverage."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import msgspec
import pytest

from libs.templates import Engine, Family, Shape, load_catalogue
from libs.templates.catalogue import DEFAULT_ROOT, consistency_problems
from libs.templates.engine_support import embedded_provides
from libs.templates.metadata import Template, template_json_schema

TEMPLATE_DIRS = sorted(p for p in (DEFAULT_ROOT / "templates").iterdir() if p.is_dir())


def test_schema_file_is_generated_from_the_structs() -> None:
    on_disk = json.loads((DEFAULT_ROOT / "template.schema.json").read_text())
    assert on_disk == template_json_schema()


@pytest.mark.parametrize("folder", TEMPLATE_DIRS, ids=lambda p: p.name)
def test_metadata_matches_schema(folder: Path) -> None:
    document = tomllib.loads((folder / "template.toml").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(template_json_schema()).validate(document)
    assert (folder / "template.do").is_file()


def test_schema_refuses_broken_metadata() -> None:
    validator = jsonschema.Draft202012Validator(template_json_schema())
    good = tomllib.loads((DEFAULT_ROOT / "templates/ols/template.toml").read_text())
    for broken in (
        {**good, "family": "astrology"},
        {**good, "surprise": 1},
        {**good, "parameters": [{"name": "1x", "type": "varname", "description": "d"}]},
        {**good, "outputs": [{"file": "/etc/passwd", "kind": "table", "title": "t"}]},
        {k: v for k, v in good.items() if k != "shapes"},
    ):
        assert list(validator.iter_errors(broken)), broken


def test_catalogue_loads_at_least_40_consistent_templates() -> None:
    catalogue = load_catalogue()
    assert len(catalogue) >= 40
    for meta in catalogue.templates():
        assert consistency_problems(meta, embedded_provides) == [], meta.id
        # Templates claiming the embedded engine need only SSC packages it implements.
        assert Engine.EMBEDDED not in meta.engines or all(
            embedded_provides(package) for package in meta.ssc_packages)


def test_library_covers_the_issue_list() -> None:
    ids = {m.id for m in load_catalogue().templates()}
    wanted = {
        "data_overview",
        "data_quality",
        "summary_stats",
        "summary_by_group",
        "frequency_table",
        "crosstab_chi2",
        "correlation_matrix",
        "ttest_one_sample",
        "ttest_two_group",
        "ttest_paired",
        "ranksum_test",
        "signrank_test",
        "prtest_one_sample",
        "prtest_two_group",
        "anova_oneway",
        "ols",
        "ols_robust",
        "ols_cluster",
        "ols_fixed_effects",
        "ols_interaction",
        "ols_nested",
        "logit_ame",
        "probit_ame",
        "poisson_regression",
        "panel_fe",
        "panel_re",
        "panel_hausman",
        "did_twoway_fe",
        "event_study",
        "iv_2sls",
        "reshape_long",
        "reshape_wide",
        "merge_datasets",
        "append_datasets",
        "collapse_groups",
        "standardize_vars",
        "winsorize_vars",
        "log_transform",
        "panel_lags_diffs",
        "normality_checks",
        "balance_table",
        "ols_predict",
        "linear_hypothesis",
        "panel_structure",
    }
    assert wanted <= ids, wanted - ids


def test_library_covers_issue_16_families() -> None:
    """The families of the library-to-120 issue, each with its core templates."""
    catalogue = load_catalogue()
    assert len(catalogue) >= 120
    families = {
        Family.TIMESERIES: {"dfuller_test", "pperron_test", "arima_model", "var_irf",
                            "var_lag_selection", "var_granger", "granger_causality",
                            "newey_west", "prais_winsten", "chow_test", "break_date_search",
                            "rolling_regression"},
        Family.SURVIVAL: {"kaplan_meier", "logrank_test", "cox_ph", "streg_parametric",
                          "survival_summary", "survival_at_times"},
        Family.BINARY: {"heckman_selection", "fractional_response", "tobit_regression",
                        "ordered_regression", "mlogit_regression", "nbreg_regression"},
        Family.CAUSAL: {"rd_sharp", "rd_fuzzy", "iv_weak_robust", "ipw_ate"},
        Family.MEDICAL: {"weighted_kappa", "cohen_kappa", "power_two_proportions",
                         "power_two_means", "proportion_ci", "diagnostic_accuracy"},
        Family.PANEL: {"panel_logit_fe", "panel_fe"},
    }
    for family, wanted in families.items():
        have = {m.id for m in catalogue.search(family=family)}
        assert wanted <= have, (family, wanted - have)


def test_search_filters() -> None:
    catalogue = load_catalogue()
    panel = catalogue.search(shape=Shape.PANEL)
    assert {"panel_fe", "event_study", "panel_lags_diffs"} <= {m.id for m in panel}
    assert all(any(s.kind == Shape.PANEL for s in m.shapes) for m in panel)
    assert {m.id for m in catalogue.search(family=Family.CAUSAL)} >= {"iv_2sls", "did_2x2"}
    assert [m.id for m in catalogue.search(text="HAUSMAN")] == ["panel_hausman", "panel_re"]
    assert catalogue.search(family="tests", text="wilcoxon") == [
        catalogue.get("ranksum_test"),
        catalogue.get("signrank_test"),
    ]
    assert len(catalogue.search(engine=Engine.STATA)) == len(catalogue)


def _template(**changes: object) -> Template:
    base: dict[str, object] = {
        "id": "demo",
        "version": "1.0.0",
        "title": "t",
        "description": "d",
        "family": "data",
        "use_when": "u",
        "avoid_when": "a",
        "assumptions": ["none"],
        "shapes": [{"kind": "wide"}],
        "parameters": [
            {"name": "v", "type": "varname", "description": "a variable", "example": "x"}
        ],
        "outputs": [{"file": "results/x.csv", "kind": "table", "title": "x"}],
        "example_inputs": {"main": "x.csv"},
    }
    return msgspec.convert({**base, **changes}, Template)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"shapes": [{"kind": "panel", "id_param": "v"}]}, "needs id_param and time_param"),
        ({"shapes": [{"kind": "long", "id_param": "nope", "j_param": "v"}]}, "unknown parameter"),
        ({"ssc_packages": ["ivreg2"]}, "SSC package 'ivreg2'"),
        (
            {"parameters": [{"name": "v", "type": "varname", "description": "d"}]},
            "need an example",
        ),
        (
            {
                "parameters": [
                    {
                        "name": "v",
                        "type": "varname",
                        "description": "d",
                        "example": "x",
                        "default": "y",
                    }
                ]
            },
            "no default",
        ),
        (
            {
                "parameters": [
                    {
                        "name": "k",
                        "type": "enum",
                        "description": "d",
                        "example": "a;b",
                        "values": ["a;b"],
                    }
                ]
            },
            "safe text",
        ),
        (
            {
                "parameters": [
                    {"name": "main_data", "type": "varname", "description": "d", "example": "x"}
                ]
            },
            "distinct names",
        ),
        (
            {"parameters": [{"name": "v", "type": "varname", "description": "d", "example": "1x"}]},
            "do not validate",
        ),
        (
            {"inputs": [{"name": "a" * 30, "role": "main", "description": "d"}]},
            "longer than 31",
        ),
        ({"outputs": [{"file": "results/x.csv", "kind": "table", "title": "x"}] * 2}, "twice"),
        ({"example_inputs": {}}, "example_inputs"),
        ({"example_inputs": {"main": "x.csv", "other": "y.csv"}}, "example_inputs"),
    ],
)
def test_consistency_problems_are_found(changes: dict[str, object], problem: str) -> None:
    found = consistency_problems(_template(**changes), embedded_provides)
    assert any(problem in p for p in found), found
    assert consistency_problems(_template(), embedded_provides) == []


def test_an_ssc_package_the_engine_implements_is_allowed_for_the_embedded_engine() -> None:
    assert embedded_provides("synth")
    assert consistency_problems(_template(ssc_packages=["synth"]), embedded_provides) == []
    # without the engine to ask (the API's catalogue loading) the rule is not applied
    assert consistency_problems(_template(ssc_packages=["ivreg2"])) == []
