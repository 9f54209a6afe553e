"""``egen``: group statistics and row functions (Stata's egen function set)."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.engine import varlist
from libs.engine.commands.listing import cell
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.groups import group_ids
from libs.engine.percentile import percentile
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec
from libs.engine.values import broadcast, is_string

FloatArray = npt.NDArray[np.float64]
_OPTIONS = Spec("[, by(varlist) MISSing P(real 50) at(numlist) Group(integer 0) ICodes LABel "
                "FIeld TRack UNIQue mean(real 0) sd(real 1)]")
_CALL = re.compile(r"^\s*(\w+)\s*\((.*)\)\s*$", re.DOTALL)


@command("egen", syntax="anything =exp [if] [in] [, *]", byable="groups")
def egen(session: Session, args: Args) -> None:
    """``egen [type] newvar = fcn(args) [if] [in] [, by() ...]``."""
    ds = session.data
    words = args.anything.split()
    stype = words[0] if len(words) == 2 else None
    name = words[-1]
    varlist.new_names(ds, name)
    assert args.exp is not None
    m = _CALL.match(args.exp)
    if m is None:
        raise StataError(198, "egen: function(arguments) expected")
    fn, inner = m.group(1), m.group(2)
    opts = _OPTIONS.parse(", " + args.rest_options if args.rest_options else "", session)
    touse = args.touse(session)
    by = list(opts.opt("by") or [])
    if session.by is not None:
        ids, count = session.by.ids, session.by.count
        if by:
            raise StataError(190, "egen ... , by() may not be combined with by")
    else:
        ids, count = group_ids(ds, by)
    if fn in _GROUP_STATS:
        values = _expression(session, inner, touse)
        result = _group_stat(fn, values, ids, count, touse, opts)
        default = "float"
    elif fn in _ROW:
        result, default = _ROW[fn](session, inner, opts), "float"
        result = np.where(touse, result, np.nan)
    elif fn in ("group", "tag"):
        names = varlist.expand(ds, inner, abbrev=session.settings.varabbrev)
        result = _group_or_tag(session, fn, names, touse, opts, name)
        default = "long" if fn == "group" else "byte"
    elif fn == "rank":
        values = _expression(session, inner, touse)
        result, default = _rank(values, ids, touse, opts), "float"
    elif fn == "std":
        values = _expression(session, inner, touse)
        mean = _group_stat("mean", values, ids, count, touse, opts)
        sd = _group_stat("sd", values, ids, count, touse, opts)
        result = opts.opt("mean", 0.0) + opts.opt("sd", 1.0) * (values - mean) / sd
        default = "float"
    elif fn == "cut":
        values = _expression(session, inner, touse)
        result, default = _cut(values, touse, opts), "float"
    else:
        raise StataError(133, f"unknown egen function {fn}()")
    ds.add(name, result, stype or (default if default != "float" else session.settings.type))
    missing_count = int(np.isnan(ds.numeric(name)).sum())
    if missing_count:
        session.log.out(f"({missing_count:,} missing value{'s' if missing_count > 1 else ''} "
                        "generated)")


def _expression(session: Session, text: str, touse: npt.NDArray[np.bool_]) -> FloatArray:
    value = Evaluator(session, session.by).evaluate(text)
    if is_string(value):
        raise StataError(109, "type mismatch")
    values = broadcast(value, session.data.n)
    return np.where(touse, values, np.nan)


def _group_stat(fn: str, values: FloatArray, ids: npt.NDArray[np.intp], count: int,
                touse: npt.NDArray[np.bool_], opts: Args) -> FloatArray:
    """Per-group statistic of ``values`` broadcast back to every observation in ``touse``."""
    series = pd.Series(values)
    grouped = series.groupby(ids, sort=False)
    if fn in ("mean", "min", "max", "count", "median", "sd", "sum", "total", "iqr", "first",
              "last", "skew", "kurt"):
        how = {"sd": "std", "total": "sum", "sum": "sum", "count": "count", "iqr": None,
               "skew": None, "kurt": None}.get(fn, fn)
        if how == "sum":
            stat = grouped.sum().to_numpy()
            if opts.opt("missing"):
                stat = np.where(grouped.count().to_numpy() == 0, np.nan, stat)
        elif how is not None:
            stat = grouped.agg(how).to_numpy(dtype=np.float64)
        else:
            p25 = grouped.agg(lambda s: percentile(s.to_numpy(), 25)).to_numpy()
            p75 = grouped.agg(lambda s: percentile(s.to_numpy(), 75)).to_numpy()
            stat = p75 - p25
        index = grouped.count().index.to_numpy()
    else:  # pctile
        p = float(opts.opt("p", 50.0))
        agg = grouped.agg(lambda s: percentile(s.to_numpy(), p))
        stat, index = agg.to_numpy(dtype=np.float64), agg.index.to_numpy()
    full = np.full(max(count, 1), np.nan)
    full[index] = stat
    out = full[ids] if len(ids) else np.zeros(0)
    return np.where(touse, out, np.nan)


_GROUP_STATS = {"mean", "total", "sum", "count", "min", "max", "sd", "median", "pctile", "iqr",
                "skew", "kurt"}


def _row_matrix(session: Session, inner: str) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    ds = session.data
    names = varlist.expand(ds, inner, abbrev=session.settings.varabbrev)
    if not names:
        return np.zeros((ds.n, 0)), np.zeros((ds.n, 0), dtype=np.bool_)
    cols = []
    miss = []
    for n in names:
        if ds.vars[n].is_string:
            cols.append(np.full(ds.n, np.nan))
            miss.append(ds.strings(n) == "")
        else:
            cols.append(ds.numeric(n))
            miss.append(np.isnan(ds.numeric(n)))
    return np.column_stack(cols), np.column_stack(miss)


def _row(reducer: Callable[[FloatArray, npt.NDArray[np.bool_], Args], FloatArray]
         ) -> Callable[[Session, str, Args], FloatArray]:
    def fn(session: Session, inner: str, opts: Args) -> FloatArray:
        matrix, miss = _row_matrix(session, inner)
        with np.errstate(all="ignore"):
            return reducer(matrix, miss, opts)

    return fn


def _nan_reduce(how: Callable[..., FloatArray]) -> Callable[[FloatArray, npt.NDArray[np.bool_],
                                                              Args], FloatArray]:
    def reduce(m: FloatArray, miss: npt.NDArray[np.bool_], opts: Args) -> FloatArray:
        out = np.full(m.shape[0], np.nan)
        ok = (~np.isnan(m)).any(axis=1)
        if ok.any():
            out[ok] = how(m[ok], axis=1)
        return out

    return reduce


def _rowtotal(m: FloatArray, miss: npt.NDArray[np.bool_], opts: Args) -> FloatArray:
    total = np.nansum(m, axis=1)
    if opts.opt("missing"):
        total = np.where(np.isnan(m).all(axis=1), np.nan, total)
    return total


_ROW = {
    "rowmean": _row(_nan_reduce(np.nanmean)),
    "rowtotal": _row(_rowtotal),
    "rowmax": _row(_nan_reduce(np.nanmax)),
    "rowmin": _row(_nan_reduce(np.nanmin)),
    "rowsd": _row(_nan_reduce(lambda m, axis: np.asarray(np.nanstd(m, axis=axis, ddof=1)))),
    "rowmiss": _row(lambda m, miss, o: miss.sum(axis=1).astype(np.float64)),
    "rownonmiss": _row(lambda m, miss, o: (~miss).sum(axis=1).astype(np.float64)),
}


def _group_or_tag(session: Session, fn: str, names: list[str], touse: npt.NDArray[np.bool_],
                  opts: Args, target: str) -> FloatArray:
    ds = session.data
    ids, _ = group_ids(ds, names)
    has_missing = np.zeros(ds.n, dtype=np.bool_)
    for n in names:
        col = ds.cols[n]
        has_missing |= (col == "") if col.dtype == np.object_ else np.isnan(col)
    valid = touse & (~has_missing | bool(opts.opt("missing")))
    if fn == "tag":
        first = np.zeros(ds.n, dtype=np.bool_)
        seen = pd.Series(ids[valid]).duplicated().to_numpy()
        first[np.flatnonzero(valid)] = ~seen
        return first.astype(np.float64)
    codes, _ = pd.factorize(ids[valid], sort=True)
    out = np.full(ds.n, np.nan)
    out[valid] = codes + 1.0
    if opts.opt("label") and len(names) == 1:
        mapping: dict[float, str] = {}
        rows = np.flatnonzero(valid)
        for code, row in zip(codes, rows, strict=True):
            mapping.setdefault(code + 1.0, cell(ds, names[0], int(row)))
        ds.value_labels[target] = mapping
    return out


def _rank(values: FloatArray, ids: npt.NDArray[np.intp], touse: npt.NDArray[np.bool_],
          opts: Args) -> FloatArray:
    method = "average"
    ascending = True
    if opts.opt("field"):
        method, ascending = "min", False
    elif opts.opt("track"):
        method = "min"
    elif opts.opt("unique"):
        method = "first"
    ranks = pd.Series(values).groupby(ids).rank(method=method, ascending=ascending)
    return np.where(touse & ~np.isnan(values), ranks.to_numpy(dtype=np.float64), np.nan)


def _cut(values: FloatArray, touse: npt.NDArray[np.bool_], opts: Args) -> FloatArray:
    at = opts.opt("at")
    groups = int(opts.opt("group", 0))
    if at:
        edges = np.array(sorted(at), dtype=np.float64)
    elif groups:
        finite = values[~np.isnan(values)]
        if not finite.size:  # nothing to cut: every value missing
            return np.full(values.shape, np.nan)
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, groups + 1)))
        edges[-1] = np.inf
    else:
        raise StataError(198, "egen cut(): at() or group() required")
    pos = np.searchsorted(edges, values, side="right") - 1
    inside = (pos >= 0) & (pos < len(edges) - 1) & ~np.isnan(values)
    if opts.opt("icodes") or groups:
        out = pos.astype(np.float64)
    else:
        out = edges[np.clip(pos, 0, len(edges) - 1)]
    return np.where(inside & touse, out, np.nan)

