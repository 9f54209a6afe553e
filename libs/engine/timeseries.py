"""Time-series operators (``L.``, ``F.``, ``D.``, ``S.``) over the ``tsset``/``xtset`` structure.

Lags match on time values within a panel, not on row positions: ``L.x`` at time t is x at
t − delta in the same panel, missing when that period is absent (gaps), as in Stata.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.missing import FloatArray


@dataclass(frozen=True)
class TsSettings:
    """What ``tsset``/``xtset`` declared."""

    timevar: str | None
    panelvar: str | None = None
    delta: float = 1.0
    unit: str = ""  #: display format unit: "", "daily", "monthly", ...


def apply(data: Dataset, ts: TsSettings | None, name: str,
          ops: tuple[tuple[str, int], ...], values: FloatArray | None = None) -> FloatArray:
    """Values of ``ops.name`` (e.g. ``L2D.x``) for every observation, over the structure
    ``ts`` that ``tsset``/``xtset`` declared (r(111) when there is none); ``values`` stands
    in for the variable's column (a ``replace`` that has already changed earlier rows)."""
    if ts is None or ts.timevar is None:
        raise StataError(111, "time variable not set, use tsset varname ...")
    if values is None:
        values = data.numeric(name)
    for op, k in ops:
        if op == "L":
            values = shift(data, ts, values, k)
        elif op == "F":
            values = shift(data, ts, values, -k)
        elif op == "D":
            for _ in range(k):
                values = values - shift(data, ts, values, 1)
        else:  # S: seasonal difference
            values = values - shift(data, ts, values, k)
    return values


def shift(data: Dataset, ts: TsSettings, values: FloatArray, k: int) -> FloatArray:
    """``values`` at time t − k·delta within the same panel (missing where absent). An
    observation whose time is missing is outside every series: missing itself, and never
    the lag of another."""
    assert ts.timevar is not None
    time = data.numeric(ts.timevar)
    rows = np.flatnonzero(np.isfinite(time))
    keys: list[FloatArray] = [time[rows]]
    if ts.panelvar:
        keys.insert(0, panel_codes(data.numeric(ts.panelvar))[rows])
    index = pd.MultiIndex.from_arrays(keys) if len(keys) > 1 else pd.Index(keys[0])
    if not index.is_unique:
        raise StataError(451, "repeated time values within panel")
    target = [*keys[:-1], keys[-1] - k * ts.delta]
    wanted = pd.MultiIndex.from_arrays(target) if len(target) > 1 else pd.Index(target[0])
    pos = index.get_indexer(wanted)
    found = pos >= 0
    out = np.full(len(values), np.nan)
    out[rows[found]] = values[rows[pos[found]]]
    return out


def panel_codes(panel: FloatArray) -> FloatArray:
    """Panel values with every missing value as one more panel (as ``by panelvar:`` groups
    them), so they can serve as an index key."""
    return np.where(np.isnan(panel), np.inf, panel)
