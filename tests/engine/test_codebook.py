"""``codebook`` against codebook.ado (version 1.6.8, 09sep2019).

Numbers (mean, std. dev., percentiles, distinct and missing counts, units) are computed here
with numpy/pandas from the data the engine holds; percentiles with Stata's default
definition (``summarize, detail``: x(⌈np/100⌉), or the mean of x(np/100) and the next when
np/100 is whole — numpy's ``averaged_inverted_cdf``). Each expected line is written from
the ado's ``display`` statement named beside it (``_col(c)`` starts text in column c)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

RULE = "-" * 79  # VarHeader: dis _n "{txt}{hline}" — c(linesize) 79


def _section(log: str, cmd: str) -> list[str]:
    """Output lines of the command echoed as ``. cmd``, up to the next echo."""
    lines = log.splitlines()
    start = lines.index(f". {cmd}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith(". ")), len(lines))
    return lines[start:end]


def _num(text: str) -> float:
    return float(text.strip())


def _g8(value: float) -> pytest.approx:  # type: ignore[valid-type]
    """``value`` as ``%8.0g`` can show it: six significant digits."""
    return pytest.approx(value, abs=0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - 5))


def _date(days: float) -> str:
    """``%td``: days since 1 Jan 1960 as 17jan2020."""
    return (pd.Timestamp("1960-01-01") + pd.Timedelta(days=math.floor(days))).strftime(
        "%d%b%Y").lower()


def _stata_percentile(v: np.ndarray, p: int) -> float:
    return float(np.percentile(v, p, method="averaged_inverted_cdf"))


def test_numeric_report_numbers(stata):
    r = stata("""
        clear
        set obs 100
        set seed 12
        gen double x = round(rnormal() * 40 + 300, .25)
        replace x = . in 1/3
        replace x = .a in 4/5
        label variable x "Weight of the load"
        codebook x
    """)
    assert r.rc == 0, r.log
    x = r.col("x")
    v = pd.Series(x).dropna().to_numpy()
    out = _section(r.log, "codebook x")
    # VarHeader: {hline}, `vname'{right:`lbl'}, {hline} _n
    assert out[:5] == ["", RULE, "x" + "Weight of the load".rjust(78), RULE, ""]
    # DoNum: dis _col(19) "type:  numeric (" `:type' ")"
    assert out[5] == " " * 18 + "type:  numeric (double)"
    # DoNum: dis _col(18) "range:  [" r(min) "," r(max) "]" _col(55) "units:  " r(units)
    rng = f"range:  [{v.min():g},{v.max():g}]"
    assert out[7] == (" " * 17 + rng).ljust(54) + "units:  .01"
    # ShowUniq: _col(10) "unique values:  " _col(51) "missing .:  " miss_sys "/" ntouse,
    # then _col(8) "unique mv codes:  " _col(50) "missing .*:  " miss_ext "/" ntouse
    uniq = pd.Series(v).nunique()
    assert out[8] == (" " * 9 + f"unique values:  {uniq}").ljust(50) + "missing .:  3/100"
    # (distinct missing values, . among them: . and .a)
    assert out[9] == (" " * 7 + "unique mv codes:  2").ljust(49) + "missing .*:  2/100"
    # DoNum: _col(19) "mean:" _col(26) %8.0g r(mean) _n _col(15) "std. dev:" _col(26) ...
    mean_line, sd_line = out[11], out[12]
    assert mean_line[:25] == " " * 18 + "mean:  "
    assert sd_line[:25] == " " * 14 + "std. dev:  "
    assert _num(mean_line[25:]) == _g8(v.mean())
    assert _num(sd_line[25:]) == _g8(v.std(ddof=1))
    assert out[13] == ""
    # _col(12) "percentiles:" _col(32) "10%" _col(42) "25%" ... _col(72) "90%"
    assert out[14] == (" " * 11 + "percentiles:").ljust(31) + "10%       25%       50%" \
        "       75%       90%"
    # _col(27) %8.0g r(p10) _col(37) %8.0g r(p25) ...: each value ends in column 34, 44, ...
    row = out[15]
    for i, p in enumerate((10, 25, 50, 75, 90)):
        cell = row[26 + 10 * i: 34 + 10 * i]
        assert cell == cell.strip().rjust(8)
        assert _num(cell) == _g8(_stata_percentile(v, p))
    # n = 95 nonmissing: 10% is x(⌈9.5⌉); with an even count the averaging case shows too
    assert len(v) == 95


def test_percentiles_average_when_np_is_whole(stata):
    r = stata("""
        clear
        set obs 40
        gen x = _n * _n
        codebook x
    """)
    v = r.col("x")
    out = _section(r.log, "codebook x")
    row = out[out.index(" " * 11 + "percentiles:" + " " * 8 + "10%       25%       50%"
                        "       75%       90%") + 1]
    got = [_num(row[26 + 10 * i: 34 + 10 * i]) for i in range(5)]
    # n = 40: 10% → np/100 = 4, the mean of x(4) and x(5) = (16 + 25)/2
    assert got == [_stata_percentile(v, p) for p in (10, 25, 50, 75, 90)]
    assert got[0] == 20.5


@pytest.mark.parametrize(("make", "unit"), [
    ("100 * floor(runiform() * 60)", "100"),
    ("floor(runiform() * 200) / 20", ".01"),  # multiples of .05: not all of .1
    ("floor(runiform() * 200) * 2.5", ".1"),
    ("7", "1"),
])
def test_units(stata, make, unit):
    r = stata(f"""
        clear
        set obs 50
        set seed 3
        gen double x = {make}
        codebook x
    """)
    x = r.col("x")
    expected = _units_of(x)
    assert expected == float(unit)
    line = _section(r.log, "codebook x")[7]
    assert line[54:] == f"units:  {unit}"


def _units_of(x: np.ndarray) -> float:
    """The largest power of ten every value is a whole multiple of (1 for a constant)."""
    if np.all(x == x[0]):
        return 1.0
    for e in range(6, -8, -1):
        q = x / 10.0**e
        if np.allclose(q, np.round(q), rtol=0, atol=1e-6):
            return float(f"1e{e}")
    raise AssertionError("no unit")


def test_labelled_values_tabulated_with_labels(stata):
    r = stata("""
        clear
        input byte g
        1
        2
        2
        3
        .
        .b
        1
        end
        label define yn 1 "yes" 2 "no" .b "refused"
        label values g yn
        codebook g
        return list
    """)
    assert r.rc == 0, r.log
    out = _section(r.log, "codebook g")
    # LabelLine: {ralign 22:label}:  {res:yn} ", but 1 nonmissing value is not labeled"
    assert out[6] == "label".rjust(22) + ":  yn, but 1 nonmissing value is not labeled"
    # FullTabValueLabeled: _col(13) "tabulation:  Freq.   Numeric  Label"
    i = out.index(" " * 12 + "tabulation:  Freq.   Numeric  Label")
    # _col(21) %10.0fc count _col(33) %8.0g value _col(43) label (none for an unlabelled one)
    counts = pd.Series(r.col("g")).value_counts(dropna=True).sort_index()
    expected = [f"{'':20}{counts[1.0]:>10}  {'1':>8}  yes",
                f"{'':20}{counts[2.0]:>10}  {'2':>8}  no",
                f"{'':20}{counts[3.0]:>10}  {'3':>8}", f"{'':20}{1:>10}  {'.':>8}",
                f"{'':20}{1:>10}  {'.b':>8}  refused"]
    assert out[i + 1:i + 6] == expected
    # ReturnGlobals: r(notlabeled)
    assert r.session.r.macros == {"notlabeled": "g"}


def test_labelled_examples_and_missing_label(stata):
    r = stata("""
        clear
        set obs 30
        gen int v = _n
        label define many 5 "five" 18 "eighteen"
        label values v many
        gen w = mod(_n, 2)
        label values w nosuch
        codebook v w if _n > 5
        return list
    """)
    out = _section(r.log, "codebook v w if _n > 5")
    # NumExamples: observation f + inc·wd of `sort touse v` (f = 5 outside, wd = 25):
    # 10, 15, 20, 25 → v = 10, 15, 20, 25; "{ralign 23: examples:}" _col(26) (vv) _col(32) label
    sel = np.sort(r.col("v")[5:])
    picks = [int(sel[math.trunc(5 + inc * 25) - 5 - 1]) for inc in (.2, .4, .6, .8)]
    assert picks == [10, 15, 20, 25]
    ex = out[11:15]
    assert ex[0] == "examples:".rjust(23) + "  10"
    assert ex[1:] == [" " * 25 + "15", " " * 25 + "20", " " * 25 + "25"]
    # LabelLine for a label that is not defined: ", but label does not exist"
    assert "label".rjust(22) + ":  nosuch, but label does not exist" in out
    assert r.session.r.macros["labelnotfound"] == "w"
    # LabelLine: ", but {res:`uncoded'} nonmissing values are not labeled"
    uncoded = len(set(r.col("v")[5:].tolist()) - {5.0, 18.0})
    assert out[6] == "label".rjust(22) + f":  many, but {uncoded} nonmissing values are not labeled"
    assert r.session.r.macros["notlabeled"] == "v"
    assert set(r.session.r.macros) == {"labelnotfound", "notlabeled"}  # neither is constant


def test_string_report(stata):
    r = stata("""
        clear
        set obs 30
        gen str12 s = "item" + string(_n)
        replace s = "" in 1/2
        replace s = "a b" in 3
        codebook s in 2/30
        return list
    """)
    assert r.rc == 0, r.log
    s = r.col("s")[1:30]
    out = _section(r.log, "codebook s in 2/30")
    # DoStr: _col(19) "type:  string (" type ")" ", but longest is str" r(max)
    longest = max(len(x) for x in s)
    assert out[5] == " " * 18 + f"type:  string (str12), but longest is str{longest}"
    # ShowUniq (str): _col(10) "unique values:  " _col(51) `"missing "":  "' m "/" N
    uniq = pd.Series([x for x in s if x]).nunique()
    assert out[7] == (" " * 9 + f"unique values:  {uniq}").ljust(50) + 'missing "":  1/29'
    # DoStr examples: _col(15) "examples:  " then _col(26), each Piece `"`x'"'; observation
    # f + inc·wd of `sort touse s` (f = 1 outside the selection, wd = 29)
    ordered = sorted(s, key=lambda t: t.encode())
    picks = [ordered[math.trunc(1 + inc * 29) - 1 - 1] for inc in (.2, .4, .6, .8)]
    assert out[9] == " " * 14 + f'examples:  "{picks[0]}"'
    assert out[10:13] == [" " * 25 + f'"{p}"' for p in picks[1:]]
    # a blank display, then _col(16) "warning:  variable has `ttl' blanks"
    assert out[13:15] == ["", " " * 15 + "warning:  variable has embedded blanks"]
    assert r.session.r.macros == {"str_type": "s", "str_embedded": "s"}


def test_string_tabulation_and_constant(stata):
    r = stata("""
        clear
        input str5 t byte k
        "b" 1
        "a" 1
        "b" 1
        end
        codebook
        return list
    """)
    out = _section(r.log, "codebook")
    # FullTab (string): _col(21) %10.0fc count _col(33) Piece `"value"'
    i = out.index(" " * 12 + "tabulation:  Freq.  Value")
    assert out[i + 1:i + 3] == [" " * 20 + f"{1:>10}" + '  "a"', " " * 20 + f"{2:>10}" + '  "b"']
    # FullTab (numeric): _col(33) (value); k is constant → r(cons)
    j = out.index(" " * 12 + "tabulation:  Freq.  Value", i + 1)
    assert out[j + 1] == " " * 20 + f"{3:>10}" + "  1"
    assert r.session.r.macros == {"str_type": "t", "cons": "k"}


def test_compact(stata):
    r = stata("""
        clear
        input double price str8 make
        10 "x"
        20 "y"
        30 ""
        .  "y"
        end
        label variable price "Price in USD"
        codebook, compact
    """)
    out = _section(r.log, "codebook, compact")
    price = pd.Series(r.col("price")).dropna()
    # SummCompact (Mata): printf "\n"; "%-9uds" Variable, "%5s" Obs, "%7s" Unique, Mean
    # entry + 2 wide, "%5s" Min, Max entry + 2 wide, "  Label"; {hline 79}; one row each
    mean, lo, hi = f"{price.mean():g}", f"{price.min():g}", f"{price.max():g}"
    assert (mean, lo, hi) == ("20", "10", "30")
    assert out == [
        "",
        f"{'Variable':<9}{'Obs':>5}{'Unique':>7}{'Mean':>6}{'Min':>5}{'Max':>5}  Label",
        RULE,
        f"{'price':<9}{len(price):>5}{price.nunique():>7}{mean:>6}{lo:>5}{hi:>5}  Price in USD",
        f"{'make':<9}{3:>5}{2:>7}{'.':>6}{'.':>5}{'.':>5}",
        RULE,
    ]


def test_dates(stata):
    r = stata("""
        clear
        set obs 20
        gen d = td(1jan2020) + 3 * _n
        format d %td
        codebook d
    """)
    out = _section(r.log, "codebook d")
    d = r.col("d")
    # DoDate: _col(19) "type:  numeric daily date (" type ")"
    assert out[5] == " " * 18 + "type:  numeric daily date (float)"
    # _col(8) "or equivalently:  [" %td min "," %td max "]" _col(55) "units:  days"
    span = f"[{_date(d.min())},{_date(d.max())}]"
    assert out[8] == (" " * 7 + f"or equivalently:  {span}").ljust(54) + "units:  days"
    # mean: %8.0g r(mean) " = " %td of the mean (its fraction in hours when not whole)
    mean = d.mean()
    # the fraction: xnote " (+ `diff' hours)" with diff = round(24 * (mean - int(mean)))
    hours = round(24 * (mean - math.trunc(mean)))
    assert hours == 12
    assert out[11] == " " * 18 + f"mean:  {mean:>8g} = {_date(mean)} (+ {hours} hours)"
    # the dates row: _col(26) %9s of each percentile's %td
    days = [_stata_percentile(d, p) for p in (10, 25, 50, 75, 90)]
    dates = [_date(x) for x in days]
    assert out[16] == " " * 25 + "".join(f"{t:>9} " for t in dates).rstrip()


def test_if_in_and_errors(stata):
    r = stata("""
        clear
        set obs 20
        gen x = _n
        codebook x if x > 15
        capture codebook x if x > 100
        local rc1 = _rc
        capture codebook, all
        local rc2 = _rc
        capture codebook x, compact tabulate(3)
        local rc3 = _rc
        display "`rc1' `rc2' `rc3'"
        codebook x, notes
    """)
    out = _section(r.log, "codebook x if x > 15")
    # five observations selected: range, counts and the FullTab over them only
    assert out[7].startswith(" " * 17 + "range:  [16,20]")
    assert out[8].endswith("missing .:  0/5")
    assert "2000 198 198" in r.log
    assert r.rc == 198
    assert "option notes not provided" in r.log


def test_mv_relations(stata):
    r = stata("""
        clear
        input float x str3 s byte g y
        1 "a" 1 1
        . "" 2 .
        . "" . .
        4 "b" 2 5
        . "c" 1 .
        end
        codebook x, mv
    """)
    df = pd.DataFrame({"x": r.col("x"), "y": r.col("y"), "g": r.col("g")})
    miss = {"x": df.x.isna(), "y": df.y.isna(), "g": df.g.isna(),
            "s": pd.Series(r.col("s")) == ""}
    # CrcMiss lists each variable whose missing values all fall where x is missing:
    # "<->" when x is missing at exactly those observations, "-->" when at more
    listed = [v for v in ("s", "g", "y") if miss[v].any() and not (miss[v] & ~miss["x"]).any()]
    arrows = {v: "<->" if miss[v].equals(miss["x"]) else "-->" for v in listed}
    assert arrows == {"s": "-->", "g": "-->", "y": "<->"}
    out = _section(r.log, "codebook x, mv")
    # dis _n _col(9) "missing values:" _c, then "{ralign 14:`abtv'}==" `"" ' or "mv ", the
    # arrow and "`abv'==mv"; later variables after _col(24)
    marks = {"s": '"" ', "g": "mv ", "y": "mv "}
    expected = [("missing values:".rjust(23) if i == 0 else " " * 23)
                + f"{v:>14}=={marks[v]}{arrows[v]} x==mv" for i, v in enumerate(listed)]
    assert out[-4:] == ["", *expected]


def test_problems_report(stata):
    r = stata("""
        clear
        input str8 name byte k
        "ann" 1
        " bob" 1
        end
        codebook, problems
        return list
        codebook k, problems
    """)
    assert r.rc == 0, r.log
    out = _section(r.log, "codebook, problems")
    # `problems` without `detail`: the reports are quiet. ReportProblems: dis _n "   Potential
    # problems in dataset   [unnamed]" _n; _col(16) "potential problem   variables"; a rule
    # clip(35 + longest list, 50, 79) wide; Msg: {space 32-len}`txt'{space 3}`vars'
    rule = "-" * max(35 + len("name"), 50)
    assert out[:-1] == [  # (the last line is the blank before the next command's echo)
        "", "   Potential problems in dataset   [unnamed]", "",
        " " * 15 + "potential problem   variables", rule,
        "constant (or all missing) vars".rjust(32) + "   k",
        "  str# vars that may be compressed   name",  # 32 - 32 blanks <= 0: Msg's 2
        "string vars with leading blanks".rjust(32) + "   name",
        rule,
    ]
    assert r.session.r.macros == {"cons": "k"}  # the last codebook's lists
    only_k = _section(r.log, "codebook k, problems")
    assert "constant (or all missing) vars".rjust(32) + "   k" in only_k
    assert not any("compressed" in ln or "leading" in ln for ln in only_k)
    # with none: dis _n "{txt}no potential problems in dataset {res}`dataset'"
    r = stata("""
        clear
        set obs 3
        gen x = _n
        codebook, problems
    """)
    assert _section(r.log, "codebook, problems")[:2] == [
        "", "no potential problems in dataset [unnamed]"]


def test_units_of_a_lone_zero_overflow_to_missing(stata):
    # Units: one nonmissing value has r(Var) missing, so it is not "constant"; 0 passes
    # float(v) == float(round(v, p)) for every p until p*10 overflows to missing, and
    # p = ./10 leaves units, min and max missing
    r = stata("""
        clear
        set obs 2
        gen x = 0 in 1
        codebook x
    """)
    assert _section(r.log, "codebook x")[7] == (" " * 17 + "range:  [.,.]").ljust(54) + \
        "units:  ."


def test_header(stata, tmp_path):
    r = stata("""
        clear
        input byte a double b str5 c
        1 2.5 "x"
        2 3.5 "y"
        3 4.5 "z"
        end
        label data "Three rows"
        save three
        use three, clear
        codebook a, header
        replace a = 4 in 1
        codebook a, header
    """)
    assert r.rc == 0, r.log
    with pd.io.stata.StataReader(tmp_path / "three.dta") as reader:
        stamp = reader.time_stamp
        assert reader.data_label == "Three rows"
    width = 1 + 8 + 5  # byte, double, str5: describe's bytes per observation
    # Header: dis _n _col(16) "Dataset:  " ..; _col(13) "Last saved:  " $S_FNDATE; dis;
    # _col(18) "Label:" "  " data label; _col(4) "Number of variables:  " %16.0gc k;
    # _col(1) "Number of observations:  " N; _col(19) "Size:  " width*N " bytes ignoring
    # labels, etc."
    expected = ["", " " * 15 + "Dataset:  three.dta", " " * 12 + f"Last saved:  {stamp}", "",
                " " * 17 + "Label:  Three rows", "   Number of variables:  3",
                "Number of observations:  3",
                " " * 18 + f"Size:  {width * 3} bytes ignoring labels, etc."]
    assert _section(r.log, "codebook a, header")[:8] == expected
    # after a change: _col(26) "DATA HAVE CHANGED SINCE LAST SAVED" below the date
    changed = _section(r.log.split(". replace a = 4 in 1", 1)[1], "codebook a, header")
    assert changed[:4] == [*expected[:3], " " * 25 + "DATA HAVE CHANGED SINCE LAST SAVED"]
