from __future__ import annotations

import csv

import numpy as np
import pandas as pd


def test_export_and_import_delimited_round_trip(stata, tmp_path):
    r = stata("""
        set obs 3
        gen id = _n
        gen double v = _n / 3
        gen str9 name = word("a b,c d", _n)
        label define yn 1 "yes" 2 "no"
        label values id yn
        export delimited using out.csv, replace
        export delimited using raw.csv, nolabel replace
        import delimited using raw.csv, clear
    """)
    assert r.rc == 0
    with (tmp_path / "out.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["id", "v", "name"]
    assert rows[1] == ["yes", repr(1 / 3), "a"]
    assert rows[2][2] == "b,c"  # quoted in the file, one field after parsing
    np.testing.assert_array_equal(r.col("id"), [1, 2, 3])
    np.testing.assert_allclose(r.col("v"), np.float32([1 / 3, 2 / 3, 1.0]))  # float by default
    assert list(r.col("name")) == ["a", "b,c", "d"]
    assert r.session.data.vars["id"].stype == "byte"


def test_import_delimited_options(stata, tmp_path):
    (tmp_path / "in.txt").write_text("First Name;Score\nAnn;1.5\nBob;\n")
    r = stata("import delimited in.txt, delimiters(;) varnames(1) clear asdouble")
    assert r.session.data.varnames == ["firstname", "score"]
    assert r.session.data.vars["firstname"].label == "First Name"
    assert r.session.data.vars["score"].stype == "double"
    np.testing.assert_array_equal(r.col("score"), [1.5, np.nan])


def test_excel_round_trip(stata, tmp_path):
    r = stata("""
        set obs 2
        gen x = _n * 1.5
        gen str3 s = "ab" + string(_n)
        export excel using book.xlsx, firstrow(variables) replace
        import excel using book.xlsx, firstrow clear
    """)
    assert r.rc == 0
    frame = pd.read_excel(tmp_path / "book.xlsx", engine="calamine")
    assert frame.columns.tolist() == ["x", "s"]
    np.testing.assert_array_equal(r.col("x"), [1.5, 3.0])
    assert list(r.col("s")) == ["ab1", "ab2"]


def test_ss_export_table_writes_results_csv(stata, tmp_path):
    r = stata("""
        set obs 3
        gen term = _n
        gen double coef = cond(_n == 2, ., _n / 4)
        gen str10 note = cond(_n == 3, `"say "hi""', "plain")
        ss_export_table coefs term coef note if term > 1
    """)
    assert r.rc == 0
    assert "(results/coefs.csv: 3 columns, 2 rows)" in r.output
    text = (tmp_path / "results" / "coefs.csv").read_text()
    assert text == 'term,coef,note\n2,,plain\n3,0.75,"say ""hi"""\n'


def test_display_directives(stata):
    r = stata("""
        di "a" _col(5) "b" _skip(2) "c" _dup(3) "-"
        di "x" _n "y"
        forvalues i = 1/3 {
            di `i' _c
        }
        di " done"
        di %-6s "ab" "|" %6s "ab" "|" %5.1f 3.14159 "|" %9.0g 1234.5
        di as result 2 as text " items"
    """)
    assert r.output == ["a   b  c---", "x", "y", "123", " done", "ab    |    ab|  3.1|   1234.5",
                        "2 items"]


def test_scalars_and_r_class_values(stata):
    r = stata("""
        scalar half = 1/2
        di half * 4
        set obs 2
        gen half = 10
        di half
        count
        di r(N) + 1
    """)
    assert r.output == ["2", "10", "  2", "3"]


def test_varabbrev_off(stata):
    r = stata("""
        set obs 1
        gen price = 1
        di pr
        set varabbrev off
        capture di pr
        di _rc
    """)
    assert r.output == ["1", "111"]


def test_collapse_with_no_observations_is_r2000(stata):
    r = stata("""
        set obs 2
        gen x = 1
        collapse (mean) x if x > 5
    """)
    assert r.rc == 2000


def test_display_renders_smcl_directives(stata):
    r = stata("""
        di "{hline 5}"
        di "{txt}a{col 6}{res}b {bf:bold} {c |}"
        di as text "{space 2}x"
    """)
    assert r.output == ["-----", "a    b bold |", "  x"]


def test_by_prefix_with_quietly_and_if_on_group_n(stata):
    r = stata("""
        set obs 6
        gen g = _n > 3
        gen x = _n
        by g: quietly replace x = x * 10 if _n == 1
        by g: count if _n <= 2
    """)
    np.testing.assert_array_equal(r.col("x"), [10, 2, 3, 40, 5, 6])
    assert r.output.count("  2") == 2


def test_import_excel_dates_become_stata_dates(stata, tmp_path):
    import datetime as dt

    pd.DataFrame({"day": [dt.datetime(2020, 1, 1), dt.datetime(2021, 3, 15)],
                  "v": [1, 2]}).to_excel(tmp_path / "d.xlsx", index=False)
    r = stata("import excel d.xlsx, firstrow clear")
    expected = [(dt.date(2020, 1, 1) - dt.date(1960, 1, 1)).days,
                (dt.date(2021, 3, 15) - dt.date(1960, 1, 1)).days]
    np.testing.assert_array_equal(r.col("day"), expected)
    assert r.session.data.vars["day"].format == "%td"
