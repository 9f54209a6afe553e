"""The in-memory table every reader returns and the writer consumes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from libs.datasets.report import Kind, Notice, Source


@dataclass(kw_only=True)
class Table:
    """Columns keyed by position (0..n-1), so duplicate or blank original names are harmless."""

    frame: pd.DataFrame
    #: Header text per column as the user wrote it ("" when blank).
    originals: list[str]
    kinds: list[Kind]
    source: Source
    #: Variable labels the input carried (DTA), by position.
    labels: dict[int, str] = field(default_factory=dict)
    #: Value labels the input carried (DTA), by position.
    value_labels: dict[int, dict[float, str]] = field(default_factory=dict)
    #: Storage types the input declared (DTA), by position: kept rather than re-inferred.
    declared_types: dict[int, str] = field(default_factory=dict)
    #: Stata date units the input used (DTA: "td", "tm", ...), by position.
    date_units: dict[int, str] = field(default_factory=dict)
    warnings: list[Notice] = field(default_factory=list)
    #: False when only the first rows were read (preview).
    complete: bool = True


def drop_empty_rows(table: Table) -> None:
    """Remove rows where every cell is missing (spreadsheet exports trail them)."""
    frame = table.frame
    if frame.empty:
        return
    # Column by column, stopping at the first that leaves no candidate: most tables have a
    # column without gaps (an id), and a missing mask per cell of a text column is costly.
    empty = np.ones(len(frame), dtype=bool)
    for j in frame.columns:
        empty &= frame[j].isna().to_numpy()
        if not empty.any():
            return
    table.frame = frame.loc[~empty].reset_index(drop=True)
    table.warnings.append(
        Notice(code="EMPTY_ROWS_DROPPED", message=f"{int(empty.sum())} empty rows dropped.")
    )


def drop_empty_unnamed_columns(table: Table) -> None:
    """Remove columns with neither a header nor a value (trailing delimiters, stray cells)."""
    keep = [
        j
        for j in range(len(table.originals))
        if table.originals[j].strip() or table.frame[j].notna().any()
    ]
    if len(keep) == len(table.originals):
        return
    table.frame = table.frame[keep].set_axis(range(len(keep)), axis=1)
    table.originals = [table.originals[j] for j in keep]
    table.kinds = [table.kinds[j] for j in keep]
    moved = {old: new for new, old in enumerate(keep)}
    table.labels = {moved[j]: v for j, v in table.labels.items() if j in moved}
    table.value_labels = {moved[j]: v for j, v in table.value_labels.items() if j in moved}
    table.declared_types = {moved[j]: v for j, v in table.declared_types.items() if j in moved}
    table.date_units = {moved[j]: v for j, v in table.date_units.items() if j in moved}
