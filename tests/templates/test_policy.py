"""The do-file safety policy: hand-crafted unsafe do-files are refused with their line."""

from __future__ import annotations

import pytest

from libs.contracts.errors import ErrorCode
from libs.dofiles.policy import command_words
from libs.templates import DoFileUnsafe, check_do_file, do_file_findings, load_catalogue

SAFE_PREFIX = 'local depvar "price"\nuse "`main_data\'", clear\n'

UNSAFE = [
    ("shell ls", "shell"),
    ("!rm -rf results", "shell"),
    ("sh echo hi", "shell"),
    ("capture noisily shell ls", "shell"),
    ("quietly winexec notepad", "shell"),
    ("xshell xterm", "shell"),
    ("bysort foreign: shell ls", "shell"),
    ("if 1 shell ls", "shell"),
    ('mata: st_local("x", "y")', "foreign_code"),
    ("python: print(1)", "foreign_code"),
    ("javacall Foo bar", "foreign_code"),
    ("net install foo, from(example.org)", "install"),
    ("ssc install estout", "install"),
    # the engine provides reghdfe, but a do-file for real Stata still may not install it
    ("ssc install reghdfe, replace", "install"),
    ("ado uninstall foo", "install"),
    ("cd results", "working_directory"),
    ("sysdir set PLUS here", "working_directory"),
    ("adopath + mine", "working_directory"),
    ("set python_exec py", "working_directory"),
    ("do other.do", "other_files"),
    ("run other.do", "other_files"),
    ("include other.do", "other_files"),
    ("webuse auto", "outside_workspace"),
    ("sysuse auto", "outside_workspace"),
    ('use "/etc/passwd", clear', "outside_workspace"),
    ('save "../escape.dta"', "outside_workspace"),
    ("save ..\\escape.dta", "outside_workspace"),
    ('export delimited using "C:\\temp\\x.csv"', "outside_workspace"),
    ("log using ~/x.log", "outside_workspace"),
    ('import delimited "https://example.org/x.csv"', "outside_workspace"),
    ('copy "a.dta" "b.dta"', "outside_workspace"),
    ("local home : environment HOME", "environment"),
    ("`cmd' ls", "dynamic_command"),
    ("capture $CMD ls", "dynamic_command"),
]


@pytest.mark.parametrize(("line", "rule"), UNSAFE)
def test_unsafe_line_is_refused_with_its_number(line: str, rule: str) -> None:
    source = SAFE_PREFIX + "summarize price\n" + line + "\ndisplay 1\n"
    with pytest.raises(DoFileUnsafe) as caught:
        check_do_file(source)
    finding = caught.value.findings[0]
    assert caught.value.code is ErrorCode.DOFILE_UNSAFE
    assert (finding.lineno, finding.rule) == (4, rule)
    assert finding.text.strip() == line.strip()
    assert caught.value.details["findings"][0]["lineno"] == 4


def test_continuation_and_delimit_are_followed() -> None:
    source = "summarize price ///\n   mpg\n#delimit ;\ndisplay 1;\nshell\n  ls ;\n#delimit cr\n"
    assert [(f.lineno, f.rule) for f in do_file_findings(source)] == [(5, "shell")]
    source = "display 1 /* a\n*/ \nregress y x ///\n , vce(robust) \ncd ..\n"
    assert {f.lineno for f in do_file_findings(source)} == {5}


def test_comments_and_strings_that_only_mention_words_are_fine() -> None:
    source = (
        "* shell is mentioned in a comment\n"
        "// net install too\n"
        "/* cd .. */\n"
        'display "read the shell documentation"\n'
        "generate ratio = price/weight\n"
        "generate half = price / 2\n"
        "forvalues i = 1/10 {\n"
        "}\n"
        "regress y L(1/3).x\n"
        "local k = `i'/2\n"
    )
    assert do_file_findings(source) == []


def test_every_finding_is_reported() -> None:
    source = "shell ls\nsummarize\ncd ..\n"
    findings = do_file_findings(source)
    assert [f.lineno for f in findings] == [1, 3, 3]


def test_library_templates_pass_and_command_words_are_parsed() -> None:
    catalogue = load_catalogue()
    for meta in catalogue.templates():
        check_do_file(catalogue.body(meta.id))
    words = command_words(catalogue.body("panel_hausman"))
    assert {"xtset", "xtreg", "estimates", "hausman", "ss_store_model"} <= set(words)
    assert command_words("capture quietly regress y x\nbysort g: egen m = mean(y)\n") == [
        "regress",
        "egen",
    ]
