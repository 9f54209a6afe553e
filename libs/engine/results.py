"""Stored results: ``r()``, ``e()`` and ``s()`` (scalars, macros, labelled matrices)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass
class Matrix:
    """A Stata matrix: values with row and column names (``e(b)`` is 1×k, ``e(V)`` k×k).

    Names are Stata's full names: ``price``, ``1.foreign``, ``eq:x`` for multi-equation models.
    """

    values: npt.NDArray[np.float64]
    rownames: list[str]
    colnames: list[str]

    def __post_init__(self) -> None:
        self.values = np.atleast_2d(np.asarray(self.values, dtype=np.float64))
        if self.values.shape != (len(self.rownames), len(self.colnames)):
            raise ValueError(f"matrix {self.values.shape} vs names {self.rownames, self.colnames}")

    def col(self, name: str) -> int:
        """Index of column ``name``, as ``_b[name]`` finds a coefficient: also without an
        ``eq:`` prefix, regardless of base/omitted markers (``_b[x2]`` is the column ``o.x2``
        of a term omitted for collinearity, ``_b[1.foreign]`` is ``1b.foreign``) and however
        time-series operators are chained (``L.D.x`` is ``LD.x``). ValueError when none."""
        return find_column(self.colnames, name)


def find_column(colnames: list[str] | tuple[str, ...], name: str) -> int:
    """Where coefficient ``name`` is among ``colnames`` (see :meth:`Matrix.col`)."""
    if name in colnames:
        return list(colnames).index(name)
    if name.startswith("/") and f"/:{name[1:]}" in colnames:
        return list(colnames).index(f"/:{name[1:]}")
    bare = [c.split(":", 1)[-1] for c in colnames]
    if name in bare:
        return bare.index(name)
    return [coefficient_key(c) for c in bare].index(coefficient_key(name))


_OPS = re.compile(r"([LFDS])(\d*)")
_PART = re.compile(r"^(\d*)([bcno]*)([LFDS0-9.]*?)\.?([A-Za-z_][A-Za-z0-9_]*)$")


def coefficient_key(name: str) -> str:
    """A coefficient name reduced to what identifies the column: base/omitted markers
    dropped (``o.x`` → ``x``, ``1b.g`` → ``1.g``) and time-series operators in one canonical
    chain (``L.D.x``, ``D.L1.x`` → ``LD.x``)."""
    parts = []
    for part in name.split("#"):
        m = _PART.match(part)
        if m is None:
            parts.append(part)
            continue
        level, flags, ops, var = m.groups()
        counts = dict.fromkeys("LFDS", 0)
        for op, k in _OPS.findall(ops):
            counts[op] += int(k or 1)
        chain = "".join(op + (str(k) if k > 1 else "") for op, k in counts.items() if k)
        head = level + flags.replace("b", "").replace("o", "").replace("n", "") + chain
        parts.append(f"{head}.{var}" if head else var)
    return "#".join(parts)


@dataclass
class Results:
    """One results class: what ``return list`` / ``ereturn list`` shows."""

    scalars: dict[str, float] = field(default_factory=dict)
    macros: dict[str, str] = field(default_factory=dict)
    matrices: dict[str, Matrix] = field(default_factory=dict)
    sample: npt.NDArray[np.bool_] | None = None  #: e(sample); None for r()
    #: per-observation results an estimator keeps for its postestimation commands (the
    #: matched-sample frequency weights of ``teffects`` matching); ``ereturn list`` omits them
    internals: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget everything (each r-class command starts from empty r())."""
        self.scalars.clear()
        self.macros.clear()
        self.matrices.clear()
        self.sample = None
        self.internals.clear()

    def lookup(self, name: str) -> float | str | Matrix | None:
        """Value of ``r(name)``: a scalar, a macro, a matrix, or None when undefined."""
        if name in self.scalars:
            return self.scalars[name]
        if name in self.macros:
            return self.macros[name]
        return self.matrices.get(name)
