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


@pytest.mark.parametrize(("fmt", "value", "shown"), [
    # W. Gould (Statalist, July 2003): %w.dg, d > 0, shows d significant digits for |x| < 1
    ("%9.2g", 4.52394e-3, ".0045"), ("%9.2g", 4.52394e-5, ".000045"),
    # Stata's [D] format examples: %9.4g shows 3.14159 as 3.142 and 314.159 as 314.2
    ("%9.4g", 3.14159, "3.142"), ("%9.4g", 314.159, "314.2"),
    ("%10.4g", math.pi, "3.142"), ("%21.15g", 1 / 3, ".333333333333333"),
    # the integer part is never rounded away, and rounding may carry into it
    ("%9.2g", 6165.257, "6165"), ("%12.4g", math.pi * 1e5, "314159"),
    ("%9.2g", 0.0999, ".1"), ("%9.3g", -2.5, "-2.5"), ("%9.2gc", 12345.678, "12,346"),
    # what does not fit in w - 2 positions goes to %e with d - 1 decimals
    ("%9.2g", 1.234e12, "1.2e+12"), ("%9.2g", 4.5e-7, "4.5e-07"),
])
def test_percent_w_d_g_significant_digits(fmt, value, shown):
    width = int(fmt[1:].split(".")[0])
    assert format_number(value, fmt) == shown.rjust(width)
