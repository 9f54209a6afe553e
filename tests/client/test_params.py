"""``-p name=value`` words to typed parameters, by the template's JSON Schema."""

from __future__ import annotations

from typing import Any

import pytest

from client.params import ParamError, parse_params

SCHEMA: dict[str, Any] = {"properties": {
    "depvar": {"type": "string"}, "indepvars": {"type": "array"},
    "level": {"type": "number"}, "lags": {"type": "integer"}, "robust": {"type": "boolean"}}}


def test_types_follow_the_schema() -> None:
    got = parse_params(["depvar=price", "indepvars=mpg weight", "level=90.5", "lags=2",
                        "robust=yes"], SCHEMA)
    assert got == {"depvar": "price", "indepvars": ["mpg", "weight"], "level": 90.5,
                   "lags": 2, "robust": True}
    assert isinstance(parse_params(["level=95"], SCHEMA)["level"], int)


def test_list_words_continue_and_repeat() -> None:
    got = parse_params(["indepvars=mpg", "weight", "indepvars=length,turn", "depvar=price"],
                       SCHEMA)
    assert got == {"indepvars": ["mpg", "weight", "length", "turn"], "depvar": "price"}


@pytest.mark.parametrize(("words", "says"), [
    (["nope=1"], "unknown parameter 'nope'"),
    (["depvar=price", "mpg"], "expected name=value, got 'mpg'"),
    (["lags=two"], "'lags' wants an integer"),
    (["robust=maybe"], "'robust' wants true or false"),
    (["depvar=a", "depvar=b"], "'depvar' given twice"),
    (["=x"], "expected name=value"),
])
def test_bad_words_name_the_problem(words: list[str], says: str) -> None:
    with pytest.raises(ParamError, match=says):
        parse_params(words, SCHEMA)
