"""Abbreviations as the Stata manuals underline them: command names from the one table
(libs/engine/abbreviations.py), options from each command's syntax declaration.

``MANUAL_OPTIONS`` transcribes the syntax diagrams of the Stata manuals for the options the
engine declares (the part before ":" is what the manual underlines, the shortest accepted
form); the audit test holds every declaration to it.
"""

from __future__ import annotations

import pytest

from libs.engine import abbreviations
from libs.engine.errors import StataError
from libs.engine.registry import COMMANDS, load_commands, lookup
from libs.engine.syntax import Spec

MANUAL_OPTIONS = {
    "append": "gen:erate keep force nol:abel nonote:s",
    "areg": "a:bsorb vce r:obust cl:uster l:evel",
    "assert": "r:c0 n:ull fast",
    "centile": "c:entile l:evel",
    "describe": "s:hort si:mple f:ullnames n:umbers replace clear",
    "destring": "g:enerate replace ignore force float percent dpcomma",
    "encode": "g:enerate l:abel",
    "expand": "gen:erate",
    "generate": "b:efore a:fter",
    "ivregress": "small first vce r:obust cl:uster l:evel",
    "levelsof": "c:lean l:ocal miss:ing s:eparate",
    "list": "noo:bs clean sep:arator nol:abel ab:breviate noh:eader sepby str:ing t:able "
            "d:isplay",
    "logit": "nocons:tant off:set or vce r:obust cl:uster l:evel",
    "merge": "keepus:ing gen:erate nogen:erate nol:abel norep:ort update replace keep assert "
             "sorted force",
    "oneway": "t:abulate",
    "order": "first last a:fter b:efore alpha:betic",
    "poisson": "nocons:tant off:set exp:osure irr vce r:obust cl:uster l:evel",
    "probit": "nocons:tant off:set vce r:obust cl:uster l:evel",
    "pwcorr": "sig o:bs p:rint st:ar b:onferroni sid:ak list:wise case:wise",
    "regress": "nocons:tant b:eta vce r:obust cl:uster l:evel",
    "reshape": "s:tring",
    "save": "replace empty:ok",
    "summarize": "d:etail mean:only",
    "tabulate": "ch:i2 e:xact lr:chi2 V r:ow co:lumn ce:ll m:issing nof:req sort",
    "tsset": "del:ta clear d:aily w:eekly m:onthly q:uarterly h:alfyearly y:early g:eneric "
             "f:ormat noquery",
    "ttest": "une:qual w:elch l:evel",
    "xtreg": "fe re vce r:obust cl:uster l:evel",
    "xtset": "del:ta clear d:aily w:eekly m:onthly q:uarterly h:alfyearly y:early g:eneric "
             "f:ormat noquery",
}
#: commands that parse their options with a Spec of their own (syntax=None)
_OWN_SPECS = {
    "append": "libs.engine.commands.combine:_APPEND",
    "merge": "libs.engine.commands.combine:_MERGE",
    "reshape": "libs.engine.commands.reshape:_SPEC",
    "tsset": "libs.engine.commands.timeset:_TSSET",
    "xtset": "libs.engine.commands.timeset:_TSSET",
}


def _declared(name: str) -> dict[str, int]:
    load_commands()
    if name in _OWN_SPECS:
        import importlib

        module, _, attr = _OWN_SPECS[name].partition(":")
        spec = getattr(importlib.import_module(module), attr)
    else:
        declaration = COMMANDS[name].declaration
        assert declaration is not None, name
        spec = Spec(declaration)
    return {o.name: o.min_len for o in spec.options if o.name != "*"}


@pytest.mark.parametrize("name", sorted(MANUAL_OPTIONS))
def test_declared_options_abbreviate_as_the_manual_underlines(name: str) -> None:
    manual = {}
    for entry in MANUAL_OPTIONS[name].split():
        short, _, rest = entry.partition(":")
        manual[(short + rest).lower()] = len(short)
    declared = _declared(name)
    wrong = {opt: (declared[opt], least) for opt, least in manual.items()
             if opt in declared and declared[opt] != least}
    assert not wrong, f"{name}: declared vs manual shortest lengths {wrong}"


def test_registered_abbreviations_agree_with_the_table() -> None:
    load_commands()
    wrong = {}
    for name, entry in COMMANDS.items():
        want = abbreviations.shortest(name) or len(name)
        if entry.name == name and entry.min_abbrev != want:
            wrong[name] = entry.min_abbrev
        if entry.declared_abbrev is not None and entry.declared_abbrev != want:
            wrong[name] = entry.declared_abbrev
    assert not wrong, f"@command(abbrev=) disagrees with libs/engine/abbreviations.py: {wrong}"


@pytest.mark.parametrize(("typed", "command"), [
    ("su", "summarize"), ("summ", "summarize"), ("reg", "regress"), ("d", "describe"),
    ("l", "list"), ("g", "generate"), ("ta", "tabulate"), ("form", "format"),
    ("sca", "scalar"), ("ma", "macro"), ("ap", "append"), ("te", "test"), ("ru", "run"),
    ("pr", "program"), ("on", "oneway"), ("outs", "outsheet"), ("u", "use"),
    ("mer", "merge"), ("for", "for"),
])
def test_command_names_resolve_as_in_stata(typed: str, command: str) -> None:
    assert lookup(typed).name == command


@pytest.mark.parametrize("typed", ["fo", "forma" + "x", "tok", "m", "logi", "pois", "ivreg",
                                   "dup", "reco", "res", "levels"])
def test_shorter_than_the_manual_allows_is_r199(typed: str) -> None:
    with pytest.raises(StataError) as caught:
        lookup(typed)
    assert caught.value.code == 199


def test_abbreviated_commands_prefixes_and_options_run(stata) -> None:
    # areg's absorb() is a:bsorb in the manual; noisily is n:oisily; forvalues forv:alues;
    # estimates store sto:re; label define de:fine; vce(r) and vce(cl id)
    r = stata("""
        clear
        set obs 40
        gen id = mod(_n, 4)
        gen x = _n
        gen y = 2*x + id + mod(_n, 3)/10
        qui areg y x, a(id)
        n di "b = " %5.1f _b[x]
        forva i = 1/2 {
            capt noi di `i'
        }
        est sto m1
        la de yn 0 "no" 1 "yes"
        la val id yn
        qui reg y x, vce(r)
        qui reg y x, vce(cl id)
        sca de two = 2
        mat de M = (1, 2)
        form x %9.2f
        di two + el(M, 1, 2)
    """)
    assert r.rc == 0, r.log
    assert r.output == ["b =   2.0", "1", "2", "4"]
    assert r.session.data.vars["x"].format == "%9.2f"
    assert r.session.e.macros["clustvar"] == "id"
    assert "m1" in r.session.estimates


def test_the_old_for_command_runs(stata) -> None:
    # "for" is Stata 7's own loop, not an abbreviation of format (form:at): every X (Y) in
    # the commands is replaced by the elements of the lists, processed in parallel
    r = stata("""
        clear
        set obs 3
        gen x1 = _n
        gen x2 = 10*_n
        for var x1 x2: gen X_sq = X^2
        for num 1/2 \\ any a b: gen Y_X = x1*X
        for var x1-x2, noheader: replace X = -X \\ summarize X
    """)
    assert r.rc == 0, r.log
    assert list(r.col("x2_sq")) == [100, 400, 900]
    assert list(r.col("a_1")) == [1, 2, 3]
    assert list(r.col("b_2")) == [2, 4, 6]
    assert list(r.col("x1")) == [-1, -2, -3]
    assert "-> gen x1_sq = x1^2" in r.log
    assert "-> replace" not in r.log


def test_the_closer_underline_wins_between_two_commands() -> None:
    # "sca" shortens both sc:atter and sca:lar; Stata runs scalar, "sc" and "scat" scatter
    assert abbreviations.expand("sca", "command") == "scalar"
    assert abbreviations.expand("sc", "command") == "scatter"
    assert abbreviations.expand("scat", "command") == "scatter"
    assert lookup("sca").name == "scalar"
