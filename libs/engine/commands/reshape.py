"""``reshape long`` / ``reshape wide`` with ``i()``, ``j()`` and string ``j``."""

from __future__ import annotations

import re

import numpy as np

from libs.engine import storage_types, varlist
from libs.engine.dataset import Column, Dataset
from libs.engine.errors import StataError
from libs.engine.groups import group_ids
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.sorting import order
from libs.engine.syntax import Args, Spec

_SPEC = Spec("anything [, i(string) j(string) String]")
RULE = "-" * 77


@command("reshape", syntax=None)
def reshape(session: Session, args: Args) -> None:
    """``reshape long|wide stubs, i(varlist) j(var [values]) [string]``."""
    parsed = _SPEC.parse(args.raw, session)
    words = parsed.anything.split()
    if not words or words[0] not in ("long", "wide"):
        raise StataError(198, "reshape long or reshape wide expected")
    if not parsed.opt("i") or not parsed.opt("j"):
        raise StataError(198, "i() and j() are required")
    ds = session.data
    ids = varlist.expand(ds, parsed.opt("i"), abbrev=session.settings.varabbrev)
    j = parsed.opt("j").split()[0]
    stubs = [w if "@" in w else w + "@" for w in words[1:]]  # "inc" means "inc@"
    string = bool(parsed.opt("string"))
    before = (ds.n, len(ds.vars))
    if words[0] == "long":
        result, jvalues, sources = _to_long(ds, stubs, ids, j, string)
    else:
        result, jvalues, sources = _to_wide(ds, stubs, ids, j)
    session.data = result
    _summary(session, words[0], before, jvalues, j, [s.replace("@", "") for s in stubs], sources)


def _to_long(ds: Dataset, stubs: list[str], ids: list[str], j: str,
             string: bool) -> tuple[Dataset, list[str], list[list[str]]]:
    _, count = group_ids(ds, ids)
    if count != ds.n:
        raise StataError(9, f"variable {' '.join(ids)} does not uniquely identify the "
                            "observations")
    suffixes: dict[str, dict[str, str]] = {}
    for stub in stubs:
        head, _, tail = stub.partition("@")
        found = {}
        for name in ds.varnames:
            if name.startswith(head) and name.endswith(tail) and len(name) > len(stub) - 1:
                value = name[len(head) : len(name) - len(tail)]
                if string or re.match(r"^-?\d+$", value):
                    found[value] = name
        if not found:
            raise StataError(111, f"variable {stub.replace('@', '*')} not found")
        suffixes[stub] = found
    jvalues = sorted({s for found in suffixes.values() for s in found},
                     key=(lambda s: s) if string else (lambda s: int(s)))
    used = {name for found in suffixes.values() for name in found.values()}
    keep = [v for v in ds.varnames if v not in used]
    n, k = ds.n, len(jvalues)
    rows = np.repeat(np.arange(n), k)
    out = Dataset()
    out.n = n * k
    for name in keep:
        var = ds.vars[name]
        out.add(name, ds.cols[name][rows], var.stype, label=var.label, fmt=var.format)
        out.vars[name].value_label = var.value_label
        if name == ids[-1]:
            jcol: Column = (np.array(jvalues * n, dtype=np.object_) if string else
                            np.tile(np.array([float(v) for v in jvalues]), n))
            jtype = (storage_types.string_type_for(jcol) if string  # type: ignore[arg-type]
                     else storage_types.compact_type(jcol))  # type: ignore[arg-type]
            out.add(j, jcol, jtype)
    for stub in stubs:
        found = suffixes[stub]
        sample = ds.vars[next(iter(found.values()))]
        if sample.is_string:
            block = np.empty((n, k), dtype=np.object_)
            block[:] = ""
        else:
            block = np.full((n, k), np.nan)
        types = []
        for c, value in enumerate(jvalues):
            if value in found:
                block[:, c] = ds.cols[found[value]]
                types.append(ds.vars[found[value]].stype)
        col = block.ravel()
        stype = _widest(types, col)
        name = stub.replace("@", "")
        out.add(name, col, stype, label="", fmt=sample.format)
        out.vars[name].value_label = sample.value_label
    out.move([v for v in [*ids, j] if v in out.vars], first=True)
    out.value_labels = dict(ds.value_labels)
    out.sortedby = [*ids, j]
    out.changed = True
    return out, jvalues, [list(suffixes[s].values()) for s in stubs]


def _to_wide(ds: Dataset, stubs: list[str], ids: list[str],
             j: str) -> tuple[Dataset, list[str], list[list[str]]]:
    patterns = {varlist.resolve(ds, s.replace("@", "")): s for s in stubs}
    stubs = list(patterns)
    gid, count = group_ids(ds, ids)
    jcol = ds.cols[j]
    string = jcol.dtype == np.object_
    jid, jcount = group_ids(ds, [j])
    if len(set(zip(gid.tolist(), jid.tolist(), strict=True))) != ds.n:
        raise StataError(9, f"values of variable {j} not unique within {' '.join(ids)}")
    first_of_j = np.zeros(jcount, dtype=np.intp)
    first_of_j[jid[::-1]] = np.arange(ds.n)[::-1]
    jvalues = [str(jcol[r]) if string else _num_text(float(jcol[r])) for r in first_of_j]
    first = np.zeros(count, dtype=np.intp)
    first[gid[::-1]] = np.arange(ds.n)[::-1]
    others = [v for v in ds.varnames if v not in stubs and v != j]
    for name in others:
        if name in ids:
            continue
        _, per_group = group_ids(ds, [*ids, name])
        if per_group != count:
            raise StataError(9, f"variable {name} not constant within {' '.join(ids)}")
    out = Dataset()
    out.n = count
    sort_idx = np.arange(count)
    for name in others:
        var = ds.vars[name]
        out.add(name, ds.cols[name][first], var.stype, label=var.label, fmt=var.format)
        out.vars[name].value_label = var.value_label
    created = []
    for stub in stubs:
        var = ds.vars[stub]
        names = []
        for c, value in enumerate(jvalues):
            block: Column
            if var.is_string:
                block = np.empty(count, dtype=np.object_)
                block[:] = ""
            else:
                block = np.full(count, np.nan)
            rows = np.flatnonzero(jid == c)
            block[gid[rows]] = ds.cols[stub][rows]
            new = patterns[stub].replace("@", value)
            out.add(new, block, var.stype, label=f"{value} {var.label or stub}".strip(),
                    fmt=var.format)
            out.vars[new].value_label = var.value_label
            names.append(new)
        created.append(names)
    perm = order(out, ids)
    if not np.array_equal(perm, sort_idx):
        out.take(perm)
    out.value_labels = dict(ds.value_labels)
    out.sortedby = list(ids)
    out.changed = True
    return out, jvalues, created


def _widest(types: list[str], col: Column) -> str:
    if any(storage_types.is_string_type(t) for t in types):
        return storage_types.string_type_for(col)  # type: ignore[arg-type]
    if {"long", "float"} <= set(types):
        return "double"
    return max(types, key=storage_types.NUMERIC_TYPES.index)


def _num_text(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _summary(session: Session, to: str, before: tuple[int, int], jvalues: list[str], j: str,
             stubs: list[str], sources: list[list[str]]) -> None:
    log = session.log
    after = (session.data.n, len(session.data.vars))
    left, right = ("Wide", "Long") if to == "long" else ("Long", "Wide")
    log.out(f"(j = {' '.join(jvalues)})")
    log.out()
    log.out(f"Data{left:>35}   ->   {right}")
    log.out(RULE)
    log.out(f"Number of observations{before[0]:>17,}   ->   {after[0]:,}")
    log.out(f"Number of variables{before[1]:>20,}   ->   {after[1]:,}")
    if to == "long":
        log.out(f"j variable ({len(jvalues)} values){'':>19}->   {j}")
        log.out("xij variables:")
        for stub, names in zip(stubs, sources, strict=True):
            log.out(f"{' '.join(names):>39}   ->   {stub}")
    else:
        log.out(f"j variable ({len(jvalues)} values){j:>19}   ->   (dropped)")
        log.out("xij variables:")
        for stub, names in zip(stubs, sources, strict=True):
            log.out(f"{stub:>39}   ->   {' '.join(names)}")
    log.out(RULE)
