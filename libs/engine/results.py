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
        ``eq:`` prefix, and regardless of base/omitted markers (``_b[x2]`` is the column
        ``o.x2`` of a term omitted for collinearity, ``_b[1.foreign]`` is ``1b.foreign``).
        ValueError when there is none."""
        if name in self.colnames:
            return self.colnames.index(name)
        bare = [c.split(":", 1)[-1] for c in self.colnames]
        if name in bare:
            return bare.index(name)
        unmarked = [_unmarked(c) for c in bare]
        return unmarked.index(_unmarked(name))


#: the operator part of a name: level, flags (b base, o omitted, n no base, c continuous),
#: time-series operators: "2bn.", "o.", "co.", "oL2."
_MARKED = re.compile(r"^(\d*)([bcno]*)((?:[LFDS]\d*)*)\.")


def _unmarked(name: str) -> str:
    """A coefficient name without base/omitted markers: ``o.x`` → ``x``, ``1b.g`` → ``1.g``,
    ``co.x#2o.g`` → ``c.x#2.g``."""
    parts = []
    for part in name.split("#"):
        m = _MARKED.match(part)
        if m is None:
            parts.append(part)
            continue
        flags = m.group(2).replace("b", "").replace("o", "").replace("n", "")
        head = m.group(1) + flags + m.group(3)
        parts.append(f"{head}.{part[m.end():]}" if head else part[m.end():])
    return "#".join(parts)


@dataclass
class Results:
    """One results class: what ``return list`` / ``ereturn list`` shows."""

    scalars: dict[str, float] = field(default_factory=dict)
    macros: dict[str, str] = field(default_factory=dict)
    matrices: dict[str, Matrix] = field(default_factory=dict)
    sample: npt.NDArray[np.bool_] | None = None  #: e(sample); None for r()

    def clear(self) -> None:
        """Forget everything (each r-class command starts from empty r())."""
        self.scalars.clear()
        self.macros.clear()
        self.matrices.clear()
        self.sample = None

    def lookup(self, name: str) -> float | str | Matrix | None:
        """Value of ``r(name)``: a scalar, a macro, a matrix, or None when undefined."""
        if name in self.scalars:
            return self.scalars[name]
        if name in self.macros:
            return self.macros[name]
        return self.matrices.get(name)
