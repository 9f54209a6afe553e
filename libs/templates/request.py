"""What ``GET /v1/templates/{id}`` tells a client: parameters as JSON Schema, the example
request, the commands the template runs."""

from __future__ import annotations

from typing import Any

import msgspec

from libs.templates.catalogue import Catalogue, example_params
from libs.templates.commands import template_commands
from libs.templates.metadata import IDENTIFIER_PATTERN, Parameter, ParamType, Template
from libs.templates.params import SAFE_TEXT_PATTERN


def template_info(catalogue: Catalogue, template_id: str) -> dict[str, Any]:
    """The body of ``GET /v1/templates/{id}``: the metadata, the parameters as JSON Schema,
    the example request and the Stata commands the do-file runs."""
    template = catalogue.get(template_id)
    used = template_commands(catalogue, template_id)
    return {
        "template": msgspec.to_builtins(template),
        "parameters_schema": parameters_json_schema(template),
        "example_request": example_request(template),
        "stata_commands": used.official,
        "ado_helpers": used.ado_helpers,
        "ssc_commands": used.ssc_commands,
    }


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
    """The template's example as a job request body (``JobSpec`` fields): the parameters'
    example values, and each input mapped to the bundled file to upload under that name
    (``GET /v1/templates/{id}/examples/{file}`` serves it)."""
    return {
        "template_id": template.id,
        "params": example_params(template),
        "inputs": dict(template.example_inputs),
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
