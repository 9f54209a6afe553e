"""Display formats against outputs Stata itself printed (W. Gould, Statalist, April 2003)."""

from __future__ import annotations

import math

import pytest

from libs.engine.formats import format_number


@pytest.mark.parametrize(("value", "shown"), [
    (math.pi, "3.141592654"), (math.pi * 10, "31.41592654"), (math.pi * 1e5, "314159.2654"),
    (math.pi * 1e8, "314159265.4"), (math.pi * 1e9, "3141592654"),
    (math.pi * 1e10, "3.14159e+10"), (math.pi / 10, ".3141592654"),
    (math.pi * 1e-4, ".0003141593"), (math.pi * 1e-5, ".0000314159"),
    (math.pi * 1e-6, "3.14159e-06"),
])
def test_percent_12_0g(value, shown):
    assert format_number(value, "%12.0g") == shown.rjust(12)


def test_percent_gc_drops_commas_that_do_not_fit():
    assert format_number(12345678, "%12.0gc") == "  12,345,678"
    assert format_number(123456789, "%12.0gc") == "   123456789"


def test_fixed_exponential_strings_and_missing():
    assert format_number(0.5, "%9.2f") == "     0.50"
    assert format_number(-1234.5, "%10.1fc") == "  -1,234.5"
    assert format_number(12345.678, "%9.2e") == " 1.23e+04"
    assert format_number(float("nan"), "%9.0g") == "        ."
    assert format_number(3.0, "%-6.0g") == "3     "
