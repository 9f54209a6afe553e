"""Expression evaluation over the dataset, vectorised with numpy, with Stata's semantics.

Values are numpy float64 arrays (one element per observation) or numpy scalars for numbers,
object arrays or ``str`` for strings.  Missing values propagate through arithmetic (any
missing result is ``.``, as is division by zero), compare greater than every number, and count
as true in ``&``/``|``.  In *scalar* mode (``display``, ``local x = ``) a variable name means
its first observation, as in Stata.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from libs.engine import expr, functions, missing, timeseries
from libs.engine.errors import StataError
from libs.engine.groups import Groups, whole
from libs.engine.results import Matrix, find_column
from libs.engine.session import Session
from libs.engine.values import Value, broadcast, clean, is_string
from libs.engine.varlist import resolve


class Evaluator:
    """Evaluates parsed expressions against a session's data."""

    def __init__(self, session: Session, groups: Groups | None = None, *, scalar: bool = False,
                 row: int = 0) -> None:
        self.session = session
        self.data = session.data
        self.scalar = scalar
        self.row = row  #: the observation a scalar-mode evaluation looks at
        self.groups = groups
        self.n = 1 if scalar else self.data.n
        #: replace with a self-referencing subscript: (name, old values, values so far)
        self.sequential: tuple[str, npt.NDArray[np.float64] | npt.NDArray[np.object_],
                               npt.NDArray[np.float64] | npt.NDArray[np.object_]] | None = None

    # -- entry points -------------------------------------------------------------------------
    def evaluate(self, text_or_node: str | object) -> Value:
        """Evaluate an expression (text or parsed node)."""
        node = expr.parse(text_or_node) if isinstance(text_or_node, str) else text_or_node
        with np.errstate(all="ignore"):
            return self.eval(node)

    def numeric(self, node: str | object) -> npt.NDArray[np.float64]:
        """Evaluate to a numeric array of length N (r(109) if the result is a string)."""
        value = self.evaluate(node)
        if is_string(value):
            raise StataError(109, "type mismatch")
        return broadcast(value, self.n)

    def condition(self, node: str | object) -> npt.NDArray[np.bool_]:
        """Evaluate an ``if`` condition: true where the value is nonzero (missing is true)."""
        values = self.numeric(node)
        return values != 0  # type: ignore[no-any-return]

    # -- nodes --------------------------------------------------------------------------------
    def eval(self, node: object) -> Value:
        """Evaluate one AST node."""
        if isinstance(node, expr.Num):
            return np.float64(node.value)
        if isinstance(node, expr.Str):
            return node.value
        if isinstance(node, expr.Var):
            return self.variable(node)
        if isinstance(node, expr.Binary):
            return self.binary(node.op, self.eval(node.left), self.eval(node.right))
        if isinstance(node, expr.Unary):
            value = self.eval(node.operand)
            if is_string(value):
                raise StataError(109, "type mismatch")
            if node.op == "-":
                return missing.canonical(np.asarray(-value)) if np.ndim(value) else -value
            return (value == 0).astype(np.float64) if np.ndim(value) else np.float64(value == 0)
        if isinstance(node, expr.Call):
            fn = functions.lookup(node.name, len(node.args))
            return fn(self, [self.eval(a) for a in node.args])
        if isinstance(node, expr.Sub):
            return self.subscript(node)
        if isinstance(node, expr.Special):
            return self.special(node.name)
        if isinstance(node, expr.Result):
            return self.result(node)
        if isinstance(node, expr.Coef):
            return np.float64(self.coefficient(node))
        raise StataError(198, "invalid expression")

    def binary(self, op: str, a: Value, b: Value) -> Value:
        """Apply a binary operator with Stata semantics."""
        sa, sb = is_string(a), is_string(b)
        if op in ("&", "|"):
            if sa or sb:
                raise StataError(109, "type mismatch")
            ta, tb = a != 0, b != 0
            return np.float64(1.0) * ((ta & tb) if op == "&" else (ta | tb))
        if sa != sb:
            raise StataError(109, "type mismatch")
        if sa:
            return _string_binary(op, a, b)
        if op in ("+", "-", "*", "/", "^"):
            if op == "+":
                out = a + b
            elif op == "-":
                out = a - b
            elif op == "*":
                out = a * b
            elif op == "/":
                out = a / b
            else:
                out = np.power(a, b)
            return clean(out)
        ka, kb = _key(a), _key(b)
        cmp = _COMPARE[op]
        return cmp(ka, kb).astype(np.float64) if np.ndim(ka) or np.ndim(kb) else np.float64(
            cmp(ka, kb))

    def variable(self, node: expr.Var) -> Value:
        """A variable's column (first observation in scalar mode), or a scalar's value."""
        name = self.lookup(node.name)
        if name is None:
            return self.session.scalar_value(node.name)
        col = self.data.cols[name]
        if node.ts:
            replaced = None  # replace x = ... L.x: lags see the rows already replaced
            if self.sequential is not None and self.sequential[0] == name:
                replaced = np.asarray(self.sequential[2], dtype=np.float64)
            col = timeseries.apply(self.data, self.session.tsset, name, node.ts, replaced)
        if self.scalar:
            if not self.data.n:
                return "" if col.dtype == np.object_ else np.float64(np.nan)
            value = col[self.row]
            return value if col.dtype == np.object_ else np.float64(value)
        return col

    def lookup(self, name: str) -> str | None:
        """Variable named (or abbreviated) ``name``; None if it is instead a scalar."""
        if name in self.data.vars:
            return name
        if name in self.session.scalars:
            return None
        return resolve(self.data, name, abbrev=self.session.settings.varabbrev)

    def subscript(self, node: expr.Sub) -> Value:
        """``x[exp]``: observation ``exp`` (within the by-group), missing when out of range;
        ``M[i, j]``: an element of matrix M (rows and columns by number or by name)."""
        if node.column is not None:
            return self.matrix_element(node)
        name = self.lookup(node.name)
        if name is None:
            raise StataError(198, f"{node.name}[] invalid")
        col = self.data.cols[name]
        index = np.trunc(np.asarray(self.eval(node.index), dtype=np.float64))
        groups = self.groups or whole(self.data.n)
        if self.scalar:
            g = groups.ids[self.row] if self.data.n else 0
            starts = np.array([groups.starts[g] if self.data.n else 0])
            sizes = np.array([groups.sizes[g] if self.data.n else 0])
            pos = np.array([index.item() - 1])
        else:
            index = np.broadcast_to(index, (self.n,))
            sizes, starts = groups.group_size(), groups.starts[groups.ids]
            pos = index - 1
        valid = (pos >= 0) & (pos < sizes)
        take = np.where(valid, starts + np.where(valid, pos, 0), 0).astype(np.intp)
        if self.sequential is not None and self.sequential[0] == name:
            _, old, current = self.sequential
            here = np.array([self.row]) if self.scalar else np.arange(self.n)
            col = np.where(take < here, current[take], old[take]) if len(take) else old
            take = np.arange(len(take))
        if not len(col):
            out = np.full(len(take), "" if col.dtype == np.object_ else np.nan, dtype=col.dtype)
        else:
            out = col[take]
            out[~valid] = "" if col.dtype == np.object_ else np.nan
        return out[0] if self.scalar else out

    def matrix_element(self, node: expr.Sub) -> Value:
        """``M[i, j]``; the subscripts are evaluated per observation (``M[_n, 1]``).

        A constant position outside the matrix is r(503); an observation whose position falls
        outside it gets missing, so ``generate b = M[_n, 1]`` fills the first rowsof(M) rows.
        """
        mat = self.session.matrix(node.name)
        at: list[npt.NDArray[np.float64]] = []
        for index, names in ((node.index, mat.rownames), (node.column, mat.colnames)):
            value = self.eval(index)
            if is_string(value):
                try:
                    at.append(np.array([find_column(names, str(value))], dtype=np.float64))
                except ValueError:
                    raise StataError(111, f"{value} not found in matrix {node.name}") from None
                continue
            at.append(np.trunc(np.atleast_1d(np.asarray(value, dtype=np.float64))) - 1)
        rows, cols = at
        if rows.size == 1 and cols.size == 1:
            if not (0 <= rows[0] < mat.values.shape[0] and 0 <= cols[0] < mat.values.shape[1]):
                raise StataError(503, "conformability error")
            element = np.float64(mat.values[int(rows[0]), int(cols[0])])
            return element if self.scalar else np.full(self.n, element)
        rows, cols = np.broadcast_arrays(rows, cols)
        inside = ((rows >= 0) & (rows < mat.values.shape[0])
                  & (cols >= 0) & (cols < mat.values.shape[1]))
        out = np.full(rows.shape, np.nan)
        out[inside] = mat.values[rows[inside].astype(np.intp), cols[inside].astype(np.intp)]
        return out

    def special(self, name: str) -> Value:
        """``_n``, ``_N``, ``_pi``, ``_rc``."""
        if name == "_pi":
            return np.float64(np.pi)
        if name == "_rc":
            return np.float64(self.session.rc)
        groups = self.groups or whole(self.data.n)
        if self.scalar:
            if self.groups is None or not self.data.n:
                return np.float64(self.row + 1 if name == "_n" else self.data.n)
            values = groups.obs_in_group() if name == "_n" else groups.group_size()
            return np.float64(values[self.row])
        values = groups.obs_in_group() if name == "_n" else groups.group_size()
        return values.astype(np.float64)

    def result(self, node: expr.Result) -> Value:
        """``r(x)`` / ``e(x)`` / ``c(x)``: scalar, macro text, or r(198) for a matrix."""
        value = self.session.stored(node.cls, node.name)
        if value is None:
            return np.float64(np.nan) if node.cls != "c" else ""
        if isinstance(value, Matrix):
            raise StataError(198, f"{node.cls}({node.name}) is a matrix")
        if isinstance(value, np.ndarray):
            return value.astype(np.float64) if not self.scalar else np.float64(value[0])
        return value if isinstance(value, str) else np.float64(value)

    def coefficient(self, node: expr.Coef) -> float:
        """``_b[name]`` / ``_se[name]`` from ``e(b)`` / ``e(V)``; r(111) if not in the model."""
        est = self.session.e
        b = est.matrices.get("b")
        if b is None:
            raise StataError(301, "last estimates not found")
        try:
            j = b.col(node.name)
        except ValueError:
            raise StataError(111, f"[{node.name}] not found") from None
        if node.kind == "_b":
            return float(b.values[0, j])
        v = est.matrices.get("V")
        return float(np.sqrt(v.values[j, j])) if v is not None else float("nan")


#: Stata's comparison operators (numbers compare by missing-value order key, see ``_key``).
_COMPARE: dict[str, Callable[..., Any]] = {
    "==": np.equal, "!=": np.not_equal, "<": np.less, ">": np.greater,
    "<=": np.less_equal, ">=": np.greater_equal}


def _key(value: Value) -> Value:
    if np.ndim(value):
        return missing.order_key(value)
    return missing.order_key(np.array([value], dtype=np.float64))[0] if np.isnan(value) else value


def _string_binary(op: str, a: Value, b: Value) -> Value:
    if op == "+":
        return a + b
    if op == "*":
        raise StataError(109, "type mismatch")
    cmp = _COMPARE.get(op)
    if cmp is None:
        raise StataError(109, "type mismatch")
    if isinstance(a, str) and isinstance(b, str):
        return np.float64(cmp(a, b))
    return np.asarray(cmp(a, b), dtype=np.float64)
