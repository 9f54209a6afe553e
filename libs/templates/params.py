"""Parameter validation: type first, then against the dataset's columns.

Nothing a client sends reaches a do-file unless it passed here: names must be Stata identifiers
(and columns, when they name variables), numbers must be finite numbers within bounds, enums
must be listed, and free text is held to a small safe alphabet with no code characters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import msgspec

from libs.contracts.errors import json_path
from libs.templates.errors import ParamProblem, ParamsInvalid, ProblemCode
from libs.templates.metadata import IDENTIFIER_PATTERN, Parameter, ParamType, Template, VarType

#: What the API receives per parameter (same as ``libs.contracts.jobs.ParamValue``).
ParamValue = str | int | float | bool | list[str]

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
#: Names Stata reserves: never valid as variable names.
_RESERVED = frozenset(
    [
        "_all",
        "_b",
        "_coef",
        "_cons",
        "_n",
        "_N",
        "_pi",
        "_pred",
        "_rc",
        "_se",
        "_skip",
        "byte",
        "double",
        "float",
        "if",
        "in",
        "int",
        "long",
        "strL",
        "using",
        "with",
    ]
)
#: Free text: letters (any script), digits, blanks and harmless punctuation. No quotes,
#: backticks, `$`, `;`, slashes, backslashes, braces, `!`, `*` or control characters.
SAFE_TEXT_PATTERN = r"^[\w .,:()%+\-=<>?&@#]*$"
_SAFE_TEXT = re.compile(SAFE_TEXT_PATTERN)
#: Words that would be dangerous if a template ever used the text as code.
_UNSAFE_WORDS = re.compile(r"\b(shell|winexec|xshell|mata|python|javacall|plugin)\b", re.IGNORECASE)


class Column(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One column of a dataset, by its Stata name."""

    name: str
    is_numeric: bool


class DatasetColumns(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """The columns of one input dataset, in order."""

    columns: list[Column]

    @classmethod
    def of(cls, pairs: list[tuple[str, bool]]) -> DatasetColumns:
        """Build from ``(stata_name, is_numeric)`` pairs."""
        return cls(columns=[Column(name=n, is_numeric=num) for n, num in pairs])

    def numeric(self, name: str) -> bool | None:
        """Whether column ``name`` is numeric; None when there is no such column."""
        return next((c.is_numeric for c in self.columns if c.name == name), None)


class ValidatedParams(msgspec.Struct, kw_only=True, frozen=True):
    """Values that passed validation, defaults filled in: the only input the renderer takes."""

    template_id: str
    #: canonical values; None for an optional parameter left out (renders as an empty local)
    values: dict[str, ParamValue | None]


def is_safe_text(text: str) -> bool:
    """Whether free text may appear inside a double-quoted Stata string."""
    return bool(_SAFE_TEXT.fullmatch(text)) and ".." not in text and not _UNSAFE_WORDS.search(text)


def validate_params(
    template: Template,
    params: Mapping[str, object],
    columns: DatasetColumns | Mapping[str, DatasetColumns] | None,
) -> ValidatedParams:
    """Check ``params`` against ``template`` and the inputs' columns; raise ``ParamsInvalid``.

    ``columns`` maps input names (``main``, ``using``...) to their columns; a bare
    ``DatasetColumns`` is the main input. With None only types are checked (no data yet).
    Every bad parameter is reported, not just the first.
    """
    by_input = {"main": columns} if isinstance(columns, DatasetColumns) else columns
    problems: list[ParamProblem] = [
        _problem(name, ProblemCode.UNKNOWN, f"template {template.id!r} has no parameter {name!r}")
        for name in params
        if template.parameter(name) is None
    ]
    values: dict[str, ParamValue | None] = {}
    for spec in template.parameters:
        if spec.name not in params or params[spec.name] is None:
            if spec.required:
                problems.append(_problem(spec.name, ProblemCode.MISSING, "required"))
            values[spec.name] = _default(spec)
            continue
        try:
            value = _check_type(spec, params[spec.name])
            if by_input is not None:
                _check_columns(spec, value, by_input, listed=isinstance(params[spec.name], list))
        except _Refused as refused:
            problems.append(_problem(spec.name, refused.reason, refused.message, refused.item))
            continue
        values[spec.name] = value
    problems.extend(_check_distinct(template, values))
    if problems:
        raise ParamsInvalid(template.id, problems)
    return ValidatedParams(template_id=template.id, values=values)


class _Refused(Exception):
    """One parameter refused; ``item`` is the position in the list the client sent, when
    one item of it is to blame."""

    def __init__(self, reason: ProblemCode, message: str, item: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.item = item


def _problem(name: str, reason: ProblemCode, message: str,
             item: int | None = None) -> ParamProblem:
    path = json_path("params", name) if item is None else json_path("params", name, item)
    return ParamProblem(field=path, param=name, reason=reason, message=message)


def _default(spec: Parameter) -> ParamValue | None:
    default = spec.default
    if isinstance(default, str) and spec.type in (ParamType.VARLIST, ParamType.NAMELIST):
        return default.split()
    return default


def _check_type(spec: Parameter, raw: object) -> ParamValue:
    """The canonical value of ``raw`` for ``spec``'s type, or ``_Refused``."""
    match spec.type:
        case ParamType.VARNAME | ParamType.NEWVARNAME:
            return _identifier(_need_str(raw))
        case ParamType.VARLIST | ParamType.NAMELIST:
            return _name_list(spec, raw)
        case ParamType.NUMBER | ParamType.INTEGER:
            return _number(spec, raw)
        case ParamType.ENUM:
            text = _need_str(raw)
            if text not in spec.values:
                raise _Refused(ProblemCode.NOT_ALLOWED, f"must be one of {spec.values}")
            return text
        case ParamType.BOOL:
            if not isinstance(raw, bool):
                raise _Refused(ProblemCode.WRONG_TYPE, "must be true or false")
            return raw
        case ParamType.STRING:
            text = _need_str(raw)
            if len(text) > spec.max_length:
                raise _Refused(ProblemCode.OUT_OF_RANGE, f"longer than {spec.max_length}")
            if not is_safe_text(text):
                raise _Refused(
                    ProblemCode.UNSAFE_TEXT,
                    "text may hold only letters, digits, blanks and . , : ( ) % + - = < > ? & @ #",
                )
            return text


def _need_str(raw: object) -> str:
    if not isinstance(raw, str):
        raise _Refused(ProblemCode.WRONG_TYPE, "must be a string")
    return raw


def _identifier(text: str) -> str:
    if not _IDENTIFIER.fullmatch(text) or text in _RESERVED:
        raise _Refused(ProblemCode.NOT_IDENTIFIER, f"{text!r} is not a Stata variable name")
    return text


def _name_list(spec: Parameter, raw: object) -> list[str]:
    if isinstance(raw, str):
        names = [_identifier(item) for item in raw.split(" ") if item]
    elif isinstance(raw, list):
        names = [_list_item(item, position) for position, item in enumerate(raw)]
    else:
        raise _Refused(ProblemCode.WRONG_TYPE, "must be a list of names")
    seen: set[str] = set()
    for position, name in enumerate(names):
        if name in seen:
            raise _Refused(ProblemCode.REPEATED, f"{name!r} is repeated",
                           position if isinstance(raw, list) else None)
        seen.add(name)
    if len(names) < spec.min_items or (spec.max_items is not None and len(names) > spec.max_items):
        most = "" if spec.max_items is None else f" and at most {spec.max_items}"
        raise _Refused(ProblemCode.COUNT, f"needs at least {spec.min_items}{most} names")
    return names


def _list_item(item: object, position: int) -> str:
    try:
        return _identifier(_need_str(item))
    except _Refused as refused:
        raise _Refused(refused.reason, refused.message, position) from None


def _number(spec: Parameter, raw: object) -> int | float:
    integer = spec.type is ParamType.INTEGER
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _Refused(ProblemCode.WRONG_TYPE, "must be a number")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise _Refused(ProblemCode.WRONG_TYPE, "must be a finite number")
    if integer and isinstance(raw, float):
        if not raw.is_integer():
            raise _Refused(ProblemCode.WRONG_TYPE, "must be an integer")
        raw = int(raw)
    low, high = spec.minimum, spec.maximum
    if (low is not None and raw < low) or (high is not None and raw > high):
        raise _Refused(ProblemCode.OUT_OF_RANGE, f"must be within [{low}, {high}]")
    return raw


def _check_columns(
    spec: Parameter, value: ParamValue, by_input: Mapping[str, DatasetColumns], *, listed: bool
) -> None:
    """``listed``: the client sent a list, so a refused name is named by its position."""
    if spec.type not in (ParamType.VARNAME, ParamType.VARLIST, ParamType.NEWVARNAME):
        return
    names = value if isinstance(value, list) else [str(value)]
    for input_name in spec.inputs:
        dataset = by_input.get(input_name)
        if dataset is None:
            raise _Refused(ProblemCode.NOT_A_COLUMN, f"no columns known for input {input_name!r}")
        for position, name in enumerate(names):
            problem = _column_problem(spec, dataset.numeric(name), name, input_name)
            if problem is not None:
                raise _Refused(*problem, position if listed else None)


def _column_problem(spec: Parameter, numeric: bool | None, name: str,
                    input_name: str) -> tuple[ProblemCode, str] | None:
    """Why column ``name`` (numeric, string or absent: None) cannot be this parameter."""
    if spec.type is ParamType.NEWVARNAME:
        if numeric is not None:
            return ProblemCode.ALREADY_A_COLUMN, f"{name!r} already exists"
    elif numeric is None:
        return ProblemCode.NOT_A_COLUMN, f"{name!r} is not a column of input {input_name!r}"
    elif spec.var_type is VarType.NUMERIC and not numeric:
        return ProblemCode.VARIABLE_TYPE, f"{name!r} must be numeric"
    elif spec.var_type is VarType.STRING and numeric:
        return ProblemCode.VARIABLE_TYPE, f"{name!r} must be a string variable"
    return None


def _check_distinct(
    template: Template, values: Mapping[str, ParamValue | None]
) -> list[ParamProblem]:
    problems = []
    for spec in template.parameters:
        mine = _names(values.get(spec.name))
        for other in spec.distinct_from:
            shared = mine & _names(values.get(other))
            if shared:
                problems.append(
                    _problem(
                        spec.name,
                        ProblemCode.REPEATED,
                        f"{sorted(shared)} already used by parameter {other!r}",
                    )
                )
    return problems


def _names(value: ParamValue | None) -> set[str]:
    if isinstance(value, list):
        return set(value)
    return {value} if isinstance(value, str) else set()
