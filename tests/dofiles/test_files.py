"""Which files a command reads and writes, where Stata's syntax puts the names."""

from __future__ import annotations

import pytest

from libs.contracts.dofile_check import Access
from libs.dofiles.files import FileUse, file_uses, with_extension

R, W, X = Access.READ, Access.WRITE, Access.OTHER

CASES = [
    ('use "my data.dta", clear', [("my data.dta", R, ".dta")]),
    ("u panel", [("panel", R, ".dta")]),
    ("use id x using big if x > 1, clear", [("big", R, ".dta")]),
    ("merge 1:1 id using other, nogenerate", [("other", R, ".dta")]),
    ("append using w1 w2 `\"w 3\"', gen(src)", [("w1", R, ".dta"), ("w2", R, ".dta"),
                                                 ("w 3", R, ".dta")]),
    ("joinby id using pairs", [("pairs", R, ".dta")]),
    ('import delimited "x.csv", clear varnames(1)', [("x.csv", R, ".csv")]),
    ("import delimited id x using raw, clear", [("raw", R, ".csv")]),
    ('import excel using "book.xlsx", sheet("s1") firstrow', [("book.xlsx", R, ".xls")]),
    ("insheet using old.txt, comma", [("old.txt", R, ".raw")]),
    ("export delimited using out/r.csv, replace", [("out/r.csv", W, ".csv")]),
    ("export delimited price mpg using r2, replace", [("r2", W, ".csv")]),
    ('export excel using "t.xlsx", firstrow(variables) replace', [("t.xlsx", W, ".xls")]),
    ("outsheet using o.csv, comma", [("o.csv", W, ".out")]),
    ("save clean, replace", [("clean", W, ".dta")]),
    ("sa clean", [("clean", W, ".dta")]),
    ("saveold v13, version(13)", [("v13", W, ".dta")]),
    ("log using mylog, text replace", [("mylog", W, ".log")]),
    ("log using mylog, replace", [("mylog", W, ".smcl")]),
    ("log close", []),
    ("do helpers", [("helpers", R, ".do")]),
    ("include setup.do", [("setup.do", R, ".do")]),
    ('file open fh using "notes.txt", write replace', [("notes.txt", W, "")]),
    ("file open fh using list.txt, read", [("list.txt", R, "")]),
    ("file write fh \"x\" _n", []),
    ("graph export fig1.png, replace", [("fig1.png", W, "")]),
    ("graph save mygraph g1, replace", [("g1", W, ".gph")]),
    ("graph use g1", [("g1", R, ".gph")]),
    ("estimates save m1, replace", [("m1", W, ".ster")]),
    ("estimates use m1", [("m1", R, ".ster")]),
    ("estimates store m1", []),
    ("putexcel set results.xlsx, replace", [("results.xlsx", W, ".xlsx")]),
    ("putexcel A1 = \"x\"", []),
    ("putdocx save report, replace", [("report", W, ".docx")]),
    ("esttab m1 m2 using table.rtf, replace se", [("table.rtf", X, "")]),
    ("outreg2 using res.xls, replace", [("res.xls", X, "")]),
    ("copy a.csv b.csv, replace", [("a.csv", R, ""), ("b.csv", W, "")]),
    ("erase tmp.dta", [("tmp.dta", Access.DELETE, "")]),
    ("mkdir out", [("out", Access.FOLDER, "")]),
    ("cd out", [("out", Access.CHDIR, "")]),
    ("confirm file x.dta", [("x.dta", X, "")]),
    ("bootstrap _b, reps(10) saving(boots, replace): regress y x", [("boots", W, ".dta")]),
    ("synth y x1 y(1980&1985), trunit(3) trperiod(1989) keep(res) replace",
     [("res", W, ".dta")]),
    ("synth y x1, trunit(3) trperiod(1989) figure", []),
    ("postfile h b se using sims, replace", [("sims", W, ".dta")]),
    ("regress y x", []),
    ("capture noisily use a", [("a", R, ".dta")]),
    ("quietly: save b", [("b", W, ".dta")]),
]


@pytest.mark.parametrize(("command", "expected"), CASES)
def test_file_uses(command: str, expected: list[tuple[str, Access, str]]) -> None:
    assert file_uses(command) == [FileUse(p, a, e) for p, a, e in expected]


def test_with_extension_adds_stata_s_default_only_when_there_is_none() -> None:
    assert with_extension(FileUse("data", R, ".dta")) == "data.dta"
    assert with_extension(FileUse("data.csv", R, ".dta")) == "data.csv"
    assert with_extension(FileUse("v1.2/data", R, ".dta")) == "v1.2/data.dta"
