"""What the survival commands (``sts``, ``stcox``, ``streg``, ``stsum``, ``stdescribe``)
share: the data ``stset`` declared.

As in Stata, ``stset`` leaves the variables ``_st`` (1: in the analysis), ``_d`` (failure),
``_t0`` and ``_t`` (the record's analysis-time interval (t0, t]) and the dataset
characteristics ``_dta[_dta] = st``, ``_dta[st_bt]`` (time variable), ``_dta[st_bd]``
(failure variable), ``_dta[st_ev]`` (failure values), ``_dta[st_id]`` (id variable) …
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation.columns import level_text
from libs.engine.groups import group_ids
from libs.engine.missing import FloatArray
from libs.engine.session import Session


@dataclass(frozen=True)
class StData:
    """The analysis records in data order: their rows, (t0, t], failure, and subject ids."""

    rows: np.ndarray
    t0: FloatArray
    t: FloatArray
    d: FloatArray
    ids: np.ndarray | None  #: subject id per record (None: one record per subject)

    @property
    def subjects(self) -> int:
        """The number of subjects."""
        return int(np.unique(self.ids).size) if self.ids is not None else int(self.rows.size)


def settings(session: Session) -> dict[str, str]:
    """The ``_dta[st_*]`` characteristics; r(119) when the data are not ``stset``."""
    chars = session.data.chars
    if chars.get("_dta") != "st":
        raise StataError(119, "data not st; use stset")
    return chars


def st_data(session: Session, touse: np.ndarray | None = None) -> StData:
    """The records with ``_st == 1`` (and ``touse``)."""
    chars = settings(session)
    ds = session.data
    keep = ds.numeric("_st") == 1
    if touse is not None:
        keep &= touse
    rows = np.flatnonzero(keep)
    idvar = chars.get("st_id", "")
    ids = None
    if idvar:
        ids = ds.strings(idvar)[rows] if ds.vars[idvar].is_string else ds.numeric(idvar)[rows]
    return StData(rows, ds.numeric("_t0")[rows], ds.numeric("_t")[rows], ds.numeric("_d")[rows],
                  ids)


def header(session: Session) -> list[str]:
    """The lines every st command prints first: the failure and analysis-time variables."""
    chars = settings(session)
    lines = ["", f"{'Failure _d:':>19} {_failure_text(chars)}",
             f"{'Analysis time _t:':>19} {_time_text(chars)}"]
    if chars.get("st_orig"):
        lines.append(f"{'Origin:':>19} time {chars['st_orig']}")
    if chars.get("st_id"):
        lines.append(f"{'ID variable:':>19} {chars['st_id']}")
    return lines


def _failure_text(chars: dict[str, str]) -> str:
    bd = chars.get("st_bd", "")
    if not bd:
        return "1 (meaning all fail)"
    ev = chars.get("st_ev", "")
    return f"{bd}=={ev}" if ev else bd


def _time_text(chars: dict[str, str]) -> str:
    time = chars.get("st_bt", "")
    orig, scale = chars.get("st_orig", ""), chars.get("st_s", "1")
    text = f"({time}-origin)" if orig else time
    return f"{text}/{scale}" if scale not in ("", "1") else text


def by_groups(session: Session, names: list[str], st: StData
            ) -> list[tuple[str, np.ndarray]]:
    """(label, mask over the st records) per ``by()`` group; one group without ``by()``."""
    if not names:
        return [("", np.ones(st.rows.size, dtype=bool))]
    ids, count = group_ids(session.data, names)
    ids = ids[st.rows]
    out = []
    for g in range(count):
        mask = ids == g
        if not mask.any():
            continue
        row = st.rows[np.flatnonzero(mask)[0]]
        label = " ".join(f"{n} = {_value(session, n, row)}" for n in names)
        out.append((label, mask))
    return out


def _value(session: Session, name: str, row: int) -> str:
    ds = session.data
    if ds.vars[name].is_string:
        return str(ds.strings(name)[row])
    return level_text(session, name, float(ds.numeric(name)[row]))
