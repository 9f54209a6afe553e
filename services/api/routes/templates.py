"""``/v1/templates``: the catalogue of do-file templates and their bundled example data."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import File

from libs.templates.metadata import Template
from libs.templates.request import template_info
from services.api.auth import Principal
from services.api.openapi import errors
from services.api.state import Services


class TemplatesController(Controller):
    path = "/v1/templates"
    tags = ("templates",)

    @get("/", summary="List templates (filter by family, shape, engine, tag, text)",
         responses=errors())
    async def list_templates(
        self, principal: Principal, services: Services, family: str | None = None,
        shape: str | None = None, engine: str | None = None, tag: str | None = None,
        q: str | None = None,
    ) -> list[Template]:
        return services.catalogue.search(family=family, shape=shape, engine=engine, tag=tag,
                                         text=q)

    @get("/{template_id:str}",
         summary="One template: parameters as JSON Schema, the example request, its commands",
         responses=errors(404))
    async def get_template(self, template_id: str, principal: Principal,
                           services: Services) -> dict[str, Any]:
        return template_info(services.catalogue, template_id)

    @get("/{template_id:str}/examples/{name:str}",
         summary="Download a bundled dataset of the template's example request",
         response_description="the dataset", responses=errors(404),
         media_type="application/octet-stream")
    async def example_file(self, template_id: str, name: str, principal: Principal,
                           services: Services) -> File:
        path = services.catalogue.example_file(template_id, name)
        return File(path, filename=name, media_type="text/csv" if name.endswith(".csv")
                    else "application/octet-stream")
