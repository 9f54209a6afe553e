"""``putexcel`` as [RPT] putexcel and putexcel.ado state it: ``putexcel set`` names the
workbook (``.xlsx`` added; an existing file needs ``modify`` or ``replace``: "file already
exists / you must specify either the modify or replace option"); each write saves the file at
once unless ``set ..., open`` keeps it until ``putexcel save``; ``ul_cell = exp|matrix()|
returnset|formula()|etable`` and format options. Files are read back with openpyxl and
compared with numbers computed here (numpy, statsmodels), never with the engine's output."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pytest
import statsmodels.api as sm

DATA = """
    clear
    set obs 30
    gen x = mod(_n * 7, 13)
    gen g = 1 + mod(_n, 3)
    gen y = 3 + 0.5 * x + g + mod(_n * 5, 7) / 2
"""


def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The variables DATA makes (float storage rounds 0.5-steps exactly, so no loss)."""
    n = np.arange(1, 31)
    x = (n * 7) % 13
    g = 1 + n % 3
    y = 3 + 0.5 * x + g + ((n * 5) % 7) / 2
    return x.astype(float), g.astype(float), y.astype(float)


def sheet(path, name=None):  # type: ignore[no-untyped-def]
    book = openpyxl.load_workbook(path)
    return book[name] if name else book.active


def test_etable_writes_the_coefficient_table_statsmodels_computes(stata, tmp_path):
    r = stata(DATA + """
        regress y x i.g
        putexcel set table, replace
        putexcel B2 = etable
    """)
    assert r.rc == 0, r.log
    assert "file table.xlsx saved" in r.log
    x, g, y = data()
    design = np.column_stack([x, g == 2, g == 3, np.ones_like(x)]).astype(float)
    fit = sm.OLS(y, design).fit()
    ci = fit.conf_int(0.05)
    ws = sheet(tmp_path / "table.xlsx")
    header = [ws.cell(2, c).value for c in range(2, 9)]
    assert header == ["y", "Coefficient", "Std. err.", "t", "P>|t|", "[95% conf. interval]",
                      None]
    assert "G2:H2" in {str(m) for m in ws.merged_cells.ranges}  # the interval heading
    labels = [ws.cell(row, 2).value for row in range(3, 11)]
    # x, a blank row, the factor's header, its shown levels (base 1 hidden), blank, _cons
    assert labels == ["x", None, "g", "2", "3", None, "_cons", None]
    rows = {"x": 3, "2": 6, "3": 7, "_cons": 9}
    for k, label in enumerate(["x", "2", "3", "_cons"]):
        got = [ws.cell(rows[label], c).value for c in range(3, 9)]
        want = [fit.params[k], fit.bse[k], fit.tvalues[k], fit.pvalues[k], ci[k, 0], ci[k, 1]]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert ws.cell(2, 2).border.top.style == "thin"
    assert ws.cell(9, 5).border.bottom.style == "thin"
    assert ws.cell(3, 2).border.right.style == "thin"
    r2 = stata(DATA + "regress y x\nputexcel set t2, replace\nputexcel A1 = etable\n"
               "display r(tbl1_lr_row) - r(tbl1_ul_row) + 1")
    assert r2.output[-1].strip() == "3"  # header and two coefficient rows


def test_etable_with_robust_errors_shows_the_vce_row(stata, tmp_path):
    r = stata(DATA + "regress y x, vce(robust)\nputexcel set t, replace\nputexcel A1 = etable")
    assert r.rc == 0, r.log
    x, _, y = data()
    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HC1")
    ws = sheet(tmp_path / "t.xlsx")
    assert ws["C1"].value == "Robust"
    assert ws["C2"].value == "std. err."
    np.testing.assert_allclose([ws["B3"].value, ws["C3"].value], [fit.params[1], fit.bse[1]],
                               rtol=1e-9)


def test_etable_of_ordered_and_multinomial_logit_keeps_the_equations(stata, tmp_path):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    r = stata("""
        clear
        set obs 200
        gen x = mod(_n * 7, 13)
        gen z = mod(_n * 11, 17)
        gen k = 1 + mod(_n * 3 + x, 3)
        putexcel set eq, replace
        ologit k x z
        putexcel A1 = etable
        mlogit k x z
        putexcel A10 = etable
    """)
    assert r.rc == 0, r.log
    n = np.arange(1, 201)
    x, z = (n * 7) % 13, (n * 11) % 17
    k = 1 + (n * 3 + x) % 3
    fit = OrderedModel(k, np.column_stack([x, z]).astype(float), distr="logit").fit(
        method="newton", disp=False, maxiter=200)
    cuts = [fit.params[2], fit.params[2] + np.exp(fit.params[3])]
    ws = sheet(tmp_path / "eq.xlsx")
    assert [ws.cell(row, 1).value for row in range(1, 6)] == ["k", "x", "z", "/cut1", "/cut2"]
    np.testing.assert_allclose([ws["B2"].value, ws["B3"].value, ws["B4"].value, ws["B5"].value],
                               [fit.params[0], fit.params[1], *cuts], rtol=1e-5)
    np.testing.assert_allclose([ws["C2"].value, ws["C3"].value], fit.bse[:2], rtol=1e-4)
    assert ws["D4"].value is None  # no test for a cutpoint, as the log shows
    assert ws["A4"].border.top.style == "thin"  # the rule above the cutpoints
    assert [ws.cell(11, c).value for c in (1, 2)] == ["1", "(base outcome)"]
    assert [ws.cell(row, 1).value for row in range(12, 20)] == [
        "2", "x", "z", "_cons", "3", "x", "z", "_cons"]
    assert ws["A16"].border.top.style == "thin"  # a rule above each further equation


def test_the_transposed_r_table_with_names(stata, tmp_path):
    r = stata(DATA + """
        regress y x
        matrix T = r(table)'
        putexcel set m, replace
        putexcel A1 = matrix(T), names nformat(number_d2)
        putexcel A10 = matrix(e(b)), colnames
    """)
    assert r.rc == 0, r.log
    x, _, y = data()
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    ws = sheet(tmp_path / "m.xlsx")
    assert [ws.cell(1, c).value for c in range(1, 11)] == [
        None, "b", "se", "t", "pvalue", "ll", "ul", "df", "crit", "eform"]
    assert [ws.cell(r_, 1).value for r_ in (2, 3)] == ["x", "_cons"]
    np.testing.assert_allclose([ws["B2"].value, ws["C2"].value, ws["E2"].value],
                               [fit.params[1], fit.bse[1], fit.pvalues[1]], rtol=1e-9)
    assert ws["B2"].number_format == "0.00"
    assert ws["A1"].number_format == "0.00"
    assert [ws.cell(10, c).value for c in (1, 2)] == ["x", "_cons"]
    np.testing.assert_allclose([ws["A11"].value, ws["B11"].value], fit.params[::-1],
                               rtol=1e-9)


def test_expressions_strings_ranges_and_formats(stata, tmp_path):
    r = stata(DATA + """
        summarize y
        scalar half = 0.5
        putexcel set out
        putexcel A1 = "Mean" B1 = r(mean) C1 = r(sd) * half, bold italic hcenter
        putexcel A2:B3 = 7, border(all, double, red) fpattern(solid, yellow)
        putexcel A4 = "=not a formula" B4 = formula(SUM(A2:B3)), font(Arial, 9, blue)
        putexcel A5 = td(15mar2021), asdate
        putexcel A6 = ., underline nformat(#,##0.000)
        putexcel A7:A8 = "t", script(super) txtindent(2) txtrotate(90) fmtlock nofmthidden
    """)
    assert r.rc == 0, r.log
    _, _, y = data()
    ws = sheet(tmp_path / "out.xlsx")
    assert ws["A1"].value == "Mean"
    np.testing.assert_allclose([ws["B1"].value, ws["C1"].value],
                               [y.mean(), y.std(ddof=1) * 0.5], rtol=1e-12)
    for ref in ("A1", "B1", "C1"):
        assert ws[ref].font.b
        assert ws[ref].font.i
        assert ws[ref].alignment.horizontal == "center"
    assert [ws[ref].value for ref in ("A2", "B2", "A3", "B3")] == [7, 7, 7, 7]
    assert ws["B3"].border.left.style == "double"
    assert ws["B3"].border.top.color.rgb.endswith(
        "FF0000")
    assert ws["A2"].fill.fill_type == "solid"
    assert ws["A2"].fill.fgColor.rgb.endswith("FFFF00")
    assert ws["A4"].value == "=not a formula"
    assert ws["A4"].data_type == "s"
    assert ws["B4"].value == "=SUM(A2:B3)"
    assert ws["B4"].font.name == "Arial"
    assert ws["B4"].font.sz == 9
    assert ws["A5"].value == dt.datetime(2021, 3, 15)  # an Excel date, read back as a date
    assert ws["A6"].value is None
    assert ws["A6"].font.u == "single"
    assert ws["A6"].number_format == "#,##0.000"
    for ref in ("A7", "A8"):
        assert ws[ref].font.vertAlign == "superscript"
        assert (ws[ref].alignment.indent, ws[ref].alignment.textRotation) == (2, 90)
        assert (ws[ref].protection.locked, ws[ref].protection.hidden) == (True, False)


def test_returnsets_write_values_and_names_in_rows_or_columns(stata, tmp_path):
    r = stata(DATA + """
        summarize y
        putexcel set rs, replace
        putexcel A1 = rscalars B1 = rscalarnames
        putexcel D1 = rscal, colwise
        regress y x
        putexcel A20 = escalarnames B20 = escalars
    """)
    assert r.rc == 0, r.log
    _, _, y = data()
    ws = sheet(tmp_path / "rs.xlsx")
    stats = {ws.cell(i, 2).value: ws.cell(i, 1).value for i in range(1, 9)}
    assert stats["N"] == 30
    assert stats["min"] == y.min()
    assert stats["max"] == y.max()
    np.testing.assert_allclose([stats["mean"], stats["Var"], stats["sd"], stats["sum"]],
                               [y.mean(), y.var(ddof=1), y.std(ddof=1), y.sum()], rtol=1e-12)
    assert [ws.cell(1, c).value for c in range(4, 12)] == [ws.cell(i, 1).value
                                                          for i in range(1, 9)]
    x, _, _ = data()
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    e = {ws.cell(i, 1).value: ws.cell(i, 2).value for i in range(20, 40) if ws.cell(i, 1).value}
    np.testing.assert_allclose([e["N"], e["r2"], e["rss"], e["df_r"]],
                               [30, fit.rsquared, fit.ssr, fit.df_resid], rtol=1e-10)


def test_modify_replace_sheets_and_open(stata, tmp_path):
    assert stata('putexcel set book, sheet(First)\nputexcel A1 = "kept"').rc == 0
    again = stata("putexcel set book")
    assert again.rc == 602
    assert "modify or replace" in again.log
    r = stata('putexcel set book, modify sheet(Second)\nputexcel B2 = 2\n'
              'putexcel set book, modify sheet(First, replace)\nputexcel C3 = 3')
    assert r.rc == 0, r.log
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    assert book.sheetnames == ["First", "Second"]
    assert book["First"]["A1"].value is None
    assert book["First"]["C3"].value == 3
    assert book["Second"]["B2"].value == 2
    held = stata("putexcel set held, open\nputexcel A1 = 1\nputexcel A2 = 2\n"
                 "capture confirm file held.xlsx\ndisplay _rc\nputexcel describe\n"
                 "putexcel save")
    assert held.rc == 0, held.log
    assert "601" in held.output  # nothing on disk before putexcel save
    assert "  Open file handle |  yes" in held.log
    assert "file held.xlsx saved" in held.log
    assert [sheet(tmp_path / "held.xlsx")[ref].value for ref in ("A1", "A2")] == [1, 2]
    new = stata("putexcel set book, replace\nputexcel A1 = 9")
    assert new.rc == 0
    assert openpyxl.load_workbook(tmp_path / "book.xlsx").sheetnames == [
        "Sheet1"]


def test_an_image_is_placed_at_its_cell_unresized(stata, tmp_path):
    from PIL import Image

    Image.new("RGB", (40, 24), "navy").save(tmp_path / "logo.png")
    r = stata("putexcel set pic, replace\nputexcel C3 = image(logo)")
    assert r.rc == 0, r.log
    [picture] = sheet(tmp_path / "pic.xlsx")._images
    assert (picture.anchor._from.col, picture.anchor._from.row) == (2, 2)  # C3, 0-based
    assert (picture.width, picture.height) == (40, 24)


@pytest.mark.parametrize(("source", "rc", "message"), [
    ("putexcel A1 = 1", 198, "no Excel file specified"),
    ("putexcel set x\nputexcel A0 = 1", 198, "A0: Excel row out of range"),
    ("putexcel set x\nputexcel 1A = 1", 198, "1A: invalid cell name"),
    ("putexcel set x\nputexcel B2:A1 = 1", 198, "invalid column range"),
    ("putexcel set x\nputexcel XFE1 = 1", 198, "Excel column out of range"),
    ("putexcel set x\nputexcel A1 = 1, dborder(down)", 198,
     "option dborder() is not provided by the embedded engine"),
    ("putexcel set x\nputexcel A1 = 1, txtrotate(200)", 198, "invalid txtrotate()"),
    ("putexcel set x\nputexcel A1 = 1, script(high)", 198, "high: invalid script()"),
    ("putexcel set x\nputexcel A1 = 1, halign(center)", 198, "option halign not allowed"),
    ("putexcel set x\nputexcel A1 = 1, hcenter right", 198, "only one horizontal"),
    ("putexcel set x\nputexcel A1 = 1, border(middle)", 198, "middle: invalid border"),
    ("putexcel set x\nputexcel A1 = 1, nformat(%9.2f)", 198, "invalid number format"),
    ("putexcel set x\nputexcel A1 = 1, font(Arial, 10, notacolour)", 198,
     "notacolour: invalid color"),
    ("putexcel set x\nputexcel A1:B2, overwritefmt", 198, "no format option specified"),
    ("matrix M = (1, 2)\nputexcel set x\nputexcel A1:B2 = matrix(M)", 198,
     "Cannot use a cell range with matrix()"),
    ("putexcel set x\nputexcel A1 = etable", 301, "last estimates not found"),
    ("putexcel set x\nputexcel A1 = image(nosuch)", 601, "nosuch.png not found"),
    ("putexcel set x\nputexcel A1:B2 = image(g.png)", 198, "cell range with image()"),
    ("putexcel set ../outside", 603, "outside the working directory"),
    ("putexcel set old.xls", 198, ".xlsx workbooks only"),
    ("putexcel set x, modify replace", 198, "mutually exclusive"),
    ("putexcel set x\nputexcel A1 = nosuchthing", 111, ""),
])
def test_refusals_are_stata_errors_naming_the_problem(stata, tmp_path, source, rc, message):
    r = stata(source)
    assert r.rc == rc, r.log
    assert message in r.log
    assert "Traceback" not in r.log
    assert not (tmp_path / "x.xlsx").exists()  # nothing written by a refused command
