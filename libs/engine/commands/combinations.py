"""Datasets of combinations: ``cross`` (every pair of observations of two datasets),
``fillin`` (every combination of a varlist's values) and ``contract`` (a dataset of the
combinations that occur, with their frequencies), as Stata's [D] manual describes them."""

from __future__ import annotations

import itertools

import numpy as np

from libs.engine import storage_types, varlist
from libs.engine.dataset import Column, Dataset
from libs.engine.dta_reader import read_dta
from libs.engine.errors import StataError
from libs.engine.estimation.request import weights_of
from libs.engine.formats import is_valid
from libs.engine.groups import group_ids
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.sorting import sort_data
from libs.engine.syntax import Args


@command("cross", syntax="using/")
def cross(session: Session, args: Args) -> None:
    """``cross using file``: the first observation in memory paired with every observation of
    ``file``, then the second, ...; variables in both keep the values in memory."""
    assert args.using is not None
    master = session.data
    other = read_dta(session.path(args.using, ext=".dta", must_exist=True))
    rows_m = np.repeat(np.arange(master.n), other.n)
    rows_u = np.tile(np.arange(other.n), master.n)
    out = Dataset()
    out.n = len(rows_m)
    for source, rows in ((master, rows_m), (other, rows_u)):
        for name in source.varnames:
            if name in out.vars:
                continue
            var = source.vars[name]
            out.add(name, source.cols[name][rows], var.stype, label=var.label, fmt=var.format)
            out.vars[name].value_label = var.value_label
            out.vars[name].chars = dict(var.chars)
    out.value_labels = {**other.value_labels, **master.value_labels}
    out.label, out.chars = master.label, dict(master.chars)
    session.data = out


@command("fillin", syntax="varlist(min=2)")
def fillin(session: Session, args: Args) -> None:
    """``fillin varlist``: add observations (other variables missing) so that every
    combination of the varlist's values exists; ``_fillin`` is 1 for the added ones."""
    fill_combinations(session.data, args.varlist)


def fill_combinations(ds: Dataset, names: list[str]) -> None:
    """What ``fillin names`` does to ``ds``: add the missing combinations (missing values count
    as values), mark them in ``_fillin``, sort by ``names``."""
    if "_fillin" in ds.vars:
        raise StataError(110, "_fillin already defined")
    codes = [group_ids(ds, [name]) for name in names]
    firsts = [np.unique(ids, return_index=True)[1] for ids, _ in codes]
    seen = {tuple(row) for row in np.column_stack([ids for ids, _ in codes]).tolist()}
    absent = [combo for combo in itertools.product(*(range(k) for _, k in codes))
              if combo not in seen]
    ds.add("_fillin", np.zeros(ds.n), "byte")
    if absent:
        combos = np.array(absent, dtype=np.intp)
        for name in ds.varnames:
            col = ds.cols[name]
            extra: Column
            if name in names:
                k = names.index(name)
                extra = col[firsts[k][combos[:, k]]]
            elif name == "_fillin":
                extra = np.ones(len(absent))
            else:
                extra = np.full(len(absent), "" if col.dtype == np.object_ else np.nan,  # type: ignore[assignment]
                                dtype=col.dtype)
            ds.cols[name] = np.concatenate([col, extra])
        ds.n += len(absent)
        ds.changed = True
    sort_data(ds, names)


@command("contract", syntax="varlist [if] [in] [fweight] [, Freq(name) CFreq(name) "
         "Percent(name) CPercent(name) FLOAT FORMat(string) Zero noMISS]")
def contract(session: Session, args: Args) -> None:
    """``contract varlist [if] [in] [fw] [, freq() cfreq() percent() cpercent() float
    format() zero nomiss]``: replace the data by one observation per combination of the
    varlist's values that occurs, with its frequency (``_freq``), sorted by the varlist."""
    ds = session.data
    names = args.varlist
    percents = [args.opt("percent"), args.opt("cpercent")]
    if (args.opt("float") or args.opt("format")) and not any(percents):
        raise StataError(198, "percent or cpercent must be specified")
    fmt = args.opt("format") or "%8.2f"
    if not is_valid(fmt):
        raise StataError(120, f"invalid %format {fmt}")
    freq = args.opt("freq") or "_freq"
    if freq in ds.vars and not args.opt("freq"):
        raise StataError(110, "_freq already defined: use freq() option to specify frequency "
                              "variable")
    varlist.new_names(ds, " ".join(v for v in (freq, args.opt("cfreq"), *percents) if v))
    if args.opt("zero") and "_fillin" in ds.vars:
        raise StataError(110, "_fillin already defined")
    touse = args.touse(session)
    if args.opt("nomiss"):  # combinations with a missing value are left out
        for name in names:
            col = ds.cols[name]
            touse &= (col != "") if col.dtype == np.object_ else ~np.isnan(col)
    if not touse.any():
        raise StataError(2000, "no observations")
    weights = weights_of(session, args)
    counts = np.ones(ds.n) if weights is None else weights.values
    out = ds.copy()
    out.take(touse)
    out.drop([v for v in out.varnames if v not in names])
    weight = session.tempname()
    out.add(weight, counts[touse], "double")
    sort_data(out, names)
    ids, groups = group_ids(out, names)
    total = np.bincount(ids, weights=out.numeric(weight), minlength=groups)
    out.take(np.unique(ids, return_index=True)[1])
    out.drop([weight])
    out.add(freq, total, "long", label="Frequency")
    if args.opt("zero"):
        fill_combinations(out, names)
        out.set(freq, np.where(np.isnan(out.numeric(freq)), 0.0, out.numeric(freq)))
        out.drop(["_fillin"])
    _frequencies(out, args, freq, fmt)
    out.sortedby = list(names)
    session.data = out


def _frequencies(ds: Dataset, args: Args, freq: str, fmt: str) -> None:
    """Cumulative frequency and percentages (double unless ``float``), then Stata's
    ``compress`` of the new variables."""
    numtype = "float" if args.opt("float") else "double"
    counts = ds.numeric(freq)
    cumulative = np.cumsum(counts)
    total = counts.sum()
    made = [freq]
    if args.opt("cfreq"):
        ds.add(args.opt("cfreq"), cumulative, numtype, label="Cumulative frequency")
        made.append(args.opt("cfreq"))
    for name, values, label in ((args.opt("percent"), 100 * counts / total, "Percent"),
                                (args.opt("cpercent"), 100 * cumulative / total,
                                 "Cumulative percent")):
        if name:
            ds.add(name, values, numtype, label=label, fmt=fmt)
            made.append(name)
    order = storage_types.NUMERIC_TYPES
    for name in made:
        best = storage_types.compact_type(ds.numeric(name))
        if order.index(best) < order.index(ds.vars[name].stype):
            ds.set(name, ds.numeric(name), best)
