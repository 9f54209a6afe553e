"""``xtdescribe`` as [XT] xtdescribe states it: "describes the participation pattern of
cross-sectional time-series (xt) data"; ``patterns(#)`` is the "maximum participation patterns;
default is patterns(9)" and "patterns(1000) is taken to mean patterns(∞)"; it needs ``xtset``.
The layout is checked against Stata's own printed output for a 595 × 7 balanced panel; the
numbers of an unbalanced panel against pandas and numpy's percentile (Stata's rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Stata 17's output of `xtdescribe` after `xtset id t` on a 595-worker, 7-year panel
STATA_BALANCED = """\
      id:  1, 2, ..., 595                                    n =        595
       t:  1, 2, ..., 7                                      T =          7
           Delta(t) = 1 unit
           Span(t)  = 7 periods
           (id*t uniquely identifies each observation)
Distribution of T_i:   min      5%     25%       50%       75%     95%     max
                         7       7       7         7         7       7       7
     Freq.  Percent    Cum. |  Pattern
 ---------------------------+---------
      595    100.00  100.00 |  1111111
 ---------------------------+---------
      595    100.00         |  XXXXXXX"""

PANEL = [(1, 2000), (1, 2001), (1, 2002), (2, 2000), (2, 2002), (3, 2001), (3, 2002),
         (4, 2000), (4, 2001), (4, 2002), (5, 2002), (6, 2000), (6, 2001), (6, 2002)]


def test_balanced_panel_prints_what_stata_prints(stata):
    r = stata("""
        clear
        set obs 4165
        gen id = ceil(_n / 7)
        gen t = _n - 7 * (id - 1)
        xtset id t
        xtdescribe
        di r(n) " " r(N) " " r(min) " " r(max)
    """)
    assert r.rc == 0, r.log
    start = next(i for i, ln in enumerate(r.output) if ln.startswith("      id:"))
    assert "\n".join(r.output[start:start + 12]) == STATA_BALANCED
    assert r.output[-1] == "595 4165 7 7"


def test_unbalanced_panel_against_pandas(stata):
    rows = "".join(f"{i} {t}\n" for i, t in PANEL)
    r = stata(f"clear\ninput id year\n{rows}end\nxtset id year\nxtdescribe, patterns(2)\n"
              "di r(n) \" \" r(N) \" \" r(min) \" \" r(max)")
    assert r.rc == 0, r.log
    frame = pd.DataFrame(PANEL, columns=["id", "year"])
    t_i = frame.groupby("id").size().to_numpy(dtype=float)
    pct = [np.percentile(t_i, p, method="averaged_inverted_cdf") for p in (5, 25, 50, 75, 95)]
    dist = r.output[r.output.index(next(ln for ln in r.output
                                        if ln.startswith("Distribution"))) + 1]
    assert [float(v) for v in dist.split()] == [t_i.min(), *pct, t_i.max()]
    patterns = frame.assign(v=1).pivot(index="id", columns="year", values="v").notna()
    counts = patterns.apply(lambda row: "".join("1" if x else "." for x in row), axis=1)
    freq = counts.value_counts()
    table = [ln for ln in r.output if "|  " in ln or "(other" in ln][1:]
    assert table[0].split() == [str(freq["111"]), f"{100 * freq['111'] / 6:.2f}",
                                f"{100 * freq['111'] / 6:.2f}", "|", "111"]
    assert table[2].endswith("| (other patterns)")  # only two patterns listed
    assert int(table[2].split()[0]) == 6 - freq.iloc[:2].sum()
    assert r.output[-1] == f"6 {len(PANEL)} {t_i.min():g} {t_i.max():g}"


def test_xtdescribe_needs_a_panel_variable(stata):
    r = stata("clear\nset obs 3\ngen t = _n\ntsset t\nxtdescribe")
    assert r.rc == 459
    assert stata("clear\nset obs 3\ngen t = _n\nxtdes").rc == 459
