"""``generate`` and ``replace``: new variables from expressions, Stata's storage semantics."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from libs.engine import expr, missing, storage_types, varlist
from libs.engine.dataset import Column
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.session import Session
from libs.engine.syntax import Args
from libs.engine.values import Value, broadcast, broadcast_str, is_string

FIXPOINT_ROUNDS = 64


@command("generate", abbrev=1, byable="groups",
         syntax="anything =exp [if] [in] [, Before(varname) After(varname)]")
def generate(session: Session, args: Args) -> None:
    """``generate [type] newvar[:lblname] = exp [if] [in] [, before() after()]``."""
    words = args.anything.split()
    if len(words) > 2 or not words:
        raise StataError(198, "invalid syntax")
    stype = words[0] if len(words) == 2 else None
    name, _, value_label = words[-1].partition(":")
    if stype is not None and not storage_types.is_valid_type(stype):
        raise StataError(198, f"{stype} invalid type")
    varlist.new_names(session.data, name)
    assert args.exp is not None
    value = Evaluator(session, session.by).evaluate(args.exp)
    touse = args.touse(session)
    ds = session.data
    if is_string(value):
        if stype is not None and not storage_types.is_string_type(stype):
            raise StataError(109, "type mismatch")
        text = broadcast_str(value, ds.n).copy()
        text[~touse] = ""
        if stype not in (None, "strL"):
            width = int(stype[3:])
            text = np.array([t[:width] for t in text], dtype=np.object_)
        column: Column = text
        stype = stype or storage_types.string_type_for(text)
        n_missing = 0
    else:
        if stype is not None and storage_types.is_string_type(stype):
            raise StataError(109, "type mismatch")
        numbers = broadcast(value, ds.n)
        column = numbers if touse.all() else np.where(touse, numbers, np.nan)
        stype = stype or session.settings.type
        n_missing = -1
    place = args.opt("after") or None
    before = args.opt("before")
    ds.add(name, column, stype, after=place)
    if before is not None:
        order = [v for v in ds.vars if v != name]
        pos = order.index(before)
        ds.move([name], after=order[pos - 1]) if pos else ds.move([name], first=True)
    if value_label:
        ds.vars[name].value_label = value_label
    if n_missing:
        count = int(np.isnan(ds.numeric(name)).sum())
        if count:
            session.log.out(f"({count:,} missing value{'s' if count > 1 else ''} generated)")


@command("replace", abbrev=7, byable="groups",
         syntax="varname =exp [if] [in] [, NOPromote]")
def replace(session: Session, args: Args) -> None:
    """``replace oldvar = exp [if] [in] [, nopromote]`` with Stata's type promotion."""
    ds = session.data
    name = args.varlist[0]
    var = ds.var(name)
    assert args.exp is not None
    node = expr.parse(args.exp)
    touse = args.touse(session)
    old = ds.cols[name]
    if name in expr.subscripted(node):
        new = _sequential(session, name, node, touse)
    else:
        new = _combine(Evaluator(session, session.by).evaluate(node), old, touse, var.is_string)
    if var.is_string:
        stype = var.stype
        needed = storage_types.string_type_for(new)  # type: ignore[arg-type]
        if var.stype != "strL" and (needed == "strL" or int(needed[3:]) > int(var.stype[3:])):
            stype = needed
            session.log.out(f"variable {name} was {var.stype} now {stype}")
    else:
        stype = var.stype
        if not args.opt("nopromote"):
            stype = storage_types.promote(var.stype, new[touse])  # type: ignore[arg-type]
            if stype != var.stype:
                session.log.out(f"variable {name} was {var.stype} now {stype}")
    ds.set(name, new, stype)
    stored = ds.cols[name]
    changed, to_missing = _changes(old, stored)
    note = f", {to_missing:,} to missing" if to_missing else ""
    session.log.out(f"({changed:,} real change{'s' if changed != 1 else ''} made{note})")


def _combine(value: Value, old: Column, touse: npt.NDArray[np.bool_], string: bool) -> Column:
    if is_string(value) != string:
        raise StataError(109, "type mismatch")
    if string:
        new = broadcast_str(value, len(old))
        return np.where(touse, new, old).astype(np.object_) if not touse.all() else new.copy()
    numbers = broadcast(value, len(old))
    return np.where(touse, numbers, old) if not touse.all() else numbers


def _sequential(session: Session, name: str, node: object,
                touse: npt.NDArray[np.bool_]) -> Column:
    """Stata replaces observation by observation: ``x[_n-1]`` sees already-replaced values.

    Iterate the vectorised evaluation to a fixed point (enough for fill-down and short
    recurrences), then finish row by row if it has not converged.
    """
    ds = session.data
    old = ds.cols[name]
    string = ds.vars[name].is_string
    current = old
    for _ in range(FIXPOINT_ROUNDS):
        ev = Evaluator(session, session.by)
        ev.sequential = (name, old, current)
        new = _combine(ev.evaluate(node), old, touse, string)
        if _same(new, current):
            return new
        current = new
    rows = np.flatnonzero(touse)
    result = current.copy()
    for row in rows:
        ev = Evaluator(session, session.by, scalar=True, row=int(row))
        ev.sequential = (name, old, result)
        result[row] = ev.evaluate(node)
    return result


def _same(a: Column, b: Column) -> bool:
    if a.dtype == np.object_:
        return bool(np.array_equal(a, b))
    return bool(np.array_equal(missing.order_key(a), missing.order_key(b)))  # type: ignore[arg-type]


def _changes(old: Column, new: Column) -> tuple[int, int]:
    if old.dtype == np.object_ or new.dtype == np.object_:
        return int((old != new).sum()), 0
    ko, kn = missing.order_key(old), missing.order_key(new)  # type: ignore[arg-type]
    diff = ko != kn
    return int(diff.sum()), int((diff & np.isnan(new)).sum())
