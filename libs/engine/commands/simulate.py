"""``simulate``: run a command many times and keep what it leaves in ``r()``/``e()``.

``simulate [exp_list], reps(#) [seed(#) saving(file[, replace double]) nodots noisily
nolegend]: command``. The command runs through the session's executor with the data in
memory as each run leaves it (simulation programs make their own data); at the end the
data in memory are the results: one observation per replication, one variable per
expression (``_sim_1``, ``_sim_2`` ... when unnamed, ``_b_x`` for ``_b``). A replication
that fails is kept as missing values and shown as ``x`` in the dots.
"""

from __future__ import annotations

import numpy as np

from libs.engine.errors import StataError
from libs.engine.estimation.replication import (
    Dots,
    Expression,
    default_expressions,
    evaluate,
    legend,
    parse_saving,
    replicates_dataset,
    run,
    seed_option,
    split_prefix,
)
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

_OPTIONS = Spec("[, Reps(integer -1) SEED(string) SAVing(string) noDOTS NOIsily TRace "
                "noLegend Verbose]")


@command("simulate", syntax=None)
def simulate(session: Session, args: Args) -> None:
    """``simulate [exp_list], reps(#) [options]: command``."""
    prefix = split_prefix(args.raw, "simulate")
    opts = _OPTIONS.parse(", " + prefix.options, session)
    reps = int(opts.opt("reps", -1))
    if reps < 1:
        raise StataError(198, "option reps() is required and must be positive")
    saving = parse_saving(session, opts.opt("saving"))
    seed_option(session, opts.opt("seed"))
    noisily = bool(opts.opt("noisily"))
    exps: list[Expression] | None = None
    rows: list[np.ndarray] = []
    dots = Dots(session.log, "Simulations", reps, shown=not opts.opt("nodots"))
    for rep in range(reps):
        try:
            e_before = session.e
            run(session, prefix.command, noisily=noisily)
            if exps is None:
                exps = default_expressions(session, prefix.exp_list, "_sim", e_before)
            rows.append(evaluate(session, exps))
            dots.tick(True)
        except StataError:
            if exps is None:  # the first replication must work: it defines the statistics
                raise
            rows.append(np.full(len(exps), np.nan))
            dots.tick(False)
        if rep == 0 and not opts.opt("nolegend"):
            assert exps is not None
            session.log.lines(["", *legend(prefix.command, exps), ""])
    dots.done()
    assert exps is not None
    values = np.vstack(rows)
    if saving is not None:
        saving.write(exps, values)
    data = replicates_dataset(exps, values, double=saving is not None and saving.double)
    data.label = f"simulate: {prefix.command.split()[0]}"
    session.data = data
    session.data_filename = ""

