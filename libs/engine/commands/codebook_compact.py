"""``codebook, compact``: codebook.ado's SummCompact (its Mata CrMatrices) — a blank line,
``Variable Obs Unique Mean Min Max  Label``, a rule, one line per variable, a rule.

Columns are as wide as their widest entry plus the ado's margins: Variable at least 9, Obs
and Min and Max entry + 2 (at least 5), Unique entry + 1 (at least 7), Mean entry + 2 (at
least 6). Mean, Min and Max are ``%9.0g`` (``.`` for strings and for no nonmissing value);
Obs (nonmissing values) and Unique (distinct nonmissing values) are counts. A label that
does not fit the line is cut and ends in ``...``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.engine import varlist
from libs.engine.commands.codebook_facts import numeric_counts, string_counts
from libs.engine.formats import format_number
from libs.engine.log import LINESIZE
from libs.engine.session import Session


@dataclass(frozen=True)
class _Row:
    name: str
    obs: str
    unique: str
    mean: str
    min: str
    max: str
    label: str


def _count(n: int) -> str:
    """Mata's ``strofreal()`` of a count (``%9.0g``)."""
    return format_number(float(n), "%9.0g").strip()


def _row(session: Session, name: str, touse: np.ndarray) -> _Row:
    var = session.data.var(name)
    shown = varlist.abbreviate(name, 12) if len(name) > 12 else name
    if var.is_string:
        s = session.data.strings(name)[touse]
        return _Row(shown, _count(int((s != "").sum())), _count(string_counts(s).uniq_nmv),
                    ".", ".", ".", var.label)
    x = session.data.numeric(name)[touse]
    v = x[~np.isnan(x)]
    mean, lo, hi = (format_number(float(f(v)), "%9.0g").strip() if len(v) else "."
                    for f in (np.mean, np.min, np.max))
    return _Row(shown, _count(len(v)), _count(numeric_counts(x).uniq_nmv), mean, lo, hi,
                var.label)


def show(session: Session, names: list[str], touse: np.ndarray) -> None:
    """Print the compact table of ``names`` over the selected observations ``touse``."""
    rows = [_row(session, name, touse) for name in names]

    def widest(field: str) -> int:
        return max(len(getattr(r, field)) for r in rows)

    wvar = max(widest("name"), 9)
    wobs = 5 if widest("obs") <= 3 else widest("obs") + 2
    wmean = 6 if widest("mean") <= 4 else widest("mean") + 2
    wuniq = 7 if widest("unique") <= 6 else widest("unique") + 1
    wmin = 5 if widest("min") <= 3 else widest("min") + 2
    wmax = 5 if widest("max") <= 3 else widest("max") + 2
    total = wvar + wobs + wmean + wuniq + wmin + wmax + 2
    lines = ["", f"{'Variable':<{wvar}}{'Obs':>{wobs}}{'Unique':>{wuniq}}{'Mean':>{wmean}}"
                 f"{'Min':>{wmin}}{'Max':>{wmax}}  Label", "-" * LINESIZE]
    for r in rows:
        label = r.label.strip()
        if total + len(label) > LINESIZE:
            room = LINESIZE - total
            label = (r.label[: room - 3] + "...").ljust(room)
        lines.append(f"{r.name:<{wvar}}{r.obs:>{wobs}}{r.unique:>{wuniq}}{r.mean:>{wmean}}"
                     f"{r.min:>{wmin}}{r.max:>{wmax}}  {label}".rstrip())
    lines.append("-" * LINESIZE)
    session.log.lines(lines)
