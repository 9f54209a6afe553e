from __future__ import annotations

import numpy as np

from libs.engine.batch import run_source
from libs.engine.results import Matrix, Results


def test_delimit_in_a_run_and_quietly_block(stata):
    r = stata("""
        #delimit ;
        local a = 1 +
            2 ;
        di `a' ;
        #delimit cr
        quietly {
            di "hidden"
            noisily di "loud"
        }
    """)
    assert r.output == ["3", "loud"]


def test_ereturn_list_layout(stata):
    r = stata("")
    session = r.session
    names = ["x", "_cons"]
    session.post_e(Results(scalars={"N": 74.0, "r2": 0.25}, macros={"cmd": "regress"},
                           matrices={"b": Matrix(np.array([[1.0, 2.0]]), ["y1"], names)},
                           sample=np.ones(3, dtype=bool)))
    run_source(session, "ereturn list")
    text = session.log.sinks[0].getvalue()  # type: ignore[attr-defined]
    for line in ["scalars:", "             e(N) :  74", "            e(r2) :  .25", "macros:",
                 '           e(cmd) :  "regress"', "matrices:", "             e(b) :  1 x 2",
                 "functions:", "        e(sample)"]:
        assert line in text.splitlines(), line


def test_merge_1_to_m_and_append_many(stata):
    r = stata("""
        set obs 4
        gen k = ceil(_n / 2)
        gen v = _n
        save many
        clear
        set obs 3
        gen k = _n
        gen name = k * 100
        merge 1:m k using many
        sort k v
    """)
    np.testing.assert_array_equal(r.col("k"), [1, 1, 2, 2, 3])
    np.testing.assert_array_equal(r.col("name"), [100, 100, 200, 200, 300])
    np.testing.assert_array_equal(r.col("_merge"), [3, 3, 3, 3, 1])
    s = stata("""
        set obs 1
        gen a = 1
        save p1
        replace a = 2
        save p2
        replace a = 3
        save p3
        use p1, clear
        append using p2 p3
    """)
    np.testing.assert_array_equal(s.col("a"), [1, 2, 3])


def test_reshape_errors(stata):
    r = stata("""
        set obs 2
        gen id = 1
        gen x1 = 1
        reshape long x, i(id) j(t)
    """)
    assert r.rc == 9
    r = stata("""
        set obs 2
        gen id = 1
        gen t = 1
        gen x = _n
        reshape wide x, i(id) j(t)
    """)
    assert r.rc == 9


def test_label_list_describe_varlist_and_order_after(stata):
    r = stata("""
        label define yes 1 "Yes" 0 "No"
        label list yes
        set obs 1
        gen a = 1
        gen b = 2
        gen c = 3
        order c, after(a)
        describe b
        rename *, upper
    """)
    assert r.output[:3] == ["yes:", "           0 No", "           1 Yes"]
    assert "b               float   %9.0g" in r.log
    assert r.session.data.varnames == ["A", "C", "B"]


def test_tsset_alone_and_seasonal_difference(stata):
    r = stata("""
        set obs 6
        gen t = _n
        gen y = _n^2
        tsset t
        gen s2 = S2.y
        gen d2 = D2.y
    """)
    np.testing.assert_array_equal(r.col("s2"), [np.nan, np.nan, 8, 12, 16, 20])
    np.testing.assert_array_equal(r.col("d2"), [np.nan, np.nan, 2, 2, 2, 2])
    assert "\nTime variable: t, 1 to 6\n        Delta: 1 unit\n" in r.log


def test_collapse_aweights_and_percentiles(stata):
    r = stata("""
        set obs 5
        gen g = 1
        gen double x = _n
        gen w = _n
        collapse (mean) m=x (p50) p=x (iqr) q=x [aw=w], by(g)
    """)
    x = np.arange(1, 6.0)
    assert r.col("m")[0] == np.average(x, weights=x)  # double source -> double result
    # weighted median: cumulative weights 1 3 6 10 15, half of 15 reached at x = 4
    assert r.col("p")[0] == 4.0


def test_string_replace_widens_and_reports(stata):
    r = stata("""
        set obs 2
        gen str2 s = "ab"
        replace s = "abcdef" in 2
    """)
    assert r.session.data.vars["s"].stype == "str6"
    assert r.output[-2:] == ["variable s was str2 now str6", "(1 real change made)"]


def test_encode_with_existing_label_and_decode_unlabeled_error(stata):
    r = stata("""
        label define c 1 "b" 2 "a"
        set obs 3
        gen str1 s = word("a b c", _n)
        encode s, gen(code) label(c)
        gen n = 1
        capture decode n, gen(t)
        di _rc
    """)
    np.testing.assert_array_equal(r.col("code"), [2, 1, 3])
    assert r.output[-1] == "182"
