"""Reading the estout family's options: ``name``, ``name(arg)`` with Stata's minimum
abbreviations, quoted lists, and the ``cells()`` / ``stats()`` grammars of help estout."""

from __future__ import annotations

import re

from libs.engine import textscan
from libs.engine.errors import StataError
from libs.engine.esttables.spec import Element, Stat
from libs.engine.macros import strip_quotes

#: ``(name, minimum abbreviation length)``: the typed word must be a prefix of ``name`` at
#: least that long.
OptionTable = dict[str, int]


def parse(text: str, table: OptionTable, command: str) -> dict[str, str | None]:
    """``{option: argument}`` (None for a bare word); r(198) naming an unknown option."""
    found: dict[str, str | None] = {}
    for token in textscan.split_top(text):
        name, paren, arg = token.partition("(")
        word = name.lower()
        full = next((opt for opt, least in table.items()
                     if opt.startswith(word) and len(word) >= least), None)
        if full is None:
            raise StataError(198, f"{command}: option {name} not allowed")
        found[full] = arg[:-1] if paren and arg.endswith(")") else (arg if paren else None)
    return found


def words(text: str | None) -> list[str]:
    """A list of possibly quoted items: ``"Model 1" "Model 2" third`` → three items."""
    return [strip_quotes(w) for w in textscan.split_top(text or "")]


def split_suboptions(text: str) -> tuple[str, str]:
    """``main, subopts`` at the top-level comma."""
    pos = textscan.find_top(text, ",")
    return (text, "") if pos < 0 else (text[:pos], text[pos + 1 :])


def parse_cells(text: str, default_fmt: str = "%9.0g") -> list[list[Element]]:
    """``cells(b(star fmt(3)) se(par))``, ``cells("b se")`` or ``cells(none)``: rows of
    elements (elements of one quoted row sit beside one another)."""
    if text.strip() == "none":
        return []
    rows: list[list[Element]] = []
    for token in textscan.split_top(text):
        if token.startswith('"') or token.startswith('`"'):
            rows.append([_element(t, default_fmt) for t in textscan.split_top(
                strip_quotes(token))])
        else:
            rows.append([_element(token, default_fmt)])
    return rows


_SUBOPTS: OptionTable = {"star": 1, "nostar": 3, "fmt": 1, "label": 1, "par": 3, "nopar": 5,
                         "vacant": 1, "keep": 1, "drop": 1, "abs": 3, "pvalue": 2}


def _element(token: str, default_fmt: str) -> Element:
    name, paren, inner = token.partition("(")
    element = Element(name=name, fmts=[default_fmt])
    if not paren:
        return element
    opts = parse(inner[:-1] if inner.endswith(")") else inner, _SUBOPTS, "cells()")
    element.star = "star" in opts and "nostar" not in opts
    if opts.get("fmt"):
        element.fmts = words(opts["fmt"])
    if "label" in opts:
        element.label = strip_quotes(opts["label"] or "")
    if "par" in opts and "nopar" not in opts:
        pair = words(opts["par"]) if opts["par"] else ["(", ")"]
        element.par = (pair[0], pair[-1] if len(pair) > 1 else "")
    element.vacant = strip_quotes(opts.get("vacant") or "")
    element.keep = (opts.get("keep") or "").split()
    element.drop = (opts.get("drop") or "").split()
    element.abs = "abs" in opts
    return element


_STATS_SUBOPTS: OptionTable = {"fmt": 1, "labels": 1, "star": 1, "layout": 3}


def parse_stats(text: str, default_fmt: str) -> list[Stat]:
    """``stats(N r2, fmt(0 3) labels("Obs." "R2"))``."""
    names, subs = split_suboptions(text)
    opts = parse(subs, _STATS_SUBOPTS, "stats()") if subs.strip() else {}
    fmts = words(opts.get("fmt")) or [default_fmt]
    labels_text, _ = split_suboptions(opts.get("labels") or "")
    labels = words(labels_text)
    starred = set((opts.get("star") or "").split()) if "star" in opts else set()
    out = []
    for i, name in enumerate(names.split()):
        fmt = fmts[min(i, len(fmts) - 1)]
        label = labels[i] if i < len(labels) else name
        star = ("star" in opts and not starred) or name in starred
        out.append(Stat(name=name, fmt=fmt, label=label, star=star))
    return out


def parse_stars(text: str) -> list[tuple[str, str]]:
    """``star(+ 0.10 * 0.05)`` → ``[("+", "0.10"), ("*", "0.05")]``; r(198) when the levels
    are unpaired, outside (0, 1] or not descending (help esttab)."""
    items = words(split_suboptions(text)[0])
    if len(items) % 2:
        raise StataError(198, "unmatched list of significance symbols and levels")
    pairs = [(items[i], items[i + 1]) for i in range(0, len(items), 2)]
    last = 1.0
    for _, level in pairs:
        try:
            value = float(level)
        except ValueError:
            raise StataError(198, f"{level} found where number expected") from None
        if not 0.0 < value <= last:
            raise StataError(198, "significance levels out of order or out of range (0,1]")
        last = value
    return pairs


def label_pairs(text: str) -> dict[str, str]:
    """``coeflabels(mpg Mileage rep78 "Repair record")`` / ``varlabels()``."""
    main, _ = split_suboptions(text)
    items = words(main)
    return {items[i]: items[i + 1] for i in range(0, len(items) - 1, 2)}


def is_number(text: str) -> bool:
    """Whether an option argument is a plain number (``r2(3)`` vs a name)."""
    return bool(re.match(r"^-?\d+(\.\d*)?$", text.strip()))
