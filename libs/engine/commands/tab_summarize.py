"""``tabulate varname, summarize(var)``: means, standard deviations and frequencies of ``var``
by the levels of ``varname`` ([R] tabulate, summarize()).

The layout is Stata's: the title ``Summary of <label>`` centred over the 36 columns of
statistics (wrapped onto more lines when longer), ``%10.0g`` means and standard deviations,
frequencies with thousands separators, a ``Total`` row. A level with one observation has
standard deviation 0, as Stata prints it. Observations with ``var`` missing are left out;
``missing`` keeps the missing levels of ``varname``. Stata stores nothing in ``r()``.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation.columns import level_text, values_in
from libs.engine.formats import format_number
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.tables import tabulate1

_STATS = 36  #: width of the statistics block (three columns of 12)


def one_way(session: Session, args: Args, touse: np.ndarray) -> None:
    """The one-way table of ``summarize(var)`` under ``tabulate``'s options."""
    if args.weight is not None:
        raise StataError(198, "weights with tabulate, summarize() are not supported by the "
                              "embedded engine")
    name, target = args.varlist[0], args.opt("summarize")
    if session.data.var(target).is_string:
        raise StataError(109, "type mismatch")
    y = session.data.numeric(target)
    rows = touse & ~np.isnan(y)
    groups = values_in(session, name, rows)
    table = tabulate1(groups[rows], None, missing=bool(args.opt("missing")), sort=False)
    columns = [(k, h) for k, h, on in (
        ("mean", "Mean", not args.opt("nomeans")), ("sd", "Std. dev.", not args.opt("nostandard")),
        ("freq", "Freq.", not args.opt("nofreq")), ("obs", "Obs.", bool(args.opt("obs")))) if on]
    if not columns:
        raise StataError(198, "nothing to display")
    width = 12 * len(columns)
    label = session.data.vars[target].label or target
    head = session.data.vars[name].label or name
    title = textwrap.wrap(f"Summary of {label}", 34)
    lines = [""] + [f"{'':11} |" + _centred(t, width) for t in title]
    lines += [f"{head[:11]:>11} |" + "".join(f"{h:>12}" for _, h in columns),
              "-" * 12 + "+" + "-" * width]
    kept = groups[rows]
    values = y[rows]
    for level in table.levels:
        if isinstance(level, float) and math.isnan(level):
            mask = np.isnan(kept.astype(np.float64))
        else:
            mask = kept == level
        text = level_text(session, name, level) if not args.opt("nolabel") else _plain(level)
        lines.append(f"{text:>11} |" + _cells(values[mask], columns))
    lines += ["-" * 12 + "+" + "-" * width, f"{'Total':>11} |" + _cells(values, columns)]
    session.log.lines(lines)


def _centred(text: str, width: int) -> str:
    """``text`` centred in ``width`` columns, the odd space on the left (as Stata prints)."""
    return " " * max(0, math.ceil((width - len(text)) / 2)) + text


def _plain(level: object) -> str:
    """A level without its value label (``nolabel``)."""
    return format_number(level, "%9.0g").strip() if isinstance(level, float) else str(level)


def _cells(values: np.ndarray, columns: list[tuple[str, str]]) -> str:
    """One row's statistics: mean and sd in ``%10.0g``, counts with thousands separators."""
    n = len(values)
    stat = {"mean": float(values.mean()) if n else float("nan"),
            "sd": float(values.std(ddof=1)) if n > 1 else (0.0 if n else float("nan"))}
    out = []
    for key, _ in columns:
        if key in stat:
            out.append(f"{format_number(stat[key], '%10.0g'):>12}")
        else:
            out.append(f"{n:>12,}")
    return "".join(out)
