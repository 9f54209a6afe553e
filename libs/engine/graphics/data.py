"""What graph commands read from the data: numeric columns, names as axis titles, value
labels as category names, ``by()`` groups and the option grammar of ``by()`` itself."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from libs.engine import varlist
from libs.engine.errors import StataError
from libs.engine.formats import format_number
from libs.engine.graphics import options as opts
from libs.engine.groups import group_ids
from libs.engine.session import Session

Mask = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def numeric(session: Session, name: str) -> FloatArray:
    """Variable ``name`` as float64 (NaN = missing); r(109) for a string variable."""
    if session.data.var(name).is_string:
        raise StataError(109, f"{name}: string variables not allowed")
    return session.data.numeric(name)


def title_of(session: Session, name: str) -> str:
    """A variable's label, or its name when it has none (Stata's axis and key titles)."""
    label = session.data.var(name).label
    return label if label else name


def value_text(session: Session, name: str, value: float) -> str:
    """How a value of ``name`` reads on a graph: its value label, else the number as
    ``%9.0g`` would show it (strings as they are)."""
    labelled = session.data.value_text(name, value)
    if labelled is not None:
        return labelled
    return format_number(value, "%9.0g").strip()


def names(session: Session, text: str) -> list[str]:
    """A varlist (abbreviations and wildcards expanded; r(111) for a missing variable)."""
    return varlist.expand(session.data, text, abbrev=session.settings.varabbrev)


@dataclass
class By:
    """A ``by(varlist [, total cols(#) rows(#) note() title() legend(off) missing])``."""

    names: list[str]
    total: bool = False
    cols: int | None = None
    missing: bool = False
    decor: list[tuple[str, str | None]] = field(default_factory=list)  #: title(), note() ...
    ignored: list[str] = field(default_factory=list)


_BY_WORDS = opts.words("TOTal COLs ROWs MISSing noTOTal COMpact noIXTICks noIYTICks "
                       "noIXAXes noIYAXes IXAXes IYAXes IXTItle IYTItle noIXLabels "
                       "noIYLabels IXLabels IYLabels noEDGElabel holes ISCale noISCale "
                       "IMARgin XREScale YREScale REScale STYle COLFirst noIYTItle "
                       "noIXTItle")
_BY_DECOR = opts.words("TItle SUBtitle NOTE CAPtion LEGend")


def by_request(session: Session, value: str) -> By:
    """Read the argument of ``by()``."""
    head, tail = opts.head_and_tail(value)
    request = By(names=names(session, head))
    if not request.names:
        raise StataError(100, "by(): varlist required")
    for name, arg in opts.split(tail):
        word = opts.match(name, _BY_WORDS)
        decor = opts.match(name, _BY_DECOR)
        if word == "total":
            request.total = True
        elif word == "missing":
            request.missing = True
        elif word in ("cols", "rows") and arg is not None:
            count = int(opts.number(arg, f"by({word}"))
            request.cols = count if word == "cols" else request.cols
        elif decor is not None:
            request.decor.append((decor, arg))
        elif word is None:
            request.ignored.append(f"by({name})")
    return request


def cells(session: Session, names_: list[str], rows: Mask, *, missing: bool = False,
          joiner: str = ", ") -> list[tuple[str, Mask]]:
    """The combinations of ``names_`` present among ``rows``, in sorted order: their labels
    (value labels joined by ``joiner``) and row masks. Missing values are left out unless
    ``missing``."""
    keep = rows.copy()
    if not missing:
        for name in names_:
            col = session.data.cols[name]
            keep &= (col != "") if col.dtype == np.object_ else ~np.isnan(col.astype(float))
    ids, count = group_ids(session.data, names_)
    found = []
    for group in range(count):
        mask = keep & (ids == group)
        if not mask.any():
            continue
        first = int(np.flatnonzero(mask)[0])
        parts = []
        for name in names_:
            col = session.data.cols[name]
            value = col[first]
            parts.append(str(value) if col.dtype == np.object_ else
                         value_text(session, name, float(value)))
        found.append((joiner.join(parts), mask))
    return found


def by_groups(session: Session, request: By, rows: Mask) -> list[tuple[str, Mask]]:
    """Panel titles and row masks of the ``by()`` groups among ``rows`` (sorted order)."""
    panels = cells(session, request.names, rows, missing=request.missing)
    if request.total:
        total = np.zeros_like(rows)
        for _, mask in panels:
            total |= mask
        panels.append(("Total", total))
    return panels


def by_note(session: Session, request: By) -> str:
    """Stata's note under a by-graph: ``Graphs by <labels>``."""
    return "Graphs by " + " and ".join(title_of(session, name) for name in request.names)
