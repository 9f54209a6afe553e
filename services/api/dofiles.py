"""The API's side of clients' own do-files (docs/dofiles.md): the spec's ``dofile`` checked at
create, uploads kept as they are, the check at submit that picks the engine, and the
``/v1/dofiles/check`` answer.

The check itself (``libs.dofiles.check``) loads the embedded engine's command registry, and
with it numpy and scipy (hence scipy in requirements/api.in): it is imported on the first
check, in the worker thread that runs it, so starting the API and serving template jobs
never pays for it.
"""

from __future__ import annotations

import asyncio

import msgspec

from libs import names
from libs.contracts.dofile_check import CheckReport
from libs.contracts.errors import ErrorCode, SSError, json_path
from libs.contracts.jobs import ANY_ENGINE, ENGINES, JobRecord, JobSpec
from libs.contracts.views import CheckAnswer, CheckRequest
from libs.dofiles.job import DoFileCheckFailed, runnable_engines, text_inputs
from libs.settings import Settings
from services.api.state import Services

Problem = tuple[str, str]


def spec_problems(spec: JobSpec, settings: Settings) -> list[Problem]:
    """What is wrong with a do-file job's spec, by field (``VALIDATION_FAILED``)."""
    dofile = spec.dofile
    assert dofile is not None
    problems: list[Problem] = []
    if spec.engine is not None and spec.engine not in (*ENGINES, ANY_ENGINE):
        problems.append(("engine", f"a do-file runs on {', '.join(ENGINES)} or {ANY_ENGINE!r}, "
                                   f"not {spec.engine!r}"))
    if (dofile.source is None) == (dofile.input is None):
        problems.append(("dofile", "give the do-file's text (source) or the name of its upload "
                                   "(input), one of the two"))
    elif dofile.source is not None:
        size = len(dofile.source.encode("utf-8"))
        if not dofile.source.strip():
            problems.append(("dofile.source", "the do-file is empty"))
        elif size > settings.dofile_inline_max_bytes:
            problems.append(("dofile.source", f"{size} bytes: a do-file sent inline has at most "
                                              f"{settings.dofile_inline_max_bytes} (upload a "
                                              "larger one as an input and name it in "
                                              "dofile.input)"))
    elif dofile.input is not None:
        try:
            names.input_file_name(dofile.input)
        except ValueError as exc:
            problems.append(("dofile.input", str(exc)))
        else:
            if not dofile.input.lower().endswith(".do"):
                problems.append(("dofile.input", "the do-file's name ends with .do"))
    for field, given, why in (
        ("params", spec.params, "a do-file job takes no template parameters"),
        ("inputs", spec.inputs, "a do-file job's uploads keep their own names: no inputs map"),
        ("sheets", spec.sheets, "a do-file reads workbooks itself (import excel ..., sheet())"),
    ):
        if given:
            problems.append((field, why))
    return problems


def upload_limit(record: JobRecord, name: str, settings: Settings) -> int:
    """Largest upload ``name`` may be: a do-file job's do- and ado-files are read whole by the
    check, so they keep to ``SS_DOFILE_MAX_BYTES``."""
    if record.spec.dofile is not None and name.lower().endswith((".do", ".ado")):
        return min(settings.upload_max_bytes, settings.dofile_max_bytes)
    return settings.upload_max_bytes


async def choose_engine(services: Services, record: JobRecord) -> str:
    """At submit: check the job's do-file with its uploads and return the engine it goes to;
    ``DOFILE_CHECK_FAILED`` when it cannot run on the engine asked for (``any``: on none),
    ``ENGINE_NOT_SERVED`` when no engine it runs on has workers."""
    main = record.spec.dofile.input if record.spec.dofile else None
    if main is not None and main not in {f.name for f in record.inputs}:
        raise SSError(ErrorCode.INPUT_MISSING, f"the do-file {main!r} (dofile.input) was not "
                      "uploaded", input=main, uploads=sorted(f.name for f in record.inputs))
    uploads = text_inputs(record)
    bodies = await asyncio.gather(*(services.objects.get_bytes(f.key) for f in uploads))
    texts = {f.name: body.decode("utf-8", "replace") for f, body in zip(uploads, bodies,
                                                                        strict=True)}
    report = await asyncio.to_thread(_check_job, record, texts)
    asked = record.spec.engine or services.settings.engine
    candidates = runnable_engines(report, asked)
    if not candidates:
        raise DoFileCheckFailed(report, asked)
    for engine in candidates:
        if await services.pools.serves(engine):
            return engine
    await services.pools.require(candidates[0])  # raises ENGINE_NOT_SERVED
    raise AssertionError("unreachable")


async def check_request(settings: Settings, data: CheckRequest) -> CheckAnswer:
    """``POST /v1/dofiles/check``: the report for a do-file and the files it will have."""
    problems = _request_problems(settings, data)
    if problems:
        too_large = [p for p in problems if p[1].startswith("larger than")]
        raise SSError(ErrorCode.REQUEST_TOO_LARGE if too_large else ErrorCode.VALIDATION_FAILED,
                      "; ".join(f"{f}: {m}" for f, m in problems),
                      fields=[{"field": f, "message": m} for f, m in problems])
    report = await asyncio.to_thread(_check_source, data)
    engine = data.engine or settings.engine
    return CheckAnswer(ok=bool(runnable_engines(report, engine)), engine=engine,
                       **msgspec.structs.asdict(report))


def _check_job(record: JobRecord, texts: dict[str, str]) -> CheckReport:
    from libs.dofiles.check import check_job

    return check_job(record, texts)


def _check_source(data: CheckRequest) -> CheckReport:
    from libs.dofiles.check import check_dofile

    return check_dofile(data.source, name=data.name, files=data.files, texts=data.texts)


def _request_problems(settings: Settings, data: CheckRequest) -> list[Problem]:
    problems: list[Problem] = []
    if data.engine is not None and data.engine not in (*ENGINES, ANY_ENGINE):
        problems.append(("engine", f"one of {', '.join((*ENGINES, ANY_ENGINE))}"))
    for field, text in (("source", data.source), *(
            (json_path("texts", k), v) for k, v in data.texts.items())):
        if len(text.encode("utf-8")) > settings.dofile_max_bytes:
            problems.append((field, f"larger than {settings.dofile_max_bytes} bytes "
                                    "(SS_DOFILE_MAX_BYTES)"))
    for field, name in (("name", data.name), *((json_path("files", i), n)
                                                for i, n in enumerate(data.files)),
                        *((json_path("texts", k), k) for k in data.texts)):
        try:
            names.input_file_name(name)
        except ValueError as exc:
            problems.append((field, str(exc)))
    return problems


