"""Checking a job spec when the job is created, so nothing in it fails only at run time.

Every problem of the plain fields (engine, timeout, the inputs map, sheets, labels) is
reported at once as ``VALIDATION_FAILED`` with one entry per field in ``details.fields``;
output formats, the template and its parameters keep their own codes. What can only be
known once files are uploaded (a sheet asked of a CSV's content, a sheet for a file never
uploaded) is checked at upload and at submit (``upload_sheet``, ``check_sheets``).
"""

from __future__ import annotations

import math
import re
import unicodedata

from libs import names
from libs.contracts.errors import ErrorCode, SSError, json_path
from libs.contracts.jobs import OUTPUT_FORMATS, JobRecord, JobSpec
from libs.templates.metadata import Template
from libs.templates.params import validate_params
from services.api.dofiles import spec_problems
from services.api.state import Services

#: Extensions of inputs that have no sheets (text and Stata files).
_NOT_WORKBOOKS = (".csv", ".tsv", ".tab", ".txt", ".dta")
#: Characters no spreadsheet allows in a sheet name.
_SHEET_FORBIDDEN = frozenset("[]:*?/\\")
SHEET_NAME_MAX = 255
LABELS_MAX = 32
LABEL_KEY = re.compile(r"^[\w.:-]{1,64}$")
LABEL_VALUE_MAX = 256

Problem = tuple[str, str]


def check_spec(services: Services, spec: JobSpec) -> Template | None:
    """Refuse a spec that can never run, or would fail only once it runs; its template (None
    for a do-file job)."""
    formats = spec.output_formats
    if (not formats or any(f not in OUTPUT_FORMATS for f in formats)
            or len(set(formats)) != len(formats)):
        raise SSError(
            ErrorCode.OUTPUT_FORMATS_INVALID,
            f"output_formats must be a non-empty list of distinct formats of: "
            f"{', '.join(OUTPUT_FORMATS)}",
            valid=list(OUTPUT_FORMATS), given=formats,
        )
    if bool(spec.template_id) == (spec.dofile is not None):
        raise invalid([("template_id", "a job runs a template (template_id) or the client's own "
                                       "do-file (dofile): give one of the two")])
    if spec.dofile is not None:
        problems = [*spec_problems(spec, services.settings),
                    *_timeout(spec.timeout_s, services.settings.job_timeout_s),
                    *_labels(spec.labels)]
        if problems:
            raise invalid(problems)
        return None
    template = services.catalogue.get(spec.template_id)
    problems = [
        *_engine(spec, template, services.settings.engine),
        *_timeout(spec.timeout_s, services.settings.job_timeout_s),
        *_inputs(spec, template),
        *_sheets(spec.sheets),
        *_labels(spec.labels),
    ]
    if problems:
        raise invalid(problems)
    validate_params(template, spec.params, None)
    return template


def invalid(problems: list[Problem]) -> SSError:
    """``VALIDATION_FAILED`` naming each (field, message) problem."""
    return SSError(ErrorCode.VALIDATION_FAILED,
                   "; ".join(f"{field}: {message}" for field, message in problems),
                   fields=[{"field": field, "message": message} for field, message in problems])


def _engine(spec: JobSpec, template: Template, default: str) -> list[Problem]:
    engine = spec.engine or default
    engines = [e.value for e in template.engines]
    if engine not in engines:
        return [("engine", f"template {template.id!r} runs on {' or '.join(engines)}, "
                           f"not {engine!r}")]
    return []


def _timeout(timeout_s: float | None, limit: float) -> list[Problem]:
    if timeout_s is None or (math.isfinite(timeout_s) and 0 < timeout_s <= limit):
        return []
    return [("timeout_s", f"must be a number of seconds above 0 and at most {limit:g} "
                          "(SS_JOB_TIMEOUT_S)")]


def _file_name(name: str) -> str:
    """Why ``name`` cannot be an input's file name, or ''."""
    try:
        names.input_file_name(name)
    except ValueError as exc:
        return str(exc)
    return ""


def _inputs(spec: JobSpec, template: Template) -> list[Problem]:
    wanted = [i.name for i in template.inputs]
    problems = []
    for key, file_name in spec.inputs.items():
        if key not in wanted:
            problems.append((json_path("inputs", key),
                             f"template {template.id!r} has no input {key!r} "
                             f"(its inputs: {', '.join(wanted)})"))
        elif bad := _file_name(file_name):
            problems.append((json_path("inputs", key), bad))
    return problems


def _sheets(sheets: dict[str, str]) -> list[Problem]:
    problems = []
    for file_name, sheet in sheets.items():
        field = json_path("sheets", file_name)
        if bad := _file_name(file_name):
            problems.append((field, bad))
        elif file_name.lower().endswith(_NOT_WORKBOOKS):
            problems.append((field, f"{file_name!r} is not a workbook: only xlsx and xls "
                                    "inputs have sheets"))
        elif not sheet or len(sheet) > SHEET_NAME_MAX or any(
                c in _SHEET_FORBIDDEN or not c.isprintable() for c in sheet):
            problems.append((field, f"a sheet name has 1-{SHEET_NAME_MAX} printable "
                                    "characters and none of [ ] : * ? / \\"))
    return problems


def _labels(labels: dict[str, str]) -> list[Problem]:
    if len(labels) > LABELS_MAX:
        return [("labels", f"at most {LABELS_MAX} labels")]
    problems = []
    for key, value in labels.items():
        if not LABEL_KEY.match(key):
            problems.append((json_path("labels", key), "a label's name has 1-64 letters, "
                                                       "digits or _ . : -"))
        elif len(value) > LABEL_VALUE_MAX or any(
                unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
            problems.append((json_path("labels", key),
                             f"a label's value has at most {LABEL_VALUE_MAX} characters and no "
                             "control characters"))
    return problems


def upload_sheet(record: JobRecord, name: str, asked: str | None) -> str | None:
    """The sheet to read upload ``name`` from: the one the upload asks for (``?sheet=``), else
    the job's ``sheets`` entry; the two must not disagree."""
    declared = record.spec.sheets.get(name)
    if asked is not None and declared is not None and asked != declared:
        raise invalid([("sheet", f"the job reads {name!r} from sheet {declared!r} "
                                 f"(sheets), not {asked!r}")])
    return asked if asked is not None else declared


def check_sheets(record: JobRecord, bound: list[str]) -> None:
    """At submit: every ``sheets`` entry names an uploaded file that feeds the job (a typo
    would make the worker read the first sheet instead, silently)."""
    stray = [name for name in record.spec.sheets if name not in bound]
    if stray:
        raise invalid([(json_path("sheets", name),
                        f"no input named {name!r} feeds this job (uploads: "
                        f"{', '.join(sorted(bound)) or 'none'})") for name in stray])
