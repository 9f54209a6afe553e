"""The dataset in memory: Stata's variables (order, storage type, format, labels) over columns.

Columns are numpy arrays: float64 for every numeric type (missing = NaN, see ``missing``), object
arrays of ``str`` for strings (missing = ""). Values always respect the variable's storage type
(``storage_types.store``), so a float variable holds float32-rounded numbers exactly as Stata does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from libs.engine import missing, storage_types
from libs.engine.errors import StataError
from libs.engine.missing import FloatArray

Column = npt.NDArray[np.float64] | npt.NDArray[np.object_]


@dataclass
class Variable:
    """Metadata of one variable."""

    name: str
    stype: str  #: byte/int/long/float/double/str#/strL
    format: str
    label: str = ""
    value_label: str = ""  #: name of the attached value label, '' when none
    chars: dict[str, str] = field(default_factory=dict)

    @property
    def is_string(self) -> bool:
        """Whether this is a string variable."""
        return storage_types.is_string_type(self.stype)


class Dataset:
    """Variables in order, their columns, value labels, sort order and the data label."""

    def __init__(self) -> None:
        self.vars: dict[str, Variable] = {}  #: in variable order
        self.cols: dict[str, Column] = {}
        self.value_labels: dict[str, dict[float, str]] = {}
        self.sortedby: list[str] = []
        self.label = ""
        self.chars: dict[str, str] = {}  #: the dataset's characteristics, ``_dta[name]``
        self.n = 0
        self.changed = False  #: modified since last use/save (``use`` refuses to discard it)
        self.saved = ""  #: when its file was saved ("13 Apr 2022 17:45"), Stata's c(filedate)

    # -- reading ---------------------------------------------------------------------------
    @property
    def varnames(self) -> list[str]:
        """Variable names in dataset order."""
        return list(self.vars)

    def var(self, name: str) -> Variable:
        """Metadata of variable ``name`` (exact name; r(111) if absent)."""
        try:
            return self.vars[name]
        except KeyError:
            raise StataError(111, f"variable {name} not found") from None

    def numeric(self, name: str) -> FloatArray:
        """The float64 column of numeric variable ``name`` (r(109) for a string variable)."""
        if self.var(name).is_string:
            raise StataError(109, "type mismatch")
        col = self.cols[name]
        assert col.dtype == np.float64
        return col  # type: ignore[return-value]

    def strings(self, name: str) -> npt.NDArray[np.object_]:
        """The object column of string variable ``name`` (r(109) for a numeric variable)."""
        if not self.var(name).is_string:
            raise StataError(109, "type mismatch")
        return self.cols[name]  # type: ignore[return-value]

    def value_text(self, name: str, value: float) -> str | None:
        """The value-label text of ``value`` for variable ``name``, if it has one."""
        lbl = self.vars[name].value_label
        return self.value_labels.get(lbl, {}).get(missing.label_key(value)) if lbl else None

    # -- changing --------------------------------------------------------------------------
    def add(
        self,
        name: str,
        values: Column,
        stype: str,
        *,
        label: str = "",
        fmt: str | None = None,
        after: str | None = None,
    ) -> None:
        """Add a new variable (r(110) if it exists); numeric values are stored per ``stype``."""
        if name in self.vars:
            raise StataError(110, f"variable {name} already defined")
        if self.n == 0 and not self.vars:
            self.n = len(values)
        if len(values) != self.n:
            raise StataError(198, f"{name}: {len(values)} values for {self.n} observations")
        self.cols[name] = self._coerce(values, stype)
        self.vars[name] = Variable(name, stype, fmt or storage_types.default_format(stype), label)
        if after is not None:
            self.move([name], after=after)
        self.changed = True

    def set(self, name: str, values: Column, stype: str | None = None) -> None:
        """Replace all values of ``name``, optionally changing its storage type."""
        var = self.var(name)
        if stype is not None and stype != var.stype:
            was_string = var.is_string
            var.stype = stype
            if was_string != var.is_string:
                var.format = storage_types.default_format(stype)
        self.cols[name] = self._coerce(values, var.stype)
        self.changed = True
        if name in self.sortedby:
            self.sortedby = self.sortedby[: self.sortedby.index(name)]

    def _coerce(self, values: Column, stype: str) -> Column:
        if storage_types.is_string_type(stype):
            if values.dtype != np.object_:
                raise StataError(109, "type mismatch")
            return values
        if values.dtype != np.float64:
            values = values.astype(np.float64)
        return storage_types.store(values, stype)  # type: ignore[arg-type]

    def drop(self, names: list[str]) -> None:
        """Remove variables ``names``."""
        for name in names:
            self.var(name)
            del self.vars[name], self.cols[name]
        if not self.vars:  # no variables, no observations (``drop _all``)
            self.n = 0
        self.sortedby = [v for v in self.sortedby if v in self.vars]
        self.changed = True

    def rename(self, old: str, new: str) -> None:
        """Rename a variable keeping its position (r(110) if ``new`` exists)."""
        if new in self.vars and new != old:
            raise StataError(110, f"variable {new} already defined")
        self.var(old)
        self.vars = {(new if k == old else k): v for k, v in self.vars.items()}
        self.vars[new].name = new
        self.cols = {(new if k == old else k): v for k, v in self.cols.items()}
        self.sortedby = [new if v == old else v for v in self.sortedby]
        self.changed = True

    def move(self, names: list[str], *, after: str | None = None, first: bool = False) -> None:
        """Reorder: put ``names`` first, last (default) or right after variable ``after``."""
        rest = [v for v in self.vars if v not in names]
        if first:
            order = names + rest
        elif after is not None:
            pos = rest.index(after) + 1
            order = rest[:pos] + names + rest[pos:]
        else:
            order = rest + names
        self.vars = {k: self.vars[k] for k in order}
        self.cols = {k: self.cols[k] for k in order}

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> None:
        """Keep the observations selected by ``index`` (mask or positions, in that order)."""
        self.cols = {k: v[index] for k, v in self.cols.items()}
        self.n = len(next(iter(self.cols.values()))) if self.cols else int(np.sum(index))
        if index.dtype != np.bool_:
            self.sortedby = []
        self.changed = True

    def set_obs(self, n: int) -> None:
        """``set obs n``: add missing observations at the end (never drops)."""
        if n < self.n:
            raise StataError(198, f"obs must be at least {self.n}")
        extra = n - self.n
        for k, col in self.cols.items():
            pad = np.full(extra, "" if col.dtype == np.object_ else np.nan, dtype=col.dtype)
            self.cols[k] = np.concatenate([col, pad])
        self.n = n
        self.changed = True

    def clear(self) -> None:
        """Drop everything (``clear``)."""
        self.__init__()  # type: ignore[misc]

    def copy(self) -> Dataset:
        """An independent copy (``preserve``); columns are copied lazily by never mutating."""
        other = Dataset()
        other.vars = {k: replace(v, chars=dict(v.chars)) for k, v in self.vars.items()}
        other.cols = dict(self.cols)
        other.value_labels = {k: dict(v) for k, v in self.value_labels.items()}
        other.sortedby = list(self.sortedby)
        other.label, other.n, other.changed = self.label, self.n, self.changed
        other.saved = self.saved
        other.chars = dict(self.chars)
        return other

    # -- pandas bridge -----------------------------------------------------------------------
    def to_pandas(self, names: list[str] | None = None) -> pd.DataFrame:
        """The data as a DataFrame (numeric float64, strings as object), no copy of numbers."""
        names = self.varnames if names is None else names
        return pd.DataFrame({k: self.cols[k] for k in names}, copy=False)

    @classmethod
    def from_columns(cls, columns: dict[str, Column], types: dict[str, str]) -> Dataset:
        """Build a dataset from named columns and their storage types."""
        ds = cls()
        ds.n = len(next(iter(columns.values()))) if columns else 0
        for name, col in columns.items():
            ds.add(name, col, types[name])
        ds.changed = False
        return ds
