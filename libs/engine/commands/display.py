"""``display``: strings, expressions, formats and the layout directives."""

from __future__ import annotations

from libs.engine import smcl
from libs.engine.directives import render
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args


@command("display", abbrev=2, syntax=None)
def display(session: Session, args: Args) -> None:
    """``display [display_directives]``."""
    text = smcl.to_text(render(session, args.raw))
    continued = text.endswith("\x00")
    session.log.out(text.replace("\x00", ""), newline=not continued)
