"""Stored results: ``r()``, ``e()`` and ``s()`` (scalars, macros, labelled matrices)."""

from __future__ import annotations

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
        """Index of column ``name`` (also accepts the name without an ``eq:`` prefix, and
        ``/cut1`` for ``/:cut1``)."""
        if name in self.colnames:
            return self.colnames.index(name)
        if name.startswith("/") and f"/:{name[1:]}" in self.colnames:
            return self.colnames.index(f"/:{name[1:]}")
        bare = [c.split(":", 1)[-1] for c in self.colnames]
        return bare.index(name)


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
