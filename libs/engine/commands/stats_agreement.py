"""``kap`` (Cohen's kappa for two raters) and ``alpha`` (Cronbach's alpha); numbers from
:mod:`libs.stata_stats.agreement`, ``r()`` under Stata's names."""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation.columns import numeric_in, numtext
from libs.engine.estimation.request import stata_errors, weights_of
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats import agreement


@command("kap", syntax="varlist(numeric min=2) [if] [in] [fweight] [, Tab Wgt(name) "
         "ABSolute]", rclass=True)
def kap(session: Session, args: Args) -> None:
    """``kap rater1 rater2 [if] [in] [fweight] [, wgt(w|w2)]``."""
    if len(args.varlist) > 2:
        raise StataError(198, "kap with more than two raters is not provided by the embedded "
                              "engine")
    if args.opt("tab") or args.opt("absolute"):
        raise StataError(198, "kap: options tab and absolute are not provided")
    touse = args.touse(session)
    a, b = (numeric_in(session, v, touse) for v in args.varlist)
    weights = weights_of(session, args)
    ok = np.isfinite(a) & np.isfinite(b)
    w = None
    if weights is not None:
        ok &= np.isfinite(weights.values) & (weights.values != 0)
        w = weights.values[ok]
    with stata_errors():
        res = agreement.kappa(a[ok], b[ok], w, args.opt("wgt") or "")
    lines = [""]
    if args.opt("wgt"):
        lines.append(f"Ratings weighted by wgt({args.opt('wgt')})")
        lines.append("")
    lines += ["             Expected",
              "Agreement   agreement     Kappa   Std. err.         Z      Prob>Z",
              "-" * 65,
              f"{100 * res['prop_o']:>7.2f}%    {100 * res['prop_e']:>7.2f}%  "
              f"{numtext(res['kappa'], '%9.4f')}  {numtext(res['se'], '%9.4f')}  "
              f"{numtext(res['z'], '%9.2f')}  {numtext(res['p'], '%9.4f')}"]
    session.log.lines(lines)
    session.post_r(Results(scalars={k: v for k, v in res.items() if k != "p"}))


@command("alpha", syntax="varlist(numeric min=2) [if] [in] [, ASis CASEwise Detail "
         "GENerate(name) ITem LABel MIN(integer 1) REVerse(varlist) STD]", rclass=True)
def alpha(session: Session, args: Args) -> None:
    """``alpha varlist [, asis casewise generate() min() reverse() std]``."""
    if args.opt("item") or args.opt("detail"):
        raise StataError(198, "alpha: options item and detail are not provided")
    names = args.varlist
    touse = args.touse(session)
    X = np.column_stack([numeric_in(session, v, touse) for v in names])
    if args.opt("casewise"):
        X[~np.isfinite(X).all(axis=1)] = np.nan
    reverse = set(args.opt("reverse") or [])
    if args.opt("asis") or reverse:
        signs = np.array([-1.0 if v in reverse else 1.0 for v in names])
    else:
        with stata_errors():
            signs = agreement.item_signs(X)
    X = X * signs
    if args.opt("std"):
        X = (X - np.nanmean(X, axis=0)) / np.nanstd(X, axis=0, ddof=1)
    with stata_errors():
        res = agreement.alpha(X, std=bool(args.opt("std")))
    reversed_items = [v for v, s in zip(names, signs, strict=True) if s < 0]
    kind = "standardized" if args.opt("std") else "unstandardized"
    lines = ["", f"Test scale = mean({kind} items)", ""]
    if reversed_items:
        lines += [f"Reversed item{'s' if len(reversed_items) > 1 else ''}:  "
                  + " ".join(reversed_items), ""]
    average = ("Average interitem correlation:", res["rho"]) if args.opt("std") else (
        "Average interitem covariance:", res["cov"])
    lines += [f"{average[0]:<32}{numtext(average[1], '%9.0g')}",
              f"{'Number of items in the scale:':<32}{int(res['k']):>9}",
              f"{'Scale reliability coefficient:':<32}{numtext(res['alpha'], '%9.4f')}"]
    session.log.lines(lines)
    if args.opt("generate"):
        present = np.isfinite(X).sum(axis=1)
        score = np.where(present >= max(int(args.opt("min", 1)), 1),
                         np.nansum(X, axis=1) / np.maximum(present, 1), np.nan)
        score[~touse] = np.nan
        session.data.add(args.opt("generate"), score, session.settings.type)
    session.post_r(Results(scalars=res))
