from __future__ import annotations

from libs.engine.lexer import logical_lines


def texts(source: str) -> list[str]:
    return [line.text for line in logical_lines(source)]


def test_line_comments_need_a_blank_before():
    assert texts('di "http://x" // gone\ndi 1//2') == ['di "http://x"', "di 1//2"]


def test_star_comment_only_at_start_and_continues_with_triple_slash():
    assert texts("* note ///\n still note\n  * indented\ndi 2 * 3") == ["di 2 * 3"]


def test_nested_block_comment_spans_lines_and_acts_as_blank():
    assert texts("di 1 /* a /* b */\n c */ + 2\ndi 3") == ["di 1    + 2", "di 3"]


def test_continuation_joins_lines_and_keeps_source_for_echo():
    (line,) = logical_lines("regress y x ///\n   , robust\n")
    assert line.text.split() == ["regress", "y", "x", ",", "robust"]
    assert line.source == ("regress y x ///", "   , robust")
    assert line.lineno == 1


def test_comment_markers_inside_quotes_are_text():
    assert texts('di "a // b /* c"') == ['di "a // b /* c"']
    assert texts('di `"x // "y""\'') == ['di `"x // "y""\'']


def test_delimit_semicolon_and_back():
    source = "#delimit ;\ngen x =\n 1 ; di x;\n#delimit cr\ndi 2\n"
    lines = logical_lines(source)
    assert [ln.text.split() for ln in lines] == [["gen", "x", "=", "1"], ["di", "x"], ["di", "2"]]
    assert [ln.lineno for ln in lines] == [2, 3, 5]


def test_delimit_abbreviation_and_star_comment_statement():
    assert texts("#d ;\n* comment here ;\ndi 1;\n#d cr") == ["di 1"]


def test_line_numbers_count_physical_lines():
    lines = logical_lines("\n\ndi 1\n/* x\n y */\ndi 2")
    assert [ln.lineno for ln in lines] == [3, 6]


def test_delimit_semicolon_needs_no_blank():
    # Stata reads "#delimit;" and "#d;" as "#delimit ;" (old do-files often start that way)
    assert texts("#delimit;\nsu y\n  x;\n#delimit cr\ndi 2") == ["su y   x", "di 2"]
    assert texts("#d;\ndi 1; di 2;\n#d cr") == ["di 1", "di 2"]
