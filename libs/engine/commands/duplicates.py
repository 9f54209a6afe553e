"""``duplicates report|drop|tag|list`` and ``isid``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from libs.engine import varlist
from libs.engine.errors import StataError
from libs.engine.groups import group_ids
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.sorting import sort_data
from libs.engine.syntax import Args, Spec

_SPEC = Spec("[varlist] [if] [in] [, Generate(name) force]")


@command("duplicates", syntax=None, rclass=True)
def duplicates(session: Session, args: Args) -> None:
    """``duplicates report|drop|tag|list [varlist] [if] [in] [, generate() force]``."""
    sub, _, rest = args.raw.strip().partition(" ")
    if sub not in ("report", "drop", "tag", "list", "examples", "e", "r", "l"):
        raise StataError(198, "duplicates: report, drop, tag or list expected")
    parsed = _SPEC.parse(rest, session)
    ds = session.data
    explicit = bool(parsed.anything.strip())
    names = parsed.varlist
    touse = parsed.touse(session)
    ids, _ = group_ids(ds, names)
    ids = np.where(touse, ids, -1)
    sizes = pd.Series(ids).map(pd.Series(ids[touse]).value_counts()).fillna(0).to_numpy()
    surplus = int((pd.Series(ids[touse]).duplicated()).sum())
    log = session.log
    label = "all variables" if not explicit else " ".join(names)
    log.out()
    log.out(f"Duplicates in terms of {label}")
    log.out()
    if sub in ("report", "r"):
        table = pd.Series(sizes[touse]).value_counts().sort_index()
        log.out("--------------------------------------")
        log.out("   Copies | Observations       Surplus")
        log.out("----------+---------------------------")
        for copies, obs in table.items():
            log.out(f"{int(copies):>9} | {int(obs):>12,}{int(obs - obs / copies):>14,}")
        log.out("--------------------------------------")
        session.r.scalars.update({"N": float(touse.sum()), "unique_value": float(
            len(np.unique(ids[touse])))})
    elif sub == "drop":
        if explicit and not parsed.opt("force"):
            raise StataError(198, "force option required with duplicates drop varlist")
        dup = np.zeros(ds.n, dtype=np.bool_)
        dup[touse] = pd.Series(ids[touse]).duplicated().to_numpy()
        if dup.any():
            ds.take(~dup)
        log.out(f"({surplus:,} observation{'s' if surplus != 1 else ''} deleted)")
    elif sub == "tag":
        target = parsed.opt("generate")
        if not target:
            raise StataError(198, "option generate() required")
        varlist.new_names(ds, target)
        ds.add(target, np.where(touse, sizes - 1, np.nan), "int")
    else:
        for g in np.unique(ids[touse & (sizes > 1)]):
            rows = np.flatnonzero(ids == g)
            log.out(f"  group {int(g) + 1}: obs {', '.join(str(r + 1) for r in rows)}")


@command("isid", syntax="varlist [using/] [, Sort Missok]")
def isid(session: Session, args: Args) -> None:
    """``isid varlist``: r(459) unless the variables uniquely identify the observations."""
    ds = session.data
    _, count = group_ids(ds, args.varlist)
    if count != ds.n:
        raise StataError(459, f"variable{'s' if len(args.varlist) > 1 else ''} "
                              f"{' '.join(args.varlist)} do{'' if len(args.varlist) > 1 else 'es'}"
                              " not uniquely identify the observations")
    if not args.opt("missok"):
        for name in args.varlist:
            col = ds.cols[name]
            has_missing = (col == "").any() if col.dtype == np.object_ else np.isnan(col).any()
            if has_missing:
                raise StataError(459, f"variable {name} should never be missing")
    if args.opt("sort"):
        sort_data(session.data, args.varlist)
