"""Stata names: valid, unique, stable for names that were already fine."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from libs.datasets.names import is_valid_name, stata_names

STATA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=50), max_size=30))
def test_any_headers_give_valid_unique_names(headers: list[str]) -> None:
    names = [m.name for m in stata_names(headers)]
    assert len(set(names)) == len(names)
    for name in names:
        assert STATA_NAME.fullmatch(name)
        assert is_valid_name(name)


def test_valid_names_are_kept_and_win_over_derived_ones() -> None:
    mapping = stata_names(["a b", "a_b", "income"])
    assert [m.name for m in mapping] == ["a_b_2", "a_b", "income"]
    assert [m.changed for m in mapping] == [True, False, False]


def test_reserved_words_and_str_types() -> None:
    for word in [
        "_n",
        "_N",
        "_b",
        "in",
        "if",
        "byte",
        "int",
        "long",
        "float",
        "double",
        "str1",
        "str2045",
        "strL",
        "using",
        "with",
        "_cons",
    ]:
        assert not is_valid_name(word), word
    assert is_valid_name("str2046")  # not a storage type
    assert is_valid_name("In")  # names are case-sensitive; only "in" is reserved


def test_truncation_keeps_names_apart() -> None:
    long = "a_really_long_column_name_for_income_"
    names = [m.name for m in stata_names([long + "2020", long + "2021"])]
    assert names[0] == (long + "2020")[:32]
    assert names[1] != names[0]
    assert len(names[1]) <= 32
