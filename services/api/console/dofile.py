"""The page that runs a client's own do-file (docs/dofiles.md) from the browser: its text,
the files it uses, the engine and the reports. Checking and running go through the JSON API
itself (``POST /v1/dofiles/check``, then create, upload and submit), called by the page's
script with the session's CSRF token, so the page refuses exactly what the API refuses.
"""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import Provide

from libs.contracts.jobs import OUTPUT_FORMATS
from services.api.console.catalogue import DEFAULT_FORMATS
from services.api.console.render import PREFIX
from services.api.console.viewer import Viewer, viewer_dependency
from services.api.state import Services

#: The engines a do-file job may name besides ``any`` (``JobSpec.engine``).
ENGINES = ("embedded", "stata")


class DoFilePages(Controller):
    path = PREFIX
    include_in_schema = False
    dependencies = {"viewer": Provide(viewer_dependency)}  # noqa: RUF012

    @get("/dofile")
    async def dofile(self, viewer: Viewer, services: Services) -> Response[str]:
        settings = services.settings
        return viewer.page.html(
            "dofile.html", formats=OUTPUT_FORMATS, default_formats=DEFAULT_FORMATS,
            engines=ENGINES, default_engine=settings.engine,
            max_bytes=settings.dofile_max_bytes,
            direct_upload_bytes=settings.console_direct_upload_bytes)
