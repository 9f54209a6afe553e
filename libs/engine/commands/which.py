"""``which name``: whether a command exists ([R] which). Every command the engine provides,
native or a community package it implements, is reported as Stata reports its built-in
commands (``built-in command:  regress``), so ``capture which esttab`` succeeds; an unknown
name is r(111) with Stata's message."""

from __future__ import annotations

from libs.engine.errors import StataError, UnrecognizedCommand
from libs.engine.registry import command, lookup
from libs.engine.session import Session
from libs.engine.syntax import Args

#: language words the interpreter runs itself (they are not in the command registry)
_LANGUAGE = frozenset({"foreach", "forvalues", "while", "if", "else", "program", "capture",
                       "quietly", "noisily", "by", "bysort", "end", "exit", "version"})


@command("which", syntax=None)
def which(session: Session, args: Args) -> None:
    """``which name [, all]``."""
    text = args.raw.partition(",")[0].split()
    if len(text) != 1:
        raise StataError(198, "invalid syntax")
    name = text[0]
    if name not in _LANGUAGE:
        try:
            name = lookup(name).name
        except UnrecognizedCommand:
            raise StataError(111, f"command {name} not found as either built-in or ado-file") \
                from None
    session.log.out(f"built-in command:  {name}")
