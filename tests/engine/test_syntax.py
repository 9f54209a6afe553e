from __future__ import annotations

import numpy as np
import pytest

from libs.engine.errors import StataError
from libs.engine.syntax import Spec, parse_numlist, parse_range

SPEC = ("[varlist(numeric)] [if] [in] [fweight aweight] [, DETail SEParator(integer 5) "
        "by(varlist) noCONStant TItle(string) Level(real 95) *]")


@pytest.fixture
def session(stata):
    r = stata("""
        set obs 10
        gen price = _n
        gen mpg = 20 - _n
        gen weight = 2
        gen str3 make = "a"
    """)
    return r.session


def test_varlist_if_in_weight_and_options(session):
    a = Spec(SPEC).parse("pr mpg if price > 2 in 1/8 [aw=weight], det sep(3) nocons "
                         'ti("A, title") extra(1)', session)
    assert a.varlist == ["price", "mpg"]
    assert a.weight == ("aweight", "weight")
    assert a.options == {"detail": True, "separator": 3, "noconstant": True,
                         "title": "A, title", "level": 95.0}
    assert a.rest_options == "extra(1)"
    np.testing.assert_array_equal(np.flatnonzero(a.touse(session)), np.arange(2, 8))


@pytest.mark.parametrize("typed", ["de", "d", "n"])
def test_option_shorter_than_its_minimum_abbreviation_is_rejected(session, typed):
    with pytest.raises(StataError) as err:
        Spec("[, DETail noCONStant]").parse(f", {typed}", session)
    assert err.value.code == 198


def test_lowercase_option_needs_the_full_name(session):
    with pytest.raises(StataError):
        Spec("[, by(varlist)]").parse(", b(price)", session)
    assert Spec("[, by(varlist)]").parse(", by(price)", session).opt("by") == ["price"]
    assert Spec(SPEC).parse(", b(price)", session).rest_options == "b(price)"  # * collects it


def test_errors_have_stata_codes(session):
    cases = [
        ("[varlist(numeric)]", "make", 109),
        ("varlist", "nosuch", 111),
        ("varlist", "", 100),
        ("[varlist]", "price [fw=weight]", 101),
        ("[varlist] [if]", "price in 1/2", 101),
        ("[, SEParator(integer 5)]", ", sep(abc)", 7),
        ("varname", "price mpg", 103),
    ]
    for decl, text, code in cases:
        with pytest.raises(StataError) as err:
            Spec(decl).parse(text, session)
        assert err.value.code == code, (decl, text)


def test_default_varlist_is_all_variables(session):
    assert Spec("[varlist]").parse("", session).varlist == ["price", "mpg", "weight", "make"]


def test_in_ranges():
    assert parse_range("f/l", 10) == (0, 10)
    assert parse_range("-3/l", 10) == (7, 10)
    assert parse_range("5", 10) == (4, 5)
    with pytest.raises(StataError):
        parse_range("0/3", 10)


def test_numlists():
    assert parse_numlist("1/3 7") == [1, 2, 3, 7]
    assert parse_numlist("0(5)15") == [0, 5, 10, 15]
    assert parse_numlist("10(-4)0") == [10, 6, 2]
    with pytest.raises(StataError):
        parse_numlist("a/b")


def test_if_expression_may_contain_commas_and_the_word_in_inside_strings(session):
    a = Spec("[varlist] [if] [, DETail]").parse('price if inlist(price, 1, 2) | make == "in", det',
                                                session)
    assert a.if_exp == 'inlist(price, 1, 2) | make == "in"'
    assert a.opt("detail") is True


def test_exp_and_using(session):
    a = Spec("newvarname =exp [if]").parse("z = price + 1 if mpg < 15", session)
    assert (a.varlist, a.exp, a.if_exp) == (["z"], "price + 1", "mpg < 15")
    b = Spec("[varlist] using/ [, clear]").parse('price using "my file.dta", clear', session)
    assert b.using == "my file.dta"
    assert b.opt("clear") is True

