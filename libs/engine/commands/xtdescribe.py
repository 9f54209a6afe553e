"""``xtdescribe``: the participation pattern of ``xtset`` panel data ([XT] xtdescribe)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from libs.engine.errors import StataError
from libs.engine.formats import format_number
from libs.engine.percentile import percentile
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args

# the percentiles of T_i shown, with their column widths
_PERCENTILES = ((5, 8), (25, 8), (50, 10), (75, 10), (95, 8))


def _values_line(name: str, values: np.ndarray, label: str, count: int) -> str:
    """``      id:  1, 2, ..., 595        n =  595``: first, second, …, last distinct value."""
    shown = [format_number(float(v), "%12.0g").strip() for v in values]
    listed = ", ".join(shown) if len(shown) <= 3 else f"{shown[0]}, {shown[1]}, ..., {shown[-1]}"
    return f"{name[-8:]:>8}:  {listed}".ljust(60) + f" {label} = {count:>10}"


@command("xtdescribe", abbrev=5, rclass=True,
         syntax="[if] [in] [, Patterns(integer 9) Width(integer 100)]")
def xtdescribe(session: Session, args: Args) -> None:
    """``xtdescribe [if] [in] [, patterns(#) width(#)]``: n panels, T distinct times, delta and
    span, the distribution of T_i (min, the 5/25/50/75/95th percentiles as ``summarize,
    detail`` computes them, max) and the most frequent participation patterns (1 = present,
    . = absent, one column per period of the span); r(n) r(N) r(min) r(max)."""
    ts = session.tsset
    if ts is None or ts.panelvar is None or ts.timevar is None:
        raise StataError(459, "panel variable not set; use xtset varname ...")
    ivar, tvar, delta = ts.panelvar, ts.timevar, ts.delta
    ids, times = session.data.numeric(ivar), session.data.numeric(tvar)
    use = args.touse(session) & ~np.isnan(ids) & ~np.isnan(times)
    if not use.any():
        raise StataError(2000, "no observations")
    ids, times = ids[use], times[use]
    distinct_times = np.unique(times)
    t0 = distinct_times[0]
    span = int(np.rint((distinct_times[-1] - t0) / delta)) + 1
    if args.opt("width", 100) < 1:
        raise StataError(198, "width() must be positive")
    slots = np.rint((times - t0) / delta).astype(np.int64)
    panels = np.unique(ids)
    where = np.searchsorted(panels, ids)
    present = np.zeros((len(panels), span), dtype=bool)
    present[where, slots] = True
    t_i = present.sum(axis=1).astype(np.float64)
    unique = len({(a, b) for a, b in zip(ids.tolist(), slots.tolist(), strict=True)}) == len(ids)

    lines = [
        "",
        _values_line(ivar, panels, "n", len(panels)),
        _values_line(tvar, distinct_times, "T", len(distinct_times)),
        f"{'':11}Delta({tvar}) = {format_number(delta, '%12.0g').strip()} "
        f"unit{'' if delta == 1 else 's'}",
        f"{'':11}Span({tvar})  = {span} period{'' if span == 1 else 's'}",
        f"{'':11}({ivar}*{tvar} "
        + ("uniquely identifies each observation)" if unique
           else "does not uniquely identify observations)"),
        "",
        "Distribution of T_i:   min      5%     25%       50%       75%     95%     max",
        f"{'':20}{t_i.min():>6.0f}"
        + "".join(f"{percentile(t_i, p):>{w}g}" for p, w in _PERCENTILES)
        + f"{t_i.max():>8.0f}",
        "",
    ]
    patterns = Counter("".join("1" if x else "." for x in row) for row in present)
    ranked = sorted(patterns.items(), key=lambda kv: (-kv[1], kv[0]))
    limit = len(ranked) if args.opt("patterns", 9) >= 1000 else max(0, args.opt("patterns", 9))
    rule = " " + "-" * 27 + "+" + "-" * (span + 2)
    lines += ["     Freq.  Percent    Cum. |  Pattern", rule]
    n, cum = len(panels), 0.0
    for pattern, freq in ranked[:limit]:
        cum += 100.0 * freq / n
        lines.append(f"{freq:>9}{100.0 * freq / n:>10.2f}{cum:>8.2f} |  {pattern}")
    rest = sum(freq for _, freq in ranked[limit:])
    if rest:
        lines.append(f"{rest:>9}{100.0 * rest / n:>10.2f}{100.0:>8.2f} | (other patterns)")
    ever = "".join("X" if x else "." for x in present.any(axis=0))
    lines += [rule, f"{n:>9}{100.0:>10.2f}{'':8} |  {ever}"]
    session.log.lines(lines)
    session.post_r(Results(scalars={"n": float(n), "N": float(len(ids)),
                                    "min": float(t_i.min()), "max": float(t_i.max())}))
