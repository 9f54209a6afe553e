"""``xtsum``: means and standard deviations of panel data, split into between and within
([XT] xtsum; the rules of xtsum.ado).

For each variable, over the observations with it non-missing: overall mean, sd, min and max
(N rows); between: the sd, min and max of the panel means x̄ᵢ (n panels); within: the sd of
xᵢₜ − x̄ᵢ and its min and max with the overall mean added back. ``T`` is N/n, shown as ``T``
when every panel has the same count and ``T-bar`` otherwise.
"""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.formats import format_number
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.timeseries import apply, panel_codes
from libs.engine.varlist import Factor, abbreviate

_HEADER = ("", "Variable         |      Mean   Std. dev.       Min        Max |    Observations",
           "-" * 17 + "+" + "-" * 44 + "+" + "-" * 16)
_GAP = " " * 17 + "|" + " " * 44 + "|"


@command("xtsum", byable="recall", rclass=True, syntax="[varlist(ts)] [if] [in] [, I(varname)]")
def xtsum(session: Session, args: Args) -> None:
    """``xtsum [varlist] [if] [in] [, i(panelvar)]``: r(N n Tbar mean sd min max sd_b min_b
    max_b sd_w min_w max_w) of the last variable."""
    ts = session.tsset
    ivar = args.opt("i") or (ts.panelvar if ts is not None else None)
    if not ivar:
        raise StataError(459, "panel variable not set; use xtset varname ...")
    touse = args.touse(session)
    panel = panel_codes(session.data.numeric(ivar))
    order = _panel_order(session, panel, ivar)
    factors = [t.factors[0] for t in args.terms or []] or [
        Factor(var=v, factor=False) for v in session.data.varnames]
    lines = list(_HEADER)
    scalars: dict[str, float] = {}
    for k, f in enumerate(factors):
        name = f.label if f.ts else f.var
        x = (None if session.data.var(f.var).is_string
             else apply(session.data, session.tsset, f.var, f.ts) if f.ts
             else session.data.numeric(f.var))
        scalars, same_t = _statistics(x, panel, order, touse)
        lines += _rows(name, scalars, same_t)
        if k < len(factors) - 1:
            lines.append(_GAP)
    session.log.lines(lines)
    session.post_r(Results(scalars=scalars))


def _panel_order(session: Session, panel: np.ndarray, ivar: str) -> np.ndarray:
    """Row order by panel, then time (xtsum.ado sorts by the panel and time variables)."""
    ts = session.tsset
    keys: list[np.ndarray] = [np.arange(len(panel), dtype=np.float64)]
    if ts is not None and ts.timevar and ts.panelvar == ivar:
        keys.insert(0, session.data.numeric(ts.timevar))
    keys.insert(0, panel)
    return np.lexsort(keys[::-1])


def _statistics(x: np.ndarray | None, panel: np.ndarray, order: np.ndarray,
                touse: np.ndarray) -> tuple[dict[str, float], bool]:
    """xtsum.ado's scalars for one variable (a string variable: N = n = 0, the rest missing)
    and whether every panel has the same count (``T`` rather than ``T-bar``)."""
    nan = float("nan")
    out = {"N": 0.0, "n": 0.0, "Tbar": nan, "mean": nan, "sd": nan, "min": nan, "max": nan,
           "sd_b": nan, "min_b": nan, "max_b": nan, "sd_w": nan, "min_w": nan, "max_w": nan}
    if x is None:
        return out, True
    used = touse & ~np.isnan(x)
    n_obs = int(used.sum())
    out["N"] = float(n_obs)
    if n_obs == 0:
        return out, True
    xs, mean = x[used], float(x[used].mean())
    out.update(mean=mean, sd=_sd(xs), min=float(xs.min()), max=float(xs.max()))
    codes, inverse = np.unique(panel[used], return_inverse=True)
    counts = np.bincount(inverse).astype(np.float64)
    means = np.bincount(inverse, weights=xs) / counts
    within = xs - means[inverse]
    out.update(n=float(len(codes)), sd_b=_sd(means), min_b=float(means.min()),
               max_b=float(means.max()), sd_w=_sd(within), min_w=float(within.min()) + mean,
               max_w=float(within.max()) + mean, Tbar=n_obs / len(codes))
    # T or T-bar: the counts of the panels whose last observation (by time) is in the sample
    ordered = panel[order]
    last = order[np.r_[ordered[1:] != ordered[:-1], True]]
    shown = counts[np.searchsorted(codes, panel[last[used[last]]])]
    return out, bool(len(shown) == 0 or shown.min() == shown.max())


def _sd(values: np.ndarray) -> float:
    """Standard deviation with divisor n − 1; missing for fewer than two values."""
    return float(values.std(ddof=1)) if len(values) > 1 else float("nan")


def _rows(name: str, s: dict[str, float], same: bool) -> list[str]:
    """The overall, between and within lines of one variable."""

    def g(key: str) -> str:
        return format_number(s[key], "%9.0g")

    label = "    T" if same else "T-bar"
    return [
        f"{abbreviate(name, 8):<9}overall | {g('mean')}  {g('sd')}  {g('min')}  {g('max')} |"
        f"     N ={format_number(s['N'], '%8.0f')}",
        f"{'':9}between |{'':12}{g('sd_b')}  {g('min_b')}  {g('max_b')} |"
        f"     n ={format_number(s['n'], '%8.0f')}",
        f"{'':9}within  |{'':12}{g('sd_w')}  {g('min_w')}  {g('max_w')} |"
        f" {label} ={format_number(s['Tbar'], '%8.0g')}",
    ]
