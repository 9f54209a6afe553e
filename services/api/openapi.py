"""What the OpenAPI document says about errors: every route lists the error responses it can
give, each with the one error body (``ErrorBody``) and the codes that status carries."""

from __future__ import annotations

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from libs.contracts.errors import HTTP_STATUS, ErrorCode, code_descriptions
from services.api.views import ErrorBody

#: Every authenticated route can answer these.
COMMON = (400, 401, 429, 500)


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
