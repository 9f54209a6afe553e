"""``codebook [varlist] [if] [in] [, header tabulate(#) mv compact problems detail]``: codebook.ado
(version 1.6.8, 09sep2019) — per variable a header, its type, value label, range and units,
distinct and missing values, then a tabulation, examples, or mean, std. dev. and percentiles.

Every printed line follows one ``display`` statement of the ado (named in the comments by the
ado's program: VarHeader, DoNum, DoStr, LabelLine, ShowUniq, FullTab, FullTabValueLabeled,
NumExamples). Trailing blanks are not written. ``r()`` holds the ado's problem lists
(ReturnGlobals), each only when not empty.
"""

from __future__ import annotations

import textwrap

import numpy as np

from libs.engine.commands import codebook_compact, codebook_dates, codebook_header
from libs.engine.commands import codebook_lines as lines
from libs.engine.commands.codebook_facts import (
    line,
    numeric_counts,
    numeric_frequencies,
    shown,
    string_counts,
    string_examples,
    string_frequencies,
)
from libs.engine.commands.codebook_problems import Problems, report
from libs.engine.errors import StataError
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args

#: Options of codebook.ado the engine does not provide (r(198) naming them).
_NOT_PROVIDED = ("all", "notes", "languages")
#: Options that ``compact`` refuses, in the ado's order (``tabulate()`` when not 9).
_NOT_WITH_COMPACT = ("all", "tabulate", "mv", "notes", "header", "problems", "detail",
                     "languages")


@command(
    "codebook",
    rclass=True,
    syntax="[varlist] [if] [in] [, All Tabulate(integer 9) Mv Notes Header Problems Detail "
    "LANGuages Compact dots]",
)
def codebook(session: Session, args: Args) -> None:
    """codebook.ado's report on each variable, or ``compact``'s one line per variable."""
    names = args.varlist or list(session.data.varnames)
    tabulate = int(args.opt("tabulate", 9))
    if args.opt("compact"):
        for opt in _NOT_WITH_COMPACT:
            if (tabulate != 9) if opt == "tabulate" else args.opt(opt):
                name = "tabulate()" if opt == "tabulate" else opt
                raise StataError(198, f"compact and {name} are mutually exclusive")
        if args.opt("dots"):
            raise StataError(198, "codebook, compact dots is not provided by the embedded "
                                  "engine")
        codebook_compact.show(session, names, _selection(session, args))
        return
    if args.opt("dots"):
        raise StataError(198, "dots allowed only with compact")
    given = [opt for opt in _NOT_PROVIDED if args.opt(opt)]
    if given:
        raise StataError(198, f"codebook: option {given[0]} not provided by the embedded "
                              "engine")
    if args.opt("header"):
        codebook_header.show(session)
    touse = _selection(session, args)
    problems = Problems()
    quiet = bool(args.opt("problems")) and not args.opt("detail")
    if quiet:
        session.log.quiet += 1
    try:
        for name in names:
            _variable(session, name, touse, tabulate, problems, mv=bool(args.opt("mv")))
    finally:
        if quiet:
            session.log.quiet -= 1
    if args.opt("problems"):
        if not quiet:
            session.log.out()
        report(session, problems)
    session.r.macros.update(problems.returned())


def _selection(session: Session, args: Args) -> np.ndarray:
    """``marksample touse, novarlist``: if and in only; r(2000) when nothing is selected."""
    touse = args.touse(session)
    if not touse.any():
        raise StataError(2000, "no observations")
    return touse


def _variable(session: Session, name: str, touse: np.ndarray, tabulate: int,
              problems: Problems, *, mv: bool) -> None:
    """Codebook_vars' loop body: the header, then DoNum, DoDate or DoStr."""
    var = session.data.var(name)
    lines.header(session, name, var.label)
    if var.is_string:
        _string(session, name, touse, tabulate, problems, mv=mv)
        return
    if codebook_dates.is_date_format(var.format):
        codebook_dates.report(session, name, touse, tabulate, problems)
    else:
        _numeric(session, name, touse, tabulate, problems)
    if mv:
        lines.missing_relations(session, name, touse)


def _numeric(session: Session, name: str, touse: np.ndarray, tabulate: int,
             problems: Problems) -> None:
    """DoNum: type, label, range and units, counts, then the tabulation (few distinct
    values), the labelled examples, or mean, std. dev. and percentiles."""
    x = session.data.numeric(name)[touse]
    lines.type_line(session, name)
    labelled = lines.value_label_line(session, name, x, problems)
    session.log.out()
    lines.range_line(session, x)
    counts = numeric_counts(x)
    if counts.uniq_nmv < 2:
        problems.add("cons", name)
    lines.uniq_lines(session, counts, string=False)
    session.log.out()
    lbl = session.data.var(name).value_label
    if counts.uniq_nmv <= tabulate:
        if labelled:
            lines.labelled_tabulation(session, lbl, x)
        else:
            lines.tabulation(session, [(shown(v), c) for v, c in numeric_frequencies(x)])
    elif labelled:
        lines.labelled_examples(session, lbl, x, int((~touse).sum()))
    else:
        lines.moments(session, x)


def _string(session: Session, name: str, touse: np.ndarray, tabulate: int,
            problems: Problems, *, mv: bool) -> None:
    """DoStr: type (``, but longest is str#`` when shorter than declared), counts, the
    tabulation or four examples, then the warnings about blanks and ``\\0``."""
    s = session.data.strings(name)[touse]
    stype = session.data.var(name).stype
    longest = max((len(v.encode()) for v in s.tolist()), default=0)
    text = f"type:  string ({stype})"
    if stype != "strL" and longest != int(stype[3:]):
        text += f", but longest is str{longest}"
        problems.add("str_type", name)
    session.log.lines([line((19, text)), ""])
    counts = string_counts(s)
    if counts.uniq_nmv < 2:
        problems.add("cons", name)
    lines.uniq_lines(session, counts, string=True)
    session.log.out()
    if counts.uniq_nmv <= tabulate:
        lines.tabulation(session, [(_pieces(f'"{v}"', 40, 33), c)
                                   for v, c in string_frequencies(s)])
    else:
        first = True
        for value in string_examples(s, int((~touse).sum())):
            piece = _pieces(f'"{value}"', 53, 26)
            session.log.out(line((15, "examples:  "), (26, piece)) if first
                            else line((26, piece)))
            first = False
    if mv:
        lines.missing_relations(session, name, touse)
    _blank_warnings(session, name, s.tolist(), problems)


def _pieces(text: str, width: int, col: int) -> str:
    """Piece: ``text`` in pieces of ``width`` characters, the later ones at column ``col``."""
    pieces = textwrap.wrap(text, width, drop_whitespace=False) or [text]
    return ("\n" + " " * (col - 1)).join(pieces)


def _blank_warnings(session: Session, name: str, values: list[str],
                    problems: Problems) -> None:
    """DoStr's checks: leading, trailing, embedded blanks and ``\\0``, each a problem list;
    any of them prints a blank line, then ``_col(16) "warning:  variable has ..."``."""
    lead = any(v.startswith(" ") for v in values)
    trail = any(v.endswith(" ") for v in values)
    embedded = any(" " in (v.strip(" ") if lead or trail else v) for v in values)
    zero = any("\0" in v for v in values)
    for kind, flag in (("str_leading", lead), ("str_trailing", trail),
                       ("str_embedded", embedded), ("str_embedded0", zero)):
        if flag:
            problems.add(kind, name)
    which = [w for w, flag in (("leading", lead), ("embedded", embedded),
                               ("trailing", trail)) if flag]
    if which or zero:
        session.log.out()
    if which:
        words = which[0] if len(which) == 1 else (
            f"{which[0]} and {which[1]}" if len(which) == 2 else
            "leading, embedded, and trailing")
        session.log.out(line((16, f"warning:  variable has {words} blanks")))
    if zero:
        session.log.out(line((16, "warning:  variable has embedded \\0")))
