from __future__ import annotations

import numpy as np


def test_tokenize_and_gettoken(stata):
    r = stata("""
        tokenize "a b,c" , parse(",")
        di "`1'|`2'|`3'|`4'"
        local s `"first "second part" third"'
        gettoken head tail : s
        di `"`head'|`tail'"'
        gettoken nxt tail : tail
        di `"`nxt'|`tail'"'
        local csv "x,y"
        gettoken a b : csv, parse(",")
        di "`a'|`b'"
    """)
    assert r.output == ["a|b|,|c", 'first| "second part" third', "second part| third", "x|,y"]


def test_gettoken_with_parse_takes_blanks_into_the_token(stata):
    # Only the parsing characters separate: the Statalist idiom (N. J. Cox, 26 Nov 2004,
    # "Parsing not-quite-standard syntax") `gettoken data 0 : 0, parse(",")` takes a file
    # name with its if/in before the options, blanks and all.
    r = stata("""
        local 0 "auto if foreign == 1, replace"
        gettoken data 0 : 0, parse(",")
        di "`data'|`0'"
    """)
    assert r.output == ["auto if foreign == 1|, replace"]


def test_unab_ds_clonevar_expand(stata):
    r = stata("""
        set obs 2
        gen inc1 = 1
        gen inc2 = _n
        gen str1 s = "a"
        label var inc2 "Income 2"
        unab v : inc*
        di "`v'"
        ds, has(type string)
        di r(varlist)
        clonevar copy = inc2 if _n == 2
        expand 2 if _n == 1
    """)
    assert r.output[:3] == ["inc1 inc2", "s", "s"]
    data = r.session.data
    assert data.vars["copy"].label == "Income 2"
    np.testing.assert_array_equal(r.col("copy"), [np.nan, 2, np.nan])
    assert data.n == 3
    assert "(1 observation created)" in r.output


def test_program_with_marksample(stata):
    r = stata("""
        program define nobs, rclass
            syntax varlist [if]
            marksample touse
            quietly count if `touse'
            return scalar n = r(N)
        end
        set obs 5
        gen x = cond(_n == 2, ., _n)
        gen y = 1
        nobs x y if _n < 5
        di r(n)
    """)
    assert r.output[-1] == "3"


def test_do_run_and_file_write(stata, tmp_path):
    (tmp_path / "helper.do").write_text("""args who\ndisplay "hello `who'"\nlocal inner 1\n""")
    r = stata("""
        do helper world
        run helper quiet
        file open fh using notes.txt, write replace
        file write fh "line " %4.1f 2.26 _n "second" _n
        file close fh
        di "`inner'"
    """)
    assert r.rc == 0
    assert "hello world" in r.output
    assert "hello quiet" not in r.output
    assert (tmp_path / "notes.txt").read_text() == "line  2.3\nsecond\n"


def test_matrix_elements_by_subscript(stata):
    # Stata: M[i, j] reads an element in any expression (rows/columns by number or name) and
    # "matrix M[i, j] = exp" sets one, as in loops that fill a table of results
    r = stata("""
        matrix T = J(2, 3, .)
        matrix colnames T = a b c
        forvalues i = 1/2 {
            matrix T[`i', 1] = 10*`i'
        }
        matrix T[2,3] = T[1, 1] + T[2,1]
        display T[2, "c"] " " T[1,2]
        clear
        set obs 2
        gen x = T[2, 1] + _n
        capture display T[3, 1]
        display _rc
    """)
    assert r.rc == 0, r.log
    assert r.output == ["30 .", "503"]
    assert r.session.matrices["T"].values[:, 0].tolist() == [10.0, 20.0]
    assert r.col("x").tolist() == [21.0, 22.0]


def test_matrices_from_results_and_literals(stata):
    import numpy as np

    from libs.engine.results import Matrix, Results

    r = stata("")
    session = r.session
    session.post_e(Results(matrices={"b": Matrix(np.array([[2.0, 5.0]]), ["y1"], ["x", "_cons"])}))
    from libs.engine.batch import run_source

    rc = run_source(session, """
matrix b = e(b)
matrix bt = b'
matrix A = (1, 2 \\ 3, 4)
matrix P = A * bt
matrix colnames A = u v
di el(b, 1, 2) " " rowsof(bt) " " colsof(A) " " el(P, 2, 1) " " el(e(b), 1, 1)
matrix list A
""")
    assert rc == 0
    np.testing.assert_array_equal(session.matrices["P"].values, [[12.0], [26.0]])
    assert session.matrices["A"].colnames == ["u", "v"]
    assert session.matrices["bt"].rownames == ["x", "_cons"]
    text = session.log.sinks[0].getvalue()  # type: ignore[attr-defined]
    assert "5 2 2 26 2" in text
    assert "A[2,2]" in text


def test_matrix_subscripts_are_evaluated_per_observation(stata):
    # Stata evaluates an expression once per observation, so `M[_n, 1]` reads row _n of M
    # for observation _n (the usual idiom to bring a vector of results into a variable).
    values = np.array([[1.5, -2.0], [2.5, 4.0], [3.5, 8.0]])
    r = stata("""
        matrix M = (1.5, -2 \\ 2.5, 4 \\ 3.5, 8)
        set obs 5
        gen a = M[_n, 1]
        gen b = M[4 - _n, 2]
        gen c = M[1, 1 + (_n > 2)]
    """)
    assert r.rc == 0, r.log
    n = np.arange(1, 6)

    def pick(rows: np.ndarray, cols: np.ndarray) -> list[float]:
        ok = (rows >= 1) & (rows <= 3)
        return [float(values[i - 1, j - 1]) if k else np.nan
                for i, j, k in zip(rows, cols, ok, strict=True)]

    np.testing.assert_array_equal(r.col("a"), pick(n, np.ones(5, int)))
    np.testing.assert_array_equal(r.col("b"), pick(4 - n, np.full(5, 2)))
    np.testing.assert_array_equal(r.col("c"), pick(np.ones(5, int), 1 + (n > 2)))
