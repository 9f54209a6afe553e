"""The do-file check: per line, what will not work and on which engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from libs.contracts.dofile_check import CheckReport, Kind
from libs.contracts.jobs import ENGINES
from libs.dofiles.check import check_dofile
from libs.engine import registry
from libs.engine.session import Session
from libs.engine.syntax import Args

REALISTIC = """\
* Wage panel: two waves merged with firm data, a loop of regressions, tables and a graph
version 17
set more off
local waves 2019 2020
tempfile panel
foreach w of local waves {
    import delimited using "wave_`w'.csv", clear varnames(1)
    generate year = `w'
    capture confirm file `panel'
    if _rc == 0 {
        append using `panel'
    }
    save `panel', replace
}
use `panel', clear
merge m:1 firm using "firms.dta", keep(match) nogenerate
label variable wage "Hourly wage"
generate lwage = ln(wage)
local controls age female
forvalues k = 1/2 {
    quietly regress lwage educ `controls' if year == 2018 + `k', vce(robust)
    estimates store m`k'
}
xtset id year
xtreg lwage educ `controls', fe
estimates store fe
mkdir tables
export delimited id year lwage using "tables/clean.csv", replace
file open notes using "tables/notes.txt", write replace
file write notes "done" _n
file close notes
save analysis, replace
"""
UPLOADS = ["wave_2019.csv", "wave_2020.csv", "firms.dta"]


def problems(report: CheckReport, kind: Kind | None = None) -> list[tuple[int, str]]:
    return [(p.line, p.rule or p.kind.value) for p in report.problems
            if kind is None or p.kind is kind]


def test_a_realistic_do_file_runs_on_both_engines() -> None:
    report = check_dofile(REALISTIC, name="analysis.do", files=UPLOADS)
    assert report.problems == []
    assert report.engines == list(ENGINES)
    assert {r.path for r in report.reads} == {"wave_2019.csv", "wave_2020.csv", "firms.dta"}
    assert {w.path for w in report.writes} == {"tables/clean.csv", "tables/notes.txt",
                                               "analysis.dta"}


def test_an_input_that_was_not_uploaded_is_named_with_its_line() -> None:
    report = check_dofile(REALISTIC, name="analysis.do", files=UPLOADS[:2])
    [problem] = report.problems
    assert (problem.line, problem.kind, problem.rc) == (16, Kind.MISSING_FILE, 601)
    assert problem.path == "firms.dta"
    assert problem.engines == list(ENGINES)
    assert report.engines == []


def test_a_file_the_do_file_wrote_earlier_may_be_read_and_captured_reads_only_warn() -> None:
    report = check_dofile("save part\nuse part\ncapture use maybe\nuse nothere\n")
    assert [(p.line, p.severity) for p in report.problems] == [(3, "warning"), (4, "error")]


HOSTILE = [
    ("shell rm -rf /", "shell"),
    ("!ls", "shell"),
    ("winexec calc", "shell"),
    ("xshell xterm", "shell"),
    ("capture noisily shell ls", "shell"),
    ("if 1 shell ls", "shell"),
    ('mata: unlink("x")', "foreign_code"),
    ("python: import os", "foreign_code"),
    ("javacall Foo bar", "foreign_code"),
    ("plugin call x", "foreign_code"),
    ("net install foo, from(http://example.org)", "install"),
    ("net from http://example.org", "install"),
    ("ssc describe estout", "install"),
    ("ssc uninstall estout", "install"),
    ("ado uninstall foo", "install"),
    ("update all", "install"),
    ("adoupdate, update", "install"),
    ("sysdir set PLUS .", "working_directory"),
    ("adopath + mine", "working_directory"),
    ("personal dir", "working_directory"),
    ("set python_exec /usr/bin/python3", "working_directory"),
    ("set max_memory .", "working_directory"),
    ("set httpproxyhost evil", "working_directory"),
    ("webuse auto", "outside_workspace"),
    ("sysuse auto", "outside_workspace"),
    ("odbc load, exec(x) dsn(y)", "outside_workspace"),
    ("unzipfile bundle.zip", "outside_workspace"),
    ('use "/etc/passwd", clear', "outside_workspace"),
    ('save "../escape.dta"', "outside_workspace"),
    ("save ..\\escape.dta", "outside_workspace"),
    ('export delimited using "C:\\temp\\x.csv"', "outside_workspace"),
    ("log using ~/x.log", "outside_workspace"),
    ("cd /tmp", "outside_workspace"),
    ("cd ..", "outside_workspace"),
    ("file open h using /etc/shadow, read", "outside_workspace"),
    ("graph export /tmp/g.png", "outside_workspace"),
    ("putexcel set ../t.xlsx", "outside_workspace"),
    ("esttab using /var/www/t.html", "outside_workspace"),
    ("copy data.csv /tmp/stolen.csv", "outside_workspace"),
    ("erase /etc/hosts", "outside_workspace"),
    ("mkdir ../out", "outside_workspace"),
    ("bootstrap _b, reps(2) saving(/tmp/b): regress y x", "outside_workspace"),
    ('import delimited "https://example.org/x.csv"', "outside_workspace"),
    ("copy https://example.org/x.csv x.csv", "outside_workspace"),
    ("local home : environment HOME", "environment"),
    ("`cmd' ls", "dynamic_command"),
    ("$CMD ls", "dynamic_command"),
]


@pytest.mark.parametrize(("line", "rule"), HOSTILE)
def test_every_policy_rule_is_refused_on_every_engine_with_its_line(line: str,
                                                                    rule: str) -> None:
    source = "use data, clear\nsummarize\n" + line + "\ndisplay 1\n"
    report = check_dofile(source, files=["data.dta"])
    refused = [p for p in report.problems if p.kind is Kind.POLICY]
    assert refused, report.problems
    assert (refused[0].line, refused[0].rule) == (3, rule)
    assert refused[0].engines == list(ENGINES)
    assert report.engines == []


@pytest.mark.parametrize(("setup", "line"), [
    ('local p "/etc/passwd"', "use `p'"),
    ("local up ..", 'save "`up\'/x.dta"'),
    ("local s shell", "`s' ls"),
    ("local n net", "`n' install foo"),
])
def test_macros_cannot_hide_a_refused_line(setup: str, line: str) -> None:
    report = check_dofile(f"{setup}\n{line}\n")
    assert [p.line for p in report.problems if p.kind is Kind.POLICY] == [2]


def test_a_loop_value_cannot_hide_a_path_outside_the_workspace() -> None:
    source = 'foreach f in a.dta /etc/passwd {\n  use "`f\'", clear\n}\n'
    report = check_dofile(source, files=["a.dta"])
    assert problems(report, Kind.POLICY) == [(2, "outside_workspace")]


def test_a_file_name_built_at_run_time_stops_stata_and_warns_for_the_embedded_engine() -> None:
    report = check_dofile("levelsof f, local(name) clean\nuse `name'\nsave `name'_out\n",
                          files=[])
    unresolved = [p for p in report.problems if p.kind is Kind.UNRESOLVED_PATH]
    assert [(p.line, p.engines) for p in unresolved] == [(2, ["stata"]), (3, ["stata"])]
    assert report.engines == ["embedded"]


def test_unknown_commands_and_options_stop_only_the_embedded_engine() -> None:
    source = ("use data\nregress y x, vce(robust) beta nosuchoption\ntabout y x using t.txt\n"
              "set foo 1\nset maxvar 10000\nsummarize y, meanonly\n")
    report = check_dofile(source, files=["data.dta"])
    assert [(p.line, p.kind, p.rc, p.engines) for p in report.problems] == [
        (2, Kind.UNSUPPORTED, 198, ["embedded"]),
        (3, Kind.UNKNOWN_COMMAND, 199, ["embedded"]),
        (4, Kind.UNSUPPORTED, 199, ["embedded"]),
    ]
    assert "nosuchoption" in report.problems[0].message
    assert report.engines == ["stata"]


def test_prefixed_commands_are_checked_behind_their_prefix() -> None:
    source = "use data\nxi: nosuch y i.g\nbysort g: egen m = mean(y)\nquietly: nosuch2 y\n"
    report = check_dofile(source, files=["data.dta"])
    assert [(p.line, p.command) for p in report.problems] == [(2, "nosuch"), (4, "nosuch2")]


@pytest.fixture
def new_engine_command() -> Iterator[str]:
    """A command registered the way an engineer adds one (``@command``), then removed."""
    registry.load_commands()

    def tabulate_twice(session: Session, args: Args) -> None:
        """A command added to the engine after the check was written."""

    registry.command("tabtwice", syntax="varlist [, Percent]")(tabulate_twice)
    try:
        yield "tabtwice"
    finally:
        del registry.COMMANDS["tabtwice"]


def test_commands_added_to_the_engine_are_known_without_touching_the_check(
        new_engine_command: str) -> None:
    source = f"use data\n{new_engine_command} x, percent\n{new_engine_command} x, bogus\n"
    report = check_dofile(source, files=["data.dta"])
    assert problems(report) == [(3, "unsupported")]
    registry.COMMANDS.pop(new_engine_command)
    report = check_dofile(source, files=["data.dta"])
    assert problems(report) == [(2, "unknown_command"), (3, "unknown_command")]
    registry.command(new_engine_command, syntax="varlist")(lambda s, a: None)


def test_programs_and_ado_files_the_do_file_brings_are_its_own_commands() -> None:
    ado = ("program define winsorize\n  syntax varlist, p(real)\n  summarize `varlist'\n"
           "end\n")
    source = ("program define tidy\n  drop if missing(y)\nend\nuse data\ntidy\n"
              "winsorize y, p(1)\n")
    report = check_dofile(source, files=["data.dta"], texts={"winsorize.ado": ado})
    assert report.problems == []
    unsafe = check_dofile(source, files=["data.dta"],
                          texts={"winsorize.ado": ado.replace("summarize", "shell rm")})
    [problem] = unsafe.problems
    assert (problem.file, problem.line, problem.rule) == ("winsorize.ado", 3, "shell")


def test_an_ado_or_do_file_whose_text_was_not_given_is_a_warning() -> None:
    report = check_dofile("use data\nwins y\n", files=["data.dta", "wins.ado"])
    assert [(p.kind, p.severity, p.file) for p in report.problems] == [
        (Kind.UNKNOWN_COMMAND, "error", "main.do"),
        (Kind.NOT_CHECKED, "warning", "wins.ado")]


def test_ssc_install_means_the_package_must_already_be_there() -> None:
    provided = check_dofile("ssc install reghdfe, replace\n")
    assert [(p.kind, p.engines) for p in provided.problems] == [(Kind.PACKAGE, [])]
    assert provided.engines == list(ENGINES)
    missing = check_dofile("ssc install winsor2\n")
    assert [(p.kind, p.engines) for p in missing.problems] == [
        (Kind.PACKAGE, ["embedded"]), (Kind.PACKAGE, [])]
    assert missing.engines == ["stata"]


def test_files_ss_keeps_for_itself_cannot_be_written() -> None:
    source = "log using main.log, text replace\nsave run.json\nerase ss_rc.txt\nsave main\n"
    report = check_dofile(source)
    assert problems(report, Kind.RESERVED_NAME) == [(1, "reserved_name"), (2, "reserved_name"),
                                                    (3, "reserved_name")]


def test_writing_into_a_folder_nobody_makes_is_a_warning() -> None:
    report = check_dofile("save out/a\nmkdir out2\nsave out2/b\ncapture mkdir out3\n"
                          "save out3/c\n")
    assert [(p.line, p.severity) for p in report.problems] == [(1, "warning")]


def test_included_do_files_are_checked_with_their_own_names_and_lines() -> None:
    texts = {"clean.do": "drop if x < 0\nsave /tmp/x\n"}
    report = check_dofile("use data\ndo clean\n", files=["data.dta"], texts=texts)
    assert [(p.file, p.line, p.rule) for p in report.problems] == [
        ("clean.do", 2, "outside_workspace")]


def test_a_line_that_cannot_be_read_is_a_syntax_error_everywhere() -> None:
    report = check_dofile("display `x\n")
    assert [(p.kind, p.rc, p.engines) for p in report.problems] == [
        (Kind.SYNTAX, 198, list(ENGINES))]


def test_putexcel_runs_on_the_embedded_engine_and_its_missing_options_are_named() -> None:
    source = ('use data\nregress y x\nputexcel set "results.xlsx", replace sheet(Main)\n'
              'putexcel A1 = "Model" B1 = e(N), bold border(bottom)\nputexcel A3 = etable\n'
              "putexcel A20 = 1, dborder(up)\n")
    report = check_dofile(source, files=["data.dta"])
    assert [(p.line, p.kind, p.rc, p.engines) for p in report.problems] == [
        (6, Kind.UNSUPPORTED, 198, ["embedded"])]
    assert "dborder()" in report.problems[0].message
    assert {w.path for w in report.writes} == {"results.xlsx"}
    clean = check_dofile(source.rsplit("putexcel A20", 1)[0], files=["data.dta"])
    assert clean.problems == []
    assert clean.engines == list(ENGINES)
