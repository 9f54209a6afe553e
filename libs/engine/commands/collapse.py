"""``collapse``: the dataset replaced by group statistics (weights, ``by()``)."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.engine import varlist
from libs.engine.dataset import Dataset
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.groups import group_ids
from libs.engine.percentile import percentile
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args, Spec

FloatArray = npt.NDArray[np.float64]
_SPEC = Spec("anything [if] [in] [fweight aweight pweight iweight] [, by(varlist) CW FAST]")
_STATS = {"mean", "median", "sd", "semean", "sebinomial", "sepoisson", "sum", "rawsum", "count",
          "percent", "max", "min", "iqr", "first", "last", "firstnm", "lastnm"}


def _targets(session: Session, text: str) -> list[tuple[str, str, str]]:
    """``(stat) a b=c (stat) d`` → [(stat, target, source)]."""
    out: list[tuple[str, str, str]] = []
    stat = "mean"
    for tok in re.findall(r"\(\s*\w+\s*\)|\S+\s*=\s*\S+|\S+", text):
        if tok.startswith("("):
            stat = tok.strip("() ").lower()
            if stat not in _STATS and not re.match(r"^p\d{1,2}(\.\d+)?$", stat):
                raise StataError(198, f"({stat}) invalid statistic")
            continue
        if "=" in tok:
            target, source = (t.strip() for t in tok.split("="))
            out.append((stat, target, varlist.resolve(session.data, source)))
        else:
            for name in varlist.expand(session.data, tok, abbrev=session.settings.varabbrev):
                out.append((stat, name, name))
    return out


@command("collapse", syntax=None)
def collapse(session: Session, args: Args) -> None:
    """``collapse (stat) varlist ... [if] [in] [weight] [, by(varlist) cw]``."""

    parsed = _SPEC.parse(args.raw, session)
    ds = session.data
    targets = _targets(session, parsed.anything)
    by = list(parsed.opt("by") or [])
    if not targets:
        raise StataError(100, "varlist required")
    if len({t for _, t, _ in targets}) != len(targets) or {t for _, t, _ in targets} & set(by):
        raise StataError(198, "collapse: a target name is used twice")
    touse = parsed.touse(session)
    weights = np.ones(ds.n)
    kind = None
    if parsed.weight:
        kind = parsed.weight[0]
        weights = Evaluator(session).numeric(parsed.weight[1])
        touse &= ~np.isnan(weights)
    if parsed.opt("cw"):
        for _, _, source in targets:
            touse &= ~np.isnan(ds.numeric(source))
    if not touse.any():
        raise StataError(2000, "no observations")
    if not touse.all():
        sub = ds.copy()
        sub.take(touse)
        weights = weights[touse]
        ds = sub
    ids, count = group_ids(ds, by)
    result = Dataset()
    result.n = count
    first = np.zeros(count, dtype=np.intp)
    if ds.n:
        first[ids[::-1]] = np.arange(ds.n)[::-1]
    for name in by:
        var = ds.vars[name]
        result.add(name, ds.cols[name][first], var.stype, label=var.label, fmt=var.format)
        result.vars[name].value_label = var.value_label
    sizes = np.bincount(ids, minlength=count).astype(np.float64)
    for stat, target, source in targets:
        x = ds.numeric(source)
        values = _statistic(stat, x, ids, count, weights, kind, sizes)
        src = ds.vars[source]
        stype = "long" if stat == "count" else "double" if src.stype == "double" or stat in (
            "sum", "rawsum") else "float"
        if stat in ("first", "last", "firstnm", "lastnm", "min", "max") and src.stype in (
                "byte", "int", "long"):
            stype = src.stype
        label = src.label or source
        result.add(target, values, stype, label=f"({stat}) {label}" if not src.label else label)
    result.value_labels = dict(ds.value_labels.items())
    result.sortedby = list(by)
    result.changed = True
    session.data = result


def _quantile(stat: str, x: FloatArray, w: FloatArray | None) -> float:
    """median, p#, iqr of one group (weighted when weights are given)."""
    if stat == "iqr":
        return percentile(x, 75, w) - percentile(x, 25, w)
    return percentile(x, 50.0 if stat == "median" else float(stat[1:]), w)


def _sums(x: FloatArray, ids: npt.NDArray[np.intp], count: int, w: FloatArray,
          kind: str | None, sizes: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray,
                                                      npt.NDArray[np.bool_], FloatArray]:
    """Per group: sum of weights, nonmissing count, weighted sum; plus the mask and x with
    missing as 0.  Unweighted data without missing values take the cheap path."""
    ok = ~np.isnan(x)
    if kind is None and ok.all():
        return sizes, sizes, np.bincount(ids, weights=x, minlength=count), ok, x
    xw = np.where(ok, x, 0.0)
    n = np.bincount(ids, weights=ok.astype(np.float64), minlength=count)
    if kind is None:
        return n, n, np.bincount(ids, weights=xw, minlength=count), ok, xw
    wk = np.where(ok, w, 0.0)
    sw = np.bincount(ids, weights=wk, minlength=count)
    return sw, n, np.bincount(ids, weights=wk * xw, minlength=count), ok, xw


def _statistic(stat: str, x: FloatArray, ids: npt.NDArray[np.intp], count: int,
               w: FloatArray, kind: str | None, sizes: FloatArray) -> FloatArray:
    with np.errstate(all="ignore"):
        if stat in ("mean", "sum", "count", "rawsum", "percent", "sd", "semean"):
            sw, n, swx, ok, xw = _sums(x, ids, count, w, kind, sizes)
            wk = np.where(ok, w, 0.0) if kind is not None else ok.astype(np.float64)
            mean = swx / sw
            if stat == "mean":
                return np.where(n > 0, mean, np.nan)
            if stat == "sum":
                if kind == "aweight":  # aweights are rescaled to sum to the count
                    return swx * n / np.where(sw == 0, 1, sw)
                return swx
            if stat == "rawsum":
                return np.bincount(ids, weights=xw, minlength=count)
            if stat == "count":
                return sw if kind in ("fweight", "iweight") else n
            if stat == "percent":
                total = sw.sum() if kind in ("fweight", "iweight") else n.sum()
                return 100 * (sw if kind in ("fweight", "iweight") else n) / total
            dev = np.bincount(ids, weights=wk * (xw - mean[ids]) ** 2, minlength=count)
            denom = (sw - 1) if kind in (None, "fweight") else (sw * (n - 1) / n)
            sd = np.sqrt(dev / denom)
            if stat == "sd":
                return np.where(n > 1, sd, np.nan)
            return np.where(n > 1, sd / np.sqrt(sw if kind == "fweight" else n), np.nan)
    frame = pd.DataFrame({"x": x, "g": ids})
    grouped = frame.groupby("g", sort=True)["x"]
    if stat in ("max", "min"):
        out = grouped.agg(stat)
    elif stat in ("first", "last"):
        out = frame.groupby("g", sort=True)["x"].nth(0 if stat == "first" else -1)
        out.index = frame["g"].to_numpy()[out.index.to_numpy()]
    elif stat in ("firstnm", "lastnm"):
        out = grouped.first() if stat == "firstnm" else grouped.last()
    elif stat == "median" or stat.startswith("p") or stat == "iqr":
        weights = w if kind is not None else None
        out = pd.Series({g: _quantile(stat, x[idx], None if weights is None else weights[idx])
                         for g, idx in frame.groupby("g", sort=True).indices.items()})
    else:
        raise StataError(198, f"({stat}) not supported by the embedded engine")
    full = np.full(count, np.nan)
    full[out.index.to_numpy(dtype=np.intp)] = out.to_numpy(dtype=np.float64)
    return full
