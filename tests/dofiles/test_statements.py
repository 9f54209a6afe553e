"""Reading a do-file statically: macros resolved where they can be known, loops unrolled,
programs and sub-do-files followed, data rows and foreign blocks skipped."""

from __future__ import annotations

from libs.dofiles.policy import UNRESOLVED
from libs.dofiles.statements import LOOP_VALUES, TEMPFILE, read_statements


def commands(source: str, texts: dict[str, str] | None = None) -> list[str]:
    return [s.command for s in read_statements("main.do", source, texts).statements
            if s.command]


def test_locals_and_globals_set_to_text_are_resolved() -> None:
    source = (
        'local d "data"\n'
        "global out results\n"
        "local n = 3\n"
        'local name = "wave"\n'
        'use "`d\'.dta", clear\n'
        "save $out/`name'`n', replace\n"
        "save ${out}/b\n"
    )
    assert commands(source)[4:] == ['use "data.dta", clear', "save results/wave3, replace",
                                    "save results/b"]


def test_loops_are_unrolled_over_known_values() -> None:
    source = (
        "local files a.csv b.csv\n"
        "foreach f of local files {\n"
        '  import delimited using "`f\'", clear\n'
        "}\n"
        "forvalues i = 1(2)5 {\n"
        "  append using wave`i'\n"
        "}\n"
        "foreach x in one two {\n"
        "  foreach y in 1 2 {\n"
        "    save `x'`y'\n"
        "  }\n"
        "}\n"
    )
    assert commands(source)[1:] == [
        'import delimited using "a.csv", clear', 'import delimited using "b.csv", clear',
        "append using wave1", "append using wave3", "append using wave5",
        "save one1", "save one2", "save two1", "save two2"]


def test_what_cannot_be_known_reads_as_unresolved() -> None:
    source = (
        "levelsof g, local(files)\n"
        "use `files'\n"
        'local f = "a" + "b"\n'
        "save `f'\n"
        "use `never_set'\n"
        "foreach v of varlist price-weight {\n"
        "  save `v'\n"
        "}\n"
        "local c : word count a b\n"
        "save `c'\n"
    )
    found = commands(source)
    assert found[1] == f"use {UNRESOLVED}"
    assert found[3] == f"save {UNRESOLVED}"
    assert found[4] == f"use {UNRESOLVED}"
    assert found[5] == f"save {UNRESOLVED}"
    assert found[7] == f"save {UNRESOLVED}"


def test_a_huge_loop_is_read_once_with_its_variable_unknown() -> None:
    found = commands("forvalues i = 1/1000000000 {\n  save f`i'\n}\n")
    assert found == [f"save f{UNRESOLVED}"]
    unrolled = commands(f"forvalues i = 1/{LOOP_VALUES} {{\n  save f`i'\n}}\n")
    assert len(unrolled) == LOOP_VALUES


def test_nested_loops_stay_within_the_budget() -> None:
    source = ("forvalues a = 1/100 {\n forvalues b = 1/100 {\n forvalues c = 1/100 {\n"
              "  save x`a'`b'`c'\n }\n }\n}\n")
    reader = read_statements("main.do", source)
    assert len(reader.statements) < 100_000
    # the values it stopped unrolling are still read, unknown
    assert reader.statements[-1].text.startswith("save x")


def test_tempfiles_are_marked_and_programs_have_their_own_locals() -> None:
    source = (
        'local a "top.dta"\n'
        "tempfile t\n"
        "save `t'\n"
        "program define mine\n"
        "  args a\n"
        "  use `a'\n"
        "end\n"
        "mine x.dta\n"
        "use `a'\n"
    )
    reader = read_statements("main.do", source)
    found = [s for s in reader.statements if s.command]
    assert found[2].command.startswith(f"save {TEMPFILE}")
    inside = next(s for s in found if s.in_program and s.command.startswith("use"))
    assert inside.command == f"use {UNRESOLVED}"
    assert found[-1].command == "use top.dta"
    assert reader.programs == {"mine"}


def test_included_files_share_locals_and_do_files_do_not() -> None:
    texts = {"setup.do": 'local data "panel.dta"\n', "sub.do": 'local data "other.dta"\n'}
    source = "include setup\nuse `data'\ndo sub.do\nuse `data'\n"
    found = commands(source, texts)
    assert "use panel.dta" in found
    assert found.count("use panel.dta") == 2
    statements = read_statements("main.do", source, texts).statements
    assert {s.file for s in statements} == {"main.do", "setup.do", "sub.do"}


def test_ado_files_define_commands_and_are_read_as_program_code() -> None:
    ado = "program define wins\n  syntax varlist\n  shell ls\nend\n"
    reader = read_statements("main.do", "wins price\n", {"wins.ado": ado})
    assert "wins" in reader.programs
    shell = next(s for s in reader.statements if s.command.startswith("shell"))
    assert (shell.file, shell.lineno, shell.in_program) == ("wins.ado", 3, True)


def test_data_rows_and_foreign_blocks_are_not_commands() -> None:
    source = "input str10 name x\nshell 1\nnet 2\nend\nmata:\n  unlink(\"x\")\nend\nsave out\n"
    found = commands(source)
    assert found == ["mata:", "save out"]


def test_if_and_else_run_their_commands() -> None:
    source = ("if 1 save a\nelse save b\nif `x' > 1 {\n  save c\n}\nelse if 2 {\n  save d\n}\n"
              "else {\n  save e\n}\n")
    assert commands(source) == ["save a", "save b", "save c", "save d", "save e"]


def test_cd_moves_where_relative_paths_start() -> None:
    reader = read_statements("main.do", "mkdir out\ncd out\nsave a\ncd `x'\nsave b\n")
    cwd = {s.command: s.cwd for s in reader.statements}
    assert cwd["save a"] == "out"
    assert cwd["save b"] is None


def test_an_unmatched_macro_quote_is_reported_on_its_line() -> None:
    statements = read_statements("main.do", "display 1\nuse `data\n").statements
    assert statements[1].error
    assert statements[0].error == ""
