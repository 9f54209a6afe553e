"""``matrix list`` lays matrices out as Stata does.

The expected blocks are Stata 19's own ``matrix list`` output of ``regress price mpg weight``
(auto.dta) as captured verbatim in the public test suite of stata-ai-fusion
(tests: ``NARROW``, ``SYMMETRIC``, ``WRAPPED``), and Stata's printed ``mat list a`` of a small
integer matrix (Rosetta Code, "Matrix transposition", Stata). The engine's matrices are filled
with the printed values, so the layout alone is compared.
"""

from __future__ import annotations


def _listing(run, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    lines = run.log.splitlines()
    start = lines.index(f". matrix list {name}")
    out: list[str] = []
    for line in lines[start + 1:]:
        if line.startswith(". "):
            break
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def test_row_vector_with_negative_numbers_keeps_columns_apart(stata):
    run = stata("""
        matrix b = (-49.512221, 1.7465592, 1946.0687)
        matrix rownames b = y1
        matrix colnames b = mpg weight _cons
        matrix list b
    """)
    assert run.rc == 0, run.log
    assert _listing(run, "b") == [
        "",
        "b[1,3]",
        "           mpg      weight       _cons",
        "y1  -49.512221   1.7465592   1946.0687",
    ]


def test_symmetric_matrix_shows_its_lower_triangle(stata):
    run = stata("""
        matrix V = (7422.863, 44.601659, -292759.82 \\ 44.601659, .41133468, -2191.9032 \\ ///
            -292759.82, -2191.9032, 12938766)
        matrix rownames V = mpg weight _cons
        matrix colnames V = mpg weight _cons
        matrix list V
        matrix list V, nohalf noblank
    """)
    assert run.rc == 0, run.log
    assert _listing(run, "V") == [
        "",
        "symmetric V[3,3]",
        "               mpg      weight       _cons",
        "   mpg    7422.863",
        "weight   44.601659   .41133468",
        " _cons  -292759.82  -2191.9032    12938766",
    ]
    assert _listing(run, "V, nohalf noblank")[:3] == [
        "V[3,3]",
        "               mpg      weight       _cons",
        "   mpg    7422.863   44.601659  -292759.82",
    ]


def test_wide_matrix_wraps_into_blocks_as_wide_as_the_longest_name(stata):
    run = stata("""
        matrix b = (-106.52857, 4.8527254, -80.74026, -307.76057, 105.61283, ///
            -791.71181, 12.221453, 2317.7772, 12675.275)
        matrix rownames b = y1
        matrix colnames b = mpg weight length turn trunk headroom displacement gear_ratio _cons
        matrix list b
    """)
    assert run.rc == 0, run.log
    assert _listing(run, "b") == [
        "",
        "b[1,9]",
        "             mpg        weight        length          turn         trunk",
        "y1    -106.52857     4.8527254     -80.74026    -307.76057     105.61283",
        "",
        "        headroom  displacement    gear_ratio         _cons",
        "y1    -791.71181     12.221453     2317.7772     12675.275",
    ]


def test_small_integers_list_compactly_and_options_apply(stata):
    run = stata("""
        matrix a = (1, 2, 3 \\ 4, 5, 6)
        matrix list a
        matrix list a, noheader nonames noblank
        matrix list a, format(%5.2f) noblank
        capture matrix list a, format(%q)
        display _rc
    """)
    assert run.rc == 0, run.log
    assert _listing(run, "a") == ["", "a[2,3]", "    c1  c2  c3", "r1   1   2   3",
                                  "r2   4   5   6"]
    assert _listing(run, "a, noheader nonames noblank") == ["  1  2  3", "  4  5  6"]
    assert _listing(run, "a, format(%5.2f) noblank")[1:3] == [
        "      c1    c2    c3", "r1  1.00  2.00  3.00"]
    assert run.output[-1] == "120"
