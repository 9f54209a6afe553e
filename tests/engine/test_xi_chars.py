"""``char`` and ``xi`` as Stata's [P] char and [R] xi describe them: names, omitted levels,
interaction names and the log lines Stata prints; regression numbers against statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

AUTO_LIKE = """
    clear
    set obs 30
    gen rep78 = cond(_n <= 3, 1, cond(_n <= 8, 2, cond(_n <= 18, 3, cond(_n <= 24, 4, 5))))
    replace rep78 = . in 30
    gen foreign = mod(_n, 2)
    gen str10 make = cond(_n <= 8, "AMC", cond(_n <= 20, "Buick", "Chevrolet"))
    gen weight = 2000 + 150 * _n - 7 * _n^2 + 40 * mod(_n, 3)
    gen price = 3000 + 1.5 * weight + 400 * rep78 - 900 * foreign + 50 * mod(_n * 7, 11)
"""


def test_char_define_list_rename_and_macro_references(stata):
    r = stata("""
        set obs 2
        gen mpg = _n
        gen w = _n
        char _dta[one] this is char named one of _dta
        char define mpg[note] "quoted text"
        char mpg[omit] 3
        char list
        char list mpg[]
        local names : char mpg[]
        local one : char _dta[one]
        di "`names'|`one'|`mpg[omit]'|`nosuchvar[x]'|`mpg[nosuch]'"
        char mpg[note]
        char rename mpg w
        char list
        char w[omit] 4
        char mpg[omit] 5
        capture char rename mpg w
        di _rc
    """)
    assert r.rc == 0, r.log
    assert r.output[:6] == [
        "  _dta[one]:                  this is char named one of _dta",
        "  mpg[note]:                  quoted text",
        "  mpg[omit]:                  3",
        "  mpg[note]:                  quoted text",
        "  mpg[omit]:                  3",
        "note omit|this is char named one of _dta|3||",
    ]
    # char mpg[note] with no text clears it; rename moves what is left
    assert r.output[6:8] == ["  _dta[one]:                  this is char named one of _dta",
                             "  w[omit]:                    3"]
    assert r.output[8] == "110"  # w[omit] exists: rename needs replace


def test_characteristics_are_saved_with_the_data(stata):
    r = stata("""
        set obs 1
        gen x = 1
        char _dta[omit] prevalent
        char x[omit] 2
        save withchars
        clear
        use withchars
        di "`_dta[omit]' `x[omit]'"
    """)
    assert r.output[-1] == "prevalent 2"


def test_xi_names_and_omits_the_lowest_level_naturally_coded(stata):
    r = stata(AUTO_LIKE + """
        xi i.rep78
        describe _I*, simple
    """)
    assert r.rc == 0, r.log
    assert "i.rep78           _Irep78_1-5         (naturally coded; _Irep78_1 omitted)" in r.output
    ds = r.session.data
    assert [v for v in ds.varnames if v.startswith("_I")] == [
        "_Irep78_2", "_Irep78_3", "_Irep78_4", "_Irep78_5"]
    assert ds.vars["_Irep78_3"].label == "rep78==3"
    assert ds.vars["_Irep78_3"].stype == "byte"
    np.testing.assert_array_equal(r.col("_Irep78_3")[:29], [0] * 8 + [1] * 10 + [0] * 11)
    assert np.isnan(r.col("_Irep78_3")[29])  # missing rep78: missing indicators


def test_xi_omit_characteristics_and_string_variables(stata):
    r = stata(AUTO_LIKE + """
        char rep78[omit] 3
        xi i.rep78
        char rep78[omit]
        char _dta[omit] prevalent
        xi i.make i.rep78
        char _dta[omit]
        char make[omit] Buick
        xi, noomit: regress price i.make
    """)
    assert r.rc == 0, r.log
    out = r.output
    assert "i.rep78           _Irep78_1-5         (naturally coded; _Irep78_3 omitted)" in out
    # _dta[omit]: the most frequent level is omitted; strings are coded 1, 2, ...
    assert "i.make            _Imake_1-3          (_Imake_2 for make==Buick omitted)" in out
    assert "i.rep78           _Irep78_1-5         (naturally coded; _Irep78_3 omitted)" in out
    # noomit keeps every level and prints no line; regress then omits the last as collinear
    assert sum(line.startswith("i.make") for line in out) == 1
    b = r.session.e.matrices["b"]
    assert b.colnames == ["_Imake_1", "_Imake_2", "o._Imake_3", "_cons"]


def test_xi_prefix_regression_matches_statsmodels_with_the_same_dummies(stata):
    r = stata(AUTO_LIKE + """
        xi: regress price i.rep78*weight i.foreign
    """)
    assert r.rc == 0, r.log
    start = next(i for i, line in enumerate(r.output) if line.startswith("i.rep78"))
    assert r.output[start : start + 4] == [
        "i.rep78           _Irep78_1-5         (naturally coded; _Irep78_1 omitted)",
        "i.rep78*weight    _IrepXweigh_#       (coded as above)",
        "i.foreign         _Iforeign_0-1       (naturally coded; _Iforeign_0 omitted)",
        "      Source |       SS           df       MS      Number of obs   =        29",
    ]
    b = r.session.e.matrices["b"]
    names = ["_Irep78_2", "_Irep78_3", "_Irep78_4", "_Irep78_5", "weight", "_IrepXweigh_2",
             "_IrepXweigh_3", "_IrepXweigh_4", "_IrepXweigh_5", "_Iforeign_1", "_cons"]
    assert b.colnames == names
    data = r.session.data.to_pandas().dropna(subset=["rep78"])
    frame = pd.DataFrame({"weight": data["weight"]})
    for level in (2, 3, 4, 5):
        frame[f"d{level}"] = (data["rep78"] == level).astype(float)
    for level in (2, 3, 4, 5):
        frame[f"x{level}"] = frame[f"d{level}"] * data["weight"]
    frame["f"] = data["foreign"]
    fit = sm.OLS(data["price"], sm.add_constant(frame)).fit()
    ref = fit.params[["d2", "d3", "d4", "d5", "weight", "x2", "x3", "x4", "x5", "f", "const"]]
    np.testing.assert_allclose(b.values[0], ref.to_numpy(), rtol=1e-7, atol=1e-7)


def test_xi_continuous_interaction_name_shrinks_with_the_level_codes(stata):
    # [R] xi's ado (xi_eic) keeps max(3, 6 - d) letters of the continuous variable, d being the
    # digits of the widest level code: exper -> "exper" for 1-9, "expe" for 10-99, "exp" beyond
    r = stata("""
        clear
        set obs 12
        gen occ = mod(_n, 3) + 1
        gen ind = 10 * (mod(_n, 3) + 1)
        gen sec = 100 * (mod(_n, 2) + 1)
        gen exper = _n
        xi i.occ*exper i.ind*exper i.sec*exper
    """)
    assert r.rc == 0, r.log
    made = set(r.session.data.varnames)
    assert {"_IoccXexper_2", "_IoccXexper_3", "_IindXexpe_20", "_IindXexpe_30",
            "_IsecXexp_200"} <= made
    np.testing.assert_array_equal(r.col("_IindXexpe_20"), r.col("_Iind_20") * r.col("exper"))


def test_xi_two_categorical_interaction_names_and_rerun_drops_earlier_variables(stata):
    r = stata(AUTO_LIKE + """
        xi i.foreign*i.rep78
        xi i.foreign*i.rep78
        ds _I*
    """)
    assert r.rc == 0, r.log
    # the line Stata printed for this term in the auto data ([R] qreg example)
    assert "i.for~n*i.rep78   _IforXrep_#_#       (coded as above)" in r.output
    made = r.session.data.varnames
    assert "_IforXrep_1_2" in made
    assert "_IforXrep_1_5" in made
    assert "_IforXrepa_1_2" not in made  # the rerun dropped the first set instead of renaming
    ds = r.session.data
    assert ds.vars["_IforXrep_1_3"].label == "foreign==1 & rep78==3"
    np.testing.assert_array_equal(r.col("_IforXrep_1_3"),
                                  r.col("_Iforeign_1") * r.col("_Irep78_3"))


def test_xi_or_term_and_taken_stub(stata):
    r = stata(AUTO_LIKE + """
        gen _Iforeign_x = 1
        capture xi, prefix(_ABC): regress price i.rep78
        di _rc
        capture xi, prefix(_ABCD): regress price i.rep78
        di _rc
        xi: regress price i.foreign|weight
    """)
    assert r.rc == 0, r.log
    # a variable already starts with _Iforeign_: the stub's last character becomes a
    assert "i.foreign         _Iforeigna0-1       (naturally coded; _Iforeigna0 omitted)" \
        in r.output
    assert "i.fore~n|weight   _IforXweigh_#       (coded as above)" in r.output
    # "|": weight and the interactions, but not the indicators of foreign
    assert r.session.e.matrices["b"].colnames[:2] == ["weight", "_IforXweigh_1"]
    assert r.output[2:4] == ["0", "198"]  # the prefix stub is at most 4 characters


def test_abbrev_keeps_the_last_character(stata):
    r = stata('di abbrev("displacement", 8) " " abbrev("mpg", 8) " " abbrev("foreign", 3)')
    assert r.output == ["displa~t mpg for~n"]


def test_tabulate_generate_makes_labelled_indicators(stata):
    r = stata("""
        set obs 6
        gen g = cond(_n < 3, 1, cond(_n < 5, 2, .))
        gen h = _n > 3
        label define yes 0 "No" 1 "Yes"
        label values h yes
        tab g, gen(dg)
        tab h if _n > 1, gen(dh)
        capture tab g h, gen(bad)
        di _rc
    """)
    assert r.rc == 0, r.log
    ds = r.session.data
    assert [ds.vars[v].label for v in ("dg1", "dg2", "dh1", "dh2")] == [
        "g== 1.0000", "g== 2.0000", "h==No", "h==Yes"]
    assert ds.vars["dg1"].stype == "byte"
    np.testing.assert_array_equal(r.col("dg1")[:4], [1, 1, 0, 0])
    assert np.isnan(r.col("dg1")[4:]).all()  # outside the table: missing
    assert np.isnan(r.col("dh1")[0])
    assert list(r.col("dh2")[1:]) == [0, 0, 1, 1, 1]
    assert r.output[-1] == "198"


@pytest.mark.parametrize("bad", ["char x", "char list x[a", "xi", "xi, prefix(_Z) i.nosuch"])
def test_bad_char_and_xi_lines_fail_with_stata_codes(stata, bad):
    r = stata(f"""
        set obs 1
        gen x = 1
        capture {bad}
        di _rc
    """)
    assert r.output[-1] in ("198", "111")
