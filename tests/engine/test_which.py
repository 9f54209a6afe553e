"""``which`` ([R] which): a command the engine provides is reported as Stata reports its
built-in commands, so the common ``capture which esttab`` / ``if _rc ssc install estout``
idiom sees it installed; an unknown name is r(111), "command … not found as either built-in
or ado-file"."""

from __future__ import annotations


def test_known_and_unknown_commands(stata):
    r = stata("""
        which regress
        which su
        capture which esttab
        display "esttab: " _rc
        capture noisily which nosuchcmd
        display "nosuch: " _rc
    """)
    assert r.rc == 0, r.log
    out = r.output
    assert "built-in command:  regress" in out
    assert "built-in command:  summarize" in out
    assert "esttab: 0" in out
    assert "command nosuchcmd not found as either built-in or ado-file" in out
    assert "nosuch: 111" in out
