"""What the OpenAPI document says about errors: every route lists the error responses it can
give, each with the one error body (``ErrorBody``) and the codes that status carries."""

from __future__ import annotations

import dataclasses

import msgspec
from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, Schema

from libs.contracts.errors import HTTP_STATUS, ErrorCode, code_descriptions
from libs.contracts.views import ErrorBody

#: Every authenticated route can answer these.
COMMON = (400, 401, 429, 500, 503)
#: ``security`` of the routes anyone may call without an API key (probes, metrics, the events
#: schema): the document must not claim they need one.
PUBLIC: list[dict[str, list[str]]] = [{}]


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI ``responses`` for the given statuses plus the common ones."""
    described = code_descriptions()
    specs: dict[int, ResponseSpec] = {}
    for status in sorted({*COMMON, *statuses}):
        codes = [c for c in ErrorCode if HTTP_STATUS[c] == status]
        text = "; ".join(f"`{c.value}`: {described[c]}" for c in codes) or "error"
        first = codes[0] if codes else ErrorCode.INTERNAL_ERROR
        specs[status] = ResponseSpec(
            data_container=ErrorBody, description=text, generate_examples=False,
            examples=[Example(summary=first.value, value={
                "error_code": first.value, "message": described[first],
                "details": {}, "request_id": "4f1c2b0e9d8a4c55b1e0c3a7d2f6e8b9"})],
        )
    return specs


def _strict_structs() -> set[str]:
    """Names of every Struct that refuses unknown fields."""
    found: set[str] = set()
    pending: list[type[msgspec.Struct]] = [msgspec.Struct]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__struct_config__.forbid_unknown_fields:
            found.add(cls.__name__)
    return found


def tidy_document(app: Litestar) -> None:
    """Make the generated document say what the server does.

    - ``additionalProperties: false`` where msgspec refuses unknown fields (Litestar does not
      carry ``forbid_unknown_fields`` over), so the document does not promise that extra
      fields are accepted;
    - ``anyOf`` instead of ``oneOf`` for Python unions: ``int | float`` as ``oneOf`` would make
      ``3`` invalid (it matches both).
    """
    document = app.openapi_schema
    strict = _strict_structs()
    for name, schema in (document.components.schemas or {}).items():
        if name in strict and isinstance(schema, Schema):
            schema.additional_properties = False
    _walk(document, set())


def _walk(node: object, seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, Schema) and node.one_of is not None:
        node.any_of, node.one_of = node.one_of, None
    if isinstance(node, dict):
        children: list[object] = list(node.values())
    elif isinstance(node, list | tuple):
        children = list(node)
    elif dataclasses.is_dataclass(node):
        children = [getattr(node, f.name) for f in dataclasses.fields(node)]
    else:
        return
    for child in children:
        _walk(child, seen)
