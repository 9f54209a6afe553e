"""Every failure is a Stata error with Stata's code: an unknown command is r(199) naming the
command and its line, an unsupported option r(198) naming the option, and data the estimators
find degenerate (a perfect fit, no observations, one cluster) give Stata's results or codes —
never the engine's r(9999) internal error."""

from __future__ import annotations

import math

import pytest

from libs.engine.errors import INTERNAL

_DATA = {
    # a perfect fit: y is exactly linear in x, z is collinear with x
    "perfect": "set obs 30\ngen id = mod(_n,3)\ngen t = ceil(_n/3)\ngen x = _n\ngen z = 2*x\n"
               "gen y = x + 1\ngen b = 1\ngen one = 1\n",
    # every value missing
    "empty": "set obs 5\ngen id = .\ngen t = .\ngen x = .\ngen z = .\ngen y = .\ngen b = .\n",
    "single": "set obs 1\ngen id = 1\ngen t = 1\ngen x = 1\ngen z = 1\ngen y = 1\ngen b = 0\n",
    "ordinary": "set obs 30\ngen id = mod(_n,3)\ngen t = ceil(_n/3)\ngen x = _n\n"
                "gen z = mod(_n,7)\ngen y = x + 2*z + mod(_n,5)\ngen b = mod(_n,2)\n"
                "gen one = 1\n",
}

_CASES = [
    ("perfect", "regress y x z", 0), ("perfect", "regress y x [aw=id+1]", 0),
    ("perfect", "areg y x, absorb(id)", 0), ("perfect", "areg y x, absorb(id) vce(cluster id)", 0),
    ("perfect", "xtset id t\nxtreg y x, fe", 0), ("perfect", "xtset id t\nxtreg y x, fe robust", 0),
    ("perfect", "xtset id\nxtreg y x, fe", 0), ("perfect", "ivregress 2sls y (x = z)", 0),
    ("perfect", "regress y x\ntest x", 0), ("perfect", "regress y x\nlincom 2*x", 0),
    ("perfect", "regress y x\nmargins, dydx(x)", 0),
    ("ordinary", "ivregress 2sls y (x = z), vce(cluster one)", 0),
    ("ordinary", "ivregress 2sls y (x = z), small vce(cluster one)", 0),
    ("ordinary", "display %td 99999999", 0),
    ("single", "oneway y id, tabulate", 0),
    ("empty", "summarize y, detail", 0), ("empty", "tabstat y, stats(iqr cv semean)", 0),
    ("empty", "egen c = cut(y), group(3)", 0),
    ("empty", "tabulate id b, chi2", 2000), ("empty", "prtest b == .5", 2000),
    ("empty", "oneway y id", 2000),
]


@pytest.mark.parametrize(("data", "commands", "code"), _CASES)
def test_degenerate_data_give_stata_codes_not_internal_errors(stata, data, commands, code):
    r = stata("clear\n" + _DATA[data] + commands + "\n")
    assert r.rc != INTERNAL, r.log
    assert r.rc == code, r.log


def test_a_perfect_fit_reports_missing_f_as_stata_does(stata):
    # regress on an exact linear relation: R-squared 1, root MSE 0, and F missing (".")
    r = stata("clear\n" + _DATA["perfect"] + "regress y x\n")
    e = r.session.e.scalars
    assert (e["r2"], e["rmse"]) == (1.0, 0.0)
    assert math.isnan(e["F"])


def test_unrecognized_command_names_itself_and_its_line(stata):
    r = stata('display "ok"\n\nxtabond y x, lags(1)\n')
    assert r.rc == 199
    assert "command xtabond is unrecognized (line 3)" in r.log
    assert r.session.failure is not None
    assert (r.session.failure.lineno, r.session.failure.command) == (3, "xtabond y x, lags(1)")
    inner = stata("forvalues i = 1/2 {\n    noi nosuchcommand `i'\n}\n")
    assert inner.rc == 199
    assert "command nosuchcommand is unrecognized (line 2)" in inner.log


def test_unsupported_option_is_r198_naming_it(stata):
    r = stata("clear\nset obs 3\ngen x = _n\nsummarize x, nosuchoption\n")
    assert r.rc == 198
    assert "option nosuchoption not allowed" in r.log
