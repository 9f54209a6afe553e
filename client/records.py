"""Records the client hands back and hooks it calls, beside ``AsyncSSClient``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec

from client.errors import SSClientError
from client.sse import EventMessage
from libs.contracts.views import JobView
from libs.templates.metadata import Template

#: ``progress(done_bytes, total_bytes_or_None)`` during an upload or download.
Progress = Callable[[int, int | None], None]


class TemplateInfo(msgspec.Struct, kw_only=True, frozen=True):
    """``GET /v1/templates/{id}``: the template, its parameters as JSON Schema, the example
    request (parameters and the bundled file of each input), the Stata commands it runs."""

    template: Template
    parameters_schema: dict[str, Any]
    example_request: dict[str, Any]
    stata_commands: list[str] = msgspec.field(default_factory=list)
    ado_helpers: list[str] = msgspec.field(default_factory=list)
    #: commands of SSC packages (``template.ssc_packages``) a licensed Stata must have
    ssc_commands: list[str] = msgspec.field(default_factory=list)


class RunObserver:
    """Hooks ``run`` calls as it goes; the defaults do nothing. The CLI draws with them."""

    def created(self, job: JobView) -> None:
        """The job exists (its id is known)."""

    def upload(self, name: str) -> Progress | None:
        """The progress callback for uploading ``name``, if any."""
        return None

    def event(self, message: EventMessage) -> None:
        """A job event arrived."""

    def download(self, name: str) -> Progress | None:
        """The progress callback for downloading output ``name``, if any."""
        return None


class RunResult(msgspec.Struct, kw_only=True, frozen=True):
    """What ``run`` ends with: the job as last seen and the files it downloaded."""

    job: JobView
    files: list[Path] = msgspec.field(default_factory=list)


def safe_relpath(name: str) -> Path:
    # Artifact names come from the server; never let one write outside the target folder.
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(p in ("..", ".", "") for p in parts):
        raise SSClientError(0, "ARTIFACT_NAME_INVALID", f"refusing artifact name {name!r}")
    return Path(*parts)
