"""What ``GET /v1/templates/{id}`` tells a client: parameters as JSON Schema, an example request."""

from __future__ import annotations

from typing import Any

from libs.templates.catalogue import example_params
from libs.templates.metadata import IDENTIFIER_PATTERN, Parameter, ParamType, Template
from libs.templates.params import SAFE_TEXT_PATTERN


def parameters_json_schema(template: Template) -> dict[str, Any]:
    """A JSON Schema (2020-12) for the ``params`` object of a job on ``template``.

    Column checks cannot be expressed here (they need the data); ``x-ss-var-type`` and
    ``x-ss-inputs`` say which columns a variable parameter must name.
    """
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Parameters of template {template.id}",
        "type": "object",
        "properties": {p.name: _property(p) for p in template.parameters},
        "required": [p.name for p in template.parameters if p.required],
        "additionalProperties": False,
    }


def example_request(template: Template) -> dict[str, Any]:
    """A job request body (``JobSpec`` fields) filled with the template's example values."""
    return {
        "template_id": template.id,
        "params": example_params(template),
        "output_formats": ["csv", "log", "do"],
    }


def _property(spec: Parameter) -> dict[str, Any]:
    prop: dict[str, Any] = {"description": spec.description}
    identifier = {"type": "string", "pattern": IDENTIFIER_PATTERN}
    match spec.type:
        case ParamType.VARNAME | ParamType.NEWVARNAME:
            prop.update(identifier)
        case ParamType.VARLIST | ParamType.NAMELIST:
            prop.update(type="array", items=identifier, minItems=spec.min_items, uniqueItems=True)
            if spec.max_items is not None:
                prop["maxItems"] = spec.max_items
        case ParamType.NUMBER | ParamType.INTEGER:
            prop["type"] = "integer" if spec.type is ParamType.INTEGER else "number"
            if spec.minimum is not None:
                prop["minimum"] = spec.minimum
            if spec.maximum is not None:
                prop["maximum"] = spec.maximum
        case ParamType.ENUM:
            prop.update(type="string", enum=list(spec.values))
        case ParamType.BOOL:
            prop["type"] = "boolean"
        case ParamType.STRING:
            prop.update(type="string", maxLength=spec.max_length, pattern=SAFE_TEXT_PATTERN)
    if spec.type in (ParamType.VARNAME, ParamType.VARLIST):
        prop["x-ss-var-type"] = spec.var_type.value
        prop["x-ss-inputs"] = list(spec.inputs)
    if spec.type is ParamType.NEWVARNAME:
        prop["x-ss-new-variable"] = True
    if spec.default is not None:
        prop["default"] = spec.default
    if spec.example is not None:
        prop["examples"] = [spec.example]
    return prop
