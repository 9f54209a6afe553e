"""``tsset`` / ``xtset``: declare the time (and panel) structure used by L. D. F. S."""

from __future__ import annotations

import re

import numpy as np

from libs.engine import formats
from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.sorting import sort_data
from libs.engine.syntax import Args, Spec
from libs.engine.timeseries import TsSettings, panel_codes

_TSSET = Spec("varlist(min=1 max=2) [, DELta(string) clear Clocktime Daily Weekly Monthly "
              "Quarterly Halfyearly Yearly Generic Format(string) noquery]")

#: unit (its option) -> (the letter of its %t format, the word of one period: "1 month")
_UNITS = {"clocktime": ("c", "millisecond"), "daily": ("d", "day"), "weekly": ("w", "week"),
          "monthly": ("m", "month"), "quarterly": ("q", "quarter"),
          "halfyearly": ("h", "halfyear"), "yearly": ("y", "year"), "generic": ("g", "unit")}
_BY_LETTER = {letter: unit for unit, (letter, _) in _UNITS.items()}
#: delta() units of clock times, in milliseconds; other %t times take their own period's
#: word (and daily ones weeks of 7 days)
_CLOCK_UNITS = {"sec": 1e3, "second": 1e3, "min": 6e4, "minute": 6e4, "hour": 3.6e6,
                "day": 8.64e7, "week": 6.048e8}
#: clock deltas shown in the largest unit that divides them
_CLOCK_SHOWN = (("week", 6.048e8), ("day", 8.64e7), ("hour", 3.6e6), ("minute", 6e4),
                ("second", 1e3), ("millisecond", 1.0))
_DELTA_TERM = re.compile(r"\s*(\([^()]*(?:\([^()]*\)[^()]*)*\)|[-+0-9.eE]+)\s*([A-Za-z]*)")


def _declare(session: Session, args: Args, *, panel_first: bool, command_name: str) -> None:
    ds = session.data
    if not args.raw.strip() or args.raw.strip().startswith(","):
        current = session.tsset
        if current is None:
            raise StataError(111, "time variable not set" if command_name == "tsset" else
                                  "panel variable not set")
        # Without arguments: the settings again (and r()), the data sorted by them.
        sort_data(ds, [v for v in (current.panelvar, current.timevar) if v])
        _report(session, current.panelvar, current.timevar, current.delta,
                current.unit or "generic")
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
    for name in (panel, time):
        if name and ds.vars[name].is_string:
            raise StataError(109, f"variable {name} is string; use encode")
    if time:
        _set_format(ds, time, parsed)
    unit = _unit(ds.vars[time].format) if time else "generic"
    delta = _delta(session, parsed.opt("delta"), unit) if time else 1.0
    if time:
        _check_times(ds, panel, time, delta)
    session.tsset = TsSettings(timevar=time, panelvar=panel, delta=delta,
                               unit="" if unit == "generic" else unit)
    sort_data(session.data, [v for v in (panel, time) if v])
    _report(session, panel, time, delta, unit)


def _set_format(ds: Dataset, time: str, parsed: Args) -> None:
    """A unit option or format() gives the time variable that display format."""
    chosen = [f"%t{letter}" for unit, (letter, _) in _UNITS.items() if parsed.opt(unit)]
    if len(chosen) > 1:
        raise StataError(198, "only one of clocktime, daily, ..., generic may be specified")
    fmt = parsed.opt("format")
    if fmt:
        if not formats.is_valid(fmt):
            raise StataError(120, f"invalid %format {fmt}")
        ds.vars[time].format = fmt
    elif chosen and _unit(ds.vars[time].format) != _unit(chosen[0]):
        ds.vars[time].format = chosen[0]


def _unit(fmt: str) -> str:
    found = re.match(r"^%-?t([cCdwmqhy])", fmt)
    return _BY_LETTER[found.group(1).lower()] if found else "generic"


def _delta(session: Session, text: str | None, unit: str) -> float:
    """delta(#), delta((exp)), delta(# units), with several terms for clock times
    ("7 days 15 minutes"), in the time variable's own units."""
    if not text or not text.strip():
        return 1.0
    total, rest = 0.0, text.strip()
    while rest:
        term = _DELTA_TERM.match(rest)
        if term is None or not term.group(0).strip():
            raise StataError(198, f"delta({text}) invalid")
        number, word = term.groups()
        value = (float(Evaluator(session, scalar=True).numeric(number[1:-1])[0])
                 if number.startswith("(") else _float(number, text))
        if word:
            per = _CLOCK_UNITS if unit == "clocktime" else _periods(unit)
            key = word.lower().removesuffix("s")
            if key not in per:
                raise StataError(198, f"delta({text}) invalid: {word} is not a unit of "
                                      f"{unit} times")
            value *= per[key]
        elif total:
            raise StataError(198, f"delta({text}) invalid")
        total += value
        rest = rest[term.end():]
    if not np.isfinite(total) or total <= 0 or total != round(total):
        raise StataError(198, "delta() must be a positive integer")
    return total


def _periods(unit: str) -> dict[str, float]:
    """delta() units of a non-clock unit, in its own periods (none for generic times)."""
    if unit == "generic":
        return {}
    return {_UNITS[unit][1]: 1.0, **({"week": 7.0} if unit == "daily" else {})}


def _float(number: str, text: str) -> float:
    try:
        return float(number)
    except ValueError:
        raise StataError(198, f"delta({text}) invalid") from None


def _delta_text(delta: float, unit: str) -> str:
    """What Stata shows after "Delta:" (r(tdeltas)): "1 unit", "1 month", "2 days"."""
    if unit == "clocktime":
        word, size = next((w, z) for w, z in _CLOCK_SHOWN if delta % z == 0)
        count = delta / size
    else:
        word, count = _UNITS[unit][1], delta
    return f"{formats.general(count, 12)} {word}{'' if count == 1 else 's'}"


def _report(session: Session, panel: str | None, time: str | None, delta: float,
            unit: str) -> None:
    """The declaration's lines and r(): Stata's tsset output and stored results."""
    ds, log, r = session.data, session.log, session.r  # r() was cleared: an r-class command
    log.out()
    pad = " " if panel else ""  # Stata right-aligns the labels on the longest one
    if panel:
        pv = ds.numeric(panel)
        known = pv[np.isfinite(pv)]
        kind = _balance(pv, ds.numeric(time)) if time else ""
        log.out(f"Panel variable: {panel} ({kind})".replace(" ()", ""))
        r.macros["panelvar"] = panel
        if kind:
            r.macros["balanced"] = kind
        if known.size:
            r.scalars.update({"imin": float(known.min()), "imax": float(known.max())})
    if time:
        t = ds.numeric(time)
        known = t[np.isfinite(t)]
        fmt = ds.vars[time].format
        gaps = _gaps(ds, panel, time, delta)
        lo, hi = (float(known.min()), float(known.max())) if known.size else (np.nan, np.nan)
        shown = [formats.display(v, fmt).strip() if unit != "generic" else
                 formats.general(v, 12) for v in (lo, hi)]
        log.out(f"{pad}Time variable: {time}, {shown[0]} to {shown[1]}"
                + (", but with gaps" if gaps else ""))
        deltas = _delta_text(delta, unit)
        log.out(f"{pad}        Delta: {deltas}")
        r.macros.update({"timevar": time, "unit": unit, "unit1": _UNITS[unit][0], "tsfmt": fmt,
                         "tmins": shown[0], "tmaxs": shown[1], "tdeltas": deltas})
        r.scalars.update({"tmin": lo, "tmax": hi, "tdelta": delta, "gaps": float(gaps)})


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


def _balance(panel: np.ndarray, time: np.ndarray) -> str:
    """"strongly balanced" when every panel is observed at the same times (a row without a
    time makes it unbalanced, as Stata's count of times per panel then differs), else
    "unbalanced"."""
    if np.isnan(time).any():
        return "unbalanced"
    counts = np.unique(panel, return_counts=True)[1]
    strong = len(set(counts.tolist())) == 1 and len(np.unique(time)) == counts[0]
    return "strongly balanced" if strong else "unbalanced"


def _gaps(ds: Dataset, panel: str | None, time: str, delta: float) -> bool:
    """A step other than delta between consecutive known times of a panel (data sorted)."""
    t = ds.numeric(time)
    same = np.isfinite(t[1:]) & np.isfinite(t[:-1])
    if panel:
        p = panel_codes(ds.numeric(panel))
        same &= p[1:] == p[:-1]
    return bool(((t[1:] - t[:-1]) != delta)[same].any())


@command("tsset", syntax=None, rclass=True)
def tsset(session: Session, args: Args) -> None:
    """``tsset [panelvar] timevar [, delta()]``."""
    _declare(session, args, panel_first=False, command_name="tsset")


@command("xtset", syntax=None, rclass=True)
def xtset(session: Session, args: Args) -> None:
    """``xtset panelvar [timevar] [, delta()]``."""
    _declare(session, args, panel_first=True, command_name="xtset")
