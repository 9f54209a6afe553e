"""A template's parameter form, generated from the JSON Schema the API publishes for it
(``parameters_json_schema``): one field per property, its widget chosen by the schema's
type and SS's ``x-ss-*`` hints. Variable pickers (``x-ss-var-type``) are filled in the browser
from the uploaded file's columns once the API has read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from libs.templates.metadata import Template
from libs.templates.request import parameters_json_schema


@dataclass(frozen=True)
class Field:
    name: str
    description: str
    required: bool
    #: variable | variables | newvariable | names | integer | number | choice | flag | text
    widget: str
    #: variable pickers: numeric | string | any, and the inputs whose columns they list
    var_type: str = ""
    inputs: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    pattern: str = ""
    default: Any = None
    example: Any = None
    min_items: int = 0
    max_items: int | None = None


def _widget(prop: dict[str, Any]) -> str:
    kind = prop.get("type")
    if "x-ss-var-type" in prop:
        return "variables" if kind == "array" else "variable"
    if prop.get("x-ss-new-variable"):
        return "newvariable"
    if kind == "array":
        return "names"
    if "enum" in prop:
        return "choice"
    return {"integer": "integer", "number": "number", "boolean": "flag"}.get(str(kind), "text")


def form_fields(template: Template) -> list[Field]:
    """The fields of ``template``'s form, in the schema's order."""
    schema = parameters_json_schema(template)
    required = set(schema["required"])
    fields = []
    for name, prop in schema["properties"].items():
        items = prop.get("items", {})
        fields.append(Field(
            name=name, description=prop.get("description", ""), required=name in required,
            widget=_widget(prop), var_type=prop.get("x-ss-var-type", ""),
            inputs=tuple(prop.get("x-ss-inputs", ())), choices=tuple(prop.get("enum", ())),
            minimum=prop.get("minimum"), maximum=prop.get("maximum"),
            max_length=prop.get("maxLength"),
            pattern=prop.get("pattern") or items.get("pattern") or "",
            default=prop.get("default"), example=(prop.get("examples") or [None])[0],
            min_items=prop.get("minItems", 0), max_items=prop.get("maxItems")))
    return fields
