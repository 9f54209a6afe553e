"""outreg2 (SSC): the tab-delimited table, columns appended, auto(3) digits, the notes.

help outreg2: "auto(3) ... three significant digits not counting the ones ... A probable
integer is reported without decimals"; the default stats are coef and se with *** p<0.01,
** p<0.05, * p<0.1; without replace an existing table gains a column. Numbers are statsmodels'
OLS on the Longley data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import statsmodels.api as sm
from statsmodels.datasets import longley

from libs.engine.commands.outreg2 import auto_digits
from tests.engine.conftest import Run

Stata = Callable[[str], Run]


def test_auto_digits_follow_the_help() -> None:
    assert auto_digits(1.23456) == "1.235"
    assert auto_digits(0.123456) == "0.123"
    assert auto_digits(12.3456) == "12.35"
    assert auto_digits(0.00420123) == "0.00420"
    assert auto_digits(1234.56) == "1,235"
    assert auto_digits(74.0) == "74"
    assert auto_digits(2_345_678.9) == "2.346e+06"


def _stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def test_outreg2_table_with_two_columns(stata: Stata, tmp_path: Path) -> None:
    d = longley.load_pandas().data.astype(np.float64)
    d.columns = [c.lower() for c in d.columns]
    d.to_stata(tmp_path / "longley.dta", write_index=False)
    m1 = sm.OLS(d["totemp"], sm.add_constant(d[["unemp"]])).fit()
    m2 = sm.OLS(d["totemp"], sm.add_constant(d[["unemp", "armed"]])).fit()
    run = stata("""
        use longley, clear
        regress totemp unemp
        outreg2 using table, replace ctitle(Short)
        outreg2 using table, addtext(Sample, All) tex: regress totemp unemp armed
    """)
    assert run.rc == 0, run.log
    assert "table.tex" in run.output
    b1, s1, b2, s2 = m1.params, m1.bse, m2.params, m2.bse
    assert (tmp_path / "table.txt").read_text().splitlines() == [
        "\t(1)\t(2)",
        "VARIABLES\tShort\ttotemp",
        "\t\t",
        f"unemp\t{b1['unemp']:.3f}{_stars(m1.pvalues['unemp'])}"
        f"\t{b2['unemp']:.3f}{_stars(m2.pvalues['unemp'])}",
        f"\t({s1['unemp']:.3f})\t({s2['unemp']:.3f})",
        f"armed\t\t{b2['armed']:.3f}{_stars(m2.pvalues['armed'])}",
        f"\t\t({s2['armed']:.3f})",
        f"Constant\t{b1['const']:,.0f}{_stars(m1.pvalues['const'])}"
        f"\t{b2['const']:,.0f}{_stars(m2.pvalues['const'])}",
        f"\t({s1['const']:,.0f})\t({s2['const']:,.0f})",
        "\t\t",
        "Observations\t16\t16",
        f"R-squared\t{m1.rsquared:.3f}\t{m2.rsquared:.3f}",
        "Sample\t\tAll",
        "Standard errors in parentheses\t\t",
        "*** p<0.01, ** p<0.05, * p<0.1\t\t",
    ]
    assert "\\begin{tabular}{lcc}" in (tmp_path / "table.tex").read_text()
