"""What the formatter knows about a job besides its result tables.

The formatter service builds one ``ReportContext`` from the job record and the template
metadata; every format prints from it (title, parameters, data, timings, variable map).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import msgspec

#: A template parameter value after validation (see the template metadata types).
ParamValue = str | int | float | bool | list[str]

#: What a declared output file holds.
OutputKind = Literal["table", "coefficients", "model_stats", "dataset", "figure"]


class Timings(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """When the job moved, as ISO-8601 strings, and how long the engine ran."""

    queued: str | None = None
    started: str | None = None
    finished: str | None = None
    run_seconds: float | None = None


class InputColumn(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One variable of an input: its original name, its Stata name, label and type."""

    name: str
    stata_name: str
    label: str = ""
    type: str = ""


class InputTable(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One input dataset and its variable map."""

    name: str
    rows: int
    columns: list[InputColumn] = msgspec.field(default_factory=list)


class DeclaredOutput(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """An output the template's metadata declares: file (relative to the attempt), kind, title."""

    file: str
    kind: OutputKind
    title: str = ""


class ReportContext(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Job, template, parameters, engine, timings, inputs and declared outputs of one run."""

    job_id: str
    tenant: str
    template_id: str
    template_title: str
    template_version: str
    params: dict[str, ParamValue] = msgspec.field(default_factory=dict)
    engine: str
    attempt: int
    timings: Timings = msgspec.field(default_factory=Timings)
    inputs: list[InputTable] = msgspec.field(default_factory=list)
    outputs: list[DeclaredOutput] = msgspec.field(default_factory=list)
    #: what ran: a library ``template``, or a client's own ``dofile`` (then ``template_id``
    #: is the do-file's name and ``template_version`` its sha256)
    kind: str = "template"

    def what_ran(self) -> str:
        """``template <id> v<version>``, or ``do-file <name> (sha256 ...)``."""
        if self.kind == "dofile":
            return f"do-file {self.template_id} (sha256 {self.template_version[:12]})"
        return f"template {self.template_id} v{self.template_version}"

    def variable_labels(self) -> dict[str, str]:
        """Stata name → label over every input (first input wins on a clash)."""
        labels: dict[str, str] = {}
        for table in self.inputs:
            for column in table.columns:
                if column.label:
                    labels.setdefault(column.stata_name, column.label)
        return labels

    def finished_at(self) -> datetime:
        """When the job finished: the date every document is stamped with, so that a
        re-render writes the same metadata (a fixed epoch when unknown)."""
        try:
            if self.timings.finished:
                return datetime.fromisoformat(self.timings.finished)
        except ValueError:
            pass
        return datetime(2000, 1, 1, tzinfo=UTC)
