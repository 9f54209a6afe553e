"""Shape checks: does the dataset have a shape the template accepts?

Run by the worker on the normalised main input before the do-file is rendered, so a panel
template given a cross-section (or a long dataset whose id and j do not identify the rows) is
refused with ``DATA_SHAPE_INVALID`` and a reason per accepted shape, instead of failing deep
inside Stata. The data is reached through ``DatasetProbe`` so this module needs no pandas;
``libs.templates.frame`` adapts a DataFrame.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from libs.templates.errors import DataShapeInvalid
from libs.templates.metadata import Shape, ShapeSpec, Template
from libs.templates.params import DatasetColumns, ValidatedParams


class DatasetProbe(Protocol):
    """The questions a shape check asks of a dataset."""

    def columns(self) -> DatasetColumns:
        """The dataset's columns."""
        ...

    def identifies_rows(self, names: Sequence[str]) -> bool:
        """Whether the values of ``names`` are distinct across rows (missing rows ignored)."""
        ...

    def integer_valued(self, name: str) -> bool:
        """Whether column ``name`` is numeric with whole-number values only."""
        ...


def check_shape(template: Template, params: ValidatedParams, data: DatasetProbe) -> Shape:
    """The first accepted shape the data has; raise ``DataShapeInvalid`` when none fits."""
    reasons: dict[str, str] = {}
    for spec in template.shapes:
        why = shape_problem(spec, params, data)
        if why is None:
            return spec.kind
        reasons[spec.kind.value] = why
    raise DataShapeInvalid(template.id, reasons)


def shape_problem(spec: ShapeSpec, params: ValidatedParams, data: DatasetProbe) -> str | None:
    """Why the data does not have shape ``spec`` (None when it does)."""
    ident = _value(params, spec.id_param)
    if spec.kind is Shape.WIDE:
        if ident and not data.identifies_rows([ident]):
            return f"{ident!r} does not identify the rows (one row per unit expected)"
        return _stubs_problem(data.columns(), _names(params, spec.stubs_param))
    inner = _value(params, spec.time_param if spec.kind is Shape.PANEL else spec.j_param)
    if not ident or not inner:
        return "the id and time (or j) variables are not given"
    if spec.kind is Shape.PANEL and not data.integer_valued(inner):
        return f"time variable {inner!r} must hold whole numbers"
    if not data.identifies_rows([ident, inner]):
        return f"{ident!r} and {inner!r} do not identify the rows (repeated pairs)"
    if data.identifies_rows([ident]):
        return f"every {ident!r} has one row: this is a wide dataset"
    return None


def _stubs_problem(columns: DatasetColumns, stubs: list[str]) -> str | None:
    names = [c.name for c in columns.columns]
    for stub in stubs:
        pattern = re.compile(re.escape(stub) + r"\d+$")
        if not any(pattern.match(name) for name in names):
            return f"no columns {stub}1, {stub}2, ... for stub {stub!r}"
    return None


def _value(params: ValidatedParams, name: str | None) -> str | None:
    value = params.values.get(name) if name else None
    return value if isinstance(value, str) else None


def _names(params: ValidatedParams, name: str | None) -> list[str]:
    value = params.values.get(name) if name else None
    return value if isinstance(value, list) else []
