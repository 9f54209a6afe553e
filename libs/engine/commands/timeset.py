"""``tsset`` / ``xtset``: declare the time (and panel) structure used by L. D. F. S."""

from __future__ import annotations

import numpy as np

from libs.engine import formats
from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.sorting import sort_data
from libs.engine.syntax import Args, Spec
from libs.engine.timeseries import TsSettings, panel_codes

_TSSET = Spec("varlist(min=1 max=2) [, DELta(string) clear Daily Weekly Monthly Quarterly "
              "Halfyearly Yearly Generic Format(string) noquery]")


def _declare(session: Session, args: Args, *, panel_first: bool, command_name: str) -> None:
    ds = session.data
    if not args.raw.strip() or args.raw.strip().startswith(","):
        if session.tsset is None:
            raise StataError(111, "time variable not set" if command_name == "tsset" else
                                  "panel variable not set")
        return
    if args.raw.strip() == "clear" or args.raw.strip() == ", clear":
        session.tsset = None
        return
    parsed = _TSSET.parse(args.raw, session)
    names = parsed.varlist
    if panel_first and len(names) == 1:
        panel, time = names[0], None
    elif len(names) == 2:
        panel, time = names
    else:
        panel, time = None, names[0]
    delta = float(parsed.opt("delta") or 1)
    for name in (panel, time):
        if name and ds.vars[name].is_string:
            raise StataError(109, f"variable {name} is string; use encode")
    if time:
        _check_times(ds, panel, time, delta)
    session.tsset = TsSettings(timevar=time, panelvar=panel, delta=delta)
    sort_data(session.data, [v for v in (panel, time) if v])
    log = session.log
    log.out()
    pad = " " if panel else ""  # Stata right-aligns the labels on the longest one
    if panel:
        pv = ds.numeric(panel)
        kind = "strongly balanced" if time and _balanced(pv, ds.numeric(time)) else "unbalanced"
        log.out(f"Panel variable: {panel} ({kind if time else ''})".replace(" ()", ""))
    if time:
        t = ds.numeric(time)
        lo, hi = np.nanmin(t) if len(t) else np.nan, np.nanmax(t) if len(t) else np.nan
        log.out(f"{pad}Time variable: {time}, {formats.general(lo, 12)} to "
                f"{formats.general(hi, 12)}"
                + (", but with gaps" if _gaps(ds, panel, time, delta) else ""))
        log.out(f"{pad}        Delta: {formats.general(delta, 12)} unit")


def _check_times(ds: Dataset, panel: str | None, time: str, delta: float) -> None:
    """Stata's tsset rule: integer times; within each panel (missing panel values form one),
    no time repeated and none closer than delta. Observations whose time is missing are
    outside the series and not checked, so rows missing both id and time are accepted."""
    t = ds.numeric(time)
    known = np.isfinite(t)
    if np.any(t[known] != np.round(t[known])):
        raise StataError(451, "time variable must contain only integer values")
    p = panel_codes(ds.numeric(panel))[known] if panel else np.zeros(int(known.sum()))
    order = np.lexsort((t[known], p))
    p, t = p[order], t[known][order]
    step = np.diff(t)[p[1:] == p[:-1]]
    if step.size and step.min() == 0:
        raise StataError(451, "repeated time values within panel" if panel else
                              "repeated time values in sample")
    if step.size and step.min() < delta:
        raise StataError(451, "time values with period less than delta() found")


def _balanced(panel: np.ndarray, time: np.ndarray) -> bool:
    """Every panel observed at the same times (a row without a time makes it unbalanced,
    as Stata's count of times per panel then differs within the panel)."""
    if np.isnan(time).any():
        return False
    counts = np.unique(panel, return_counts=True)[1]
    return bool(len(set(counts.tolist())) == 1 and len(np.unique(time)) == counts[0])


def _gaps(ds: Dataset, panel: str | None, time: str, delta: float) -> bool:
    """A step other than delta between consecutive known times of a panel (data sorted)."""
    t = ds.numeric(time)
    same = np.isfinite(t[1:]) & np.isfinite(t[:-1])
    if panel:
        p = panel_codes(ds.numeric(panel))
        same &= p[1:] == p[:-1]
    return bool(((t[1:] - t[:-1]) != delta)[same].any())


@command("tsset", syntax=None)
def tsset(session: Session, args: Args) -> None:
    """``tsset [panelvar] timevar [, delta()]``."""
    _declare(session, args, panel_first=False, command_name="tsset")


@command("xtset", syntax=None)
def xtset(session: Session, args: Args) -> None:
    """``xtset panelvar [timevar] [, delta()]``."""
    _declare(session, args, panel_first=True, command_name="xtset")
