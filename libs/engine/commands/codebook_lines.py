"""The lines codebook.ado prints for every variable, each from one of its ``display``
statements (named by the ado's program): VarHeader, the type and value-label lines (DoNum,
LabelLine), range and units, the counts (ShowUniq), the tabulations (FullTab,
FullTabValueLabeled), the labelled examples (NumExamples) and the moments. Trailing blanks
are not written."""

from __future__ import annotations

import textwrap

import numpy as np

from libs.engine.commands.codebook_facts import (
    Counts,
    comma,
    label_text,
    line,
    numeric_examples,
    numeric_frequencies,
    shown,
    units,
)
from libs.engine.commands.codebook_problems import Problems
from libs.engine.formats import format_number
from libs.engine.log import LINESIZE
from libs.engine.percentile import percentile
from libs.engine.session import Session
from libs.engine.varlist import abbreviate


def header(session: Session, name: str, label: str) -> None:
    """VarHeader: ``_n "{hline}"``; the name with the label at the right margin (or, when
    both do not fit, the label from column 40 on, wrapped there); ``"{hline}" _n``."""
    label = label or "(unlabeled)"
    rows = ["", "-" * LINESIZE]
    if len(label) + len(name) < LINESIZE - 2:
        rows.append(name + label.rjust(LINESIZE - len(name)))
    else:
        pad = max(39 - len(name), 2)
        first, *rest = textwrap.wrap(label, LINESIZE - 39) or [""]
        rows.append(name + " " * pad + first)
        rows += [" " * 39 + piece for piece in rest]
    rows += ["-" * LINESIZE, ""]
    session.log.lines(rows)


def type_line(session: Session, name: str, kind: str = "numeric") -> None:
    """DoNum: ``_col(19) "type:  numeric (" type ")"``."""
    session.log.out(line((19, f"type:  {kind} ({session.data.var(name).stype})")))


def value_label_line(session: Session, name: str, x: np.ndarray, problems: Problems) -> bool:
    """LabelLine: ``{ralign 22:label}:  name`` with ``, but label does not exist`` or ``, but
    N nonmissing values are not labeled``; nothing without a value label. True when the
    label is attached and defined (the ado's r(exist))."""
    lbl = session.data.var(name).value_label
    if not lbl:
        return False
    text = "label".rjust(22) + ":  " + lbl
    mapping = session.data.value_labels.get(lbl)
    if mapping is None:
        session.log.out(text + ", but label does not exist")
        problems.add("labelnotfound", name)
        return False
    values = [v for v, _ in numeric_frequencies(x[~np.isnan(x)])]
    uncoded = sum(1 for v in values if label_text(session, lbl, v) == shown(v))
    if uncoded:
        verb = " is" if uncoded == 1 else "s are"
        session.log.out(f"{text}, but {uncoded} nonmissing value{verb} not labeled")
        problems.add("notlabeled", name)
    else:
        session.log.out(text)
    return True


def range_line(session: Session, x: np.ndarray) -> None:
    """DoNum: ``_col(18) "range:  [" min "," max "]" _col(55) "units:  " units``."""
    u = units(x)
    session.log.out(line((18, f"range:  [{shown(u.min)},{shown(u.max)}]"),
                         (55, f"units:  {shown(u.units)}")))


def uniq_lines(session: Session, counts: Counts, *, string: bool) -> None:
    """ShowUniq: ``_col(10) "unique values:  "`` and ``_col(51) "missing .:  " m/N``
    (``missing "":`` for strings), then for extended missing values ``_col(8) "unique mv
    codes:  "`` and ``_col(50) "missing .*:  "``."""
    miss = 'missing "":  ' if string else "missing .:  "
    session.log.out(line((10, f"unique values:  {comma(counts.uniq_nmv)}"),
                         (51, f"{miss}{comma(counts.miss_sys)}/{comma(counts.ntouse)}")))
    if not string and counts.miss_ext > 0:
        session.log.out(line((8, f"unique mv codes:  {comma(counts.uniq_mv)}"),
                             (50, f"missing .*:  {comma(counts.miss_ext)}"
                                  f"/{comma(counts.ntouse)}")))


def tabulation(session: Session, rows: list[tuple[str, int]]) -> None:
    """FullTab: ``_col(13) "tabulation:  Freq.  Value"``; per value (missing ones too)
    ``_col(21) %10.0fc count _col(33) value``."""
    session.log.out(line((13, "tabulation:  Freq.  Value")))
    for text, count in rows:
        session.log.out(line((21, f"{count:>10,}"), (33, text)))


def labelled_tabulation(session: Session, lbl: str, x: np.ndarray) -> None:
    """FullTabValueLabeled (one label): ``"tabulation:  Freq.   Numeric  Label"``; per value
    ``_col(21) %10.0fc count _col(33) %8.0g value _col(43)`` and its label in pieces of 32
    characters continued at column 43 (Piece)."""
    session.log.out(line((13, "tabulation:  Freq.   Numeric  Label")))
    for v, count in numeric_frequencies(x):
        text = label_text(session, lbl, v)
        pieces = textwrap.wrap(text, 32) if text != shown(v) else []
        first = pieces[0] if pieces else ""
        session.log.out(line((21, f"{count:>10,}"), (33, format_number(v, "%8.0g")),
                             (43, first)))
        session.log.lines([line((43, piece)) for piece in pieces[1:]])


def labelled_examples(session: Session, lbl: str, x: np.ndarray, n_out: int) -> None:
    """NumExamples: ``{ralign 23: examples:}`` on the first line, then ``_col(26) (value)
    _col(32) label`` for each of the four example observations."""
    head = "examples:"
    for v in numeric_examples(x, n_out):
        text = label_text(session, lbl, v)
        session.log.out(line((1, head.rjust(23)), (26, shown(v)),
                             (32, "" if text == shown(v) else text)))
        head = ""


def moments(session: Session, x: np.ndarray) -> None:
    """DoNum without labels: ``_col(19) "mean:" _col(26) %8.0g``, ``_col(15) "std. dev:"``
    and a blank line (``_n``), then the percentiles' titles at columns 32…72 and their
    ``%8.0g`` values at 27…67 (``summarize, detail``'s definition)."""
    v = x[~np.isnan(x)]
    mean = float(v.mean()) if len(v) else np.nan
    sd = float(v.std(ddof=1)) if len(v) > 1 else np.nan
    session.log.lines([
        line((19, "mean:"), (26, format_number(mean, "%8.0g"))),
        line((15, "std. dev:"), (26, format_number(sd, "%8.0g"))),
        "",
        line((12, "percentiles:"), (32, "10%"), (42, "25%"), (52, "50%"), (62, "75%"),
             (72, "90%")),
        line(*((27 + 10 * i, format_number(percentile(v, p), "%8.0g"))
               for i, p in enumerate((10, 25, 50, 75, 90)))),
    ])


def missing_relations(session: Session, name: str, touse: np.ndarray) -> None:
    """CrcMiss (option ``mv``): when ``name`` has missing values, each other variable whose
    missing values all fall where ``name`` is missing, as ``other==mv --> name==mv`` (``<->``
    when they are missing at exactly the same observations; ``""`` for strings), the first
    after a blank line and ``_col(9) "missing values:"``, the others from column 24."""
    data = session.data

    def missing_of(var: str) -> np.ndarray:
        col = data.cols[var][touse]
        return np.asarray(col == "" if data.var(var).is_string else np.isnan(col.astype(float)))

    own = missing_of(name)
    if not own.any():
        return
    mark = '""' if data.var(name).is_string else "mv"
    first = True
    for other in data.varnames:
        theirs = missing_of(other)
        if other == name or not theirs.any() or np.any(theirs & ~own):
            continue
        if first:
            session.log.out()
        lead = "missing values:".rjust(23) if first else " " * 23
        first = False
        their_mark = '"" ' if data.var(other).is_string else "mv "
        arrow = "<-> " if not np.any(own & ~theirs) else "--> "
        session.log.out(f"{lead}{abbreviate(other, 12):>14}=={their_mark}{arrow}"
                        f"{abbreviate(name, 12)}=={mark}")
