from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from libs.engine import missing
from libs.engine.evaluator import Evaluator
from libs.engine.results import Matrix, Results


def test_missing_values_sort_above_every_number(stata):
    r = stata("""
        di (. > 1e300) (.a > .) (.z > .a) (. == .) (.a == .) (1 < .) (.b >= .b)
    """)
    assert r.output == ["1111011"]


def test_arithmetic_with_missing_gives_sysmiss_and_division_by_zero_is_missing(stata):
    r = stata("""
        set obs 3
        gen double x = .a in 1
        replace x = 2 in 2
        gen double y = x + 1
        gen double z = x / 0
        gen double w = sqrt(-x)
    """)
    assert r.rc == 0
    y = r.col("y")
    assert np.isnan(y[0])
    assert missing.codes(y)[0] == 0
    assert y[1] == 3.0
    assert np.isnan(r.col("z")).all()
    assert np.isnan(r.col("w")).all()


def test_generate_defaults_to_float_storage(stata):
    r = stata("""
        set obs 1
        gen y = 0.1
        gen double d = 0.1
        gen eq_plain = y == 0.1
        gen eq_float = y == float(0.1)
        gen z = y * 3
    """)
    assert r.col("y")[0] == float(np.float32(0.1))
    assert r.col("d")[0] == 0.1
    assert r.col("eq_plain")[0] == 0.0
    assert r.col("eq_float")[0] == 1.0
    # computed from the float-stored y, then stored as float again (Stata's numbers)
    assert r.col("z")[0] == float(np.float32(float(np.float32(0.1)) * 3))


def test_set_type_double_changes_the_default(stata):
    r = stata("""
        set type double
        set obs 1
        gen y = 0.1
    """)
    assert r.col("y")[0] == 0.1
    assert r.session.data.vars["y"].stype == "double"


def test_integer_storage_truncates_and_out_of_range_is_missing(stata):
    r = stata("""
        set obs 3
        gen byte b = 3.7 in 1
        replace b = 101 in 2
        gen int i = -2.9
    """)
    assert r.col("b")[0] == 3.0
    assert r.col("i")[0] == -2.0
    assert r.session.data.vars["b"].stype == "int"  # replace promoted byte to int for 101


@pytest.mark.parametrize(("exp", "expected"), [
    ("-2^2", "-4"), ("2^3^2", "64"), ("1+2*3", "7"), ("(1+2)*3", "9"), ("!0 + 1", "2"),
    ("3 > 2 & 2 > 3", "0"), ("0 | .", "1"), ("7/2", "3.5"), ("!.", "0"),
])
def test_operator_precedence(stata, exp, expected):
    assert stata(f"di {exp}").output == [expected]


def test_strings_and_type_mismatch(stata):
    r = stata("""
        di "ab" + "cd" " " ("b" > "a") " " ("a" == "a")
        capture di "a" + 1
        di _rc
    """)
    assert r.output == ["abcd 1 1", "109"]


def test_n_and_N_and_subscripts(stata):
    r = stata("""
        set obs 4
        gen x = _n * 10
        gen prev = x[_n-1]
        gen nxt = x[_n+1]
        gen last = x[_N]
    """)
    np.testing.assert_array_equal(r.col("prev"), [np.nan, 10, 20, 30])
    np.testing.assert_array_equal(r.col("nxt"), [20, 30, 40, np.nan])
    np.testing.assert_array_equal(r.col("last"), [40] * 4)


def test_by_group_n_N_and_subscripts_are_within_group(stata):
    r = stata("""
        set obs 6
        gen g = cond(_n <= 2, 2, 1)
        gen x = _n
        bysort g (x): gen n = _n
        by g: gen N = _N
        by g: gen first = x[1]
        by g: gen lag = x[_n-1]
    """)
    # after the sort by g: g=1 holds x 3..6, g=2 holds x 1..2
    np.testing.assert_array_equal(r.col("g"), [1, 1, 1, 1, 2, 2])
    np.testing.assert_array_equal(r.col("n"), [1, 2, 3, 4, 1, 2])
    np.testing.assert_array_equal(r.col("N"), [4, 4, 4, 4, 2, 2])
    np.testing.assert_array_equal(r.col("first"), [3, 3, 3, 3, 1, 1])
    np.testing.assert_array_equal(r.col("lag"), [np.nan, 3, 4, 5, np.nan, 1])


def test_replace_with_own_lag_is_sequential_like_stata(stata):
    r = stata("""
        set obs 120
        gen double x = cond(mod(_n, 40) == 1, _n, .)
        replace x = x[_n-1] if missing(x)
        gen double c = 1
        replace c = c + c[_n-1] if _n > 1
    """)
    expected_fill = np.repeat([1.0, 41.0, 81.0], 40)
    np.testing.assert_array_equal(r.col("x"), expected_fill)
    np.testing.assert_array_equal(r.col("c"), np.arange(1, 121, dtype=float))


def test_replace_with_a_lag_operator_is_recursive_like_stata(stata):
    # Stata replaces observation by observation, so an AR(1) series built with L.x sees the
    # values already replaced, also when random draws enter the recursion
    r = stata("""
        set obs 12
        gen t = _n
        tsset t
        gen double e = mod(_n, 3)
        gen double y = 2 in 1
        replace y = .5 + .7*L.y + e in 2/l
        gen double z = 1 in 1
        replace z = L.z + rnormal(0, 1e-9) + 1 in 2/l
    """)
    assert r.rc == 0, r.log
    y = [2.0]
    for k in range(2, 13):
        y.append(0.5 + 0.7 * y[-1] + k % 3)
    np.testing.assert_allclose(r.col("y"), y, rtol=1e-12)
    np.testing.assert_allclose(r.col("z"), np.arange(1, 13), atol=1e-6)


def test_math_and_logic_functions(stata):
    r = stata("""
        di round(2.5) " " round(-2.5) " " round(1.2345, .01) " " mod(-7, 3) " " int(-2.7)
        di max(1, ., 3) " " min(., .) " " abs(-2) " " cond(., 1, 2, 3) " " cond(0, 1, 2)
        di inlist(2, 1, 2) " " inlist("b", "a", "c") " " inrange(5, 1, .) " " inrange(., 1, 5)
        di missing(1, .) " " missing("") " " mi(.a)
    """)
    assert r.output == ["3 -3 1.23 2 -2", "3 . 2 3 2", "1 0 1 0", "1 1 1"]


def test_string_functions(stata):
    r = stata("""
        di substr("hello", -3, 2) "|" substr("hello", 2, .) "|" strpos("hello", "l")
        di word("a b c", 2) "|" wordcount("a  b") "|" subinstr("a.b.c", ".", "-", .)
        di strtrim("  x ") "|" upper("ab") "|" strlen("abc") "|" real("1e3") + 1
        di string(1/3) "|" string(2.5, "%9.2f") "|" strofreal(10)
        di regexm("ab12", "([a-z]+)([0-9]+)") regexs(2) "|" ustrregexra("a1b2", "[0-9]", "")
    """)
    assert r.output == ["ll|ello|3", "b|2|a-b-c", "x|AB|3|1001", ".3333333|2.50|10",
                        "112|ab"]


def test_date_functions_match_python_dates(stata):
    r = stata("""
        di mdy(3, 15, 2021) " " date("2021-03-15", "YMD") " " date("15mar2021", "DMY")
        local d td(15mar2021)
        di year(`d') " " month(`d') " " day(`d') " " dow(`d')
        di ym(2021, 3) " " mofd(td(15mar2021)) " " qofd(td(15mar2021)) " " %td td(1jan1960)
        di %tdCCYY-NN-DD td(15mar2021) " " %tm tm(2021m3) " " %tq tq(2021q1)
    """)
    days = (dt.date(2021, 3, 15) - dt.date(1960, 1, 1)).days
    monday_is = (dt.date(2021, 3, 15).weekday() + 1) % 7
    months = (2021 - 1960) * 12 + 2
    assert r.output == [f"{days} {days} {days}", f"2021 3 15 {monday_is}",
                        f"{months} {months} {(2021 - 1960) * 4} 01jan1960",
                        "2021-03-15 2021m3 2021q1"]


def test_random_numbers_follow_set_seed(stata):
    r = stata("""
        set obs 5
        set seed 42
        gen u1 = runiform()
        gen n1 = rnormal(10, 2)
        set seed 42
        gen u2 = runiform()
        set seed 43
        gen u3 = runiform()
    """)
    np.testing.assert_array_equal(r.col("u1"), r.col("u2"))
    assert not np.array_equal(r.col("u1"), r.col("u3"))
    assert ((r.col("u1") >= 0) & (r.col("u1") < 1)).all()


def test_random_number_parameters_may_vary_by_observation(stata):
    # rpoisson(exp(xb)) and rbinomial(1, p) take a parameter per observation (a missing one
    # gives a missing draw); in display (scalar context) a draw is a single number
    r = stata("""
        set obs 2000
        set seed 7
        gen double m = cond(_n <= 1000, 1, 20)
        replace m = . in 2000
        gen k = rpoisson(m)
        gen b = rbinomial(1, cond(_n <= 1000, .1, .9))
        gen u = runiform(m, m + 1)
        display runiform() < 1
    """)
    assert r.rc == 0, r.log
    k, b, u = r.col("k"), r.col("b"), r.col("u")
    assert np.isnan(k[-1])
    assert np.isnan(u[-1])
    assert abs(k[:1000].mean() - 1) < 0.2
    assert abs(k[1000:1999].mean() - 20) < 1
    assert abs(b[:1000].mean() - 0.1) < 0.05
    assert abs(b[1000:].mean() - 0.9) < 0.05
    assert ((u[:1000] >= 1) & (u[:1000] < 2)).all()
    assert r.output[-1] == "1"


def test_old_function_names_still_work(stata):
    # uniform() and invnorm() are the names runiform() and invnormal() had before Stata 10/11;
    # Stata still runs do-files that use them
    r = stata("set seed 3\ndisplay invnorm(.975)\ndisplay uniform() < 1\n")
    assert r.rc == 0, r.log
    assert r.output == ["1.959964", "1"]


def test_unknown_function_is_r133(stata):
    r = stata("di nosuchfn(1)")
    assert r.rc == 133


def test_coefficients_from_e_b_and_e_V(stata):
    r = stata("")
    session = r.session
    names = ["x", "1.g", "_cons"]
    session.post_e(Results(matrices={
        "b": Matrix(np.array([[2.0, -1.0, 5.0]]), ["y1"], names),
        "V": Matrix(np.diag([4.0, 9.0, 0.25]), names, names)}))
    ev = Evaluator(session, scalar=True)
    assert float(ev.evaluate("_b[x] + _b[_cons]")) == 7.0
    assert float(ev.evaluate("_se[1.g]")) == 3.0
    assert float(ev.evaluate("_b[1.g]/_se[_cons]")) == -2.0


def test_running_sum_restarts_in_each_by_group(stata):
    r = stata("""
        set obs 6
        gen g = _n > 3
        gen x = _n
        replace x = . in 2
        by g: gen cs = sum(x)
        gen total = sum(x)
    """)
    np.testing.assert_array_equal(r.col("cs"), [1, 1, 4, 4, 9, 15])
    np.testing.assert_array_equal(r.col("total"), [1, 1, 4, 8, 13, 19])


def test_string_of_arrays_matches_display_format(stata):
    r = stata("""
        set obs 4
        gen double v = cond(_n == 1, 123456789, cond(_n == 2, -7, cond(_n == 3, 1/3, .)))
        gen s = string(v)
    """)
    assert list(r.col("s")) == ["1.23e+08", "-7", ".3333333", "."]


def test_distribution_functions_match_printed_tables(stata):
    # critical values as statistics tables print them: t(10) 2.228, chi2(2) 5.991, F(2, 10) 4.103
    r = stata("""
        di %6.4f ttail(10, 2.228) " " %6.3f invttail(10, .025)
        di %6.4f chi2tail(2, 5.991) " " %6.4f chi2(2, 5.991) " " %6.3f invchi2tail(2, .05)
        di %6.4f Ftail(2, 10, 4.103)
        capture di ttail("a", 1)
        di _rc
    """)
    assert r.output == ["0.0250  2.228", "0.0500 0.9500  5.991", "0.0500", "109"]
