"""The terms ``margins`` takes apart: the variables of ``dydx()`` and a factor variable's
levels as ``e(b)``'s names carry them (``1b.g``, ``2.g``, ``c.x#1.g``)."""

from __future__ import annotations

from libs.engine.session import Session
from libs.engine.varlist import expand
from libs.stata_stats.estimation import Estimation


def dydx_variables(session: Session, est: Estimation, wanted: str) -> list[str]:
    """The variables of ``dydx()``: a varlist, or every variable in the model for ``*``."""
    model_vars: list[str] = []
    for full in est.names:
        eq, _, name = full.rpartition(":")
        if name == "_cons" or eq == "/" or "o." in name.partition("#")[0][:3]:
            continue
        for part in name.split("#"):
            prefix, _, var = part.rpartition(".")
            has_ts = any(ch.isupper() for ch in prefix)
            if var not in model_vars and not has_ts:
                model_vars.append(var)
    if wanted in ("*", "_all"):
        return model_vars
    return expand(session.data, wanted)


def factor_levels(names: tuple[str, ...], var: str) -> tuple[float, list[float]] | None:
    """(base level, other levels) when ``var`` enters as a factor, else None."""
    levels: list[tuple[float, bool]] = []
    for name in names:
        for part in name.split("#"):
            prefix, _, pvar = part.rpartition(".")
            digits = prefix.rstrip("bon")
            if pvar == var and digits.isdigit():
                levels.append((float(digits), "b" in prefix[len(digits) :]))
    if not levels:
        return None
    bases = [lv for lv, is_base in levels if is_base]
    base = bases[0] if bases else min(lv for lv, _ in levels)
    others = sorted({lv for lv, _ in levels if lv != base})
    return base, others
