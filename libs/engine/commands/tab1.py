"""``tab1``: a one-way ``tabulate`` of each variable of a varlist ([R] tabulate oneway)."""

from __future__ import annotations

import re

from libs.engine.lexer import LogicalLine
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args

# where the varlist ends: the first `if`, `in`, weight bracket or comma
_AFTER_VARLIST = re.compile(r"(?:^|\s)(?:if|in)(?=\s)|\[|,")


@command("tab1", rclass=True, byable="recall",
         syntax="varlist [if] [in] [fweight] [, Missing sort]")
def tab1(session: Session, args: Args) -> None:
    """``tab1 varlist [if] [in] [fweight] [, missing sort]``: for each variable, the line
    ``-> tabulation of v [if] [in]`` and then ``tabulate v [if] [in] [weight], options``, as
    tab1.ado runs it; r() is the last table's."""
    found = _AFTER_VARLIST.search(args.raw)
    rest = args.raw[found.start():].strip() if found else ""
    qualifiers = rest.split("[", 1)[0].split(",", 1)[0].strip()
    for name in args.varlist:
        session.log.out("")
        session.log.out(f"-> tabulation of {name} {qualifiers}".rstrip())
        text = f"tabulate {name} {rest}".rstrip()
        session.executor.run([LogicalLine(text=text, lineno=0, source=(text,))], echo=False)
