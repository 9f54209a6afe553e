"""json: machine-readable results — every model with its coefficients, standard errors,
statistics and N, every table, and the job/template/parameter context.

The document type below is the contract; ``results_schema()`` is its JSON Schema, published
as docs/schemas/results.schema.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pandas as pd

from libs.reports import cells
from libs.reports.bundle import Coefficient, Model, ResultBundle, Table
from libs.reports.context import InputTable, OutputKind, ParamValue, Timings
from libs.reports.files import write_bytes

RESULTS_FILE = "results.json"

#: Bumped when a field changes meaning or disappears (adding a field is compatible).
SCHEMA_VERSION = 1

#: A table cell: numbers stay numbers, missing values are null.
CellValue = str | int | float | bool | None


class StarredCoefficient(Coefficient, kw_only=True, frozen=True):
    """A coefficient as in coefficients.csv, plus the stars the reports print beside it."""

    stars: str


class ModelResult(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One model: description, N, every ``e()`` statistic and the coefficients."""

    name: str
    title: str
    cmd: str
    depvar: str
    vce: str
    vcetype: str
    clustvar: str
    n: int | None
    stats: dict[str, float]
    coefficients: list[StarredCoefficient]


class TableResult(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A generic result table, row-major, every row."""

    name: str
    title: str
    kind: OutputKind
    columns: list[str]
    rows: list[list[CellValue]]


class TemplateInfo(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Which template ran."""

    id: str
    title: str
    version: str


class ResultsDocument(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The whole results.json."""

    schema_version: int
    job_id: str
    tenant: str
    template: TemplateInfo
    params: dict[str, ParamValue]
    engine: str
    attempt: int
    timings: Timings
    inputs: list[InputTable]
    significance: dict[str, float]
    models: list[ModelResult]
    tables: list[TableResult]


def render_json(bundle: ResultBundle, out_dir: Path) -> list[Path]:
    """Write ``results.json`` into ``out_dir``."""
    context = bundle.context
    document = ResultsDocument(
        schema_version=SCHEMA_VERSION, job_id=context.job_id, tenant=context.tenant,
        template=TemplateInfo(id=context.template_id, title=context.template_title,
                              version=context.template_version),
        params=context.params, engine=context.engine, attempt=context.attempt,
        timings=context.timings, inputs=context.inputs,
        significance={mark: level for level, mark in cells.STAR_LEVELS},
        models=[_model(model) for model in bundle.models],
        tables=[_table(table) for table in bundle.tables])
    return [write_bytes(out_dir / RESULTS_FILE, msgspec.json.format(
        msgspec.json.encode(document), indent=1))]


def results_schema() -> dict[str, Any]:
    """The JSON Schema of results.json."""
    schema: dict[str, Any] = msgspec.json.schema(ResultsDocument)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "SS results.json"
    return schema


def _model(model: Model) -> ModelResult:
    fields = msgspec.structs.asdict(model)
    fields["coefficients"] = [
        StarredCoefficient(**msgspec.structs.asdict(c), stars=cells.stars(c.p))
        for c in model.coefficients]
    return ModelResult(n=model.n, **fields)


def _table(table: Table) -> TableResult:
    columns = [_cells(table.frame[name]) for name in table.frame.columns]
    return TableResult(name=table.name, title=table.title, kind=table.kind,
                       columns=[str(c) for c in table.frame.columns],
                       rows=[list(row) for row in zip(*columns, strict=True)])


def _cells(series: pd.Series) -> list[CellValue]:
    """Python scalars with None for missing (msgspec encodes neither NaN nor numpy types)."""
    values: list[CellValue] = series.astype(object).where(series.notna(), None).tolist()
    return values
