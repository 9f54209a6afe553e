"""``icc``: intraclass correlations ([R] icc); numbers from :mod:`libs.stata_stats.icc`.

``icc depvar target`` is the one-way random-effects model; ``icc depvar target rater`` the
two-way random-effects model (absolute agreement by default, ``consistency``), or with
``mixed`` the two-way mixed-effects model (consistency by default, ``absolute``). The data are
long: one observation per rating; observations with a missing rating, target or rater are left
out and the rest must be balanced.
"""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation.columns import numeric_in, numtext
from libs.engine.estimation.request import stata_errors
from libs.engine.registry import command
from libs.engine.results import Results
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.stata_stats import icc as icc_stats

_RULE = "-" * 62


@command("icc", syntax="varlist(numeric min=2 max=3) [if] [in] [, MIXed ABSolute "
         "CONSistency TESTvalue(real 0) Level(real 95)]", rclass=True)
def icc(session: Session, args: Args) -> None:
    """``icc depvar target [rater] [if] [in] [, mixed absolute consistency testvalue(#)
    level(#)]``."""
    depvar, target, *rest = args.varlist
    rater = rest[0] if rest else None
    mixed, absolute, consistency = (bool(args.opt(o)) for o in ("mixed", "absolute",
                                                                 "consistency"))
    if rater is None and (mixed or absolute or consistency):
        word = "mixed" if mixed else "absolute" if absolute else "consistency"
        raise StataError(198, f"option {word} not allowed with the one-way model")
    if absolute and consistency:
        raise StataError(198, "options absolute and consistency may not be combined")
    model = "oneway" if rater is None else "mixed" if mixed else "random"
    is_absolute = (model == "random" and not consistency) or (model == "mixed" and absolute)
    testvalue = float(args.opt("testvalue", 0.0))
    if not -1 < testvalue < 1:
        raise StataError(198, "testvalue() must be in (-1, 1)")
    level = float(args.opt("level", 95.0))
    touse = args.touse(session)
    columns = [numeric_in(session, v, touse) for v in (depvar, target, *rest)]
    ok = np.all([np.isfinite(c) for c in columns], axis=0)
    with stata_errors():
        table = icc_stats.layout(columns[0][ok], columns[1][ok],
                                 columns[2][ok] if rater else None)
        individual, average = icc_stats.icc(table, model=model, absolute=is_absolute,
                                            level=level, testvalue=testvalue)
    n, k = table.shape
    kind = "absolute" if is_absolute else "consistency"
    _show(session, depvar, target, rater, model, kind, n, k, level, testvalue,
          individual, average)
    scalars = {"N_target": float(n), "N_rater": float(k), "testvalue": testvalue,
               "level": level}
    for prefix, one in (("icc_i", individual), ("icc_avg", average)):
        scalars[prefix] = one.value
        for field in ("F", "df1", "df2", "p", "lb", "ub"):
            scalars[f"{prefix}_{field}"] = float(getattr(one, field))
    macros = {"model": icc_stats.MODELS[model], "depvar": depvar, "target": target}
    if rater:
        macros["rater"] = rater
        macros["type"] = kind
    session.post_r(Results(scalars=scalars, macros=macros))


def _show(session: Session, depvar: str, target: str, rater: str | None, model: str,
          kind: str, n: int, k: int, level: float, r0: float,
          individual: icc_stats.Icc, average: icc_stats.Icc) -> None:
    title = {"oneway": "One-way random-effects model", "random": "Two-way random-effects model",
             "mixed": "Two-way mixed-effects model"}[model]
    lines = ["", "Intraclass correlations", title]
    if rater:
        lines.append("Absolute agreement" if kind == "absolute" else "Consistency of agreement")
    lines += ["", f"Random effects: {target:<12}{'Number of targets =':>23}{n:>10}"]
    if rater:
        effect = "Fixed" if model == "mixed" else "Random"
        lines.append(f"{effect} effects: {rater:<12}{'Number of raters  =':>23}{k:>10}")
    else:
        lines.append(f"{'':<28}{'Number of raters  =':>23}{k:>10}")
    ci = f"[{level:g}% conf. interval]"
    lines += ["", _RULE, f"{depvar[:22]:>22} |        ICC  {ci:>24}", "-" * 23 + "+" + "-" * 38]
    for label, one in (("Individual", individual), ("Average", average)):
        lines.append(f"{label:>22} | {numtext(one.value, '%10.7g')}  "
                     f"{numtext(one.lb, '%10.7g')}  {numtext(one.ub, '%10.7g')}")
    lines.append(_RULE)
    lines.append("F test that")
    df2 = numtext(individual.df2, "%9.1f").strip()
    lines.append(f"  ICC={r0:.2f}: F({individual.df1:.1f}, {df2}) = "
                 f"{numtext(individual.F, '%9.2f').strip():<14}Prob > F = "
                 f"{numtext(individual.p, '%5.3f').strip()}")
    lines += ["", "Note: ICCs estimate correlations between individual measurements",
              "      and between average measurements made on the same target."]
    session.log.lines(lines)
