"""``input [type] var ... / rows / end``: data typed into the do-file (the interpreter reads the
block and calls :func:`read_input`)."""

from __future__ import annotations

import numpy as np

from libs.engine import missing, storage_types, varlist
from libs.engine.dataset import Column
from libs.engine.errors import StataError
from libs.engine.macros import split_words
from libs.engine.session import Session


def header_line(text: str) -> str:
    """The variable-name header Stata prints when ``input`` starts."""
    names = [w for w in text.split()[1:] if not storage_types.is_valid_type(w)]
    return "".join(f"{n:>11}" for n in names)


def read_input(session: Session, header: list[str], rows: list[str]) -> None:
    """Create the variables named in ``header`` from the typed ``rows`` (new data only)."""
    ds = session.data
    words = header[0].split() if header else []
    specs: list[tuple[str, str]] = []
    pending: str | None = None
    for word in words:
        if storage_types.is_valid_type(word):
            pending = word
            continue
        specs.append((word, pending or session.settings.type))
        pending = None
    if not specs:
        raise StataError(198, "input: variable names expected")
    if ds.vars:
        raise StataError(110, "input: adding to existing data is not supported by the engine")
    varlist.new_names(ds, " ".join(n for n, _ in specs))
    cells = [split_words(row) for row in rows if row.strip()]
    for row in cells:
        if len(row) > len(specs):
            raise StataError(198, "input: too many values on a line")
    n = len(cells)
    session.data.n = n
    for k, (name, stype) in enumerate(specs):
        texts = [row[k] if k < len(row) else "" for row in cells]
        column: Column
        if storage_types.is_string_type(stype):
            column = np.array(texts, dtype=np.object_)
            if stype != "strL":
                column = np.array([t[: int(stype[3:])] for t in texts], dtype=np.object_)
        else:
            values = []
            for t in texts:
                special = missing.parse(t) if t else missing.SYSMISS
                if special is not None:
                    values.append(special)
                    continue
                try:
                    values.append(float(t))
                except ValueError:
                    raise StataError(198, f"'{t}' cannot be read as a number for {name}") from None
            column = np.array(values, dtype=np.float64)
        ds.add(name, column, stype)
