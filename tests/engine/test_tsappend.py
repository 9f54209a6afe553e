"""``tsappend`` as [TS] tsappend states it: it "appends observations to a time-series dataset
or to a panel dataset"; ``add(#)`` "add # observations", or ``last(date) tsfmt(string)`` with
``tsfmt`` the time-series function (``last(1999m3) tsfmt(tm)``); ``panel(id)`` adds to that
panel only; "any gaps in the dataset are removed"; the data must be tsset or xtset. The new
periods are checked against pandas' quarterly periods; the old observations are unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd

SERIES = """
    clear
    set obs 6
    gen t = tq(1980q1) + _n - 1
    format t %tq
    tsset t
    gen y = _n * 10
    drop in 3
"""


def _quarters(run) -> list[str]:  # type: ignore[no-untyped-def]
    epoch = pd.Period("1960Q1", freq="Q")
    return [str(epoch + int(v)) for v in run.col("t")]


def test_add_extends_the_series_and_fills_its_gaps(stata):
    r = stata(SERIES + "tsappend, add(3)")
    assert r.rc == 0, r.log
    expected = pd.period_range("1980Q1", periods=9, freq="Q").astype(str).tolist()
    assert _quarters(r) == expected
    y = r.col("y")
    assert list(y[[0, 1, 3, 4, 5]]) == [10, 20, 40, 50, 60]  # old rows unchanged
    assert np.isnan(y[[2, 6, 7, 8]]).all()  # the gap and the new periods
    assert r.session.data.vars["t"].format == "%tq"


def test_last_with_tsfmt_ends_the_series_at_that_date(stata):
    r = stata(SERIES + "tsappend, last(1982q2) tsfmt(tq)")
    assert r.rc == 0, r.log
    assert _quarters(r) == pd.period_range("1980Q1", "1982Q2", freq="Q").astype(str).tolist()


def test_panels_are_extended_to_the_new_end_and_panel_selects_one(stata):
    base = """
        clear
        input id yr
        1 2000
        1 2001
        2 2000
        end
        xtset id yr
    """
    r = stata(base + "tsappend, add(1)")
    assert r.rc == 0, r.log
    got = list(zip(r.col("id").tolist(), r.col("yr").tolist(), strict=True))
    assert got == [(1, 2000), (1, 2001), (1, 2002), (2, 2000), (2, 2001), (2, 2002)]
    r = stata(base + "tsappend, add(2) panel(2)")
    got = list(zip(r.col("id").tolist(), r.col("yr").tolist(), strict=True))
    assert got == [(1, 2000), (1, 2001), (2, 2000), (2, 2001), (2, 2002), (2, 2003)]


def test_tsappend_errors(stata):
    assert stata("clear\nset obs 2\ngen t = _n\ntsappend, add(1)").rc == 111  # not tsset
    assert stata(SERIES + "tsappend").rc == 198  # neither add() nor last()
    assert stata(SERIES + "tsappend, add(2) last(1990q1) tsfmt(tq)").rc == 198
    assert stata(SERIES + "tsappend, last(1990q1)").rc == 198  # last() needs tsfmt()
    assert stata(SERIES + "tsappend, add(0)").rc == 198
