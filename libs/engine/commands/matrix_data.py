"""Between the data and matrices: ``mkmat`` (variables → matrix) and ``svmat`` (matrix →
variables), as Stata's [P] matrix mkmat describes them."""

from __future__ import annotations

import numpy as np

from libs.engine import storage_types, varlist
from libs.engine.errors import StataError
from libs.engine.registry import command
from libs.engine.results import Matrix
from libs.engine.session import Session
from libs.engine.syntax import Args

MAX_MATRIX = 11000  #: Stata's matsize limit on rows and columns of a matrix (Stata/MP)


@command("mkmat", syntax="varlist(numeric) [if] [in] [, Matrix(name) NOMISSing "
         "ROWNames(varname) ROWEq(varname) ROWPrefix(string) OBS NChar(integer 32)]")
def mkmat(session: Session, args: Args) -> None:
    """``mkmat varlist [if] [in] [, matrix(name) nomissing rownames(var) roweq(var)
    rowprefix(str) obs nchar(#)]``: the selected observations as a matrix, one column per
    variable (without ``matrix()``, one column vector per variable, named after it)."""
    ds = session.data
    touse = args.touse(session)
    values = np.column_stack([ds.numeric(name) for name in args.varlist])
    if args.opt("nomissing"):
        touse &= ~np.isnan(values).any(axis=1)
    rows = np.flatnonzero(touse)
    if not len(rows):
        raise StataError(2000, "no observations")
    if len(rows) > MAX_MATRIX:
        raise StataError(908, f"matsize too small: {len(rows)} rows")
    names = _row_names(session, args, rows)
    data = values[rows]
    target = args.opt("matrix")
    if target:
        session.matrices[target] = Matrix(data, names, list(args.varlist))
        return
    for k, name in enumerate(args.varlist):
        session.matrices[name] = Matrix(data[:, [k]], list(names), [name])


def _row_names(session: Session, args: Args, rows: np.ndarray) -> list[str]:
    """``r1``, ``r2`` ... by default; observation numbers with ``obs``; a variable's values
    with ``rownames()`` (equation names from ``roweq()``); ``rowprefix()`` replaces the
    prefix ``r``; at most ``nchar()`` characters."""
    nchar = args.opt("nchar", 32)
    if args.opt("rownames") and (args.opt("rowprefix") or args.opt("obs")):
        raise StataError(198, "rownames() may not be combined with rowprefix() or obs")
    if args.opt("rownames"):
        names = [_text(session, args.opt("rownames"), int(i)) for i in rows]
    elif args.opt("obs"):
        names = [str(int(i) + 1) for i in rows]
    else:
        names = [str(k) for k in range(1, len(rows) + 1)]
    prefix = "" if args.opt("rownames") else (args.opt("rowprefix") or "r")
    names = [(prefix + name).replace(" ", "_")[:nchar] for name in names]
    if args.opt("roweq"):
        names = [f"{_text(session, args.opt('roweq'), int(i))[:nchar]}:{name}"
                 for i, name in zip(rows, names, strict=True)]
    return names


def _text(session: Session, name: str, row: int) -> str:
    col = session.data.cols[name]
    value = col[row]
    if isinstance(value, str):
        return value
    number = float(value)
    return f"{number:g}" if np.isfinite(number) else "."


@command("svmat", syntax="anything [, NAMes(string)]")
def svmat(session: Session, args: Args) -> None:
    """``svmat [type] A [, names(col|eqcol|matcol|stub)]``: the columns of matrix ``A`` as new
    variables (``A1``, ``A2`` ... by default), adding observations when ``A`` has more rows."""
    words = args.anything.split()
    stype = "float"
    if len(words) == 2 and storage_types.is_valid_type(words[0]):
        stype, words = words[0], words[1:]
    if len(words) != 1 or storage_types.is_string_type(stype):
        raise StataError(198, "invalid syntax")
    mat = session.matrix(words[0])
    how = args.opt("names") or ""
    cols = mat.colnames
    if how in ("", "col", "eqcol", "matcol"):
        names = {
            "": [f"{words[0]}{j}" for j in range(1, len(cols) + 1)],
            "col": [c.split(":", 1)[-1] for c in cols],
            "eqcol": [c.replace(":", "_") if ":" in c else f"_{c}" for c in cols],
            "matcol": [f"{words[0]}{c.split(':', 1)[-1]}" for c in cols],
        }[how]
    else:
        names = [f"{how}{j}" for j in range(1, len(cols) + 1)]
    names = [_valid_name(n) for n in names]
    varlist.new_names(session.data, " ".join(names))
    ds = session.data
    rows = mat.values.shape[0]
    if not ds.vars:
        ds.n = rows
    elif rows > ds.n:
        ds.set_obs(rows)
    for j, name in enumerate(names):
        column = np.full(ds.n, np.nan)
        column[:rows] = mat.values[:, j]
        ds.add(name, column, stype)


def _valid_name(name: str) -> str:
    """A column name as a variable name: other characters become ``_`` (Stata's rule for
    ``1.foreign`` and the like), at most 32 characters."""
    out = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    if out[:1].isdigit():
        out = "_" + out
    if not varlist.is_name(out[:32]):
        raise StataError(198, f"{name} invalid name")
    return out[:32]
