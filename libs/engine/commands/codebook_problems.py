"""codebook.ado's lists of variables with potential problems (its ``T_cb_*`` globals), the
``r()`` macros it returns from them (ReturnGlobals) and ``codebook, problems``' report
(ReportProblems and Msg)."""

from __future__ import annotations

import textwrap

from libs.engine.commands.codebook_facts import line
from libs.engine.log import LINESIZE
from libs.engine.session import Session

#: (list, description) in the order ReportProblems prints them
_MESSAGES = (
    ("cons", "constant (or all missing) vars"),
    ("labelnotfound", "vars with nonexisting label"),
    ("notlabeled", "incompletely labeled vars"),
    ("str_type", "str# vars that may be compressed"),
    ("str_leading", "string vars with leading blanks"),
    ("str_trailing", "string vars with trailing blanks"),
    ("str_embedded", "string vars with embedded blanks"),
    ("str_embedded0", "string vars with embedded \\0"),
    ("realdate", "noninteger-valued date vars"),
)
#: lists the ado makes unique (``list uniq``) before returning them
_UNIQUE = ("labelnotfound", "notlabeled")


class Problems:
    """The variables found per kind of problem, in the order the report met them."""

    def __init__(self) -> None:
        self.lists: dict[str, list[str]] = {}
        self.datachanged = False

    def add(self, kind: str, name: str) -> None:
        """``global T_cb_kind $T_cb_kind name``."""
        self.lists.setdefault(kind, []).append(name)

    def text(self, kind: str) -> str:
        """The global's text (unique names for the lists the ado makes unique)."""
        names = self.lists.get(kind, [])
        return " ".join(dict.fromkeys(names) if kind in _UNIQUE else names)

    def returned(self) -> dict[str, str]:
        """ReturnGlobals: ``r(cons)``, ``r(notlabeled)``, … — empty ones are not stored."""
        out = {kind: self.text(kind) for kind, _ in _MESSAGES if self.text(kind)}
        if self.datachanged:
            out["datachanged"] = "1"
        return out


def report(session: Session, problems: Problems) -> None:
    """ReportProblems: ``no potential problems in dataset X``, or the title, a table headed
    ``_col(16) "potential problem   variables"`` between rules 35 + the longest list wide
    (50 to the line size), one row per kind found: its description right-aligned in 32
    columns (2 blanks before one of 32 or more), three blanks, the variables wrapped at
    column 36 (``{p 0 35}``)."""
    source = session.data_filename
    dataset = source.rsplit("/", 1)[-1] if source else "[unnamed]"
    if source and session.data.changed:
        problems.datachanged = True
    widest = max(len(problems.text(kind)) for kind, _ in _MESSAGES)
    if widest == 0:
        session.log.lines(["", f"no potential problems in dataset {dataset}"])
        return
    rule = "-" * min(max(35 + widest, 50), LINESIZE)
    rows = ["", f"   Potential problems in dataset   {dataset}", "",
            line((16, "potential problem   variables")), rule]
    for kind, description in _MESSAGES:
        names = problems.text(kind)
        if names:
            pad = 32 - len(description)
            first = " " * (pad if pad > 0 else 2) + description + "   "
            rows += textwrap.wrap(names, LINESIZE, initial_indent=first,
                                  subsequent_indent=" " * 35)
    rows.append(rule)
    session.log.lines(rows)
