"""``pctile``, ``xtile`` and ``_pctile``: percentiles of an expression and the quantile
category of each observation ([D] pctile).

Percentiles use Stata's default definition (:func:`percentile.percentile`: with P = n·p/100,
x(⌈P⌉), or the mean of x(P) and x(P+1) when P is whole; weights by their cumulative sums) or,
with ``altdef``, (n+1)·p/100 interpolation. ``nquantiles(q)`` asks for the percentiles
100·i/q, i = 1 … q−1. ``xtile`` puts an observation in category i when it lies above the
(i−1)-th cut point and at or below the i-th (``cutpoints(var)`` takes the cut points from a
variable's nonmissing values); ``pctile`` stores the percentiles in the first q−1
observations of a new variable (``genp()`` the percentages); ``_pctile`` returns them as
``r(r1)`` … (``percentiles(numlist)`` for any list).
"""

from __future__ import annotations

import numpy as np

from libs.engine import storage_types, varlist
from libs.engine.errors import StataError
from libs.engine.estimation.request import weights_of
from libs.engine.evaluator import Evaluator
from libs.engine.percentile import percentile, percentile_altdef
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.values import is_string

_OPTS = "[aweight fweight pweight] [, Nquantiles(integer 2) ALTdef"


def _values(session: Session, args: Args, expression: str) -> tuple[np.ndarray, np.ndarray,
                                                                     np.ndarray | None]:
    """The expression over the sample (missing outside), the sample and the weights."""
    value = Evaluator(session, session.by).evaluate(expression)
    if is_string(value):
        raise StataError(109, "type mismatch")
    x = np.broadcast_to(np.asarray(value, dtype=np.float64), (session.data.n,)).copy()
    touse = args.touse(session) & np.isfinite(x)
    weights = weights_of(session, args)
    w = None
    if weights is not None:
        w = weights.values
        touse &= np.isfinite(w) & (w != 0)
        if np.any(w[touse] < 0):
            raise StataError(402, "negative weights encountered")
        if args.opt("altdef"):
            raise StataError(198, "altdef may not be combined with weights")
    x[~touse] = np.nan
    return x, touse, w


def _percentiles(x: np.ndarray, touse: np.ndarray, w: np.ndarray | None, ps: list[float],
                 altdef: bool) -> list[float]:
    if not touse.any():
        raise StataError(2000, "no observations")
    if altdef:
        return [percentile_altdef(x[touse], p) for p in ps]
    weights = None if w is None else w[touse]
    return [percentile(x[touse], p, weights) for p in ps]


def _quantiles(args: Args) -> list[float]:
    q = int(args.opt("nquantiles", 2))
    if q < 2:
        raise StataError(198, "nquantiles() must be greater than or equal to 2")
    return [100.0 * i / q for i in range(1, q)]


def _new_variable(session: Session, text: str) -> tuple[str, str | None]:
    """``[type] newvar`` → the name and the type (None: the default)."""
    words = text.split()
    if not 1 <= len(words) <= 2:
        raise StataError(198, "invalid syntax")
    stype = words[0] if len(words) == 2 else None
    if stype is not None and (not storage_types.is_valid_type(stype)
                              or storage_types.is_string_type(stype)):
        raise StataError(198, f"{stype} invalid type")
    varlist.new_names(session.data, words[-1])
    return words[-1], stype


@command("pctile", syntax=f"anything =exp [if] [in] {_OPTS} GENp(name)]")
def pctile(session: Session, args: Args) -> None:
    """``pctile [type] newvar = exp [if] [in] [weight] [, nquantiles(#) genp() altdef]``."""
    name, stype = _new_variable(session, args.anything)
    genp = args.opt("genp")
    if genp:
        varlist.new_names(session.data, genp)
    assert args.exp is not None
    x, touse, w = _values(session, args, args.exp)
    ps = _quantiles(args)
    if len(ps) > session.data.n:
        raise StataError(198, "nquantiles() must be less than or equal to _N + 1")
    column = np.full(session.data.n, np.nan)
    column[: len(ps)] = _percentiles(x, touse, w, ps, bool(args.opt("altdef")))
    session.data.add(name, column, stype or session.settings.type)
    if genp:
        percents = np.full(session.data.n, np.nan)
        percents[: len(ps)] = ps
        session.data.add(genp, percents, session.settings.type)


@command("xtile", syntax=f"anything =exp [if] [in] {_OPTS} Cutpoints(varname)]")
def xtile(session: Session, args: Args) -> None:
    """``xtile newvar = exp [if] [in] [weight] [, nquantiles(#) cutpoints(var) altdef]``."""
    name, stype = _new_variable(session, args.anything)
    assert args.exp is not None
    x, touse, w = _values(session, args, args.exp)
    cut_var = args.opt("cutpoints")
    if cut_var:
        if args.opt("nquantiles", 2) != 2 or args.opt("altdef") or w is not None:
            raise StataError(198, "cutpoints() may not be combined with nquantiles(), altdef "
                                  "or weights")
        cuts = session.data.numeric(cut_var)
        cuts = np.sort(cuts[np.isfinite(cuts)])
    else:
        cuts = np.array(_percentiles(x, touse, w, _quantiles(args), bool(args.opt("altdef"))))
    category = np.full(session.data.n, np.nan)
    category[touse] = np.searchsorted(cuts, x[touse], side="left") + 1.0
    session.data.add(name, category, stype or storage_types.compact_type(category))


@command("_pctile", syntax="varname(numeric) [if] [in] [aweight fweight pweight] "
         "[, Nquantiles(integer 2) Percentiles(numlist) ALTdef]", rclass=True)
def pctile_r(session: Session, args: Args) -> None:
    """``_pctile var [if] [in] [weight] [, nquantiles(#) percentiles(numlist) altdef]``:
    ``r(r1)``, ``r(r2)`` …"""
    x, touse, w = _values(session, args, args.varlist[0])
    ps = args.opt("percentiles") or _quantiles(args)
    if any(not 0 <= p <= 100 for p in ps):
        raise StataError(198, "percentiles() must be between 0 and 100")
    if len(ps) > 1000:
        raise StataError(198, "at most 1,000 percentiles")
    values = _percentiles(x, touse, w, list(ps), bool(args.opt("altdef")))
    session.post_r(Results(scalars={f"r{i + 1}": v for i, v in enumerate(values)}))
