"""Building the report context from the job record, the template and the attempt's run.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from libs.contracts.format_inputs import exported_figure
from libs.contracts.jobs import JobRecord
from libs.dofiles.job import do_file_name
from libs.reports import DeclaredOutput, InputColumn, InputTable, ReportContext, Timings
from libs.reports.figures import graph_exports
from libs.templates.catalogue import Catalogue
from libs.templates.errors import TemplateNotFound


def report_context(record: JobRecord, catalogue: Catalogue, raw_dir: Path) -> ReportContext:
    run: dict[str, Any] = {}
    run_file = raw_dir / "run.json"
    if run_file.is_file():
        run = json.loads(run_file.read_text(encoding="utf-8"))
    source_id, kind = record.spec.template_id, "template"
    if record.spec.dofile is not None:
        # A client's own do-file: its name and the sha256 of the file as run.
        source_id, kind = do_file_name(record.spec), "dofile"
        title, version = f"Do-file {source_id}", str(run.get("dofile_sha256", ""))
        outputs = _dofile_figures(record, raw_dir)
    else:
        try:
            template = catalogue.get(record.spec.template_id)
            title, version = template.title, template.version
            outputs = [DeclaredOutput(file=o.file, kind=o.kind.value, title=o.title)  # type: ignore[arg-type]
                       for o in template.outputs]
        except TemplateNotFound:
            title, version, outputs = record.spec.template_id, "", []
    inputs = [
        InputTable(
            name=name, rows=int(report.get("rows", 0)),
            columns=[InputColumn(name=c["original"], stata_name=c["name"],
                                 label=c.get("label", ""), type=c.get("storage", ""))
                     for c in report.get("columns", [])],
        )
        for name, report in run.get("inputs", {}).items()
    ]
    current = record.current_attempt()
    return ReportContext(
        job_id=record.id, tenant=record.tenant, template_id=source_id, kind=kind,
        template_title=title, template_version=version, params=dict(record.spec.params),
        engine=str(run.get("engine") or (current.engine if current else "")),
        attempt=record.attempt,
        timings=Timings(queued=record.queued_at, started=record.started_at,
                        finished=current.finished_at if current else None,
                        run_seconds=run.get("duration_s")),
        inputs=inputs, outputs=outputs,
    )


def _dofile_figures(record: JobRecord, raw_dir: Path) -> list[DeclaredOutput]:
    """A do-file declares no outputs: every PNG its run exported is a figure, titled with its
    file name, except those the graph list already embeds under their graphs' titles (the
    embedded engine's; real Stata keeps no graph list)."""
    listed = graph_exports(raw_dir)
    return [DeclaredOutput(file=a.name, kind="figure", title=a.name)
            for a in record.artifacts
            if a.kind == "raw" and a.attempt == record.attempt and exported_figure(a.name)
            and a.name not in listed]
