"""``SSClient``: the async client's calls, blocking, on a private event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from client.async_client import AsyncSSClient
from client.records import Progress, RunResult, TemplateInfo
from client.sse import EventMessage
from libs.contracts.jobs import Artifact, InputFile, ParamValue
from libs.contracts.views import CheckAnswer, JobView
from libs.templates.metadata import Template

T = TypeVar("T")


class SSClient:
    """Blocking client for scripts and notebooks; arguments as for ``AsyncSSClient``.

    Use as ``with SSClient() as ss: ...``. Not for use inside a running event loop (use
    ``AsyncSSClient`` there).
    """

    def __init__(self, base_url: str | None = None, api_key: str | None = None,
                 **options: Any) -> None:
        self._runner = asyncio.Runner()
        self._async = self._runner.run(self._open(base_url, api_key, options))

    @staticmethod
    async def _open(base_url: str | None, api_key: str | None,
                    options: dict[str, Any]) -> AsyncSSClient:
        # httpx binds its connection pool to the loop that first uses it: build it there.
        return AsyncSSClient(base_url, api_key, **options)

    def __enter__(self) -> SSClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._runner.run(self._async.aclose())
        self._runner.close()

    def _iterate(self, source: AsyncIterator[T]) -> Iterator[T]:
        async def step() -> T:
            return await anext(source)

        while True:
            try:
                yield self._runner.run(step())
            except StopAsyncIteration:
                return

    def templates(self, **filters: str | None) -> list[Template]:
        """See ``AsyncSSClient.templates``."""
        return self._runner.run(self._async.templates(**filters))

    def template(self, template_id: str) -> TemplateInfo:
        """See ``AsyncSSClient.template``."""
        return self._runner.run(self._async.template(template_id))

    def example_file(self, template_id: str, name: str, dest: Path | str, *,
                     progress: Progress | None = None) -> Path:
        """See ``AsyncSSClient.example_file``."""
        return self._runner.run(
            self._async.example_file(template_id, name, dest, progress=progress))

    def create_job(self, template_id: str, params: dict[str, ParamValue] | None = None,
                   **options: Any) -> JobView:
        """See ``AsyncSSClient.create_job``."""
        return self._runner.run(self._async.create_job(template_id, params, **options))

    def create_dofile_job(self, **options: Any) -> JobView:
        """See ``AsyncSSClient.create_dofile_job``."""
        return self._runner.run(self._async.create_dofile_job(**options))

    def check_dofile(self, dofile: Path | str, files: Sequence[Path | str] = (), *,
                     engine: str | None = None) -> CheckAnswer:
        """See ``AsyncSSClient.check_dofile``."""
        return self._runner.run(self._async.check_dofile(dofile, files, engine=engine))

    def upload(self, job_id: str, path: Path | str, *, name: str | None = None,
               progress: Progress | None = None) -> InputFile:
        """See ``AsyncSSClient.upload``."""
        return self._runner.run(self._async.upload(job_id, path, name=name, progress=progress))

    def submit(self, job_id: str, *, idempotency_key: str | None = None) -> JobView:
        """See ``AsyncSSClient.submit``."""
        return self._runner.run(self._async.submit(job_id, idempotency_key=idempotency_key))

    def job(self, job_id: str) -> JobView:
        """See ``AsyncSSClient.job``."""
        return self._runner.run(self._async.job(job_id))

    def jobs(self, *, page_size: int = 50) -> Iterator[JobView]:
        """See ``AsyncSSClient.jobs``."""
        return self._iterate(self._async.jobs(page_size=page_size))

    def cancel(self, job_id: str) -> JobView:
        """See ``AsyncSSClient.cancel``."""
        return self._runner.run(self._async.cancel(job_id))

    def retry(self, job_id: str, *, idempotency_key: str | None = None) -> JobView:
        """See ``AsyncSSClient.retry``."""
        return self._runner.run(self._async.retry(job_id, idempotency_key=idempotency_key))

    def artifacts(self, job_id: str) -> list[Artifact]:
        """See ``AsyncSSClient.artifacts``."""
        return self._runner.run(self._async.artifacts(job_id))

    def download(self, job_id: str, name: str, dest: Path | str, *,
                 attempt: int | None = None, progress: Progress | None = None) -> Path:
        """See ``AsyncSSClient.download``."""
        return self._runner.run(
            self._async.download(job_id, name, dest, attempt=attempt, progress=progress))

    def events(self, job_id: str, *, last_event_id: str = "") -> Iterator[EventMessage]:
        """See ``AsyncSSClient.events``."""
        return self._iterate(self._async.events(job_id, last_event_id=last_event_id))

    def wait(self, job_id: str, *,
             on_event: Callable[[EventMessage], None] | None = None) -> JobView:
        """See ``AsyncSSClient.wait``."""
        return self._runner.run(self._async.wait(job_id, on_event=on_event))

    def run(self, template_id: str, data: Path | str | Sequence[Path | str],
            params: dict[str, ParamValue] | None = None, **options: Any) -> RunResult:
        """See ``AsyncSSClient.run``."""
        return self._runner.run(self._async.run(template_id, data, params, **options))

    def run_dofile(self, dofile: Path | str, files: Sequence[Path | str] = (),
                   **options: Any) -> RunResult:
        """See ``AsyncSSClient.run_dofile``."""
        return self._runner.run(self._async.run_dofile(dofile, files, **options))
