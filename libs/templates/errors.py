"""Errors of the template library.

    SSError (libs.contracts.errors)
    ├── ExampleNotFound              EXAMPLE_NOT_FOUND: not a file of the template's example
    └── JobFailed                    deterministic: a job with these inputs can never succeed
        ├── TemplateNotFound         TEMPLATE_NOT_FOUND: no template with that id
        ├── ParamsInvalid            TEMPLATE_PARAM_INVALID: one ``ParamProblem`` per bad field
        └── DataShapeInvalid         DATA_SHAPE_INVALID: the data has none of the accepted shapes
    TemplateMetadataError (SSBaseError)  a broken library (bad metadata file): a bug, not a request

A rendered template that breaks the safety policy is ``libs.dofiles.policy.DoFileUnsafe``.
Every error carries fields (``details``) so the API answers per parameter or per line and
nobody parses messages.
"""

from __future__ import annotations

import enum

import msgspec

from libs.contracts.errors import ErrorCode, JobFailed, SSBaseError, SSError


class ProblemCode(enum.StrEnum):
    """Why one parameter was refused (``ParamProblem.reason``)."""

    MISSING = "missing"  #: a required parameter was not given
    UNKNOWN = "unknown"  #: the template has no parameter of that name
    WRONG_TYPE = "wrong_type"  #: not the JSON type the parameter needs
    NOT_IDENTIFIER = "not_identifier"  #: not a Stata name
    NOT_A_COLUMN = "not_a_column"  #: no such column in the input dataset
    ALREADY_A_COLUMN = "already_a_column"  #: a new variable name that already exists
    VARIABLE_TYPE = "variable_type"  #: numeric needed but string column (or the reverse)
    OUT_OF_RANGE = "out_of_range"  #: number outside minimum/maximum
    NOT_ALLOWED = "not_allowed"  #: enum value not in the list
    UNSAFE_TEXT = "unsafe_text"  #: free text with code characters or words
    COUNT = "count"  #: too few or too many names
    REPEATED = "repeated"  #: a name repeated, or shared with a parameter it must differ from


class ParamProblem(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One refused parameter, as the API reports it."""

    code: ErrorCode = ErrorCode.TEMPLATE_PARAM_INVALID
    #: where in the request: ``params.indepvars``, or ``params.indepvars[1]`` when one item
    #: of a list is to blame
    field: str
    #: the parameter's name
    param: str
    reason: ProblemCode
    message: str


class TemplateNotFound(JobFailed):
    """No template with the requested id."""

    def __init__(self, template_id: str) -> None:
        super().__init__(
            ErrorCode.TEMPLATE_NOT_FOUND,
            f"no template {template_id!r}",
            template_id=template_id,
        )
        self.template_id = template_id


class ExampleNotFound(SSError):
    """The template's bundled example has no input file of that name."""

    def __init__(self, template_id: str, name: str) -> None:
        super().__init__(
            ErrorCode.EXAMPLE_NOT_FOUND,
            f"template {template_id!r} has no example file {name!r}",
            template_id=template_id,
            name=name,
        )


class ParamsInvalid(JobFailed):
    """Parameters refused; ``problems`` has one entry per bad parameter."""

    def __init__(self, template_id: str, problems: list[ParamProblem]) -> None:
        fields = ", ".join(p.field for p in problems)
        super().__init__(
            ErrorCode.TEMPLATE_PARAM_INVALID,
            f"template {template_id!r}: invalid parameters: {fields}",
            template_id=template_id,
            problems=msgspec.to_builtins(problems),
        )
        self.problems = problems


class DataShapeInvalid(JobFailed):
    """The dataset has none of the shapes the template accepts; one reason per shape."""

    def __init__(self, template_id: str, reasons: dict[str, str]) -> None:
        text = "; ".join(f"{shape}: {why}" for shape, why in reasons.items())
        super().__init__(
            ErrorCode.DATA_SHAPE_INVALID,
            f"template {template_id!r} needs data of another shape ({text})",
            template_id=template_id,
            reasons=reasons,
        )
        self.reasons = reasons


class TemplateMetadataError(SSBaseError):
    """A template folder whose metadata or do-file is broken (a library bug)."""

    def __init__(self, template_id: str, reason: str) -> None:
        super().__init__(f"template {template_id!r}: {reason}")
        self.template_id = template_id
        self.reason = reason
