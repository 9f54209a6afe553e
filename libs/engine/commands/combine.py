"""``merge`` and ``append``: combining the data in memory with a .dta file."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.engine import storage_types, varlist
from libs.engine.dataset import Column, Dataset
from libs.engine.dta_reader import read_dta
from libs.engine.errors import StataError
from libs.engine.macros import split_words
from libs.engine.missing import order_key
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

IntArray = npt.NDArray[np.intp]
_MERGE = Spec("anything using/ [, KEEPUSing(string) GENerate(name) NOGENerate NOLabel NOREPort "
              "update replace keep(string) assert(string) sorted force]")
_RESULT_LABELS = {1.0: "Master only (1)", 2.0: "Using only (2)", 3.0: "Matched (3)",
                  4.0: "Missing updated (4)", 5.0: "Nonmissing conflict (5)"}
#: keep()/assert() words → _merge codes ("match" covers the update outcomes too, as in Stata)
_CODE_WORDS = {"master": {1}, "1": {1}, "using": {2}, "2": {2}, "match": {3, 4, 5},
               "matched": {3, 4, 5}, "3": {3}, "match_update": {4}, "4": {4},
               "match_conflict": {5}, "5": {5}}


def _combined_codes(master: Dataset, using: Dataset, keys: list[str]) -> tuple[IntArray, IntArray]:
    """Joint integer codes of the key values in master and in using."""
    codes_m = np.zeros(master.n, dtype=np.int64)
    codes_u = np.zeros(using.n, dtype=np.int64)
    for key in keys:
        a, b = master.cols[key], using.cols[key]
        if (a.dtype == np.object_) != (b.dtype == np.object_):
            raise StataError(106, f"key variable {key} is {master.vars[key].stype} in master but "
                                  f"{using.vars[key].stype} in using data")
        if a.dtype != np.object_:
            a, b = order_key(a), order_key(b)  # type: ignore[arg-type]
        joint, uniques = pd.factorize(np.concatenate([a, b]))
        size = len(uniques)
        codes_m = codes_m * size + joint[: master.n]
        codes_u = codes_u * size + joint[master.n :]
    joint, _ = pd.factorize(np.concatenate([codes_m, codes_u]))
    return joint[: master.n].astype(np.intp), joint[master.n :].astype(np.intp)


def _unique(codes: IntArray, keys: list[str], where: str) -> None:
    if len(codes) and len(np.unique(codes)) != len(codes):
        raise StataError(459, f"variable{'s' if len(keys) > 1 else ''} {' '.join(keys)} do"
                              f"{'es' if len(keys) == 1 else ''} not uniquely identify "
                              f"observations in the {where} data")


def _take(col: Column, rows: IntArray) -> Column:
    """``col[rows]`` with -1 meaning a missing value."""
    if not len(col):
        empty: Column = np.full(len(rows), "" if col.dtype == np.object_ else np.nan,  # type: ignore[assignment]
                                dtype=col.dtype)
        return empty
    out: Column = col[np.where(rows >= 0, rows, 0)]
    if (rows < 0).any():
        out[rows < 0] = "" if col.dtype == np.object_ else np.nan
    return out


def _pairs(kind: str, cm: IntArray, cu: IntArray) -> tuple[IntArray, IntArray]:
    """Row pairs (master row, using row), -1 for no partner: master order, using-only last."""
    groups = int(max(cm.max(initial=-1), cu.max(initial=-1))) + 1
    if kind in ("1:1", "m:1"):
        pos = np.full(groups, -1, dtype=np.intp)
        pos[cu] = np.arange(len(cu))
        m_rows = np.arange(len(cm))
        u_rows = pos[cm] if len(cm) else np.zeros(0, dtype=np.intp)
        used = np.zeros(groups, dtype=np.bool_)
        used[cm] = True
        only = np.flatnonzero(~used[cu]) if len(cu) else np.zeros(0, dtype=np.intp)
        return (np.concatenate([m_rows, np.full(len(only), -1)]).astype(np.intp),
                np.concatenate([u_rows, only]).astype(np.intp))
    left = pd.DataFrame({"c": cm, "m": np.arange(len(cm))})
    right = pd.DataFrame({"c": cu, "u": np.arange(len(cu))})
    joined = left.merge(right, on="c", how="outer", sort=False)
    m = joined["m"].fillna(-1).to_numpy(dtype=np.intp)
    u = joined["u"].fillna(-1).to_numpy(dtype=np.intp)
    order = np.lexsort((u, np.where(m >= 0, m, len(cm) + u)))
    return m[order], u[order]


@command("merge", abbrev=3, syntax=None)
def merge(session: Session, args: Args) -> None:
    """``merge 1:1|m:1|1:m varlist using file [, keep() keepusing() generate() nogenerate
    update replace assert() nolabel noreport]``."""
    parsed = _MERGE.parse(args.raw, session)
    m = re.match(r"^\s*([1m]:[1m])\s+(.*)$", parsed.anything)
    if m is None:
        raise StataError(198, "merge: 1:1, m:1, 1:m or m:m expected")
    kind = m.group(1)
    if kind == "m:m":
        raise StataError(199, "merge m:m is not supported by the embedded engine")
    master = session.data
    keys = varlist.expand(master, m.group(2), abbrev=session.settings.varabbrev)
    assert parsed.using is not None
    using = read_dta(session.path(parsed.using, ext=".dta", must_exist=True))
    for key in keys:
        if key not in using.vars:
            raise StataError(111, f"variable {key} not found in using data")
    gen = parsed.opt("generate") or "_merge"
    if not parsed.opt("nogenerate") and gen in master.vars:
        raise StataError(110, f"variable {gen} already defined")
    cm, cu = _combined_codes(master, using, keys)
    if kind in ("1:1", "1:m"):
        _unique(cm, keys, "master")
    if kind in ("1:1", "m:1"):
        _unique(cu, keys, "using")
    m_rows, u_rows = _pairs(kind, cm, cu)
    code = np.where(m_rows < 0, 2.0, np.where(u_rows < 0, 1.0, 3.0))
    keep_using = (varlist.expand(using, parsed.opt("keepusing"))
                  if parsed.opt("keepusing") else using.varnames)
    result = Dataset()
    result.n = len(m_rows)
    for name in master.varnames:
        var = master.vars[name]
        col = _take(master.cols[name], m_rows)
        stype = var.stype
        if name in using.vars and (name in keys or name in keep_using):
            ucol = _take(using.cols[name], u_rows)
            if (ucol.dtype == np.object_) != (col.dtype == np.object_):
                raise StataError(106, f"variable {name} is {var.stype} in master but "
                                      f"{using.vars[name].stype} in using data")
            fill = m_rows < 0
            if name not in keys and parsed.opt("update"):
                code, fill = _update(col, ucol, code, fill, bool(parsed.opt("replace")))
            col = np.where(fill, ucol, col).astype(col.dtype)  # type: ignore[assignment]
            stype = _wider(var.stype, using.vars[name].stype, col)
        result.add(name, col, stype, label=var.label, fmt=var.format)
        result.vars[name].value_label = var.value_label
    for name in keep_using:
        if name in result.vars:
            continue
        var = using.vars[name]
        result.add(name, _take(using.cols[name], u_rows), var.stype, label=var.label,
                   fmt=var.format)
        result.vars[name].value_label = var.value_label
    result.value_labels = dict(master.value_labels)
    if not parsed.opt("nolabel"):
        for lbl, mapping in using.value_labels.items():
            result.value_labels.setdefault(lbl, mapping)
    _check_assert(parsed.opt("assert"), code)
    if not parsed.opt("noreport"):
        _report(session, code)
    if not parsed.opt("nogenerate"):
        result.add(gen, code, "byte")
        result.value_labels[gen] = {k: v for k, v in _RESULT_LABELS.items()
                                    if k <= (5 if parsed.opt("update") else 3)}
        result.vars[gen].value_label = gen
    if parsed.opt("keep"):
        wanted = {c for w in parsed.opt("keep").split() for c in _CODE_WORDS.get(w, set())}
        if not wanted:
            raise StataError(198, "keep(): invalid")
        result.take(np.isin(code, list(wanted)))
    result.changed = True
    session.data = result


def _update(col: Column, ucol: Column, code: npt.NDArray[np.float64], fill: npt.NDArray[np.bool_],
            replace: bool) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    is_str = col.dtype == np.object_
    m_missing = (col == "") if is_str else np.isnan(col)
    u_missing = (ucol == "") if is_str else np.isnan(ucol)
    matched = code >= 3
    updated = matched & m_missing & ~u_missing
    conflict = matched & ~m_missing & ~u_missing & (col != ucol)
    code = code.copy()
    code[updated & (code == 3)] = 4
    code[conflict] = 5
    fill = fill | updated | (conflict if replace else np.zeros_like(conflict))
    return code, fill


def _wider(a: str, b: str, col: Column) -> str:
    if storage_types.is_string_type(a):
        if "strL" in (a, b):
            return "strL"
        needed = storage_types.string_type_for(col)  # type: ignore[arg-type]
        widths = [int(t[3:]) for t in (a, b, needed) if t != "strL" and t.startswith("str")]
        return "strL" if needed == "strL" else f"str{max(widths)}"
    order = storage_types.NUMERIC_TYPES
    if {a, b} == {"long", "float"}:
        return "double"
    return a if order.index(a) >= order.index(b) else b


def _check_assert(text: str | None, code: npt.NDArray[np.float64]) -> None:
    if not text:
        return
    allowed = {c for w in text.split() for c in _CODE_WORDS.get(w, set())}
    if not np.isin(code, list(allowed)).all():
        raise StataError(9, "merge:  after merge, not all observations from "
                            f"{' or '.join(text.split())}\n       (merge assertion is false)")


def _report(session: Session, code: npt.NDArray[np.float64]) -> None:
    counts = {k: int((code == k).sum()) for k in (1, 2, 3, 4, 5)}
    log = session.log
    log.out()
    log.out("    Result                      Number of obs")
    log.out("    -----------------------------------------")
    log.out(f"    Not matched{counts[1] + counts[2]:>30,}")
    if counts[1] + counts[2]:
        log.out(f"        from master{counts[1]:>26,}  (_merge==1)")
        log.out(f"        from using{counts[2]:>27,}  (_merge==2)")
    log.out()
    log.out(f"    Matched{counts[3] + counts[4] + counts[5]:>34,}  (_merge==3)" if not
            counts[4] + counts[5] else f"    Matched{counts[3] + counts[4] + counts[5]:>34,}")
    if counts[4] + counts[5]:
        log.out(f"        not updated{counts[3]:>26,}  (_merge==3)")
        log.out(f"        missing updated{counts[4]:>22,}  (_merge==4)")
        log.out(f"        nonmissing conflict{counts[5]:>18,}  (_merge==5)")
    log.out("    -----------------------------------------")


_APPEND = Spec("[anything] using/ [, GENerate(name) keep(string) force NOLabel NONOTEs]")


@command("append", abbrev=2, syntax=None)
def append(session: Session, args: Args) -> None:
    """``append using file(s) [, generate() keep() force nolabel]``."""
    raw = args.raw
    head, _, tail = raw.partition("using")
    files_part, _, opts = tail.partition(",")
    parsed = _APPEND.parse(f"{head} using x{(',' + opts) if opts else ''}", session)
    files = split_words(files_part)
    base = session.data
    result = base
    source = np.zeros(base.n)
    for k, name in enumerate(files, start=1):
        other = read_dta(session.path(name, ext=".dta", must_exist=True))
        if parsed.opt("keep"):
            other.drop([v for v in other.varnames if v not in
                        varlist.expand(other, parsed.opt("keep"))])
        result = _stack(result, other, force=bool(parsed.opt("force")))
        source = np.concatenate([source, np.full(other.n, float(k))])
    if parsed.opt("generate"):
        result.add(parsed.opt("generate"), source, "byte")
    result.changed = True
    result.sortedby = []
    session.data = result


def _stack(top: Dataset, bottom: Dataset, *, force: bool) -> Dataset:
    out = Dataset()
    out.n = top.n + bottom.n
    names = top.varnames + [v for v in bottom.varnames if v not in top.vars]
    for name in names:
        a = top.vars.get(name)
        b = bottom.vars.get(name)
        ref = a or b
        assert ref is not None
        if a and b and a.is_string != b.is_string:
            if not force:
                raise StataError(106, f"variable {name} is {a.stype} in master but {b.stype} in "
                                      "using data")
            b = None
        empty = "" if ref.is_string else np.nan
        top_col = top.cols[name] if a else np.full(top.n, empty, dtype=object if ref.is_string
                                                   else np.float64)
        bottom_col = bottom.cols[name] if b else np.full(bottom.n, empty, dtype=object if
                                                         ref.is_string else np.float64)
        col = np.concatenate([top_col, bottom_col])
        stype = _wider(a.stype, b.stype, col) if a and b else ref.stype
        out.add(name, col, stype, label=ref.label, fmt=ref.format)
        out.vars[name].value_label = ref.value_label
    out.value_labels = {**bottom.value_labels, **top.value_labels}
    return out
