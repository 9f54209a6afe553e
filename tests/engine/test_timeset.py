"""tsset/xtset: the declaration's lines as real Stata prints them (times in the variable's
display format, the period in its units), unit and format() options, delta() with units,
and r(). The expected lines are quoted from public logs of real Stata runs (sources below),
reproduced on data of the same shape."""

from __future__ import annotations

import pytest


def test_monthly_times_with_gaps(stata):
    # Stata 17+ log (github, a consumption/savings ADF exercise):
    #   . tsset daten
    #   Time variable: daten, 2721m1 to 3946m1, but with gaps
    #           Delta: 1 month
    r = stata("""
        set obs 3
        gen daten = ym(2721,1) in 1
        replace daten = ym(2721,2) in 2
        replace daten = ym(3946,1) in 3
        format daten %tm
        tsset daten
    """)
    assert "\nTime variable: daten, 2721m1 to 3946m1, but with gaps\n" \
           "        Delta: 1 month\n" in r.log
    assert r.session.r.macros["tmins"] == "2721m1"
    assert r.session.r.macros["unit"] == "monthly"
    assert r.session.r.scalars["gaps"] == 1


def test_quarterly_option_formats_the_variable(stata):
    # Stata log (github, "tsset newdate, quarterly"):
    #   Time variable: newdate, 1979q1 to 2022q3
    #           Delta: 1 quarter
    r = stata("""
        set obs 175
        gen newdate = tq(1979q1) + _n - 1
        tsset newdate, quarterly
    """)
    assert "\nTime variable: newdate, 1979q1 to 2022q3\n        Delta: 1 quarter\n" in r.log
    assert r.session.data.vars["newdate"].format == "%tq"
    assert r.session.r.macros["tdeltas"] == "1 quarter"
    assert r.session.r.scalars["tmin"] == 76  # 1979q1 is 19 years of quarters after 1960q1


def test_unbalanced_yearly_panel_with_gaps(stata):
    # Stata log (github, "xtset id vuosi, yearly"):
    #   Panel variable: id (unbalanced)
    #    Time variable: vuosi, 1975 to 2021, but with gaps
    #            Delta: 1 year
    r = stata("""
        clear
        input id vuosi
        1 1975
        1 1976
        2 1980
        2 2021
        end
        xtset id vuosi, yearly
    """)
    assert ("\nPanel variable: id (unbalanced)\n Time variable: vuosi, 1975 to 2021, but with "
            "gaps\n         Delta: 1 year\n") in r.log
    assert r.session.r.macros["balanced"] == "unbalanced"
    assert (r.session.r.scalars["imin"], r.session.r.scalars["imax"]) == (1, 2)


def test_generic_times_and_delta_in_units(stata):
    r = stata("""
        set obs 4
        gen w = 7 * _n
        tsset w, delta(7)
        local g = r(tdeltas)
        gen double c = 3600000 * _n
        format c %tc
        tsset c, delta((30*2) minutes)
        local h = r(tdelta)
        gen dd = mdy(1,1,2020) + 7 * _n
        tsset dd, daily delta(1 week)
        tsset
    """)
    assert "\nTime variable: w, 7 to 28\n        Delta: 7 units\n" in r.log
    assert r.session.frame.locals["g"] == "7 units"
    assert r.session.frame.locals["h"] == "3600000"
    assert "Time variable: c, 01jan1960 01:00:00 to 01jan1960 04:00:00" in r.log
    assert "\n        Delta: 1 hour\n" in r.log
    # tsset alone shows the settings again
    assert r.log.count("Time variable: dd, 08jan2020 to 29jan2020\n        Delta: 7 days") == 2


@pytest.mark.parametrize(("line", "rc"), [
    ("tsset y, delta(2 months)", 198),  # a unit of another frequency
    ("tsset y, delta(1.5)", 198),
    ("tsset y, monthly yearly", 198),
    ("tsset y, format(%zz)", 120),
])
def test_bad_declarations_are_refused_with_stata_codes(stata, line, rc):
    r = stata(f"""
        set obs 3
        gen y = 2000 + _n
        format y %ty
        capture {line}
        local rc = _rc
    """)
    assert r.session.frame.locals["rc"] == str(rc)
