from __future__ import annotations


def test_local_global_nested_and_inline_expression(stata):
    r = stata("""
        local i 2
        local v2 "two"
        global g = 3*4
        di "`v`i'' ${g} $g `=`i'*10' `=1/4'"
    """)
    assert r.rc == 0
    assert r.output == ["two 12 12 20 .25"]


def test_compound_quotes_and_macval(stata):
    r = stata("""
        local q `"say "hi""'
        di `"`q'"'
        local a "x"
        local b `macval(a)'
        di "`b'"
    """)
    assert r.output == ['say "hi"', "x"]


def test_increment_operators(stata):
    r = stata("""
        local i = 1
        local ++i
        di `i'
        di `i++'
        di `i'
        di `--i'
    """)
    assert r.output == ["2", "2", "3", "2"]


def test_extended_functions(stata):
    r = stata("""
        local l "a b c a"
        local n : word count `l'
        local w : word 3 of `l'
        local u : list uniq l
        local s : list sizeof l
        local m a z
        local d : list l - m
        local i : list m in l
        di "`n'|`w'|`u'|`s'|`d'|`i'"
    """)
    assert r.output == ["4|c|a b c|4|b c|0"]


def test_word_count_respects_quotes(stata):
    r = stata("""
        local n : word count a "b c" d
        local w : word 2 of a "b c" d
        di "`n' `w'"
    """)
    assert r.output == ["3 b c"]


def test_variable_label_type_and_value_label(stata):
    r = stata("""
        set obs 1
        gen int x = 1
        label var x "Ex"
        label define l 1 "one"
        label values x l
        local a : variable label x
        local t : type x
        local v : value label x
        local e : label l 1
        di "`a'|`t'|`v'|`e'"
    """)
    assert r.output == ["Ex|int|l|one"]


def test_undefined_macros_are_empty_and_dollar_without_name_stays(stata):
    r = stata("""di "[`nothing'][$nothing]$" """)
    assert r.output == ["[][]$"]


def test_tempvar_tempname_tempfile(stata, tmp_path):
    r = stata("""
        tempvar a b
        tempfile f
        set obs 2
        gen `a' = 1
        save `f'
        di "`a'" != "`b'"
        confirm file `f'
    """)
    assert r.rc == 0
    assert r.output[-1] == "1"
    assert not list(tmp_path.glob("*.tmp*")), "temp files are removed at the end"


def test_stored_results_expand_inside_macro_quotes(stata):
    # Stata expands `r(name)', `e(name)', `c(name)' anywhere a macro may stand ([U] 18.8):
    # a scalar as its %18.0g text, a macro as its text, a matrix as the word "matrix"
    # (Stata's ado-files test `"`e(V)'" == "matrix"'), an undefined result as nothing.
    r = stata("""
        clear
        set obs 8
        gen y = _n
        quietly summarize y, detail
        gen low = 0
        quietly replace low = 1 if y <= `r(p25)'
        display "mean `r(mean)' p25 `r(p25)' N `r(N)' sd `r(sd)'"
        quietly regress y low
        display "`e(cmd)' of `e(depvar)' on `e(N)' obs; b is a `e(b)'; [`e(nosuch)']"
        local n = `e(N)' + 1
        display `n'
        display "`c(N)' observations"
    """)
    assert r.rc == 0
    assert list(r.col("low")) == [1, 1, 0, 0, 0, 0, 0, 0]  # p25 of 1..8 is 2.5
    assert r.output == [
        "mean 4.5 p25 2.5 N 8 sd 2.449489742783178",
        "regress of y on 8 obs; b is a matrix; []",
        "9",
        "8 observations",
    ]
