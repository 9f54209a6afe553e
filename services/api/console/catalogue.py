"""The researchers' pages: the template catalogue and a template's run form; the preview that
fills the form's variable pickers; the error catalogue the pages explain refusals with.

Running a template goes through the JSON API itself (create, upload, submit), called by the
page's script with the session's CSRF token. Only reading a file's columns *before* the job
exists needs a route of its own: the job's parameters are fixed when it is created, and the
pickers need the columns first. It reads the file the way an upload is read (the same
isolated reader, the same error codes) and keeps nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import Parameter

from libs import names
from libs.contracts.errors import HTTP_STATUS, ErrorCode, SSError, code_descriptions
from libs.contracts.jobs import OUTPUT_FORMATS
from libs.datasets.report import Preview
from libs.templates.metadata import Family
from libs.templates.request import example_request
from services.api.console.forms import form_fields
from services.api.console.render import PREFIX
from services.api.console.viewer import Viewer, viewer_dependency
from services.api.inputs import Spool, read_preview
from services.api.state import Services

#: Largest file (or head of a large text file) the preview reads.
PREVIEW_MAX_BYTES = 64 * 1024 * 1024
#: Formats ticked on a new form.
DEFAULT_FORMATS = ("html", "xlsx", "csv", "log", "do")


class CataloguePages(Controller):
    path = PREFIX
    include_in_schema = False
    dependencies = {"viewer": Provide(viewer_dependency)}  # noqa: RUF012

    @get("/templates")
    async def templates(self, viewer: Viewer, services: Services, q: str = "",
                        family: str = "") -> Response[str]:
        found = services.catalogue.search(family=family or None, text=q or None)
        return viewer.page.html("templates.html", templates=found, q=q, family=family,
                                families=[f.value for f in Family],
                                total=len(services.catalogue.templates()))

    @get("/templates/{template_id:str}")
    async def template(self, template_id: str, viewer: Viewer,
                       services: Services) -> Response[str]:
        template = services.catalogue.get(template_id)
        return viewer.page.html(
            "template.html", template=template, fields=form_fields(template),
            formats=OUTPUT_FORMATS, default_formats=DEFAULT_FORMATS,
            example=example_request(template),
            direct_upload_bytes=services.settings.console_direct_upload_bytes,
            preview_max_bytes=PREVIEW_MAX_BYTES)

    @post("/preview", status_code=200, request_max_body_size=PREVIEW_MAX_BYTES)
    async def preview(
        self, request: Request[Any, Any, Any], viewer: Viewer,
        name: Annotated[str, Parameter(min_length=1, max_length=255)],
        sheet: str | None = None,
    ) -> Preview:
        """How SS reads a file (or the head of a large text file): columns and first rows."""
        try:
            names.input_file_name(name)
        except ValueError as exc:
            raise SSError(ErrorCode.INPUT_NAME_INVALID, str(exc), name=name) from exc
        spool = Spool()
        try:
            async for _ in spool.tee(request.stream()):
                pass
            return await read_preview(spool.path, name, sheet, rows=10)
        finally:
            spool.close()

    @get("/error-codes")
    async def error_codes(self, viewer: Viewer) -> dict[str, dict[str, Any]]:
        """Every error code with its HTTP status and what it means (docs/errors.md)."""
        return {code.value: {"status": HTTP_STATUS[code], "meaning": meaning}
                for code, meaning in code_descriptions().items()}
