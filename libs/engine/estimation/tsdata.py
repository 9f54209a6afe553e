"""What the time-series commands (dfuller, pperron, newey, prais, arima, var ...) share: the
``tsset`` structure they require, a series with operators applied, and the trend variable.

Operators are applied over the whole dataset and the ``if``/``in`` sample is taken afterwards,
as in Stata, so ``L.y`` of the first observation in the sample reads the observation before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.engine import timeseries
from libs.engine.errors import StataError
from libs.engine.missing import FloatArray
from libs.engine.session import Session
from libs.engine.timeseries import TsSettings
from libs.engine.varlist import Factor, parse_terms

Ops = tuple[tuple[str, int], ...]


def settings(session: Session) -> TsSettings:
    """The ``tsset`` declaration (r(111) when there is none)."""
    ts = session.tsset
    if ts is None or ts.timevar is None:
        raise StataError(111, "time variable not set, use tsset varname ...")
    return ts


def one_panel(session: Session, touse: np.ndarray) -> None:
    """r(459) when the sample spans several panels (the ``onepanel`` commands)."""
    ts = settings(session)
    if ts.panelvar:
        panels = session.data.numeric(ts.panelvar)[touse]
        if np.unique(panels[np.isfinite(panels)]).size > 1:
            raise StataError(459, "sample may not include multiple panels")


def time_values(session: Session) -> FloatArray:
    """The time variable over all observations."""
    name = settings(session).timevar
    assert name is not None
    return session.data.numeric(name)


@dataclass(frozen=True)
class Series:
    """A variable with its operators (``D.y``): values of ``extra.series`` on demand."""

    var: str
    ops: Ops

    def name(self, extra: Ops = ()) -> str:
        """Stata's name of ``extra`` applied to this series (``LD.y``, ``L2D.y``, ``D2.y``)."""
        return op_name(merge(extra, self.ops), self.var)

    def values(self, session: Session, extra: Ops = ()) -> FloatArray:
        """``extra`` operators applied to the series over all observations."""
        ops = merge(extra, self.ops)
        if not ops:
            return session.data.numeric(self.var)
        return timeseries.apply(session.data, settings(session), self.var, ops)


def series(session: Session, text: str) -> Series:
    """One (possibly operated) numeric variable, e.g. ``wpi`` or ``D.ln_wpi``."""
    terms = parse_terms(session.data, text)
    if len(terms) != 1 or len(terms[0].factors) != 1:
        raise StataError(103, "too many variables specified")
    f: Factor = terms[0].factors[0]
    if f.factor:
        raise StataError(198, "factor variables not allowed")
    if session.data.vars[f.var].is_string:
        raise StataError(109, "type mismatch")
    return Series(f.var, f.ts)


def merge(outer: Ops, inner: Ops) -> Ops:
    """Operators of ``outer.(inner.x)`` in Stata's canonical order (L/F before D before S)."""
    both = (*outer, *inner)
    lag = sum(k for op, k in both if op == "L") - sum(k for op, k in both if op == "F")
    diff = sum(k for op, k in both if op == "D")
    out: list[tuple[str, int]] = []
    if lag > 0:
        out.append(("L", lag))
    elif lag < 0:
        out.append(("F", -lag))
    if diff:
        out.append(("D", diff))
    # a seasonal difference S12 is one difference at lag 12: those are kept as they are
    out += [(op, k) for op, k in both if op == "S"]
    return tuple(out)


def op_name(ops: Ops, var: str) -> str:
    """``LD.y``, ``L2D.y``, ``D2.y`` or ``y``."""
    if not ops:
        return var
    return "".join(op if k == 1 else f"{op}{k}" for op, k in ops) + "." + var


def trend(session: Session, touse: np.ndarray) -> FloatArray:
    """``t − min(t)`` over the sample (dfuller's and pperron's ``_trend``)."""
    t = time_values(session)
    return t - float(np.nanmin(t[touse])) if touse.any() else t * np.nan
