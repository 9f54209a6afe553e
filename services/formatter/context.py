"""Building the report context from the job record, the template and the attempt's run.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from libs.contracts.jobs import JobRecord
from libs.reports import DeclaredOutput, InputColumn, InputTable, ReportContext, Timings
from libs.templates.catalogue import Catalogue
from libs.templates.errors import TemplateNotFound


def report_context(record: JobRecord, catalogue: Catalogue, raw_dir: Path) -> ReportContext:
    run: dict[str, Any] = {}
    run_file = raw_dir / "run.json"
    if run_file.is_file():
        run = json.loads(run_file.read_text(encoding="utf-8"))
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
        job_id=record.id, tenant=record.tenant, template_id=record.spec.template_id,
        template_title=title, template_version=version, params=dict(record.spec.params),
        engine=str(run.get("engine") or (current.engine if current else "")),
        attempt=record.attempt,
        timings=Timings(queued=record.queued_at, started=record.started_at,
                        finished=current.finished_at if current else None,
                        run_seconds=run.get("duration_s")),
        inputs=inputs, outputs=outputs,
    )
