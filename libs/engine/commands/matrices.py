"""``matrix``: define (from results, other matrices, ``J()``/``I()``, literals, transpose,
``+ - *``), ``list``, ``drop``, ``rownames``/``colnames``."""

from __future__ import annotations

import re

import numpy as np

from libs.engine.abbreviations import abbreviates
from libs.engine.commands import matrix_list
from libs.engine.errors import StataError
from libs.engine.evaluator import Evaluator
from libs.engine.registry import command
from libs.engine.results import Matrix
from libs.engine.session import Session
from libs.engine.syntax import Args


def _term(session: Session, text: str) -> Matrix:
    text = text.strip()
    transpose = text.endswith("'")
    if transpose:
        text = text[:-1].strip()
    m = re.match(r"^(J|I)\((.*)\)$", text)
    if m:
        ev = Evaluator(session, scalar=True)
        nums = [float(ev.evaluate(a)) for a in m.group(2).split(",")]
        values = (np.full((int(nums[0]), int(nums[1])), nums[2]) if m.group(1) == "J"
                  else np.eye(int(nums[0])))
        mat = _named(values)
    elif text.startswith("("):
        ev = Evaluator(session, scalar=True)
        rows = [[float(ev.evaluate(c)) for c in row.split(",")]
                for row in text[1:-1].split("\\")]
        mat = _named(np.array(rows, dtype=np.float64))
    else:
        mat = session.matrix(text)
    if transpose:
        return Matrix(mat.values.T.copy(), list(mat.colnames), list(mat.rownames))
    return mat


def _named(values: np.ndarray) -> Matrix:
    rows, cols = values.shape
    return Matrix(values, [f"r{i + 1}" for i in range(rows)], [f"c{j + 1}" for j in range(cols)])


def evaluate_matrix(session: Session, text: str) -> Matrix:
    """The matrix ``text`` defines: ``A + B``, ``A - B``, ``A * B`` (left to right) over
    matrix terms (names, ``r(table)``, transposes, ``J()``, ``I()``, literals)."""
    parts = re.split(r"\s+([-+*])\s+", text.strip())
    result = _term(session, parts[0])
    for op, operand in zip(parts[1::2], parts[2::2], strict=True):
        other = _term(session, operand)
        try:
            if op == "*":
                values = result.values @ other.values
                result = Matrix(values, list(result.rownames), list(other.colnames))
            else:
                values = result.values + (other.values if op == "+" else -other.values)
                result = Matrix(values, list(result.rownames), list(result.colnames))
        except ValueError:
            raise StataError(503, "conformability error") from None
    return result


@command("matrix", abbrev=3, syntax=None)
def matrix(session: Session, args: Args) -> None:
    """``matrix [define] A = ...``, ``matrix list A``, ``matrix drop A``,
    ``matrix rownames A = names``, ``matrix colnames A = names``."""
    text = args.raw.strip()
    sub, _, rest = text.partition(" ")
    if sub in ("list", "li", "l"):
        name, comma, options = rest.partition(",")
        opts = matrix_list.OPTIONS.parse(comma + options, session)
        session.log.lines(matrix_list.listing(name.strip(), session.matrix(name.strip()), opts))
    elif sub == "drop":
        for name in rest.split():
            if name == "_all":
                session.matrices.clear()
            session.matrices.pop(name, None)
    elif sub in ("rownames", "colnames", "rown", "coln", "rowname", "colname"):
        name, _, names = rest.partition("=")
        mat = session.matrix(name)
        labels = names.split()
        target = mat.rownames if sub.startswith("row") else mat.colnames
        if len(labels) != len(target):
            raise StataError(503, "conformability error")
        target[:] = labels
    else:
        if abbreviates(sub, "define", "define"):
            text = rest
        name, eq, expression = text.partition("=")
        element = re.match(r"^(\w+)\s*\[(.+)\]$", name.strip())
        if eq and element:
            _assign_element(session, element.group(1), element.group(2), expression)
            return
        if not eq or not re.match(r"^\w+$", name.strip()):
            raise StataError(198, "invalid syntax")
        mat = evaluate_matrix(session, expression)
        session.matrices[name.strip()] = Matrix(mat.values.copy(), list(mat.rownames),
                                                list(mat.colnames))


def _assign_element(session: Session, name: str, where: str, expression: str) -> None:
    """``matrix M[i, j] = exp``: set one element of an existing matrix (r(503) outside it)."""
    mat = session.matrix(name)
    ev = Evaluator(session, scalar=True)
    row, _, col = where.partition(",")
    if not col:
        raise StataError(198, "invalid syntax")
    i, j = (int(ev.numeric(part)[0]) - 1 for part in (row, col))
    if not (0 <= i < mat.values.shape[0] and 0 <= j < mat.values.shape[1]):
        raise StataError(503, "conformability error")
    values = mat.values.copy()  # a matrix may share its array with a copy of it
    values[i, j] = float(ev.numeric(expression)[0])
    session.matrices[name] = Matrix(values, list(mat.rownames), list(mat.colnames))

