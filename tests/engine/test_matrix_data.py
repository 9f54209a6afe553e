"""``matlist``, ``mkmat``, ``svmat`` and ``drawnorm`` as Stata's manuals describe them; the
matlist layout follows matlist.ado (row labels 12 wide, " | ", %9.0g cells two spaces apart,
a trailing blank), the draws are checked by their moments."""

from __future__ import annotations

import numpy as np
import pytest


def test_matlist_default_layout_symmetric_half_and_options(stata):
    r = stata("""
        matrix A = (1, 2 \\ 3, 4)
        matrix rownames A = first second
        matlist A
        matrix S = (1, .5 \\ .5, 2)
        matlist S
        matlist S, nohalf format(%6.2f) rowtitle(rt) border(rows) title(Sigma)
        matlist S, names(columns) lines(none) noblank
    """)
    assert r.rc == 0, r.log
    assert r.output == [
        "             |        c1         c2 ",
        "-------------+----------------------",
        "       first |         1          2 ",
        "      second |         3          4 ",
        "             |        c1         c2 ",
        "-------------+----------------------",
        "          r1 |         1            ",
        "          r2 |        .5          2 ",
        "Sigma",
        "------------------------------",
        "          rt |     c1      c2 ",
        "-------------+----------------",
        "          r1 |   1.00    0.50 ",
        "          r2 |   0.50    2.00 ",
        "------------------------------",
        "       c1         c2 ",
        "        1            ",
        "       .5          2 ",
    ]


def test_matlist_wraps_columns_that_do_not_fit_79_characters(stata):
    r = stata("""
        matrix W = J(1, 7, 2)
        matlist W
    """)
    assert r.output[0].split() == ["|", "c1", "c2", "c3", "c4", "c5"]
    assert r.output[3].split() == ["|", "c6", "c7"]
    assert max(len(line) for line in r.output) <= 79


def test_mkmat_and_svmat_round_trip(stata):
    r = stata("""
        set obs 5
        gen a = _n
        gen b = _n^2
        replace b = . in 3
        gen str4 id = "o" + string(_n)
        mkmat a b, matrix(X)
        mkmat a b if a > 1, matrix(Y) nomissing rownames(id)
        mkmat a
        mkmat b in 2/3, obs
        clear
        svmat X
        svmat double Y, names(col)
        svmat X, names(v)
    """)
    assert r.rc == 0, r.log
    m = r.session.matrices
    np.testing.assert_array_equal(m["X"].values, [[1, 1], [2, 4], [3, np.nan], [4, 16], [5, 25]])
    assert m["X"].rownames == ["r1", "r2", "r3", "r4", "r5"]
    assert m["X"].colnames == ["a", "b"]
    assert m["Y"].rownames == ["o2", "o4", "o5"]
    np.testing.assert_array_equal(m["Y"].values[:, 1], [4, 16, 25])
    assert m["a"].values.shape == (5, 1)
    assert m["b"].rownames == ["r2", "r3"]  # obs: observation numbers after the prefix r
    ds = r.session.data
    assert ds.varnames == ["X1", "X2", "a", "b", "v1", "v2"]
    assert ds.n == 5
    np.testing.assert_array_equal(r.col("X2"), [1, 4, np.nan, 16, 25])
    np.testing.assert_array_equal(r.col("a")[:3], [2, 4, 5])
    assert np.isnan(r.col("a")[3:]).all()  # Y has 3 rows: the rest missing
    assert ds.vars["a"].stype == "double"
    assert ds.vars["X1"].stype == "float"


def test_drawnorm_moments_match_the_requested_distribution(stata):
    r = stata("""
        matrix C = (1, .5, -.3 \\ .5, 1, .2 \\ -.3, .2, 1)
        drawnorm x y z, n(40000) means(1 -2 5) sds(2 .5 3) corr(C) seed(20240)
    """)
    assert r.rc == 0, r.log
    data = np.column_stack([r.col(v) for v in ("x", "y", "z")])
    n = len(data)
    sds = np.array([2, 0.5, 3])
    corr = np.array([[1, 0.5, -0.3], [0.5, 1, 0.2], [-0.3, 0.2, 1]])
    # each within ~4.5 standard errors: se(mean) = sd/sqrt(n), se(sd) ~ sd/sqrt(2n),
    # se(r) ~ (1 - r^2)/sqrt(n)
    np.testing.assert_allclose(data.mean(axis=0), [1, -2, 5], atol=4.5 * sds.max() / n**0.5)
    np.testing.assert_allclose(data.std(axis=0, ddof=1), sds, rtol=4.5 / (2 * n) ** 0.5)
    np.testing.assert_allclose(np.corrcoef(data.T), corr, atol=4.5 / n**0.5)
    assert r.session.data.vars["x"].stype == "float"


def test_drawnorm_seed_reproduces_and_cov_lower_storage(stata):
    r = stata("""
        drawnorm a b, n(2000) cov(4 1 9) cstorage(lower) seed(7) double
        drawnorm c d, cov(4 1 9) cstorage(lower) seed(7) double
    """)
    assert r.rc == 0, r.log
    np.testing.assert_array_equal(r.col("a"), r.col("c"))  # same seed, same draws
    cov = np.cov(np.column_stack([r.col("a"), r.col("b")]).T)
    np.testing.assert_allclose(cov, [[4, 1], [1, 9]], rtol=0.15, atol=0.3)


@pytest.mark.parametrize(("line", "code"), [
    ("drawnorm a b, n(10) corr(1 2 1) cstorage(lower)", 506),  # not positive definite
    ("drawnorm a b, n(10) means(1 2 3)", 503),
    ("drawnorm a b, n(10) corr(1 .5 1) cov(1 0 1) cstorage(lower)", 198),
    ("drawnorm a, n(10) sds(2) cov(1)", 198),
])
def test_drawnorm_errors(stata, line, code):
    r = stata(f"""
        capture {line}
        di _rc
    """)
    assert r.output[-1] == str(code)
