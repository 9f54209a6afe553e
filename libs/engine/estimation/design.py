"""Design matrices from factor-variable terms, with Stata's coefficient names.

``i.g`` expands to one column per level seen in the estimation sample (``1b.g`` is the base,
kept as an omitted column as Stata keeps it in ``e(b)``); ``c.x#i.g``, ``i.a##i.b``, ``L.x``
and ``o.x`` follow Stata's naming. In an interaction, a column whose factor sits at its base
level is omitted (``1b.a#2o.b``) when the factor's own main effect is in the model, as with
``##``; without main effects every level is estimated (``i.g#c.x`` gives one slope per group,
``i.a#i.b`` one cell per combination except the all-base one).

Every coefficient name is also a recipe for its column (:func:`column_values`), which is how
``predict`` and ``margins`` rebuild the design on any data, as Stata does from ``e(b)``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from libs.engine import timeseries
from libs.engine.errors import StataError
from libs.engine.missing import FloatArray
from libs.engine.session import Session
from libs.engine.varlist import Factor, Term

_PART = re.compile(r"^(?P<level>\d+)?(?P<flags>[cobn]*)(?P<ts>(?:[LFDS]\d*)*)\.(?P<var>.+)$")


@dataclass(frozen=True, kw_only=True)
class Design:
    """Columns of the regressors over all observations (NaN where unusable), their names,
    and which are base/``o.`` columns (omitted before any collinearity check)."""

    X: FloatArray
    names: tuple[str, ...]
    preomitted: tuple[bool, ...]
    sample: np.ndarray


def _ts_text(ts: tuple[tuple[str, int], ...]) -> str:
    return "".join(op if k == 1 else f"{op}{k}" for op, k in ts)


def variable_name(f: Factor) -> str:
    """Stata's name of a continuous variable with its time-series operators: ``y``, ``D.y``,
    ``L2D.y`` (what ``e(depvar)`` holds for ``regress D.y x``)."""
    return f"{_ts_text(f.ts)}.{f.var}" if f.ts else f.var


def factor_values(session: Session, f: Factor) -> FloatArray:
    """The variable of a factor, with its time-series operators applied."""
    if f.ts:
        return timeseries.apply(session.data, session.tsset, f.var, f.ts)
    return session.data.numeric(f.var)


def _levels(values: FloatArray, mask: np.ndarray, f: Factor) -> list[int]:
    seen = values[mask & np.isfinite(values)]
    if seen.size and (np.any(seen < 0) or np.any(seen != np.round(seen))):
        raise StataError(452, "factor variables may not contain noninteger or negative values")
    levels = sorted({int(v) for v in seen})
    if f.levels is not None:
        levels = [lv for lv in levels if lv in f.levels]
    return levels


def _base(levels: list[int], f: Factor, values: FloatArray, mask: np.ndarray) -> int | None:
    if f.base == "none" or not levels:
        return None
    if f.base in (None, "first"):
        return levels[0]
    if f.base == "last":
        return levels[-1]
    if f.base == "freq":
        counts = [(int(np.sum(values[mask] == lv)), -lv) for lv in levels]
        return -max(counts)[1]
    return int(f.base)


def build(session: Session, depvar_and_terms: list[Term], touse: np.ndarray) -> Design:
    """Design of ``terms`` on the rows of ``touse`` where every variable is nonmissing."""
    terms = depvar_and_terms
    raw = {(f.var, f.ts): factor_values(session, f) for t in terms for f in t.factors}
    sample = touse.copy()
    for values in raw.values():
        sample &= np.isfinite(values)
    mains = {t.factors[0].var for t in terms if len(t.factors) == 1 and t.factors[0].factor}
    columns: list[FloatArray] = []
    names: list[str] = []
    omitted: list[bool] = []
    for term in terms:
        per_factor: list[list[tuple[str, FloatArray, bool]]] = []
        interaction = len(term.factors) > 1
        has_continuous = any(not f.factor for f in term.factors)
        for f in term.factors:
            values = raw[(f.var, f.ts)]
            if not f.factor:
                label = variable_name(f) if not interaction else f"c{_ts_text(f.ts)}.{f.var}"
                per_factor.append([(label, values, False)])
                continue
            levels = _levels(values, sample, f)
            if f.levels is not None and len(f.levels) == 1 and f.base is None:
                base = None
            else:
                base = _base(levels, f, values, sample)
            use_base = not interaction or f.var in mains or not has_continuous
            opts = []
            for lv in levels:
                is_base = lv == base and use_base
                ind = np.where(np.isfinite(values), (values == lv).astype(np.float64), np.nan)
                opts.append((f"{lv}{'b' if is_base else ''}.{f.var}", ind, is_base))
            per_factor.append(opts)
        pure_factor = interaction and not has_continuous
        all_mains = all(f.var in mains for f in term.factors if f.factor)
        for combo in itertools.product(*per_factor):
            value = combo[0][1]
            for part in combo[1:]:
                value = value * part[1]
            bases = [c[2] for c in combo]
            if pure_factor and not all_mains:
                dropped = all(bases)
                parts = [c[0] if dropped else c[0].replace("b.", ".", 1) for c in combo]
            else:
                dropped = any(bases)
                parts = [_mark_omitted(c[0]) if dropped and not c[2] else c[0] for c in combo]
            name = "#".join(parts)
            if any(f.omit for f in term.factors):
                name = "#".join(_mark_omitted(p) for p in name.split("#"))
                dropped = True
            columns.append(value)
            names.append(name)
            omitted.append(dropped)
    X = np.column_stack(columns) if columns else np.zeros((session.data.n, 0))
    return Design(X=X, names=tuple(names), preomitted=tuple(omitted), sample=sample)


def _mark_omitted(part: str) -> str:
    """``2.g`` → ``2o.g``, ``c.x`` → ``co.x``, ``x`` → ``o.x`` (Stata's o. notation)."""
    m = _PART.match(part)
    if m is None:
        return f"o.{part}"
    if "o" in m["flags"] or "b" in m["flags"]:
        return part
    return f"{m['level'] or ''}{m['flags']}o{m['ts']}.{m['var']}"


def _parse(part: str) -> tuple[int | None, tuple[tuple[str, int], ...], str]:
    """Level (factor part) or None, time-series ops, and variable of one name part."""
    m = _PART.match(part)
    if m is None:
        return None, (), part
    ops = tuple((op[0], int(op[1:] or 1)) for op in re.findall(r"[LFDS]\d*", m["ts"]))
    return (int(m["level"]) if m["level"] else None), ops, m["var"]


def column_values(
    session: Session, name: str, overrides: dict[str, float] | None = None
) -> FloatArray:
    """The column a coefficient name stands for, on the data in memory; ``overrides`` sets a
    variable to a constant (``margins``' counterfactual designs)."""
    if name == "_cons":
        return np.ones(session.data.n)
    out = np.ones(session.data.n)
    for part in name.split("#"):
        level, ops, var = _parse(part)
        if overrides and var in overrides:
            values = np.full(session.data.n, overrides[var])
        elif ops:
            values = timeseries.apply(session.data, session.tsset, var, ops)
        else:
            values = session.data.numeric(var)
        out = out * ((values == level).astype(np.float64) if level is not None else values)
        if level is not None:
            out[~np.isfinite(values)] = np.nan
    return out


def column_derivative(session: Session, name: str, var: str,
                      overrides: dict[str, float] | None = None) -> FloatArray:
    """d(column)/d(var) for a continuous ``var`` (product rule over interaction parts), with
    other variables set by ``overrides`` as :func:`column_values` sets them."""
    if name == "_cons":
        return np.zeros(session.data.n)
    parts = name.split("#")
    total = np.zeros(session.data.n)
    for i, part in enumerate(parts):
        level, ops, pvar = _parse(part)
        if pvar != var or level is not None or ops:
            continue
        others = "#".join(parts[:i] + parts[i + 1 :])
        total = total + (column_values(session, others, overrides) if others else 1.0)
    return total
