"""``roctab refvar classvar [if] [in] [fweight] [, level(#) graph noref summary]``: the
nonparametric ROC area with DeLong's standard error (numbers from :mod:`libs.stata_stats.roc`).
``refvar`` is 0 for negative and any other value for positive cases; ``graph`` is accepted
and not drawn."""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation.columns import numeric_in, numtext
from libs.engine.estimation.request import stata_errors, weights_of
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats.roc import roc_area


@command("roctab", syntax="varlist(numeric min=2 max=2) [if] [in] [fweight] [, Level(real 95) "
         "Graph noREFline SUMmary BINOmial Detail LORenz Table SPECificity *]", rclass=True)
def roctab(session: Session, args: Args) -> None:
    """``roctab refvar classvar``: ROC area, se, interval."""
    for option in ("binomial", "detail", "lorenz", "table", "specificity"):
        if args.opt(option):
            raise StataError(198, f"roctab: option {option} is not provided by the embedded "
                                  "engine")
    touse = args.touse(session)
    ref, rating = (numeric_in(session, v, touse) for v in args.varlist)
    ok = np.isfinite(ref) & np.isfinite(rating)
    weights = weights_of(session, args)
    counts = np.ones(ref.size, dtype=np.intp)
    if weights is not None:
        ok &= np.isfinite(weights.values) & (weights.values != 0)
        if np.any(weights.values[ok] != np.round(weights.values[ok])):
            raise StataError(401, "may not use noninteger frequency weights")
        counts = np.where(ok, weights.values, 0).astype(np.intp)
    level = float(args.opt("level", 95.0))
    with stata_errors():
        res = roc_area(np.repeat(rating[ok & (ref != 0)], counts[ok & (ref != 0)]),
                       np.repeat(rating[ok & (ref == 0)], counts[ok & (ref == 0)]), level)
    ci = f"[{numtext(level, '%9.0g').strip()}% conf. interval]"
    session.log.lines([
        "", "                      ROC                    Asymptotic normal",
        f"           Obs       area     Std. err.      {ci}",
        "     " + "-" * 60,
        f"     {int(res['N']):>9,}     {res['area']:6.4f}       {res['se']:6.4f}        "
        f"{res['lb']:7.5f}     {res['ub']:7.5f}"])
    session.post_r(Results(scalars=res))
