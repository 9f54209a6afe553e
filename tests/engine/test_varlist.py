from __future__ import annotations

import numpy as np
import pytest

from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.varlist import expand, parse_terms

NAMES = ["price", "mpg", "rep78", "foreign", "weight", "length", "inc1", "inc2", "inc10"]


@pytest.fixture
def ds() -> Dataset:
    return Dataset.from_columns({n: np.zeros(2) for n in NAMES}, dict.fromkeys(NAMES, "float"))


def test_abbreviations_wildcards_ranges_and_all(ds):
    assert expand(ds, "pr fo") == ["price", "foreign"]
    assert expand(ds, "inc?") == ["inc1", "inc2"]
    assert expand(ds, "inc*") == ["inc1", "inc2", "inc10"]
    assert expand(ds, "rep78-weight") == ["rep78", "foreign", "weight"]
    assert expand(ds, "mpg - rep78") == ["mpg", "rep78"]
    assert expand(ds, "_all") == NAMES


def test_ambiguous_abbreviation_and_varabbrev_off(ds):
    with pytest.raises(StataError) as err:
        expand(ds, "inc")
    assert err.value.code == 111
    assert "ambiguous" in err.value.message
    with pytest.raises(StataError):
        expand(ds, "pr", abbrev=False)


def test_wildcard_without_match_is_r111(ds):
    with pytest.raises(StataError) as err:
        expand(ds, "zz*")
    assert err.value.code == 111


def _spell(terms):
    out = []
    for t in terms:
        parts = []
        for f in t.factors:
            ts = "".join(f"{op}{k}" for op, k in f.ts)
            kind = ("i" if f.factor else "c") + (f"b{f.base}" if f.base else "") + (
                f"{list(f.levels)}" if f.levels else "")
            parts.append(f"{kind}{ts}.{f.var}")
        out.append("#".join(parts))
    return out


def test_factor_variables_and_interactions(ds):
    assert _spell(parse_terms(ds, "i.rep78 ib2.foreign c.mpg#i.foreign")) == [
        "i.rep78", "ib2.foreign", "c.mpg#i.foreign"]
    assert _spell(parse_terms(ds, "foreign##c.mpg")) == ["i.foreign", "c.mpg",
                                                         "i.foreign#c.mpg"]
    assert _spell(parse_terms(ds, "i.(rep78 foreign)")) == ["i.rep78", "i.foreign"]
    # a side crossed with itself: Stata's c.x##c.x is x and x², the main effect once
    assert _spell(parse_terms(ds, "c.mpg##c.mpg")) == ["c.mpg", "c.mpg#c.mpg"]
    assert _spell(parse_terms(ds, "1.foreign ibn.rep78")) == ["i[1].foreign", "ibnone.rep78"]
    assert _spell(parse_terms(ds, "price")) == ["c.price"]
    assert parse_terms(ds, "price")[0].is_plain


def test_time_series_operators(ds):
    assert _spell(parse_terms(ds, "L(1/3).price D.mpg L2D.weight F.length")) == [
        "cL1.price", "cL2.price", "cL3.price", "cD1.mpg", "cL2D1.weight", "cF1.length"]
    assert _spell(parse_terms(ds, "L(0/1).price")) == ["c.price", "cL1.price"]
