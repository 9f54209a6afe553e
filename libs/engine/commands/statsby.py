"""``statsby``: run a command once per group and keep what it leaves in ``r()``/``e()``.

``statsby [exp_list], by(varlist[, missing]) [clear saving(file[, replace double]) total
forcedrop nodots noisily nolegend]: command``. Each group's run sees the whole dataset with the
other groups excluded, as Stata's ``command if group`` does (``forcedrop`` drops them from
memory instead, for commands that take no ``if``). The data in memory become one observation
per group: the ``by()`` variables (sorted; with ``total``, a last observation for all groups
with the ``by()`` variables missing) and one variable per expression — ``_stat_1`` ... when
unnamed, ``_b_x`` for ``_b``; without an expression list ``_b`` after an estimation command,
otherwise every ``r()`` scalar. Groups with a missing ``by()`` value are left out unless
``by(..., missing)``. A group whose run fails has missing results (an ``x`` in the dots).
"""

from __future__ import annotations

import numpy as np

from libs.engine import varlist
from libs.engine.dataset import Dataset
from libs.engine.dta_writer import write_dta
from libs.engine.errors import StataError
from libs.engine.estimation.replication import (
    Dots,
    collect_subsamples,
    legend,
    parse_saving,
    replicates_dataset,
    split_prefix,
)
from libs.engine.groups import group_ids
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

_OPTIONS = Spec("[, by(string) CLear SAVing(string) Total FORCEdrop noDOTS NOIsily TRace "
                "noLegend Verbose]")


@command("statsby", syntax=None)
def statsby(session: Session, args: Args) -> None:
    """``statsby [exp_list], by(varlist) [options]: command``."""
    prefix = split_prefix(args.raw, "statsby")
    opts = _OPTIONS.parse(", " + prefix.options, session)
    saving = parse_saving(session, opts.opt("saving"))
    if saving is None and session.data.changed and not opts.opt("clear"):
        raise StataError(4, "no; dataset in memory has changed since last saved")
    data = session.data
    by_text, _, by_opts = (opts.opt("by") or "").partition(",")
    if by_opts.strip() not in ("", "missing", "miss", "missi", "missin"):
        raise StataError(198, f"by(): option {by_opts.strip()} not allowed")
    by_vars = varlist.expand(data, by_text, abbrev=session.settings.varabbrev)
    masks, firsts = _groups(data, by_vars, keep_missing=bool(by_opts.strip()))
    if opts.opt("total"):
        masks.append(np.ones(data.n, dtype=np.bool_))
        firsts.append(-1)
    if not masks:
        raise StataError(2000, "no observations")
    noisily = bool(opts.opt("noisily"))
    if not opts.opt("nolegend"):
        lines = legend(prefix.command, [])
        session.log.lines(["", *lines, f"{'By':>13}: {' '.join(by_vars)}", ""])
    dots = Dots(session.log, "Statsby groups", len(masks), shown=not opts.opt("nodots"))
    exps, values = collect_subsamples(session, prefix, masks, dots, noisily=noisily,
                                      drop_others=bool(opts.opt("forcedrop")), what="group")
    out = _with_groups(data, by_vars, firsts,
                       replicates_dataset(exps, values, double=saving is not None
                                          and saving.double))
    out.label = f"statsby: {prefix.command.split()[0]}"
    if saving is not None:
        write_dta(out, saving.path)
        return
    session.data = out
    session.data_filename = ""


def _groups(data: Dataset, by_vars: list[str], *,
            keep_missing: bool) -> tuple[list[np.ndarray], list[int]]:
    """A mask and the first observation of each group, in sorted order of the values."""
    if not by_vars:
        return [np.ones(data.n, dtype=np.bool_)], [-1]
    ids, count = group_ids(data, by_vars)
    masks, firsts = [], []
    for g in range(count):
        mask = ids == g
        first = int(np.flatnonzero(mask)[0])
        if not keep_missing and any(_is_missing(data, v, first) for v in by_vars):
            continue
        masks.append(mask)
        firsts.append(first)
    return masks, firsts


def _is_missing(data: Dataset, name: str, row: int) -> bool:
    value = data.cols[name][row]
    return value == "" if isinstance(value, str) else bool(np.isnan(value))


def _with_groups(data: Dataset, by_vars: list[str], firsts: list[int],
                 stats: Dataset) -> Dataset:
    """The ``by()`` variables (type, format, label and value labels kept) of each group's
    first observation (missing for the total) followed by the statistics."""
    out = Dataset()
    out.n = len(firsts)
    index = np.array(firsts, dtype=np.intp)
    for name in by_vars:
        var, col = data.vars[name], data.cols[name]
        values = col[np.maximum(index, 0)].copy()
        values[index < 0] = "" if col.dtype == np.object_ else np.nan
        out.add(name, values, var.stype, label=var.label, fmt=var.format)
        if var.value_label:
            out.vars[name].value_label = var.value_label
            out.value_labels[var.value_label] = dict(data.value_labels.get(var.value_label, {}))
    for name in stats.varnames:
        if name in out.vars:
            raise StataError(110, f"{name} already defined (a by() variable)")
        out.add(name, stats.cols[name], stats.vars[name].stype, label=stats.vars[name].label)
    out.changed = True
    return out
