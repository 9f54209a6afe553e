"""The result tables of one attempt, parsed and checked: models side by side plus tables.

``coefficients.csv``, ``model_stats.csv`` and ``models.csv`` (docs/results.md) become
``Model`` records in the order the template stored them; every other ``results/*.csv`` is a
generic ``Table``. Any shape problem is a ``ReportError`` naming the file, row and column.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd

from libs.reports.context import OutputKind, ReportContext
from libs.reports.errors import ReportCode, ReportError
from libs.reports.figures import Chart, load_figures

COEFFICIENTS_FILE = "coefficients.csv"
MODEL_STATS_FILE = "model_stats.csv"
MODELS_FILE = "models.csv"

_COEF_COLUMNS = ("model", "term", "label", "coef", "se", "stat", "stat_type", "p",
                 "ci_lo", "ci_hi", "omitted")
_STATS_COLUMNS = ("model", "stat", "value")
_MODELS_COLUMNS = ("model", "title", "cmd", "depvar", "vce", "vcetype", "clustvar")


class Coefficient(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One term of one model, as ``coefficients.csv`` has it (missing numbers are null)."""

    term: str
    label: str
    coef: float
    se: float | None
    stat: float | None
    stat_type: str
    p: float | None
    ci_lo: float | None
    ci_hi: float | None
    omitted: bool


class Model(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One stored estimation: its description, coefficients and ``e()`` statistics."""

    name: str
    title: str
    cmd: str = ""
    depvar: str = ""
    vce: str = ""
    vcetype: str = ""
    clustvar: str = ""
    coefficients: list[Coefficient] = msgspec.field(default_factory=list)
    stats: dict[str, float] = msgspec.field(default_factory=dict)

    @property
    def n(self) -> int | None:
        """The number of observations, when the estimator reported it."""
        value = self.stats.get("N")
        return None if value is None else round(value)


@dataclass(frozen=True, slots=True)
class Table:
    """A generic result table: ``results/<name>.csv`` with its declared title and kind."""

    name: str
    title: str
    kind: OutputKind
    frame: pd.DataFrame


class ResultBundle:
    """Everything a format renders: the context, the models and the generic tables."""

    def __init__(self, context: ReportContext, models: list[Model], tables: list[Table],
                 figures: list[Chart] | None = None) -> None:
        self.context = context
        self.models = tuple(models)
        self.tables = tuple(tables)
        self.figures = tuple(figures or ())

    @classmethod
    def load(cls, results_dir: Path, context: ReportContext) -> ResultBundle:
        """Parse ``results_dir`` (the attempt's ``results/``) into models and tables, and
        collect the run's figures (declared ones and the graph list of its parent, the
        attempt folder: libs/reports/figures.py).

        Raises ``ReportError`` naming the file when a CSV is not in its documented shape.
        """
        declared = {Path(out.file).name: out for out in context.outputs}
        models = _load_models(results_dir) if (results_dir / COEFFICIENTS_FILE).exists() else []
        special = {COEFFICIENTS_FILE, MODEL_STATS_FILE, MODELS_FILE}
        paths = sorted(p for p in results_dir.glob("*.csv") if p.name not in special)
        # Declared tables first, in the template's order; then the rest by name.
        order = {name: i for i, name in enumerate(declared)}
        paths.sort(key=lambda p: (order.get(p.name, len(order)), p.name))
        tables = []
        for path in paths:
            out = declared.get(path.name)
            kind: OutputKind = out.kind if out else "table"
            title = out.title if out and out.title else path.stem
            tables.append(Table(name=path.stem, title=title, kind=kind, frame=read_table(path)))
        return cls(context, models, tables, load_figures(results_dir.parent, context))


def read_table(path: Path) -> pd.DataFrame:
    """A generic result table; empty fields are missing, everything else keeps its text."""
    _check_header(path, _read_header(path))
    try:
        return pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, ValueError) as exc:
        raise _malformed(path, str(exc).strip()) from exc


def _read_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return next(csv.reader(handle), [])
    except UnicodeDecodeError as exc:
        raise _malformed(path, f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc


def _check_header(path: Path, header: list[str], required: tuple[str, ...] = ()) -> None:
    if not header:
        raise _malformed(path, "empty file, a header row is required")
    blank = [i + 1 for i, name in enumerate(header) if not name.strip()]
    if blank:
        raise _malformed(path, f"header column {blank[0]} has no name")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise _malformed(path, f"column {name!r} appears twice in the header")
        seen.add(name)
    missing = [name for name in required if name not in seen]
    if missing:
        raise _malformed(path, f"missing column(s) {', '.join(missing)}")


def _read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a fixed-shape file as dicts, after checking header and row widths."""
    header = _read_header(path)
    _check_header(path, header, required)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = []
        for line, values in enumerate(reader, start=2):
            if not values:
                continue
            if len(values) != len(header):
                raise _malformed(path, f"row {line} has {len(values)} fields, "
                                       f"the header has {len(header)}")
            rows.append(dict(zip(header, values, strict=True)))
    return rows


def _number(path: Path, line: int, column: str, text: str, *, required: bool) -> float | None:
    text = text.strip()
    if text in ("", "."):
        if required:
            raise _malformed(path, f"row {line} column {column}: a number is required")
        return None
    try:
        value = float(text)
    except ValueError:
        raise _malformed(path, f"row {line} column {column}: {text!r} is not a number") from None
    return None if math.isnan(value) else value


def _load_models(results_dir: Path) -> list[Model]:
    coef_path = results_dir / COEFFICIENTS_FILE
    coefficients: dict[str, list[Coefficient]] = {}
    for line, row in enumerate(_read_rows(coef_path, _COEF_COLUMNS), start=2):
        name = _required_text(coef_path, line, row, "model")
        coefficients.setdefault(name, []).append(_coefficient(coef_path, line, row))

    stats: dict[str, dict[str, float]] = {}
    stats_path = results_dir / MODEL_STATS_FILE
    if stats_path.exists():
        for line, row in enumerate(_read_rows(stats_path, _STATS_COLUMNS), start=2):
            name = _required_text(stats_path, line, row, "model")
            value = _number(stats_path, line, "value", row["value"], required=False)
            if value is not None:
                stats.setdefault(name, {})[_required_text(stats_path, line, row, "stat")] = value

    described: dict[str, dict[str, str]] = {}
    models_path = results_dir / MODELS_FILE
    if models_path.exists():
        for line, row in enumerate(_read_rows(models_path, _MODELS_COLUMNS), start=2):
            described[_required_text(models_path, line, row, "model")] = row

    stray = sorted((set(stats) | set(described)) - set(coefficients))
    if stray:
        raise ReportError(ReportCode.RESULT_MODELS_INCONSISTENT,
                          f"results/{MODEL_STATS_FILE} or results/{MODELS_FILE} name model(s) "
                          f"{', '.join(stray)} that results/{COEFFICIENTS_FILE} does not have")
    # models.csv order is the order the template stored them; fall back to first appearance.
    names = [n for n in described if n in coefficients] + [
        n for n in coefficients if n not in described]
    return [_model(name, described.get(name, {}), coefficients[name], stats.get(name, {}))
            for name in names]


def _coefficient(path: Path, line: int, row: dict[str, str]) -> Coefficient:
    omitted = row["omitted"].strip()
    if omitted not in ("0", "1"):
        raise _malformed(path, f"row {line} column omitted: {omitted!r} is not 0 or 1")
    numbers = {column: _number(path, line, column, row[column], required=column == "coef")
               for column in ("coef", "se", "stat", "p", "ci_lo", "ci_hi")}
    coef = numbers.pop("coef")
    assert coef is not None  # required=True above never yields None
    return Coefficient(term=_required_text(path, line, row, "term"), label=row["label"].strip(),
                       coef=coef, stat_type=row["stat_type"].strip(), omitted=omitted == "1",
                       **numbers)


def _model(name: str, row: dict[str, str], coefficients: list[Coefficient],
           stats: dict[str, float]) -> Model:
    text: dict[str, Any] = {key: row.get(key, "").strip() for key in _MODELS_COLUMNS[1:]}
    text["title"] = text["title"] or name
    return Model(name=name, coefficients=coefficients, stats=stats, **text)


def _required_text(path: Path, line: int, row: dict[str, str], column: str) -> str:
    value = row[column].strip()
    if not value:
        raise _malformed(path, f"row {line} column {column}: a value is required")
    return value


def _malformed(path: Path, detail: str) -> ReportError:
    return ReportError(ReportCode.RESULT_TABLE_MALFORMED, f"results/{path.name}: {detail}")
