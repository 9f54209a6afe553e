"""``/v1/dofiles``: checking a client's own do-file before any job runs it (docs/dofiles.md)."""

from __future__ import annotations

from litestar import Controller, post

from libs.contracts.views import CheckAnswer, CheckRequest
from services.api.auth import Principal
from services.api.dofiles import check_request
from services.api.openapi import errors
from services.api.state import Services

#: Largest check request: a do-file and the texts it brings, each at most SS_DOFILE_MAX_BYTES.
CHECK_MAX_BYTES = 8 * 1024 * 1024


class DoFilesController(Controller):
    path = "/v1/dofiles"
    tags = ("dofiles",)

    @post("/check", status_code=200, request_max_body_size=CHECK_MAX_BYTES,
          summary="Check a do-file: per line what will not work here, and which engines can "
                  "run it (no job, no run)",
          responses=errors(413))
    async def check(self, data: CheckRequest, principal: Principal,
                    services: Services) -> CheckAnswer:
        return await check_request(services.settings, data)
