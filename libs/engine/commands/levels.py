"""``levelsof``: the distinct values of a variable, as a macro list."""

from __future__ import annotations

import numpy as np

from libs.engine import missing
from libs.engine.formats import macro_text
from libs.engine.macros import quote_word
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args


@command("levelsof", syntax="varname [if] [in] [, Separate(string) MISSing "
         "Local(name) Clean]", rclass=True)
def levelsof(session: Session, args: Args) -> None:
    """``levelsof var [if] [in] [, local(name) clean missing separate()]``."""
    ds = session.data
    name = args.varlist[0]
    col = ds.cols[name][args.touse(session)]
    if col.dtype == np.object_:
        values = sorted({str(v) for v in col if v != "" or args.opt("missing")})
        words = values if args.opt("clean") else [f'`"{v}"\'' for v in values]
        words = [quote_word(v) if args.opt("clean") else w for v, w in
                 zip(values, words, strict=True)]
    else:
        keyed = col if args.opt("missing") else col[~np.isnan(col)]
        uniq = np.unique(missing.order_key(keyed.astype(np.float64)))
        words = [macro_text(v) if v < 8e307 else "." for v in uniq]
    sep = args.opt("separate")
    text = (sep if sep is not None else " ").join(words)
    session.log.out(text)
    session.r.macros["levels"] = text
    session.r.scalars["r"] = float(len(words))
    if args.opt("local"):
        session.set_local(args.opt("local"), text)
