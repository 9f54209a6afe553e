"""Notes Stata prints around results: ``predict`` names the statistic it assumed ([R] predict:
"(option xb assumed; fitted values)" after regress, "(option pr assumed; Pr(y))" after
logit), and a two-way ``tabulate`` with percentages starts with the key to its cells
([R] tabulate twoway: a boxed "Key" listing frequency and row/column/cell percentage)."""

from __future__ import annotations


def test_predict_and_tabulate_notes(stata):
    r = stata("""
        clear
        set obs 40
        gen x = _n
        gen y = mod(_n, 3) == 0
        gen g = mod(_n, 2)
        regress y x
        predict yhat
        logit y x
        predict p
        tabulate g y, row column
    """)
    assert r.rc == 0, r.log
    out = r.output
    assert "(option xb assumed; fitted values)" in out
    assert "(option pr assumed; Pr(y))" in out
    start = out.index("+-------------------+")
    assert out[start:start + 7] == [
        "+-------------------+",
        "| Key               |",
        "|-------------------|",
        "|     frequency     |",
        "|  row percentage   |",
        "| column percentage |",
        "+-------------------+",
    ]
