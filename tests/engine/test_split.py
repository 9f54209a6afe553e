"""``split`` as [D] split states it: "split splits the contents of a string variable, strvar,
into one or more parts, using one or more parse strings (by default, blank spaces), so that new
string variables are generated ... strvar itself is not modified"; ``generate(stub)`` names
them stub1, stub2, … (stub defaults to strvar); ``limit(#)`` creates at most # variables;
``notrim`` keeps the original's leading and trailing spaces; ``destring`` applies destring to
the new variables. Stores r(nvars) and r(varlist). Parts against Python's ``str.split``."""

from __future__ import annotations

NAMES = ["  smith, JOHN  ", "Doe,,jane", "lee", "a b  c"]
DATA = "clear\ninput str30 name\n" + "".join(f'"{n}"\n' for n in NAMES) + "end\n"


def _column(run, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(v) for v in run.col(name)]


def test_split_on_a_parse_string_keeps_the_original_and_stores_r(stata):
    r = stata(DATA + """
        split name, parse(",") gen(part)
        di r(nvars) " " "`r(varlist)'"
    """)
    assert r.rc == 0, r.log
    expected = [n.strip(" ").split(",") for n in NAMES]
    width = max(len(p) for p in expected)
    for k in range(width):
        assert _column(r, f"part{k + 1}") == [p[k] if k < len(p) else "" for p in expected]
    assert _column(r, "name") == NAMES
    assert r.output[-1] == f"{width} part1 part2 part3"
    longest = max(len(p[0]) for p in expected)  # "a b  c": the type fits the longest part
    assert r.session.data.vars["part1"].stype == f"str{longest}"


def test_split_defaults_to_spaces_and_the_variables_own_name(stata):
    r = stata(DATA + "split name")
    assert r.rc == 0, r.log
    expected = [n.strip(" ").split(" ") for n in NAMES]
    for k in range(max(len(p) for p in expected)):
        assert _column(r, f"name{k + 1}") == [p[k] if k < len(p) else "" for p in expected]


def test_limit_notrim_if_and_several_parse_strings(stata):
    r = stata(DATA + """
        split name if _n != 3, parse(", " ",") gen(q) limit(2)
        split name in 1, gen(t) notrim
    """)
    assert r.rc == 0, r.log
    assert _column(r, "q1") == ["smith", "Doe", "", "a b  c"]
    assert _column(r, "q2") == ["JOHN", "", "", ""]  # ", " wins where both start
    assert "q3" not in r.session.data.vars
    # untrimmed, the leading blanks are two parse strings before "smith,"
    assert _column(r, "t3")[0] == "smith,"


def test_destring_converts_the_parts_that_are_numbers(stata):
    r = stata("""
        clear
        set obs 2
        gen str12 v = cond(_n == 1, "1 2.5 x", "3 4 y")
        split v, destring
    """)
    assert r.rc == 0, r.log
    assert list(r.col("v1")) == [1.0, 3.0]
    assert list(r.col("v2")) == [2.5, 4.0]
    assert r.session.data.vars["v3"].stype.startswith("str")  # non-numeric: left a string


def test_split_errors(stata):
    assert stata(DATA + "split name, gen(name)").rc == 0  # name1 … are new
    assert stata(DATA + "gen part1 = 1\nsplit name, gen(part)").rc == 110
    assert stata(DATA + "gen x = 1\nsplit x").rc == 109
    assert stata(DATA + "split name, bogus").rc == 198
