"""``tsappend``: add observations at the end of a ``tsset``/``xtset`` dataset ([TS] tsappend)."""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.sorting import sort_data
from libs.engine.syntax import Args
from libs.engine.values import is_string


@command("tsappend", syntax="[, add(integer -1) last(string) tsfmt(string) panel(real -1e300)]")
def tsappend(session: Session, args: Args) -> None:
    """``tsappend, {add(#) | last(date) tsfmt(string)} [panel(id)]``: the series (each panel,
    or only panel ``id``) is extended to ``add`` periods after the data's last time, or to
    ``tsfmt(last)`` (``tsfmt(tq)`` with ``last(2005q4)`` is ``tq(2005q4)``); as the manual says,
    "any gaps in the dataset are removed" — every period from a series' first time on is
    present afterwards. New observations are missing except the time (and panel) variable."""
    ts = session.tsset
    if ts is None or ts.timevar is None:
        raise StataError(111, "time variable not set, use tsset varname ...")
    add, last, tsfmt = args.opt("add", -1), args.opt("last"), args.opt("tsfmt")
    if (add >= 0) == bool(last) or bool(last) != bool(tsfmt):
        raise StataError(198, "specify either add() or last() and tsfmt()")
    if add == 0 or add < -1:
        raise StataError(198, "add() must be a positive integer")
    data, delta = session.data, ts.delta
    times = data.numeric(ts.timevar)
    known = ~np.isnan(times)
    if not known.any():
        raise StataError(2000, "no observations")
    if last:
        value = Evaluator(session, scalar=True).evaluate(f"{tsfmt}({last})")
        if is_string(value) or np.isnan(float(value)):
            raise StataError(198, f"last({last}) is not a {tsfmt}() date")
        end = float(value)
    else:
        end = float(times[known].max()) + add * delta
    panels = data.numeric(ts.panelvar) if ts.panelvar else np.zeros(data.n)
    wanted = args.opt("panel", -1e300)
    new_panels: list[float] = []
    new_times: list[float] = []
    for panel in np.unique(panels[known & ~np.isnan(panels)]):
        if wanted != -1e300 and panel != wanted:
            continue
        own = times[known & (panels == panel)]
        steps = int(np.floor((end - own.min()) / delta + 1e-9))
        grid = own.min() + delta * np.arange(steps + 1)
        missing_times = np.setdiff1d(grid, own)
        new_times += missing_times.tolist()
        new_panels += [float(panel)] * len(missing_times)
    if wanted != -1e300 and wanted not in panels:
        raise StataError(198, f"panel({wanted:g}) not found")
    if not new_times:
        return
    old = data.n
    data.set_obs(old + len(new_times))
    data.set(ts.timevar, np.concatenate([times, np.array(new_times)]))
    if ts.panelvar:
        data.set(ts.panelvar, np.concatenate([panels, np.array(new_panels)]))
    sort_data(data, [v for v in (ts.panelvar, ts.timevar) if v])
