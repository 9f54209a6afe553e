"""A do-file job's workspace (docs/dofiles.md): the client's files as uploaded, its do-file as
run, and every file the run wrote collected back.

Layout of ``<workroot>/<tenant>-<job>-<attempt>-<random>/``::

    <upload>            every upload under its own name, as uploaded (data.dta, wave 1.csv,
                        analysis.do, winsor.ado): the do-file refers to them by these names,
                        and ado-files are found where Stata looks first after its own (``.``)
    main.do             the do-file as run (the inline source, or a copy of its upload)
    main.log            the log (with the engine's own output and the epilogue's)
    run.json            engine, rc, duration, versions, the do-file's sha256, the check's
                        warnings
    results/*.csv       the do-file's stored estimates (``ss_collect_estimates``), in the shapes
                        of docs/results.md, or whatever the do-file put there itself
    anything else       every file the do-file wrote, in any folder

Nothing is normalised: the do-file reads its files itself, with its own options. Before the
run the do-file is checked again, here, for this worker's engine (the API checked it at
submit; the policy may have changed since, or the job was retried).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from libs.contracts.dofile_check import CheckReport
from libs.contracts.jobs import JobRecord
from libs.dofiles.check import check_job
from libs.dofiles.job import (
    RESERVED_PREFIX,
    RUN_NAME,
    DoFileCheckFailed,
    do_file_name,
    text_inputs,
)
from libs.storage import ObjectStore

#: What runs after a do-file, in the same session: its stored estimates into results/.
EPILOGUE = ("ss_collect_estimates",)
#: The files kept whatever the run wrote: what ran, its log and the run record.
ESSENTIAL = (RUN_NAME, "main.log", "run.json")


@dataclass
class PreparedDoFile:
    """What the worker knows of a do-file job's workspace before the run."""

    #: the do-file's own name (its upload's, or main.do) and the sha256 of the file as run
    name: str
    sha256: str
    report: CheckReport
    #: upload name -> (size, modification time) as downloaded: unchanged uploads are the
    #: client's own files, not the run's
    uploads: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: most files the run may leave to be stored
    max_files: int = 0

    def run_info(self) -> dict[str, Any]:
        """What run.json says of the do-file: its name and sha256, the check's warnings."""
        return {"dofile": {"name": self.name, "sha256": self.sha256},
                "dofile_sha256": self.sha256,
                "check_warnings": msgspec.to_builtins(
                    [p for p in self.report.problems if not p.engines])}

    def produced(self, workdir: Path) -> list[str]:
        """Every file of the workspace the run wrote or changed (relative paths, sorted),
        without SS's helper files; only the essentials when there are more than a job may
        store (the run then fails with JOB_OUTPUT_EXCEEDED)."""
        found = []
        for folder, dirs, files in os.walk(workdir):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            base = Path(folder)
            for name in files:
                path = base / name
                rel = path.relative_to(workdir).as_posix()
                if name.startswith(".") or path.is_symlink() or not path.is_file():
                    continue
                if base == workdir and rel not in ESSENTIAL and (
                        name.startswith(RESERVED_PREFIX) or self._unchanged_upload(path)):
                    continue
                found.append(rel)
        if len(found) > self.max_files + len(ESSENTIAL):
            return sorted(rel for rel in found if rel in ESSENTIAL)
        return sorted(found)

    def _unchanged_upload(self, path: Path) -> bool:
        known = self.uploads.get(path.name)
        if known is None:
            return False
        stat = path.stat()
        return (stat.st_size, stat.st_mtime_ns) == known


async def prepare(record: JobRecord, workdir: Path, store: ObjectStore, engine: str,
                  max_files: int) -> PreparedDoFile:
    """Download every upload under its name, write ``main.do`` and check the do-file for
    ``engine``; ``DOFILE_CHECK_FAILED`` (a ``JobFailed``) when it cannot run there."""
    spec = record.spec
    assert spec.dofile is not None
    workdir.mkdir(parents=True, exist_ok=True)
    await asyncio.gather(*(store.download_file(f.key, workdir / f.name)
                           for f in record.inputs))
    name = do_file_name(spec)
    texts = {f.name: (workdir / f.name).read_text(encoding="utf-8", errors="replace")
             for f in text_inputs(record)}
    report = await asyncio.to_thread(check_job, record, texts)
    if not report.runs_on(engine):
        raise DoFileCheckFailed(report, engine)
    # The do-file as run, byte for byte what the client sent.
    data = (spec.dofile.source.encode("utf-8") if spec.dofile.source is not None
            else (workdir / name).read_bytes())
    (workdir / RUN_NAME).write_bytes(data)
    uploads = {}
    for upload in record.inputs:
        stat = (workdir / upload.name).stat()
        uploads[upload.name] = (stat.st_size, stat.st_mtime_ns)
    return PreparedDoFile(name=name, sha256=hashlib.sha256(data).hexdigest(), report=report,
                          uploads=uploads, max_files=max_files)
