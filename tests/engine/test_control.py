from __future__ import annotations

import numpy as np


def test_if_else_if_else_chain_both_layouts(stata):
    r = stata("""
        forvalues i = 1/3 {
            if `i' == 1 {
                di "one"
            }
            else if `i' == 2 {
                di "two"
            }
            else {
                di "other"
            }
        }
        if 0 {
            di "no"
        } else di "inline else"
        if 1 di "single line if"
    """)
    assert r.rc == 0
    assert r.output[-5:] == ["one", "two", "other", "inline else", "single line if"]


def test_foreach_kinds(stata):
    r = stata("""
        set obs 1
        gen a1 = 1
        gen a2 = 2
        local lst x "y z"
        foreach v in p q {
            di "in:`v'"
        }
        foreach v of local lst {
            di "local:`v'"
        }
        foreach v of varlist a* {
            di "var:`v'"
        }
        foreach n of numlist 1/2 5 {
            di "num:`n'"
        }
    """)
    assert [o for o in r.output if ":" in o] == [
        "in:p", "in:q", "local:x", "local:y z", "var:a1", "var:a2", "num:1", "num:2", "num:5"]


def test_forvalues_steps_while_continue_break(stata):
    r = stata("""
        forvalues i = 10(-5)0 {
            di `i'
        }
        local k = 0
        while `k' < 10 {
            local ++k
            if mod(`k', 2) continue
            if `k' > 6 continue, break
            di "k`k'"
        }
    """)
    assert r.output == ["10", "5", "0", "k2", "k4", "k6"]


def test_block_is_echoed_with_numbered_lines(stata):
    r = stata("""
        foreach v in a b {
            di "`v'"
        }
    """)
    assert r.log.splitlines()[1:5] == ['. foreach v in a b {', '  2.     di "`v\'"', '  3. }', "a"]


def test_capture_sets_rc_and_hides_output_noisily_shows(stata):
    r = stata("""
        capture di nosuch
        di _rc
        capture di 1
        di _rc
        capture noisily error 459
        di _rc
        quietly di "hidden"
        quietly noisily di "shown"
        capture {
            di "in block"
            error 111
        }
        di _rc
    """)
    assert r.rc == 0
    assert r.output == ["111", "0", "something that should be true of your data is not",
                        "r(459);", "459", "shown", "111"]


def test_error_stops_the_run_with_its_code_and_message(stata):
    r = stata("""
        set obs 2
        gen x = 1
        gen x = 2
        di "never"
    """)
    assert r.rc == 110
    assert r.log.rstrip().endswith("variable x already defined\nr(110);")
    assert "never" not in r.output


def test_exit_stops_quietly_and_exit_n_fails(stata):
    assert stata("di 1\nexit\ndi 2").output == ["1"]
    r = stata("exit 459")
    assert r.rc == 459


def test_unrecognized_command_names_real_stata(stata):
    r = stata("xtabond y x")
    assert r.rc == 199
    assert "command xtabond is unrecognized" in r.log
    assert "SS_STATA_CMD" in r.log


def test_programs_args_syntax_and_return(stata):
    r = stata("""
        program define addup, rclass
            args a b
            return scalar sum = `a' + `b'
            return local note "added"
        end
        addup 2 3
        di r(sum) " " r(note)
        program show
            syntax varlist [if] [, Times(integer 1) LOUD]
            di "`varlist'|`if'|`times'|`loud'"
        end
        set obs 3
        gen price = _n
        gen mpg = 1
        show pr m if price > 1, t(4) loud
        capture program drop show
        capture show price
        di _rc
    """)
    assert r.rc == 0
    assert r.output == ["5 added", "price mpg|if price > 1|4|loud", "199"]


def test_syntax_puts_each_list_in_the_macro_stata_names(stata):
    # [P] syntax: varname, newvarlist and newvarname fill `varlist' as varlist does; name and
    # namelist fill `namelist'; name= names another macro. Official ados rely on it
    # (`syntax varname [if] [in]` followed by `summarize `varlist'`).
    r = stata("""
        set obs 2
        gen price = _n
        program one
            syntax varname [, GENerate(name)]
            di "`varlist'|`generate'|`varname'"
        end
        program fresh
            syntax newvarname
            di "`varlist'"
        end
        program names
            syntax namelist
            di "`namelist'|`name'"
        end
        program renamed
            syntax anything(name=eqlist)
            di "`eqlist'|`anything'"
        end
        one pri, gen(p2)
        fresh p3
        names a b
        renamed (y: x) (z: w)
    """)
    assert r.rc == 0, r.log
    assert r.output == ["price|p2|", "p3", "a b|", "(y: x) (z: w)|"]


def test_ado_idioms_empty_weight_negated_flags_and_cilevel(stata):
    # [`weight'`exp'] with no weight given is "[]", which Stata reads as no weight (official
    # ados write `regress ... [`weight'`exp'] if `touse'`); a noCONStant option fills
    # `constant' with "noconstant" ([P] syntax); Level(cilevel) defaults to c(level).
    r = stata("""
        set obs 4
        gen x = _n
        gen w = 5 - _n
        program mym, rclass
            syntax varname [fweight] [, noCONStant Level(cilevel)]
            quietly summarize `varlist' [`weight'`exp']
            di r(mean) "|`constant'|`level'"
        end
        mym x
        mym x [fw=w], nocons level(90)
        capture mym x, level(5)
        di _rc
    """)
    assert r.rc == 0, r.log
    x, w = [1, 2, 3, 4], [4, 3, 2, 1]
    weighted = sum(a * b for a, b in zip(x, w, strict=True)) / sum(w)
    assert r.output == [f"{sum(x) / 4:g}||95", f"{weighted:g}|noconstant|90", "198"]


def test_byable_recall_and_sortpreserve_programs(stata):
    # [P] byable: `by g: prog` calls a byable(recall) program once per group, and marksample
    # in it keeps that group (the rest of the program sees all the data); a sortpreserve
    # program's caller gets its order back ([P] sortpreserve).
    r = stata("""
        set obs 7
        gen g = mod(_n, 2)
        gen x = _n
        program grp, byable(recall)
            syntax [varlist] [if]
            marksample touse
            quietly count if `touse'
            local in = r(N)
            quietly count
            di "`in' of " r(N)
        end
        bysort g: grp x if x > 2
        capture noisily by g: nonby
        program nonby
            di "no"
        end
        capture noisily by g: nonby
        program shuffle, sortpreserve
            gsort -x
            drop if x == 4
        end
        sort x
        shuffle
        di x[1] x[2] x[3] x[4] x[5] x[6] " `: sortedby'"
    """)
    assert r.rc == 0, r.log
    odd = [x for x in range(1, 8) if x % 2 == 1 and x > 2]
    even = [x for x in range(1, 8) if x % 2 == 0 and x > 2]
    assert [line for line in r.output if " of " in line] == [f"{len(even)} of 7",
                                                            f"{len(odd)} of 7"]
    assert "nonby may not be combined with by" in r.log
    assert r.output[-1] == "123567 x"


def test_program_locals_are_private(stata):
    r = stata("""
        local x outer
        program p
            local x inner
            di "`x'"
        end
        p
        di "`x'"
    """)
    assert r.output == ["inner", "outer"]


def test_by_recall_prints_group_headers(stata):
    r = stata("""
        set obs 4
        gen g = cond(_n < 3, 1, 2)
        label define gl 1 "low" 2 "high"
        label values g gl
        by g: count
    """)
    lines = r.log.splitlines()
    assert "-> g = low" in lines
    assert "-> g = high" in lines
    assert r.output.count("  2") == 2


def test_by_requires_sorted_data_and_byable_command(stata):
    r = stata("""
        set obs 3
        gen g = 4 - _n
        by g: gen n = _n
    """)
    assert r.rc == 5
    r = stata("""
        set obs 3
        gen g = 1
        by g: save x
    """)
    assert r.rc == 190


def test_shell_and_network_and_escape_are_errors(stata, tmp_path):
    for cmd, code in [("shell ls", 199), ("! ls", 199), ("ssc install nosuchpkg", 199),
                      ("use /etc/passwd", 603), ('save "../outside"', 603),
                      ("cd ..", 170)]:
        r = stata(cmd)
        assert r.rc == code, cmd
    assert not (tmp_path.parent / "outside.dta").exists()


def test_a_failing_cd_is_r170(stata):
    # Stata: "unable to change to <dir>", r(170), whether the folder is missing or, here,
    # outside the job's working directory
    for target in ("nosuchdir", '"C:\\Users\\me\\project"', "/tmp", ".."):
        r = stata(f"cd {target}")
        assert r.rc == 170, target
        assert "unable to change to" in r.log


def test_set_memory_is_ignored_with_statas_note(stata):
    # old do-files start with "set mem 100m"; Stata 12+ ignores it and says so
    r = stata("set mem 100m\nset memory 1g, permanently\ndisplay 1")
    assert r.rc == 0
    assert r.output.count("set memory ignored.") == 2


def test_set_obs_reports_the_change(stata):
    r = stata("set obs 3\nset obs 5")
    assert "Number of observations (_N) was 0, now 3." in r.log
    assert "Number of observations (_N) was 3, now 5." in r.log


def test_assert_false_is_r9(stata):
    r = stata("""
        set obs 5
        gen x = _n
        assert x < 4
    """)
    assert r.rc == 9
    assert "2 contradictions in 5 observations" in r.log


def test_confirm(stata):
    r = stata("""
        set obs 1
        gen x = 1
        gen str1 s = "a"
        capture confirm variable x
        di _rc
        capture confirm new variable x
        di _rc
        capture confirm numeric variable s
        di _rc
        capture confirm file nope.dta
        di _rc
        capture confirm integer number 1.5
        di _rc
    """)
    assert r.output == ["0", "110", "7", "601", "7"]


def test_forvalues_fractional_steps_give_clean_values(stata):
    r = stata("""
        forvalues x = 0(.1).3 {
            di "`x'"
        }
    """)
    assert r.output == ["0", ".1", ".2", ".3"]


def test_nested_if_else_inside_an_if_chain(stata):
    r = stata("""
        forvalues i = 1/4 {
            if `i' <= 2 {
                if `i' == 1 {
                    di "a`i'"
                }
                else {
                    di "b`i'"
                }
            }
            else if `i' == 3 {
                foreach z in p q {
                    if "`z'" == "q" continue
                    di "c`z'"
                }
            }
            else {
                while 1 {
                    di "d"
                    continue, break
                }
            }
        }
    """)
    assert r.output == ["a1", "b2", "cp", "d"]


def test_prefixed_loops_and_ifs(stata):
    r = stata("""
        set obs 3
        gen x = _n
        quietly foreach v in a b {
            replace x = x + 1
            noisily di "`v'"
        }
        capture noisily if 1 {
            error 111
        }
        di _rc
        local k 0
        quietly while `k' < 2 {
            local ++k
        }
        di `k'
    """)
    assert r.output[:2] == ["a", "b"]
    assert r.output[-2:] == ["111", "2"]
    np.testing.assert_array_equal(r.col("x"), [3, 4, 5])


def test_forvalues_ranges_follow_stata_rules(stata):
    # Stata manual [P] forvalues: "#1/#2 meaning #1 to #2 in steps of 1" and the loop "is
    # executed zero or more times ... as long as lname <= #2 (assuming #d is positive) or as
    # long as lname >= #2 (assuming #d is negative)"; "#1 #t to #2" and "#1 #t : #2" step by
    # #t - #1; "Specifying #d as 0 is an error".
    r = stata("""
        forvalues j = 4/3 {
            di "slash`j'"
        }
        forvalues j = 1(2)0 {
            di "up`j'"
        }
        forvalues j = 5(-2)0 {
            di "down`j'"
        }
        forvalues j = 2 5 to 11 {
            di "to`j'"
        }
        forvalues j = 10 8 : 5 {
            di "colon`j'"
        }
        forvalues j = 3/3 {
            di "one`j'"
        }
    """)
    assert r.rc == 0
    assert r.output == ["down5", "down3", "down1", "to2", "to5", "to8", "to11",
                        "colon10", "colon8", "colon6", "one3"]
    assert stata("forvalues j = 1(0)3 {\n di `j'\n}").rc == 198
