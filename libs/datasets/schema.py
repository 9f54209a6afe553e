"""From a read ``Table`` to what Stata gets: names, labels, storage types, cast values."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from libs.datasets.column_types import store_column
from libs.datasets.errors import DatasetError, DatasetErrorCode
from libs.datasets.names import MAX_LABEL, label_for, stata_names
from libs.datasets.report import Column, Notice
from libs.datasets.table import Table


@dataclass(kw_only=True)
class Schema:
    """A table ready for the .dta writer, keyed by Stata names."""

    frame: pd.DataFrame
    columns: list[Column]
    variable_labels: dict[str, str]
    value_labels: dict[str, dict[float, str]]
    #: Stata name -> date unit for the writer ("td", "tc", "tm", ...).
    dates: dict[str, str]
    strl: list[str]
    warnings: list[Notice]


def require_rows(schema: Schema) -> None:
    """``INPUT_EMPTY`` for a table with a header and no rows: there is nothing to analyse."""
    if schema.frame.empty:
        raise DatasetError(
            DatasetErrorCode.INPUT_EMPTY,
            "The input has a header but no rows.",
            columns=[c.original for c in schema.columns],
        )


def build_schema(table: Table) -> Schema:
    """Name, label and type every column of ``table``."""
    mapping = stata_names(table.originals)
    data: dict[str, pd.Series] = {}
    columns: list[Column] = []
    labels: dict[str, str] = {}
    warnings = list(table.warnings)
    dates: dict[str, str] = {}
    for j, m in enumerate(mapping):
        values, stored, notices = store_column(
            table.frame[j],
            table.kinds[j],
            m.original or m.name,
            table.declared_types.get(j),
            table.date_units.get(j),
        )
        warnings.extend(notices)
        label = (table.labels.get(j) or label_for(m.original, m.name))[:MAX_LABEL]
        if label:
            labels[m.name] = label
        if stored.format is not None:
            dates[m.name] = stored.format[1:3]
        data[m.name] = values
        columns.append(
            Column(
                position=j,
                original=m.original,
                name=m.name,
                label=label,
                kind=table.kinds[j],
                storage=stored.storage,
                format=stored.format,
                missing=stored.missing,
                value_labels=j in table.value_labels,
            )
        )
    blank = [c.name for c in columns if not c.original.strip()]
    if blank:
        warnings.append(
            Notice(
                code="BLANK_HEADER",
                message=f"Columns without a header were named {', '.join(blank)}.",
            )
        )
    # copy=False: one block per column, as the writer reads them; consolidating same-typed
    # columns into 2-D blocks would copy every number column once more (~80 ms at 1M rows).
    frame = pd.DataFrame(data, index=table.frame.index, copy=False) if data else pd.DataFrame()
    return Schema(
        frame=frame,
        columns=columns,
        variable_labels=labels,
        value_labels={mapping[j].name: v for j, v in table.value_labels.items()},
        dates=dates,
        strl=[c.name for c in columns if c.storage == "strL"],
        warnings=warnings,
    )
