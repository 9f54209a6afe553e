"""What the API (at submit), the worker (before it runs) and the formatter share about a
do-file job: its do-file's name, the uploads the check reads, the names SS keeps for itself,
the engines it may go to, and the one error that refuses it (``DOFILE_CHECK_FAILED``, every
problem listed). Light to import: the check itself (``libs.dofiles.check.check_job``) loads
the engine."""

from __future__ import annotations

import msgspec

from libs.contracts.dofile_check import CheckReport
from libs.contracts.errors import ErrorCode, JobFailed
from libs.contracts.jobs import ANY_ENGINE, ENGINES, InputFile, JobRecord, JobSpec

#: The name the do-file runs under in the workspace (its log is main.log), as a template's.
RUN_NAME = "main.do"
#: Files SS writes into every workspace itself: a do-file may not write over them.
RESERVED_FILES = frozenset({RUN_NAME, "main.log", "run.json"})
#: SS's helper files in a workspace (the Stata wrapper, the return-code sidecar ...).
RESERVED_PREFIX = "ss_"
#: Uploads whose text the check reads: do-files it may run and ado-files it may call.
TEXT_SUFFIXES = (".do", ".ado")
#: SS's own folder in the workspace (the result tables reports read; docs/results.md).
RESULTS_DIR = "results"


def do_file_name(spec: JobSpec) -> str:
    """The do-file's own name: its upload's, or ``main.do`` when it came inline."""
    assert spec.dofile is not None
    return spec.dofile.input or RUN_NAME


def text_inputs(record: JobRecord) -> list[InputFile]:
    """The job's uploads the check reads (do- and ado-files)."""
    return [f for f in record.inputs if f.name.lower().endswith(TEXT_SUFFIXES)]


def reserved_input(spec: JobSpec, name: str) -> str:
    """Why a do-file job cannot have an upload called ``name`` (SS's own file in the
    workspace), or ''."""
    if spec.dofile is not None and name == spec.dofile.input:
        return ""
    if name in RESERVED_FILES or name == RESULTS_DIR or name.startswith(RESERVED_PREFIX):
        return (f"{name!r} is a file SS writes into a do-file job's workspace itself (main.do, "
                f"main.log, run.json, {RESULTS_DIR}/, ss_*)")
    return ""


def runnable_engines(report: CheckReport, asked: str) -> list[str]:
    """The engines the job may go to, in order of preference: ``asked`` if the do-file runs
    on it; for ``any``, every engine it runs on (the embedded engine first: no licence)."""
    candidates = list(ENGINES) if asked == ANY_ENGINE else [asked]
    return [engine for engine in candidates if report.runs_on(engine)]


class DoFileCheckFailed(JobFailed):
    """The do-file cannot run on ``engine`` (``any``: on no engine); every problem of the
    report is listed in ``details.problems``, errors and warnings alike."""

    def __init__(self, report: CheckReport, engine: str) -> None:
        stopping = ([p for p in report.problems if p.engines] if engine == ANY_ENGINE
                    else report.blocking(engine))
        first = stopping[0]
        more = f" (and {len(stopping) - 1} more)" if len(stopping) > 1 else ""
        where = "any engine" if engine == ANY_ENGINE else f"the {engine} engine"
        super().__init__(
            ErrorCode.DOFILE_CHECK_FAILED,
            f"the do-file cannot run on {where}: {first.file} line {first.line}: "
            f"{first.message}{more}",
            engine=engine, engines=report.engines,
            problems=msgspec.to_builtins(report.problems))
        self.report = report
