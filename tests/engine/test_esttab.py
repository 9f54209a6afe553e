"""eststo / estadd / esttab / estout / estpost (SSC estout).

The layout is help esttab's: point estimates in the automatic ``a3`` format with stars
(* p<0.05, ** p<0.01, *** p<0.001), t statistics with two decimals in parentheses below,
a blank line between coefficients, N in the footer, 12-character columns plus 3 for the
stars, rules of dashes, and the two notes. Every number is statsmodels' OLS on the Longley
data, written out with the precision the documented ``a3`` rule gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.datasets import longley

from libs.engine.esttables.numbers import format_value, stars
from tests.engine.conftest import Run

Stata = Callable[[str], Run]


@pytest.fixture
def data(tmp_path: Path) -> dict[str, np.ndarray]:
    d = longley.load_pandas().data.astype(np.float64)
    d.columns = [c.lower() for c in d.columns]
    d.to_stata(tmp_path / "longley.dta", write_index=False)
    return {c: d[c].to_numpy() for c in d.columns}


def _ols(d: dict[str, np.ndarray], xs: list[str]) -> sm.regression.linear_model.RegressionResults:
    X = sm.add_constant(np.column_stack([d[x] for x in xs]))
    return sm.OLS(d["totemp"], X).fit()


def _table(run: Run, command: str) -> list[str]:
    """The lines esttab printed after ``. command`` (up to the next command)."""
    lines = run.log.splitlines()
    start = lines.index(f". {command}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith(". ")), len(lines))
    return lines[start:end]


def test_automatic_format_follows_the_documented_examples() -> None:
    # help esttab, "Numerical formats": a3
    assert format_value(0.00123456, "a3") == "0.00123"
    assert format_value(1.23456, "a3") == "1.235"
    assert format_value(12.3456, "a3") == "12.35"
    assert format_value(1234.56, "a3") == "1234.6"
    assert format_value(74.0, "a3") == "74"
    assert format_value(2.0 / 3, "2") == "0.67"
    assert format_value(0.25, "%9.0g", leading_zero=False) == ".25"
    assert stars(0.0004, [("*", 0.05), ("**", 0.01), ("***", 0.001)]) == "***"
    assert stars(0.03, [("*", 0.05), ("**", 0.01), ("***", 0.001)]) == "*"
    assert stars(0.05, [("*", 0.05), ("**", 0.01), ("***", 0.001)]) == ""


def test_esttab_default_table_in_the_log(stata: Stata, data: dict[str, np.ndarray]) -> None:
    m1, m2 = _ols(data, ["gnp", "unemp"]), _ols(data, ["gnp", "unemp", "armed"])
    run = stata("""
        use longley, clear
        eststo clear
        eststo: quietly regress totemp gnp unemp
        eststo: quietly regress totemp gnp unemp armed
        esttab, ar2
    """)
    assert run.rc == 0, run.log
    assert "(est1 stored)" in run.log
    assert "(est2 stored)" in run.log

    def star(p: float) -> str:
        return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""

    def cell(text: str, p: float | None = None) -> str:
        return " " + (text + (star(p) if p is not None else "")).ljust(len(text) + 3).rjust(15)

    # a3: |b| < 1 keeps 3 significant decimals, 10 <= |b| < 10^9 one decimal at least
    b1, t1, p1 = m1.params, m1.tvalues, m1.pvalues
    b2, t2, p2 = m2.params, m2.tvalues, m2.pvalues
    expected = [
        "",
        "-" * 44,
        " " * 12 + cell("(1)") + cell("(2)"),
        " " * 12 + cell("totemp") + cell("totemp"),
        "-" * 44,
        "gnp         " + cell(f"{b1[1]:.4f}", p1[1]) + cell(f"{b2[1]:.4f}", p2[1]),
        " " * 12 + cell(f"({t1[1]:.2f})") + cell(f"({t2[1]:.2f})"),
        "",
        "unemp       " + cell(f"{b1[2]:.3f}", p1[2]) + cell(f"{b2[2]:.3f}", p2[2]),
        " " * 12 + cell(f"({t1[2]:.2f})") + cell(f"({t2[2]:.2f})"),
        "",
        "armed       " + " " * 16 + cell(f"{b2[3]:.3f}", p2[3]),
        " " * 12 + " " * 16 + cell(f"({t2[3]:.2f})"),
        "",
        "_cons       " + cell(f"{b1[0]:.1f}", p1[0]) + cell(f"{b2[0]:.1f}", p2[0]),
        " " * 12 + cell(f"({t1[0]:.2f})") + cell(f"({t2[0]:.2f})"),
        "-" * 44,
        "N           " + cell("16") + cell("16"),
        "adj. R-sq   " + cell(f"{m1.rsquared_adj:.3f}") + cell(f"{m2.rsquared_adj:.3f}"),
        "-" * 44,
        "t statistics in parentheses",
        "* p<0.05, ** p<0.01, *** p<0.001",
    ]
    assert _table(run, "esttab, ar2") == [line.rstrip() for line in expected]


def test_esttab_csv_and_plain_csv(stata: Stata, data: dict[str, np.ndarray],
                                  tmp_path: Path) -> None:
    m = _ols(data, ["gnp"])
    run = stata("""
        use longley, clear
        quietly regress totemp gnp
        eststo m1
        esttab m1 using out.csv, replace se
        esttab m1 using plain, csv plain replace
    """)
    assert run.rc == 0, run.log
    assert "(output written to out.csv)" in run.log
    b, se = m.params, m.bse
    st = ["***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""
          for p in m.pvalues]
    assert (tmp_path / "out.csv").read_text().splitlines() == [
        "",
        '="",="(1)"',
        '="",="totemp"',
        "",
        f'="gnp",="{b[1]:.4f}{st[1]}"',
        f'="",="({se[1]:.5f})"',
        "",
        f'="_cons",="{b[0]:.1f}{st[0]}"',
        f'="",="({se[0]:.1f})"',
        "",
        '="N",="16"',
        "",
        '="Standard errors in parentheses"',
        '="* p<0.05, ** p<0.01, *** p<0.001"',
    ]
    # plain: %9.0g everywhere, no stars, numbers, parentheses, gaps, lines or notes
    assert (tmp_path / "plain.csv").read_text().splitlines() == [
        '"","m1"',
        '"","b/t"',
        f'"gnp","{b[1]:.7f}"'.replace('"0.', '".'),
        f'"","{m.tvalues[1]:.7g}"',
        f'"_cons","{b[0]:.2f}"',
        f'"","{m.tvalues[0]:.7g}"',
        '"N","16"',
    ]


def test_esttab_booktabs_file(stata: Stata, data: dict[str, np.ndarray],
                              tmp_path: Path) -> None:
    m = _ols(data, ["unemp"])
    run = stata("""
        use longley, clear
        label variable unemp "Unemployment"
        eststo clear
        eststo ols: quietly regress totemp unemp
        esttab ols using t.tex, booktabs label se r2 star(* 0.10 ** 0.05 *** 0.01) ///
            title(Employment) addnotes("Longley data.") replace
    """)
    assert run.rc == 0, run.log
    b, se = m.params, m.bse
    sym = "\\sym{**}" if m.pvalues[1] < 0.05 else "\\sym{*}"
    assert (tmp_path / "t.tex").read_text().splitlines() == [
        "\\begin{table}[htbp]\\centering",
        "\\def\\sym#1{\\ifmmode^{#1}\\else\\(^{#1}\\)\\fi}",
        "\\caption{Employment}",
        "\\begin{tabular}{l*{1}{c}}",
        "\\toprule",
        " " * 20 + "&\\multicolumn{1}{c}{(1)}\\\\",
        " " * 20 + "&\\multicolumn{1}{c}{totemp}\\\\",
        "\\midrule",
        "Unemployment".ljust(20) + "&" + (f"{b[1]:.3f}" + sym).ljust(len(f"{b[1]:.3f}") + 9)
        .rjust(21) + "\\\\",
        " " * 20 + "&" + f"({se[1]:.3f})".ljust(len(f"({se[1]:.3f})") + 9).rjust(21) + "\\\\",
        "\\addlinespace",
        "Constant".ljust(20) + "&" + (f"{b[0]:.1f}" + "\\sym{***}").rjust(21) + "\\\\",
        " " * 20 + "&" + f"({se[0]:.1f})".ljust(len(f"({se[0]:.1f})") + 9).rjust(21) + "\\\\",
        "\\midrule",
        "Observations".ljust(20) + "&" + "16".ljust(11).rjust(21) + "\\\\",
        "\\(R^{2}\\)".ljust(20) + "&" + f"{m.rsquared:.3f}".ljust(14).rjust(21) + "\\\\",
        "\\bottomrule",
        "\\multicolumn{2}{l}{\\footnotesize Standard errors in parentheses}\\\\",
        "\\multicolumn{2}{l}{\\footnotesize Longley data.}\\\\",
        "\\multicolumn{2}{l}{\\footnotesize \\sym{*} \\(p<0.10\\), \\sym{**} \\(p<0.05\\), "
        "\\sym{***} \\(p<0.01\\)}\\\\",
        "\\end{tabular}",
        "\\end{table}",
    ]


def test_estadd_and_selection_options(stata: Stata, data: dict[str, np.ndarray]) -> None:
    run = stata("""
        use longley, clear
        eststo clear
        eststo a: quietly regress totemp gnp unemp
        estadd local fe "Yes"
        estadd scalar two = 1 + 1
        estadd ysumm
        eststo b: quietly regress totemp unemp
        esttab a b, keep(unemp) not nostar scalars(fe two ymean) nonumbers mtitles
        esttab, drop(gnp _cons) order(unemp) nogaps noobs nonotes
        eststo dir
    """)
    assert run.rc == 0, run.log
    mean = data["totemp"].mean()
    table = _table(run, "esttab a b, keep(unemp) not nostar scalars(fe two ymean) "
                        "nonumbers mtitles")
    m1, m2 = _ols(data, ["gnp", "unemp"]), _ols(data, ["unemp"])
    assert table[2] == " " * 12 + "a".rjust(13) + "b".rjust(13)
    assert table[4] == "unemp       " + f"{m1.params[2]:.3f}".rjust(13) + \
        f"{m2.params[1]:.3f}".rjust(13)
    assert [line[:12].strip() for line in table[6:10]] == ["N", "fe", "two", "ymean"]
    assert table[7].split() == ["fe", "Yes"]
    assert table[8].split() == ["two", "2"]
    assert mean == int(mean)  # a3 shows whole numbers without decimals
    assert table[9].split() == ["ymean", f"{mean:.0f}"]
    assert "e(fe) : \"Yes\"" in run.log
    assert "e(two) =  2" in run.log
    second = _table(run, "esttab, drop(gnp _cons) order(unemp) nogaps noobs nonotes")
    assert [line.split()[0] for line in second if line and line[0] != "-" and line[0] != " "] \
        == ["unemp"]
    assert _table(run, "eststo dir") == ["  a", "  b"]


def test_eststo_clear_and_counter(stata: Stata, data: dict[str, np.ndarray]) -> None:
    run = stata("""
        use longley, clear
        eststo: quietly regress totemp gnp
        eststo: quietly regress totemp unemp
        display "$eststo"
        eststo clear
        display "[$eststo]"
        capture esttab est1
        display _rc
    """)
    assert run.rc == 0, run.log
    assert "est1 est2" in run.output
    assert "[]" in run.output
    assert run.output[-1] == "111"


def test_estpost_summarize_ttest_correlate(stata: Stata, data: dict[str, np.ndarray]) -> None:
    run = stata("""
        use longley, clear
        generate byte late = year > 1954
        estpost summarize totemp unemp, quietly
        matrix M = e(mean)
        matrix S = e(sd)
        estpost ttest totemp, by(late) quietly
        scalar t = el(e(t), 1, 1)
        scalar p = el(e(p), 1, 1)
        estpost correlate totemp gnp unemp, quietly
        scalar r = el(e(rho), 1, 2)
        esttab ., cells("rho(fmt(3)) p(fmt(3))") noobs nonumbers
    """)
    assert run.rc == 0, run.log
    s = run.session
    assert np.allclose(s.matrices["M"].values[0], [data["totemp"].mean(), data["unemp"].mean()])
    assert np.allclose(s.matrices["S"].values[0], [data["totemp"].std(ddof=1),
                                                   data["unemp"].std(ddof=1)])
    late = data["year"] > 1954
    ref = sps.ttest_ind(data["totemp"][~late], data["totemp"][late])
    assert np.isclose(s.scalars["t"], ref.statistic)
    assert np.isclose(s.scalars["p"], ref.pvalue)
    r, p = sps.pearsonr(data["totemp"], data["unemp"])
    assert np.isclose(s.scalars["r"], r)
    rows = [line.split() for line in run.log.splitlines() if line.startswith("unemp ")]
    assert rows[-1] == ["unemp", f"{r:.3f}", f"{p:.3f}"]


def test_estout_default_and_errors(stata: Stata, data: dict[str, np.ndarray]) -> None:
    run = stata("""
        use longley, clear
        quietly regress totemp gnp
        estout
        ssc install estout, replace
        esttab, nosuchoption
    """)
    m = _ols(data, ["gnp"])
    table = _table(run, "estout")
    # help estadd example 1: no model titles for the active estimates, the cell name "b"
    assert table[1:4] == ["-" * 25, "b".rjust(25), "-" * 25]
    assert table[4].split() == ["gnp", f"{m.params[1]:.7f}".replace("0.", ".", 1)]
    assert "(ssc install estout: provided by the embedded engine; nothing installed)" in run.log
    assert run.rc == 198
    assert "option nosuchoption not allowed" in run.log
