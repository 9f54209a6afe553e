"""``preserve``/``restore`` bring back the ``tsset``/``xtset`` declaration with the data: Stata
keeps it in the dataset's characteristics (``_dta[_TStvar]``, ``_dta[_TSpanel]``), which
``preserve`` saves and ``restore`` puts back ([D] preserve). Lags after ``restore`` (and after
a program that preserved) are checked against the series shifted by hand."""

from __future__ import annotations

import numpy as np


def test_restore_brings_back_the_time_structure(stata):
    r = stata("""
        clear
        set obs 12
        gen t = tq(2000q1) + _n - 1
        format t %tq
        gen y = _n^2
        gen year = yofd(dofq(t))
        tsset t
        preserve
        collapse (mean) y, by(year)
        tsset year
        restore
        gen ly = L.y
        program define inner
            preserve
            xtset, clear
            keep in 1/3
        end
        inner
        gen l2y = L2.y
    """)
    assert r.rc == 0, r.log
    ts = r.session.tsset
    assert ts is not None
    assert (ts.timevar, ts.panelvar) == ("t", None)
    y = np.arange(1, 13, dtype=float) ** 2
    lag = np.r_[np.nan, y[:-1]]
    np.testing.assert_array_equal(r.col("ly"), lag)
    np.testing.assert_array_equal(r.col("l2y"), np.r_[np.nan, np.nan, y[:-2]])
