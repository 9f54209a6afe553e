"""``for``: Stata's out-of-date (Stata 7) loop command, still found in older do-files.

``for [X in] listtype list [\\ [Y in] listtype list ...] [, noheader nostop dryrun] :
cmd [\\ cmd ...]`` runs the commands once per element, the lists in parallel, after replacing
every ``X`` (``Y``, ``Z`` for the second and third list, or the letters the ``in`` clauses
name) in their text — literally every capital X, as Stata did. List types: ``var[list]``
(a varlist, expanded), ``new[list]``, ``num[list]`` (a numlist), ``any[list]``. Each command
is shown as ``-> cmd`` before its output unless ``noheader``.
"""

from __future__ import annotations

import re

from libs.engine import varlist
from libs.engine.errors import StataError
from libs.engine.formats import macro_text
from libs.engine.lexer import LogicalLine
from libs.engine.macros import split_words
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, parse_numlist
from libs.engine.textscan import find_top

_LIST = re.compile(r"^(?:([A-Za-z])\s+in\s+)?(var|varl|varli|varlis|varlist|new|newl|newli|newlis|"
                   r"newlist|num|numl|numli|numlis|numlist|any|anyl|anyli|anylis|anylist)\b\s*(.*)$",
                   re.DOTALL)
_DEFAULT_LETTERS = "XYZABCDEFG"


@command("for", syntax=None)
def for_command(session: Session, args: Args) -> None:
    """``for var x1 x2: gen X_sq = X^2`` (see the module docstring)."""
    colon = find_top(args.raw, ":")
    if colon < 0:
        raise StataError(198, "for: colon expected before the commands")
    head, commands = args.raw[:colon], args.raw[colon + 1 :]
    head, _, options = head.partition(",")
    opts = set(options.split())
    lists = [_elements(session, part, k) for k, part in enumerate(head.split("\\"))]
    counts = {len(items) for _, items in lists}
    if len(counts) != 1:
        raise StataError(198, "for: the lists have different numbers of elements")
    bodies = [c.strip() for c in commands.split("\\") if c.strip()]
    for i in range(counts.pop()):
        for body in bodies:
            text = body
            for letter, items in lists:
                text = text.replace(letter, items[i])
            if "noheader" not in opts:
                session.log.out(f"\n-> {text}")
            if "dryrun" in opts:
                continue
            try:
                session.executor.run([LogicalLine(text=text, lineno=0, source=(text,))],
                                     echo=False)
            except StataError:
                if "nostop" not in opts:
                    raise


def _elements(session: Session, part: str, k: int) -> tuple[str, list[str]]:
    """(placeholder letter, elements) of one ``listtype list`` of the header."""
    m = _LIST.match(part.strip())
    if m is None or k >= len(_DEFAULT_LETTERS):
        raise StataError(198, f"for: invalid list '{part.strip()}'")
    letter = m.group(1) or _DEFAULT_LETTERS[k]
    kind, text = m.group(2)[:3], m.group(3)
    if kind == "var":
        items = varlist.expand(session.data, text, abbrev=session.settings.varabbrev)
    elif kind == "new":
        items = varlist.new_names(session.data, text)
    elif kind == "num":
        items = [macro_text(v) for v in parse_numlist(text)]
    else:
        items = split_words(text)
    return letter, items
