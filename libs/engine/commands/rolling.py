"""``rolling``: run a command on moving (or growing) windows of ``tsset`` data.

``rolling [exp_list] [if] [in], window(#) [recursive rrecursive stepsize(#) start(time)
end(time) keep(varname[, start]) clear saving(file[, replace double]) nodots noisily
nolegend]: command``. Windows are spans of ``window`` periods of the time variable (in units
of the ``tsset`` delta), not counts of observations: ``[s, s + (w−1)δ]`` for s = first, first +
stepsize·δ, ... while the window ends by the last period; ``recursive`` keeps the first period
and lets the end grow, ``rrecursive`` keeps the last period and moves the start. Each run sees
the whole dataset with the observations outside the window excluded, as Stata's ``command if
inrange(t, s, e)`` does, so ``L.y`` at the window's first period reads the period before it.
With a panel variable the windows run within each panel. The data in memory become one
observation per window: the panel variable, ``start`` and ``end`` (formatted as the time
variable), any ``keep()`` variable, and one variable per expression (``_stat_1`` ... when
unnamed, ``_b_x`` for ``_b``; without a list ``_b`` after an estimation command, otherwise
every ``r()`` scalar). A window whose run fails has missing results.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from libs.engine import textscan, varlist
from libs.engine.dataset import Dataset
from libs.engine.dta_writer import write_dta
from libs.engine.errors import StataError
from libs.engine.estimation.replication import (
    Dots,
    collect_subsamples,
    legend,
    parse_saving,
    replicates_dataset,
    split_prefix,
)
from libs.engine.estimation.tsdata import settings
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

_OPTIONS = Spec("[, Window(integer 0) Recursive RRecursive STepsize(integer 1) Start(string) "
                "End(string) KEEP(string) CLear SAVing(string) noDOTS NOIsily TRace noLegend "
                "Verbose]")


@dataclass(frozen=True)
class Window:
    """One window: its panel (row of the panel's first observation, -1 without panels) and
    its first and last periods."""

    panel_row: int
    start: float
    end: float


@command("rolling", syntax=None)
def rolling(session: Session, args: Args) -> None:
    """``rolling [exp_list] [if] [in], window(#) [options]: command``."""
    prefix = split_prefix(args.raw, "rolling")
    opts = _OPTIONS.parse(", " + prefix.options, session)
    width, step = int(opts.opt("window", 0)), int(opts.opt("stepsize", 1))
    if width < 1:
        raise StataError(198, "option window() required (a positive number of periods)")
    if step < 1:
        raise StataError(198, "stepsize() must be a positive integer")
    if opts.opt("recursive") and opts.opt("rrecursive"):
        raise StataError(198, "options recursive and rrecursive may not be combined")
    saving = parse_saving(session, opts.opt("saving"))
    if saving is None and session.data.changed and not opts.opt("clear"):
        raise StataError(4, "no; dataset in memory has changed since last saved")
    ts = settings(session)
    data = session.data
    exp_list, sample = _exp_list_and_sample(session, prefix.exp_list)
    time = data.numeric(ts.timevar or "")
    panels = data.numeric(ts.panelvar) if ts.panelvar else None
    sample &= np.isfinite(time)
    if panels is not None:
        sample &= np.isfinite(panels)
    bounds = (_time_option(session, opts.opt("start")), _time_option(session, opts.opt("end")))
    kind = "recursive" if opts.opt("recursive") else (
        "rrecursive" if opts.opt("rrecursive") else "rolling")
    windows = _windows(time, panels, sample, width, step, ts.delta, bounds, kind)
    if not windows:
        raise StataError(2000, "no windows: window() is longer than the sample's span")
    noisily = bool(opts.opt("noisily"))
    if not opts.opt("nolegend"):
        session.log.lines(["", *legend(prefix.command, []), ""])
    dots = Dots(session.log, "Rolling replications", len(windows),
                shown=not opts.opt("nodots"))
    masks = []
    for w in windows:
        mask = sample & (time >= w.start) & (time <= w.end)
        if panels is not None:
            mask &= panels == panels[w.panel_row]
        masks.append(mask)
    exps, values = collect_subsamples(session, replace(prefix, exp_list=exp_list), masks, dots,
                                      noisily=noisily, what="window")
    stats = replicates_dataset(exps, values, double=saving is not None and saving.double)
    out = _results(session, windows, opts.opt("keep"), stats)
    out.label = f"rolling: {prefix.command.split()[0]}"
    if saving is not None:
        write_dta(out, saving.path)
        return
    session.data = out
    session.data_filename = ""
    session.tsset = None


def _exp_list_and_sample(session: Session, head: str) -> tuple[str, np.ndarray]:
    """The expression list and the ``if``/``in`` sample written before the comma."""
    cut = min((i for i in (textscan.find_word(head, "if"), textscan.find_word(head, "in"))
               if i >= 0), default=-1)
    if cut < 0:
        return head, np.ones(session.data.n, dtype=np.bool_)
    qualifiers = Spec("[if] [in]").parse(head[cut:], session)
    return head[:cut], qualifiers.touse(session)


def _time_option(session: Session, text: str | None) -> float | None:
    """``start()`` / ``end()``: a time constant (a number or an expression such as
    ``tm(1990m1)``)."""
    if not text:
        return None
    value = Evaluator(session, scalar=True).evaluate(text)
    if isinstance(value, str):
        raise StataError(109, f"{text}: type mismatch")
    return float(value)


def _windows(time: np.ndarray, panels: np.ndarray | None, sample: np.ndarray, width: int,
             step: int, delta: float, bounds: tuple[float | None, float | None],
             kind: str) -> list[Window]:
    """Every window of every panel (panels in sorted order)."""
    out: list[Window] = []
    span = (width - 1) * delta
    ids = panels if panels is not None else np.zeros(time.size)
    for panel in np.unique(ids[sample]):
        rows = np.flatnonzero(sample & (ids == panel))
        first = bounds[0] if bounds[0] is not None else float(time[rows].min())
        last = bounds[1] if bounds[1] is not None else float(time[rows].max())
        panel_row = int(rows[0]) if panels is not None else -1
        for k in np.arange(0.0, last - first - span + delta / 2, step * delta):
            if kind == "recursive":  # first period fixed, the end advances
                out.append(Window(panel_row, first, float(first + span + k)))
            elif kind == "rrecursive":  # last period fixed, the start advances
                out.append(Window(panel_row, float(first + k), last))
            else:
                out.append(Window(panel_row, float(first + k), float(first + k + span)))
    return out


def _results(session: Session, windows: list[Window], keep: str | None,
             stats: Dataset) -> Dataset:
    """Panel variable, ``start``, ``end``, the ``keep()`` variable, then the statistics."""
    ts = settings(session)
    data = session.data
    out = Dataset()
    out.n = len(windows)
    starts = np.array([w.start for w in windows])
    ends = np.array([w.end for w in windows])
    if ts.panelvar:
        var = data.vars[ts.panelvar]
        rows = np.array([w.panel_row for w in windows], dtype=np.intp)
        out.add(ts.panelvar, data.cols[ts.panelvar][rows], var.stype, label=var.label,
                fmt=var.format)
    time_format = data.vars[ts.timevar or ""].format
    out.add("start", starts, "double", fmt=time_format)
    out.add("end", ends, "double", fmt=time_format)
    if keep:
        name, _, where = keep.partition(",")
        name = varlist.expand(data, name, abbrev=session.settings.varabbrev)[0]
        at = starts if where.strip() == "start" else ends
        out.add(name, _values_at(session, name, windows, at), data.vars[name].stype,
                label=data.vars[name].label, fmt=data.vars[name].format)
    for name in stats.varnames:
        if name in out.vars:
            raise StataError(110, f"{name} already defined")
        out.add(name, stats.cols[name], stats.vars[name].stype, label=stats.vars[name].label)
    out.changed = True
    return out


def _values_at(session: Session, name: str, windows: list[Window],
               at: np.ndarray) -> np.ndarray:
    """Values of ``name`` at each window's period ``at`` (in its panel; missing if absent)."""
    ts = settings(session)
    data = session.data
    time = data.numeric(ts.timevar or "")
    panels = data.numeric(ts.panelvar) if ts.panelvar else np.zeros(data.n)
    col = data.cols[name]
    out = np.full(len(windows), "" if col.dtype == np.object_ else np.nan, dtype=col.dtype)
    for k, (w, t) in enumerate(zip(windows, at, strict=True)):
        hit = time == t
        if w.panel_row >= 0:
            hit &= panels == panels[w.panel_row]
        rows = np.flatnonzero(hit)
        if rows.size:
            out[k] = col[rows[0]]
    return out
