"""``codebook, header``: codebook.ado's Header — the dataset's file, when it was saved,
its label, and its numbers of variables and observations and size."""

from __future__ import annotations

from libs.engine import storage_types
from libs.engine.commands.codebook_facts import line
from libs.engine.session import Session

#: bytes per observation of each numeric storage type (``describe``'s r(width))
_WIDTHS = {"byte": 1, "int": 2, "long": 4, "float": 4, "double": 8}
#: what ``describe`` counts for a strL: its reference into the strL store
_STRL_WIDTH = 8


def _width(stype: str) -> int:
    if not storage_types.is_string_type(stype):
        return _WIDTHS[stype]
    return _STRL_WIDTH if stype == "strL" else int(stype[3:])


def show(session: Session) -> None:
    """Header's lines: ``_n _col(16) "Dataset:  "`` (``[unnamed]``), ``_col(13) "Last saved:
    "`` (``never`` without a file, ``unknown`` without its date), ``_col(26) "DATA HAVE
    CHANGED SINCE LAST SAVED"`` when changed, a blank line, ``_col(18) "Label:"`` (``[none]``),
    ``_col(4) "Number of variables:  "``, ``_col(1) "Number of observations:  "`` and
    ``_col(19) "Size:  " ... " bytes ignoring labels, etc."`` (``%16.0gc``)."""
    data = session.data
    source = session.data_filename
    saved = "never" if not source else data.saved or "unknown"
    rows = ["", line((16, "Dataset:  " + (source.rsplit("/", 1)[-1] if source else "[unnamed]"))),
            line((13, "Last saved:  " + saved))]
    if source and data.changed:
        rows.append(line((26, "DATA HAVE CHANGED SINCE LAST SAVED")))
    size = sum(_width(var.stype) for var in data.vars.values()) * data.n
    rows += ["", line((18, "Label:  " + (data.label or "[none]"))),
             line((4, f"Number of variables:  {len(data.vars):,}")),
             f"Number of observations:  {data.n:,}",
             line((19, f"Size:  {size:,} bytes ignoring labels, etc."))]
    session.log.lines(rows)
