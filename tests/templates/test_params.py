"""Parameter validation: types, columns, unknown and missing names, and injection attempts."""

from __future__ import annotations

import msgspec
import pytest

from libs.contracts.errors import ErrorCode
from libs.templates import DatasetColumns, ParamsInvalid, load_catalogue, validate_params
from libs.templates.errors import ProblemCode
from libs.templates.metadata import Template

CATALOGUE = load_catalogue()
AUTO = DatasetColumns.of(
    [
        ("make", False),
        ("price", True),
        ("mpg", True),
        ("weight", True),
        ("foreign", True),
        ("rep78", True),
    ]
)


def problems(template: str, params: dict[str, object], columns: object = AUTO) -> dict[str, str]:
    with pytest.raises(ParamsInvalid) as caught:
        validate_params(CATALOGUE.get(template), params, columns)  # type: ignore[arg-type]
    assert caught.value.code is ErrorCode.TEMPLATE_PARAM_INVALID
    assert caught.value.http_status == 422
    return {p.param: p.reason for p in caught.value.problems}


def fields(template: str, params: dict[str, object], columns: object = AUTO) -> list[str]:
    """Where each problem is, as the client reads it."""
    with pytest.raises(ParamsInvalid) as caught:
        validate_params(CATALOGUE.get(template), params, columns)  # type: ignore[arg-type]
    return [p.field for p in caught.value.problems]


def test_valid_params_get_defaults_and_canonical_lists() -> None:
    values = validate_params(
        CATALOGUE.get("ols_robust"), {"depvar": "price", "indepvars": "mpg  weight"}, AUTO
    )
    assert values.values == {"depvar": "price", "indepvars": ["mpg", "weight"], "level": 95}


def test_every_bad_parameter_is_reported_with_its_field() -> None:
    found = problems(
        "ols",
        {"depvar": "make", "indepvars": ["mpg", "nosuch"], "level": 100, "colour": "red"},
    )
    assert found == {
        "colour": ProblemCode.UNKNOWN,
        "depvar": ProblemCode.VARIABLE_TYPE,
        "indepvars": ProblemCode.NOT_A_COLUMN,
        "level": ProblemCode.OUT_OF_RANGE,
    }


def test_a_problem_names_the_path_of_the_item_to_blame() -> None:
    assert fields("ols", {"depvar": "price", "indepvars": [["mpg"]]}, None) == [
        "params.indepvars[0]"]
    assert fields("ols", {"depvar": "price", "indepvars": ["mpg", 7]}, None) == [
        "params.indepvars[1]"]
    assert fields("ols", {"depvar": "price", "indepvars": ["mpg", "mpg"]}, None) == [
        "params.indepvars[1]"]
    assert fields("ols", {"depvar": "price", "indepvars": ["mpg", "x", "weight"]}) == [
        "params.indepvars[1]"]
    # A list given as one string is named as a whole: the client wrote no positions.
    assert fields("ols", {"depvar": "price", "indepvars": "mpg x"}) == ["params.indepvars"]
    assert fields("ols", {"depvar": 1, "indepvars": ["mpg"], "a b": 1}, None) == [
        'params["a b"]', "params.depvar"]


def test_missing_required_and_wrong_json_types() -> None:
    assert problems("ols", {}) == {"depvar": ProblemCode.MISSING, "indepvars": ProblemCode.MISSING}
    found = problems("ttest_two_group", {"var": 3, "group": "foreign", "unequal": "yes"})
    assert found == {"var": ProblemCode.WRONG_TYPE, "unequal": ProblemCode.WRONG_TYPE}
    found = problems(
        "event_study",
        {
            "depvar": "price",
            "eventvar": "mpg",
            "panelvar": "rep78",
            "timevar": "weight",
            "leads": 2.5,
        },
        None,
    )
    assert found == {"leads": ProblemCode.WRONG_TYPE}
    assert problems("ols", {"depvar": "price", "indepvars": ["mpg"], "level": True}) == {
        "level": ProblemCode.WRONG_TYPE
    }


def test_enum_distinct_and_counts() -> None:
    base = {"depvar": "price", "indepvars": ["mpg"]}
    assert problems("logit_ame", {**base, "vce": "bootstrap"}) == {"vce": ProblemCode.NOT_ALLOWED}
    assert problems("ols", {"depvar": "price", "indepvars": ["price", "mpg"]}) == {
        "indepvars": ProblemCode.REPEATED
    }
    assert problems("ols", {**base, "indepvars": ["mpg", "mpg"]}) == {
        "indepvars": ProblemCode.REPEATED
    }
    assert problems("correlation_matrix", {"vars": ["mpg"]}) == {"vars": ProblemCode.COUNT}


def test_merge_keys_must_exist_in_both_inputs() -> None:
    using = DatasetColumns.of([("id", True), ("z", True)])
    main = DatasetColumns.of([("id", True), ("y", True)])
    meta = CATALOGUE.get("merge_datasets")
    assert validate_params(meta, {"keys": ["id"]}, {"main": main, "using": using}).values[
        "keys"
    ] == ["id"]
    assert problems("merge_datasets", {"keys": ["y"]}, {"main": main, "using": using}) == {
        "keys": ProblemCode.NOT_A_COLUMN
    }


def test_new_variable_names_must_be_new() -> None:
    assert problems("reshape_long", {"id": "make", "stubs": ["p"], "j": "price"}) == {
        "j": ProblemCode.ALREADY_A_COLUMN
    }


INJECTIONS = [
    'price"',
    "price'",
    "`price'",
    "$S_FN",
    "${x}",
    "price\nshell rm -rf /",
    "price\n",
    "price\r\n",
    "price; shell ls",
    "price /// ",
    "price // comment",
    "price /* c */",
    "{price}",
    "shell",
    "../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows",
    "price mpg",
    "",
    "_all",
    "a" * 33,
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_in_variable_names_is_refused(value: str) -> None:
    columns = DatasetColumns.of([("price", True), ("mpg", True)])
    found = problems("ols", {"depvar": value, "indepvars": ["mpg"]}, columns)
    assert found["depvar"] in (ProblemCode.NOT_IDENTIFIER, ProblemCode.NOT_A_COLUMN)
    found = problems("ols", {"depvar": "price", "indepvars": ["mpg", value]}, columns)
    assert set(found) == {"indepvars"}


@pytest.mark.parametrize(
    "value",
    [
        'Growth "rate"',
        "it's",
        "a `b' c",
        "cost in $",
        "two\nlines",
        "trailing newline\n",
        "a; b",
        "see /// next",
        "a // b",
        "a /* b */",
        "{braces}",
        "run shell now",
        "Mata rules",
        "../up",
        "x\\y",
        "a/b",
        "bang!",
        "tab\there",
    ],
)
def test_unsafe_free_text_is_refused(value: str) -> None:
    meta = _string_template()
    with pytest.raises(ParamsInvalid) as caught:
        validate_params(meta, {"label": value}, None)
    assert caught.value.problems[0].reason is ProblemCode.UNSAFE_TEXT


def test_plain_free_text_is_accepted() -> None:
    values = validate_params(_string_template(), {"label": "Price (USD), 1978: 95% CI"}, None)
    assert values.values["label"] == "Price (USD), 1978: 95% CI"


def _string_template() -> Template:
    return msgspec.convert(
        {
            "id": "labelled",
            "version": "1.0.0",
            "title": "t",
            "description": "d",
            "family": "data",
            "use_when": "u",
            "avoid_when": "a",
            "assumptions": [],
            "shapes": [{"kind": "wide"}],
            "parameters": [{"name": "label", "type": "string", "description": "a label"}],
            "outputs": [{"file": "results/x.csv", "kind": "table", "title": "x"}],
            "example_inputs": {"main": "x.csv"},
        },
        Template,
    )
