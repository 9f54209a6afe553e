"""``permute``: Monte Carlo permutation tests ([R] permute).

``permute permvar exp_list [, reps(#) left right strata(varlist) seed(#)
saving(file[, replace double]) level(#) nodots noisily noheader nolegend notable]: command``
runs the command on the data, then ``reps`` times with the values of ``permvar`` randomly
permuted (within strata), through the session's executor; the data are restored after each
run. ``r()`` holds ``r(b)`` (observed), ``r(c)``, ``r(reps)``, ``r(p)``, ``r(se)``, ``r(ci)``
and ``r(N_reps)``.
"""

from __future__ import annotations

import numpy as np

from libs.engine import varlist
from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.estimation.replication import (
    Dots,
    evaluate,
    expressions,
    legend,
    parse_saving,
    replicate,
    row_matrix,
    run,
    seed_option,
    split_prefix,
)
from libs.engine.formats import format_number
from libs.engine.groups import group_ids
from libs.engine.registry import command
from libs.engine.results import Matrix, Results
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.stata_stats.resampling import permutation_summary

_OPTIONS = Spec("[, Reps(integer 100) LEFT RIGHT STRata(varlist) SEED(string) "
                "SAVing(string) Level(real 95) noDOTS NOIsily noHeader noLegend noTABle "
                "Verbose]")
_EVENTS = {"both": "|T| >= |T(obs)|", "left": "T <= T(obs)", "right": "T >= T(obs)"}


@command("permute", syntax=None)
def permute(session: Session, args: Args) -> None:
    """``permute permvar exp_list [, options]: command``."""
    prefix = split_prefix(args.raw, "permute")
    words = prefix.exp_list.split(None, 1)
    if not words:
        raise StataError(100, "permutation variable required")
    permvar = varlist.resolve(session.data, words[0], abbrev=session.settings.varabbrev)
    exp_list = words[1] if len(words) > 1 else ""
    opts = _OPTIONS.parse(", " + prefix.options, session)
    if opts.opt("left") and opts.opt("right"):
        raise StataError(198, "only one of left or right can be specified")
    event = "left" if opts.opt("left") else "right" if opts.opt("right") else "both"
    reps = int(opts.opt("reps", 100))
    if reps < 1:
        raise StataError(198, "reps() must be positive")
    saving = parse_saving(session, opts.opt("saving"))
    seed_option(session, opts.opt("seed"))
    noisily = bool(opts.opt("noisily"))
    run(session, prefix.command, noisily=noisily)  # the observed statistics
    if not exp_list.strip():
        raise StataError(198, "expression list required")
    exps = expressions(session, exp_list, "_pm")
    observed = evaluate(session, exps)
    original = session.data
    strata, n_strata = group_ids(original, opts.opt("strata")) if opts.opt("strata") else (
        np.zeros(original.n, dtype=np.intp), 1)

    def permuted() -> Dataset:
        """The data with ``permvar`` shuffled within strata (a new dataset each time)."""
        shuffled = original.copy()
        column = original.cols[permvar].copy()
        for s in range(n_strata):
            members = np.flatnonzero(strata == s)
            column[members] = column[session.rng.permutation(members)]
        shuffled.set(permvar, column)
        return shuffled

    dots = Dots(session.log, "Permutations", reps, shown=not opts.opt("nodots"))
    values = replicate(session, prefix.command, exps, reps, permuted, dots, noisily=noisily)
    if saving is not None:
        saving.write(exps, values)
    level = float(opts.opt("level", 95.0))
    summary = permutation_summary(observed, values, event, level)
    names = [e.row for e in exps]
    results = Results(
        scalars={"N": float(original.n), "N_reps": float(reps), "level": level,
                 "k_exp": float(sum(not e.extended for e in exps)),
                 "k_eexp": float(sum(e.extended for e in exps))},
        macros={"cmd": "permute", "command": prefix.command, "permvar": permvar,
                "title": "Monte Carlo permutation results", "event": _EVENTS[event],
                **({event: event} if event != "both" else {}),
                **{f"exp{k}": e.text for k, e in enumerate(exps, start=1)}},
        matrices={"b": row_matrix(observed, names), "c": row_matrix(summary.c, names),
                  "reps": row_matrix(summary.n, names), "p": row_matrix(summary.p, names),
                  "se": row_matrix(summary.se, names),
                  "ci": Matrix(summary.ci, ["ll", "ul"], names)})
    if n_strata > 1:
        results.scalars["N_strata"] = float(n_strata)
        results.macros["strata"] = " ".join(opts.opt("strata"))
    session.post_r(results)
    lines: list[str] = []
    if not opts.opt("noheader"):
        width = max(len(f"{original.n:,}"), len(f"{reps:,}"))
        lines += ["", f"{'Monte Carlo permutation results':<56}Number of obs = "
                      f"{original.n:>{width},}",
                  f"{'':<56}Replications  = {reps:>{width},}"]
        if not opts.opt("nolegend"):
            lines += ["", *legend(prefix.command, exps), f"{'permute var':>13}: {permvar}"]
    if not opts.opt("notable"):
        lines += ["", "-" * 78,
                  f"{'T':<12} |     T(obs)       c       n   p=c/n   SE(p) "
                  f"[{level:g}% conf. interval]", "-" * 13 + "+" + "-" * 64]
        for j, name in enumerate(names):
            lines.append(
                f"{name[:12]:>12} |{format_number(observed[j], '%9.0g'):>11}"
                f"{int(summary.c[j]):>8}{int(summary.n[j]):>8}"
                f"{format_number(summary.p[j], '%7.4f'):>8}"
                f"{format_number(summary.se[j], '%7.4f'):>8}"
                f"{format_number(summary.ci[0, j], '%9.0g'):>10}"
                f"{format_number(summary.ci[1, j], '%9.0g'):>11}")
        lines += ["-" * 78,
                  "Note: Confidence interval"
                  f"{' is' if len(names) == 1 else 's are'} with respect to p=c/n.",
                  f"Note: c = #{{{_EVENTS[event]}}}"]
    session.log.lines(lines)
