"""``list`` and ``describe``: the data laid out as Stata prints it."""

from __future__ import annotations

import numpy as np

from libs.engine import formats
from libs.engine.dataset import Dataset
from libs.engine.groups import boundaries
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args

RULE = "-" * 79


def cell(ds: Dataset, name: str, row: int, *, nolabel: bool = False) -> str:
    """One value as ``list`` shows it: value label, else the variable's display format."""
    var = ds.vars[name]
    value = ds.cols[name][row]
    if var.is_string:
        return str(value)
    if not nolabel and var.value_label:
        text = ds.value_text(name, float(value))
        if text is not None:
            return text
    return formats.format_number(float(value), var.format).strip()


@command("list", abbrev=1, byable="recall",
         syntax="[varlist] [if] [in] [, noObs clean SEParator(integer 5) noLabel "
                "ABbreviate(integer 8) noHeader sepby(varlist) STRing(integer 0) Table "
                "Display]")
def list_(session: Session, args: Args) -> None:
    """``list [varlist] [if] [in] [, noobs clean separator(#) nolabel]``."""
    ds = session.data
    rows = np.flatnonzero(args.touse(session))
    names = args.varlist
    nolabel = bool(args.opt("nolabel"))
    cols = [[cell(ds, v, int(r), nolabel=nolabel) for r in rows] for v in names]
    right = [not ds.vars[v].is_string for v in names]
    widths = [max([len(v)] + [len(c) for c in col]) for v, col in zip(names, cols, strict=True)]
    show_obs = not args.opt("noobs")
    pad = " " * 5 if show_obs else " "
    clean = bool(args.opt("clean"))
    sep = int(args.opt("separator", 5))
    sepby = args.opt("sepby")
    if sepby:
        sep = 0
        new_group = boundaries(ds, list(sepby))[rows] if len(rows) else rows.astype(bool)

    def row_text(values: list[str]) -> str:
        parts = [v.rjust(w) if r else v.ljust(w) for v, w, r in
                 zip(values, widths, right, strict=True)]
        return "   ".join(parts)

    header = row_text(names)
    inner = len(header) + 2
    log = session.log
    log.out()
    if clean:
        log.out(pad + " " + header)
    else:
        log.out(pad + "+" + "-" * inner + "+")
        log.out(pad + "| " + header + " |")
        log.out(pad + "|" + "-" * inner + "|")
    for k, r in enumerate(rows):
        values = [col[k] for col in cols]
        prefix = f"{r + 1:>3}. " if show_obs else " "
        if clean:
            log.out(prefix + " " + row_text(values))
            continue
        if k and ((sep and k % sep == 0) or (sepby and new_group[k])):
            log.out(pad + "|" + "-" * inner + "|")
        log.out(prefix + "| " + row_text(values) + " |")
    if not clean:
        log.out(pad + "+" + "-" * inner + "+")


@command("describe", abbrev=1, rclass=True,
         syntax="[varlist] [, Short SImple Fullnames Numbers replace clear]")
def describe(session: Session, args: Args) -> None:
    """``describe [varlist] [, short simple]``; returns r(N), r(k)."""
    ds = session.data
    log = session.log
    session.r.scalars.update({"N": float(ds.n), "k": float(len(ds.vars))})
    if args.opt("simple"):
        log.out("  ".join(args.varlist))
        return
    log.out()
    source = session.data_filename
    log.out(f"Contains data{' from ' + source.rsplit('/', 1)[-1] if source else ''}")
    log.out(f" Observations:{ds.n:>14,}                  {ds.label}".rstrip())
    log.out(f"    Variables:{len(ds.vars):>14,}")
    if not args.opt("short"):
        log.out(RULE)
        log.out("Variable      Storage   Display    Value")
        log.out("    name         type    format    label      Variable label")
        log.out(RULE)
        for name in args.varlist:
            var = ds.vars[name]
            shown = name if len(name) <= 15 else name[:13] + "~" + name[-1]
            line = f"{shown:<15} {var.stype:<7} {var.format:<10} {var.value_label:<10} {var.label}"
            log.out(line.rstrip())
        log.out(RULE)
    log.out(f"Sorted by: {' '.join(ds.sortedby)}" if ds.sortedby else "Sorted by: ")
    if ds.changed:
        log.out("     Note: Dataset has changed since last saved.")
