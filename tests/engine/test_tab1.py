"""``tab1`` as [R] tabulate oneway states it: "tab1 produces a one-way tabulation for each
variable specified in varlist" — ``tab1 varlist [if] [in] [weight] [, missing sort ...]``, with
fweights; each table is headed ``-> tabulation of v``. Counts against pandas."""

from __future__ import annotations

import pandas as pd

DATA = """
    clear
    set obs 10
    gen a = mod(_n, 3)
    gen b = cond(_n <= 4, 1, 2)
    replace b = . in 10
"""


def _rows(output: list[str], name: str) -> dict[str, float]:
    """Level -> frequency of the table following ``-> tabulation of name``."""
    start = next(i for i, ln in enumerate(output) if ln.startswith(f"-> tabulation of {name}"))
    rows: dict[str, float] = {}
    for line in output[start + 3:]:
        if line.startswith("---"):
            break
        level, cells = line.split("|")
        rows[level.strip()] = float(cells.split()[0])
    return rows


def test_tab1_tabulates_each_variable_and_keeps_the_last_tables_r(stata):
    r = stata(DATA + """
        tab1 a b
        di r(N) " " r(r)
    """)
    assert r.rc == 0, r.log
    frame = pd.DataFrame({"a": [i % 3 for i in range(1, 11)],
                          "b": [1.0] * 4 + [2.0] * 5 + [None]})
    for name in ("a", "b"):
        expected = frame[name].value_counts().sort_index()
        assert _rows(r.output, name) == {f"{k:g}": float(v) for k, v in expected.items()}
    assert r.output[-1] == "9 2"  # r() of b's table: missing values are left out


def test_tab1_passes_if_weights_and_options_to_every_table(stata):
    r = stata(DATA + """
        tab1 a b if a > 0 [fw=a], missing
    """)
    assert r.rc == 0, r.log
    assert "-> tabulation of b if a > 0" in r.output
    frame = pd.DataFrame({"a": [i % 3 for i in range(1, 11)],
                          "b": ["1"] * 4 + ["2"] * 5 + ["."]})
    sub = frame[frame.a > 0]
    expected = sub.groupby("b")["a"].sum()
    assert _rows(r.output, "b") == {k: float(v) for k, v in expected.items()}


def test_tab1_refuses_what_it_does_not_take(stata):
    assert stata(DATA + "tab1 a, generate(d)").rc == 198
    assert stata(DATA + "tab1 a [aw=b]").rc == 101


def test_by_runs_tab1_within_each_group(stata):
    # [R] tabulate oneway: "by is allowed with tabulate and tab1"
    r = stata(DATA + "bysort b: tab1 a")
    assert r.rc == 0, r.log
    frame = pd.DataFrame({"a": [i % 3 for i in range(1, 11)],
                          "b": [1.0] * 4 + [2.0] * 5 + [None]})
    totals = [int(ln.split("|")[1].split()[0]) for ln in r.output if ln.strip().startswith("Total")]
    assert totals == [*frame.groupby("b").size().tolist(), 1]  # b = . is a group too
