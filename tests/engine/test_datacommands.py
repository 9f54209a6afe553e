from __future__ import annotations

import numpy as np
import pandas as pd

from libs.engine import missing


def test_list_layout(stata):
    r = stata("""
        set obs 3
        gen str5 make = cond(_n == 1, "AMC", "Buick")
        gen price = 4099 * _n
        format price %8.0gc
        replace price = . in 3
        list
    """)
    block = r.log.split(". list\n", 1)[1].splitlines()
    assert block[:7] == [
        "",
        "     +---------------+",
        "     | make    price |",
        "     |---------------|",
        "  1. | AMC     4,099 |",
        "  2. | Buick   8,198 |",
        "  3. | Buick       . |",
    ]


def test_describe_and_count(stata):
    r = stata("""
        set obs 4
        gen byte x = _n
        label variable x "The x"
        describe
        count if x > 2
        di r(N)
    """)
    assert "x               byte    %8.0g                 The x" in r.log
    assert " Observations:             4" in r.log
    assert r.output[-2:] == ["  2", "2"]


def test_drop_keep_rename_order(stata):
    r = stata("""
        set obs 5
        gen a = _n
        gen b = 2
        gen c_old = 3
        gen d_old = 4
        drop if a > 3
        keep in 2/3
        rename (a b) (b a)
        rename *_old old_*
        order old_d, first
        drop old_c
    """)
    assert r.rc == 0
    assert r.session.data.varnames == ["old_d", "b", "a"]
    np.testing.assert_array_equal(r.col("b"), [2, 3])
    assert "(2 observations deleted)" in r.output


def test_sort_puts_missing_last_and_gsort_descending(stata):
    r = stata("""
        set obs 5
        gen double x = cond(_n == 2, ., cond(_n == 4, .a, 6 - _n))
        gen id = _n
        sort x
        local sorted = id[1] * 10000 + id[2] * 1000 + id[3] * 100 + id[4] * 10 + id[5]
        gsort -x id
        gen s2 = id
        di `sorted'
    """)
    # x by id: 5, ., 3, .a, 1 -> ascending 1 3 5 . .a ; descending .a . 5 3 1
    assert r.output[-1] == "53124"
    np.testing.assert_array_equal(r.col("s2"), [4, 2, 1, 3, 5])


def test_label_define_modify_and_errors(stata):
    r = stata("""
        label define l 1 "a" 2 "b"
        capture label define l 3 "c"
        di _rc
        label define l 3 "c", add
        capture label define l 1 "z", add
        di _rc
        label define l 1 "z", modify
        set obs 1
        gen str1 s = "x"
        capture label values s l
        di _rc
    """)
    assert r.output == ["110", "180", "181"]
    assert r.session.data.value_labels["l"] == {1.0: "z", 2.0: "b", 3.0: "c"}


def test_recode_rules(stata):
    r = stata("""
        set obs 7
        gen x = _n
        replace x = . in 7
        recode x (1 2 = 10) (3/4 = 20) (min/5 = 30) (missing = 99) (else = 0), gen(y)
        recode x (6 = 60)
    """)
    np.testing.assert_array_equal(r.col("y"), [10, 10, 20, 20, 30, 0, 99])
    np.testing.assert_array_equal(r.col("x"), [1, 2, 3, 4, 5, 60, np.nan])


def test_encode_decode_round_trip(stata):
    r = stata("""
        set obs 4
        gen str6 city = word("Paris Lyon Nice Lyon", _n)
        encode city, gen(code)
        decode code, gen(back)
        gen same = city == back
    """)
    np.testing.assert_array_equal(r.col("code"), [3, 1, 2, 1])  # sorted: Lyon Nice Paris
    assert r.col("same").all()
    assert r.session.data.vars["code"].stype == "long"


def test_destring_and_tostring(stata):
    r = stata("""
        set obs 3
        gen str8 a = word("1 2.5 3", _n)
        gen str8 b = word("1 x 3", _n)
        gen str8 c = word("$1,000 $20 $3", _n)
        destring a, replace
        destring b, replace
        destring c, gen(c2) ignore("$,")
        destring b, gen(b2) force
        gen double n = _n / 4
        tostring n, gen(ns)
        gen long k = _n * 1000
        tostring k, replace
    """)
    assert r.session.data.vars["a"].stype == "double"
    np.testing.assert_array_equal(r.col("a"), [1, 2.5, 3])
    assert r.session.data.vars["b"].is_string  # nonnumeric: left alone
    assert "b: contains nonnumeric characters; no replace" in r.log
    np.testing.assert_array_equal(r.col("c2"), [1000, 20, 3])
    np.testing.assert_array_equal(r.col("b2"), [1, np.nan, 3])
    assert list(r.col("ns")) == [".25", ".5", ".75"]
    assert list(r.col("k")) == ["1000", "2000", "3000"]


def test_egen_group_statistics_match_pandas(stata):
    r = stata("""
        set obs 12
        gen g = mod(_n, 3)
        gen double x = cond(_n == 5, ., _n^2)
        egen m = mean(x), by(g)
        egen t = total(x), by(g)
        egen n = count(x), by(g)
        egen lo = min(x), by(g)
        egen hi = max(x), by(g)
        egen s = sd(x), by(g)
        egen md = median(x), by(g)
        egen p25 = pctile(x), by(g) p(25)
        egen grp = group(g)
        egen tg = tag(g)
        egen rk = rank(x)
        egen z = std(x)
    """)
    frame = pd.DataFrame({"g": r.col("g"), "x": r.col("x")})
    grouped = frame.groupby("g")["x"]
    f32 = lambda a: a.astype(np.float32).astype(np.float64)  # noqa: E731  float storage
    np.testing.assert_array_equal(r.col("m"), f32(grouped.transform("mean").to_numpy()))
    np.testing.assert_array_equal(r.col("t"), f32(grouped.transform("sum").to_numpy()))
    np.testing.assert_array_equal(r.col("n"), grouped.transform("count").to_numpy())
    np.testing.assert_array_equal(r.col("lo"), grouped.transform("min").to_numpy())
    np.testing.assert_array_equal(r.col("hi"), grouped.transform("max").to_numpy())
    np.testing.assert_array_equal(r.col("s"), f32(grouped.transform("std").to_numpy()))
    np.testing.assert_array_equal(r.col("md"), f32(grouped.transform("median").to_numpy()))
    np.testing.assert_array_equal(r.col("grp"), frame["g"].to_numpy() + 1)
    assert r.col("tg").sum() == 3
    assert r.col("tg")[:3].tolist() == [1, 1, 1]
    ranks = frame["x"].rank().to_numpy()
    np.testing.assert_array_equal(r.col("rk"), ranks)
    z = (frame["x"] - frame["x"].mean()) / frame["x"].std()
    np.testing.assert_array_equal(r.col("z"), f32(z.to_numpy()))
    # Stata's percentile: n*p/100 = 4*0.25 = 1 (integer) -> mean of 1st and 2nd values
    xs = np.sort(frame.loc[frame.g == 1, "x"].dropna().to_numpy())
    assert r.col("p25")[0] == f32(np.array([(xs[0] + xs[1]) / 2]))[0]


def test_egen_row_functions_and_cut(stata):
    r = stata("""
        set obs 3
        gen a = _n
        gen b = cond(_n == 2, ., 10)
        gen str1 s = cond(_n == 3, "", "x")
        egen rm = rowmean(a b)
        egen rt = rowtotal(a b)
        egen rmiss = rowmiss(a b s)
        egen c = cut(a), at(0 2 4)
        egen ci = cut(a), at(0 2 4) icodes
    """)
    np.testing.assert_array_equal(r.col("rm"), [5.5, 2, 6.5])
    np.testing.assert_array_equal(r.col("rt"), [11, 2, 13])
    np.testing.assert_array_equal(r.col("rmiss"), [0, 1, 1])
    np.testing.assert_array_equal(r.col("c"), [0, 2, 2])
    np.testing.assert_array_equal(r.col("ci"), [0, 1, 1])


def test_by_prefix_egen(stata):
    r = stata("""
        set obs 6
        gen g = _n > 3
        gen x = _n
        bysort g: egen m = max(x)
    """)
    np.testing.assert_array_equal(r.col("m"), [3, 3, 3, 6, 6, 6])


def test_collapse_statistics_and_weights(stata):
    r = stata("""
        set obs 6
        gen g = cond(_n <= 3, 1, 2)
        gen double x = _n
        gen w = cond(mod(_n, 2), 1, 3)
        collapse (mean) mx=x (sum) sx=x (count) n=x (sd) sdx=x (median) md=x ///
            (min) lo=x (max) hi=x (first) f=x (last) l=x, by(g)
    """)
    np.testing.assert_array_equal(r.col("g"), [1, 2])
    np.testing.assert_array_equal(r.col("mx"), [2, 5])
    np.testing.assert_array_equal(r.col("sx"), [6, 15])
    np.testing.assert_array_equal(r.col("n"), [3, 3])
    np.testing.assert_array_equal(r.col("sdx"), [1, 1])
    np.testing.assert_array_equal(r.col("md"), [2, 5])
    np.testing.assert_array_equal(r.col("f"), [1, 4])
    np.testing.assert_array_equal(r.col("l"), [3, 6])
    w = stata("""
        set obs 6
        gen g = cond(_n <= 3, 1, 2)
        gen double x = _n
        gen w = cond(mod(_n, 2), 1, 3)
        collapse (mean) x [fw=w], by(g)
    """)
    x, wt = np.arange(1, 7.0), np.where(np.arange(1, 7) % 2, 1.0, 3.0)
    expected = [np.average(x[:3], weights=wt[:3]), np.average(x[3:], weights=wt[3:])]
    np.testing.assert_allclose(w.col("x"), expected)


def test_merge_outcomes_and_uniqueness(stata):
    r = stata("""
        set obs 3
        gen id = _n + 1
        gen u = id * 10
        save using_d
        clear
        set obs 3
        gen id = _n
        gen m = id
        merge 1:1 id using using_d
        sort id
    """)
    np.testing.assert_array_equal(r.col("id"), [1, 2, 3, 4])
    np.testing.assert_array_equal(r.col("_merge"), [1, 3, 3, 2])
    np.testing.assert_array_equal(r.col("u"), [np.nan, 20, 30, 40])
    assert "        from master                         1  (_merge==1)" in r.log
    dup = stata("""
        set obs 2
        gen id = 1
        save u2
        merge 1:1 id using u2
    """)
    assert dup.rc == 459


def test_merge_m1_keep_and_update(stata):
    r = stata("""
        set obs 2
        gen g = _n
        gen double v = cond(_n == 1, 8, 7)
        gen lab = g * 100
        save look
        clear
        set obs 5
        gen g = cond(_n < 5, 1 + mod(_n, 2), 9)
        gen double v = cond(_n == 2, 5, .)
        merge m:1 g using look, keep(master match) update
    """)
    assert r.rc == 0
    data = r.session.data
    assert 2.0 not in r.col("_merge")
    order = np.argsort(r.col("g"), kind="stable")
    np.testing.assert_array_equal(r.col("lab")[order], [100, 100, 200, 200, np.nan])
    # g=1: master v=5 vs using 8 -> conflict (5, master kept); master missing -> updated (4)
    merged = dict(zip(zip(r.col("g").tolist(), r.col("_merge").tolist(), strict=True),
                      r.col("v").tolist(), strict=True))
    assert merged == {(1.0, 5.0): 5.0, (1.0, 4.0): 8.0, (2.0, 4.0): 7.0, (9.0, 1.0): merged[
        (9.0, 1.0)]}
    assert np.isnan(merged[(9.0, 1.0)])
    assert data.n == 5


def test_append_adds_rows_and_new_variables(stata):
    r = stata("""
        set obs 2
        gen byte a = _n
        gen str2 s = "x"
        save top
        clear
        set obs 1
        gen double a = 2.5
        gen b = 9
        gen str5 s = "hello"
        save bottom
        use top, clear
        append using bottom, gen(src)
    """)
    data = r.session.data
    assert data.varnames == ["a", "s", "b", "src"]
    assert data.vars["a"].stype == "double"
    assert data.vars["s"].stype == "str5"
    np.testing.assert_array_equal(r.col("a"), [1, 2, 2.5])
    np.testing.assert_array_equal(r.col("b"), [np.nan, np.nan, 9])
    np.testing.assert_array_equal(r.col("src"), [0, 0, 1])


def test_reshape_long_wide_with_string_j(stata):
    r = stata("""
        set obs 2
        gen id = _n
        gen inc2000 = id * 10
        gen inc2001 = id * 11
        gen str1 sex = cond(_n == 1, "m", "f")
        reshape long inc, i(id) j(year)
    """)
    np.testing.assert_array_equal(r.col("year"), [2000, 2001, 2000, 2001])
    np.testing.assert_array_equal(r.col("inc"), [10, 11, 20, 22])
    assert list(r.col("sex")) == ["m", "m", "f", "f"]
    s = stata("""
        set obs 4
        gen id = ceil(_n / 2)
        gen str1 kind = cond(mod(_n, 2), "a", "b")
        gen x = _n
        reshape wide x, i(id) j(kind) string
    """)
    assert s.session.data.varnames == ["id", "xa", "xb"]
    np.testing.assert_array_equal(s.col("xb"), [2, 4])


def test_duplicates_report_drop_tag(stata):
    r = stata("""
        set obs 5
        gen a = cond(_n <= 3, 1, _n)
        duplicates tag a, gen(dup)
        duplicates report a
        duplicates drop a, force
    """)
    assert "(2 observations deleted)" in r.log
    assert r.session.data.n == 3
    assert "        3 |            3             2" in r.log


def test_preserve_restore(stata):
    r = stata("""
        set obs 3
        gen x = _n
        preserve
        drop if x > 1
        gen y = 1
        restore
        capture restore
        di _rc
    """)
    assert r.session.data.n == 3
    assert "y" not in r.session.data.vars
    assert r.output[-1] == "622"


def test_xtset_lags_respect_time_gaps(stata):
    r = stata("""
        set obs 5
        gen id = cond(_n <= 3, 1, 2)
        gen t = cond(_n == 3, 4, _n)
        gen x = _n * 10
        xtset id t
        gen lx = L.x
        gen dx = D.x
        gen fx = F.x
    """)
    np.testing.assert_array_equal(r.col("lx"), [np.nan, 10, np.nan, np.nan, 40])
    np.testing.assert_array_equal(r.col("dx"), [np.nan, 10, np.nan, np.nan, 10])
    np.testing.assert_array_equal(r.col("fx"), [20, np.nan, np.nan, 50, np.nan])
    assert "but with gaps" in r.log


def test_tsset_follows_stata_rule_for_missing_times(stata):
    # Stata's tsset.ado sorts by panel and time and fails (r(451)) only when two known times
    # of one panel coincide or are closer than delta; rows whose time is missing (here
    # also their id) are outside the series: accepted, and missing under L./D.
    r = stata("""
        clear
        input id t x
        1 1 10
        1 2 12
        2 1 20
        2 3 26
        . . 5
        . . 6
        1 . 7
        end
        xtset id t
        gen lx = L.x
        gen dx = D.x
    """)
    assert r.rc == 0, r.log
    np.testing.assert_array_equal(r.col("id"), [1, 1, 1, 2, 2, np.nan, np.nan])
    np.testing.assert_array_equal(r.col("lx"), [np.nan, 10, np.nan, np.nan, np.nan, np.nan,
                                                np.nan])
    np.testing.assert_array_equal(r.col("dx"), [np.nan, 2, np.nan, np.nan, np.nan, np.nan,
                                                np.nan])
    assert "Panel variable: id (unbalanced)" in r.log
    for source, message in [
        ("input id t\n1 1\n1 1\nend\nxtset id t", "repeated time values within panel"),
        ("input t\n1\n1\n.\nend\ntsset t", "repeated time values in sample"),
        ("input t\n1\n1.5\nend\ntsset t", "time variable must contain only integer values"),
        ("input t\n1\n2\nend\ntsset t, delta(2)", "time values with period less than"),
    ]:
        bad = stata(source)
        assert bad.rc == 451, source
        assert message in bad.log, source


def test_levelsof_and_return_list(stata):
    r = stata("""
        set obs 4
        gen x = mod(_n, 2)
        gen str1 s = cond(_n > 2, "b", "a")
        levelsof x, local(lv)
        levelsof s
        di "`lv'"
        return list
    """)
    assert r.output[:3] == ["0 1", '`"a"\' `"b"\'', "0 1"]
    assert '        r(levels) :  "`"a"\' `"b"\'"' in r.log


def test_log_using_writes_a_second_log(stata, tmp_path):
    r = stata("""
        log using mine.log, text replace
        di "inside"
        log close
        di "outside"
    """)
    assert r.rc == 0
    text = (tmp_path / "mine.log").read_text()
    assert "inside" in text
    assert "outside" not in text


def test_extended_missing_kept_through_replace_and_save(stata):
    r = stata("""
        set obs 2
        gen x = 1
        replace x = .b in 2
        save m
        use m, clear
        gen is_b = x == .b
    """)
    assert missing.codes(r.col("x"))[1] == 2
    np.testing.assert_array_equal(r.col("is_b"), [0, 1])


def test_reshape_with_at_placeholder(stata):
    r = stata("""
        set obs 2
        gen id = _n
        gen inc1rate = id
        gen inc2rate = id * 2
        reshape long inc@rate, i(id) j(t)
    """)
    assert r.session.data.varnames == ["id", "t", "incrate"]
    np.testing.assert_array_equal(r.col("incrate"), [1, 2, 2, 4])
    assert r.session.data.n == 4
    back = r.session
    from libs.engine.batch import run_source

    assert run_source(back, "reshape wide inc@rate, i(id) j(t)") == 0
    assert back.data.varnames == ["id", "inc1rate", "inc2rate"]


def test_value_labels_on_extended_missing_values_survive_save(stata):
    r = stata("""
        set obs 2
        gen q = 1
        replace q = .a in 2
        label define ql 1 "Yes" .a "Don't know"
        label values q ql
        save lab
        use lab, clear
        decode q, gen(t)
    """)
    assert list(r.col("t")) == ["Yes", "Don't know"]
    assert r.rc == 0
