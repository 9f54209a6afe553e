"""Rendering: parameters become a header of Stata locals above the unchanged template body."""

from __future__ import annotations

import pytest

from libs.templates import (
    DatasetColumns,
    DoFileUnsafe,
    TemplateMetadataError,
    load_catalogue,
    render_do_file,
    validate_params,
)
from libs.templates.render import render_header

CATALOGUE = load_catalogue()


def test_header_holds_one_local_per_parameter_and_input() -> None:
    meta = CATALOGUE.get("ttest_two_group")
    columns = DatasetColumns.of([("price", True), ("foreign", True)])
    params = validate_params(meta, {"var": "price", "group": "foreign", "unequal": True}, columns)
    text = render_do_file(meta, CATALOGUE.body(meta.id), params)
    header, body = text.split("\n\n", 1)
    assert header.splitlines()[1:] == [
        'local var "price"',
        'local group "foreign"',
        'local unequal "1"',
        'local main_data "inputs/main.dta"',
    ]
    assert body == CATALOGUE.body(meta.id)  # the body is never rewritten


def test_values_render_as_stata_text() -> None:
    meta = CATALOGUE.get("winsorize_vars")
    params = validate_params(meta, {"vars": ["price", "mpg"], "lower": 2.5}, None)
    header = render_header(meta, params, {"main": "main.dta"})
    assert 'local vars "price mpg"' in header
    assert 'local lower "2.5"' in header
    assert 'local upper "99"' in header
    optional = CATALOGUE.get("poisson_regression")
    params = validate_params(optional, {"depvar": "n", "indepvars": ["x"]}, None)
    assert 'local exposure ""' in render_header(optional, params, {"main": "main.dta"})


def test_merge_inputs_get_their_own_locals() -> None:
    meta = CATALOGUE.get("merge_datasets")
    params = validate_params(meta, {"keys": ["id"]}, None)
    header = render_header(meta, params, {"main": "upload_1.dta", "using": "upload_2.dta"})
    assert 'local main_data "inputs/upload_1.dta"' in header
    assert 'local using_data "inputs/upload_2.dta"' in header


@pytest.mark.parametrize(
    "name", ["../x.dta", "/tmp/x.dta", 'a".dta', "x.csv", "a b.dta", "x.dta\n", "x.dta\nshell"]
)
def test_input_file_names_are_plain(name: str) -> None:
    meta = CATALOGUE.get("summary_stats")
    params = validate_params(meta, {"vars": ["x"]}, None)
    with pytest.raises(TemplateMetadataError):
        render_header(meta, params, {"main": name})


def test_params_for_another_template_are_refused() -> None:
    params = validate_params(CATALOGUE.get("summary_stats"), {"vars": ["x"]}, None)
    with pytest.raises(ValueError, match="validated for"):
        render_do_file(CATALOGUE.get("normality_checks"), "summarize", params)


def test_an_unsafe_body_is_refused_at_render() -> None:
    meta = CATALOGUE.get("summary_stats")
    params = validate_params(meta, {"vars": ["x"]}, None)
    with pytest.raises(DoFileUnsafe) as caught:
        render_do_file(meta, "summarize `vars'\nshell ls\n", params)
    assert caught.value.findings[0].lineno == 6  # 3 header lines, a blank, body line 2
