"""``/v1/templates``: the catalogue of do-file templates."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get

from libs.templates.metadata import Template
from services.api.auth import Principal
from services.api.openapi import errors
from services.api.state import Services


class TemplatesController(Controller):
    path = "/v1/templates"
    tags = ("templates",)

    @get("/", summary="List templates (filter by family, shape, engine, text)",
         responses=errors())
    async def list_templates(
        self, principal: Principal, services: Services, family: str | None = None,
        shape: str | None = None, engine: str | None = None, q: str | None = None,
    ) -> list[Template]:
        return services.catalogue.search(family=family, shape=shape, engine=engine, text=q)

    @get("/{template_id:str}", summary="One template with its parameters as JSON Schema",
         responses=errors(404))
    async def get_template(self, template_id: str, principal: Principal,
                           services: Services) -> dict[str, Any]:
        from libs.templates.request import example_request, parameters_json_schema

        template = services.catalogue.get(template_id)
        import msgspec

        return {
            "template": msgspec.to_builtins(template),
            "parameters_schema": parameters_json_schema(template),
            "example_request": example_request(template),
        }
