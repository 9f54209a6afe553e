"""What a job's page marks in a log, and the form a template's JSON Schema gives."""

from __future__ import annotations

from libs.templates.catalogue import load_catalogue
from services.api.console.forms import form_fields
from services.api.console.jobpage import marked_log
from tests.console.library import BUNDLED

#: A batch-mode log as Stata writes it: the error, then the trailer repeating the code.
LOG = """
. do "main.do"

. use "`main_data'", clear

. display "about to fail"
about to fail

. assert `var' < 0
12 contradictions in 12 observations
assertion is false
r(9);

end of do-file

r(9);
""".splitlines()


def test_the_failing_command_and_its_error_are_marked() -> None:
    lines, focus = marked_log(LOG, 9)
    marked = {line.number: (line.mark, line.text) for line in lines if line.mark}
    assert marked == {9: ("command", ". assert `var' < 0"), 12: ("error", "r(9);")}
    assert focus == 9


def test_nothing_is_marked_without_the_error() -> None:
    for rc in (None, 0, 198):
        lines, focus = marked_log(LOG, rc)
        assert [line.mark for line in lines if line.mark] == []
        assert focus is None


def test_the_form_follows_the_parameters_schema() -> None:
    catalogue = load_catalogue(BUNDLED)
    fields = {f.name: f for f in form_fields(catalogue.get("ols_robust"))}
    assert fields["depvar"].widget == "variable"
    assert fields["depvar"].var_type == "numeric"
    assert fields["depvar"].inputs == ("main",)
    assert fields["depvar"].required
    assert fields["indepvars"].widget == "variables"
    assert fields["level"].widget in ("integer", "number")
    assert not fields["level"].required
    assert fields["level"].default == 95
    widgets = {f.widget for t in catalogue.templates() for f in form_fields(t)}
    assert widgets <= {"variable", "variables", "newvariable", "names", "integer", "number",
                       "choice", "flag", "text"}
    assert {"variable", "variables", "choice", "flag"} <= widgets
