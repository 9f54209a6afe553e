"""``AsyncSSClient``: the SS API over httpx, typed with the API's own msgspec records.

Policy lives here (which calls are safe to retry, idempotency keys, resuming event streams);
httpx does the I/O, and a test passes ``transport=httpx.MockTransport(...)`` to run offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from client.errors import SSClientError, connection_error, error_from_response
from client.records import Progress, RunObserver, RunResult, TemplateInfo, safe_relpath
from client.sse import EventMessage, SSEParser, job_event
from client.transfer import file_chunks, write_body
from libs.contracts.events import JobCompleted
from libs.contracts.jobs import Artifact, InputFile, JobState, ParamValue
from libs.contracts.views import ArtifactList, CheckAnswer, CheckRequest, JobPage, JobView
from libs.templates.metadata import Template

DEFAULT_API_URL = "http://127.0.0.1:8000"
#: Statuses after which repeating a request is safe when it is idempotent (or never ran).
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_KEY_IN_PROGRESS = "IDEMPOTENCY_KEY_IN_PROGRESS"
#: Uploads whose text the do-file check reads (do-files a do-file runs, ado-files it calls).
_TEXT_SUFFIXES = (".do", ".ado")
T = TypeVar("T")

class AsyncSSClient:
    """One API endpoint and key. Use as ``async with AsyncSSClient() as ss: ...``.

    ``base_url`` defaults to ``SS_API_URL`` (else http://127.0.0.1:8000), ``api_key`` to
    ``SS_API_KEY``. Reads, uploads and the calls carrying an ``Idempotency-Key`` are retried
    ``retries`` times on connection failures, 429/502/503/504 and 409
    ``IDEMPOTENCY_KEY_IN_PROGRESS`` (honouring ``Retry-After``).
    """

    def __init__(self, base_url: str | None = None, api_key: str | None = None, *,
                 timeout: float = 30.0, retries: int = 3, backoff_s: float = 0.5,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        url = base_url or os.environ.get("SS_API_URL") or DEFAULT_API_URL
        key = api_key if api_key is not None else os.environ.get("SS_API_KEY", "")
        headers = {"authorization": f"Bearer {key}"} if key else {}
        self.retries = retries
        self.backoff_s = backoff_s
        self.http = httpx.AsyncClient(base_url=url.rstrip("/"), headers=headers,
                                      timeout=timeout, transport=transport)

    async def __aenter__(self) -> AsyncSSClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- plumbing ------------------------------------------------------------------------

    async def _send(self, build: Callable[[], httpx.Request], *, retry: bool,
                    stream: bool = False) -> httpx.Response:
        """Send the request ``build`` makes (a fresh one per try); raise on an error status."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = await self.http.send(build(), stream=stream)
            except httpx.TransportError as exc:
                # A refused connection never reached the server: always safe to try again.
                if last or not (retry or isinstance(exc, httpx.ConnectError)):
                    raise connection_error(exc) from exc
                await asyncio.sleep(self.backoff_s * 2**attempt)
                continue
            if response.status_code < 400:
                return response
            body = await response.aread()
            await response.aclose()
            error = error_from_response(response.status_code, body,
                                        response.headers.get("x-request-id", ""))
            # 409 IDEMPOTENCY_KEY_IN_PROGRESS: an earlier try with this key is still running,
            # or died and its claim runs out after Retry-After: the same call will go through.
            again = response.status_code in _RETRY_STATUSES or (
                retry and error.error_code == _KEY_IN_PROGRESS)
            if last or not again or not (retry or response.status_code == 429):
                raise error
            after = response.headers.get("retry-after", "")
            await asyncio.sleep(float(after) if after.isdigit() else self.backoff_s * 2**attempt)
        raise AssertionError("unreachable")

    async def _call(self, method: str, path: str, kind: type[T], *, retry: bool,
                    json: Any = None, params: dict[str, Any] | None = None,
                    headers: dict[str, str] | None = None) -> T:
        body = None if json is None else msgspec.json.encode(json)
        hdrs = {**(headers or {}), **({"content-type": "application/json"} if body else {})}
        query = {k: v for k, v in (params or {}).items() if v is not None}

        def build() -> httpx.Request:
            return self.http.build_request(method, path, content=body, params=query,
                                           headers=hdrs)

        response = await self._send(build, retry=retry)
        try:
            return msgspec.json.decode(response.content, type=kind)
        except msgspec.ValidationError as exc:
            raise SSClientError(response.status_code, "UNEXPECTED_RESPONSE",
                                f"response of {method} {path} does not match: {exc}") from exc

    @staticmethod
    def _idempotency(key: str | None) -> dict[str, str]:
        # One key per logical operation: the retries inside _send reuse it, so the server
        # answers a replay with the original response instead of acting twice.
        return {"idempotency-key": key or uuid.uuid4().hex}

    # --- templates -----------------------------------------------------------------------

    async def templates(self, *, family: str | None = None, shape: str | None = None,
                        engine: str | None = None, tag: str | None = None,
                        q: str | None = None) -> list[Template]:
        """The template catalogue, optionally filtered."""
        return await self._call("GET", "/v1/templates/", list[Template], retry=True, params={
            "family": family, "shape": shape, "engine": engine, "tag": tag, "q": q})

    async def template(self, template_id: str) -> TemplateInfo:
        """One template with its parameters' JSON Schema and an example request."""
        return await self._call("GET", f"/v1/templates/{quote(template_id)}", TemplateInfo,
                                retry=True)

    async def example_file(self, template_id: str, name: str, dest: Path | str, *,
                           progress: Progress | None = None) -> Path:
        """Download ``name``, a bundled file of the template's example, into folder ``dest``."""
        url = f"/v1/templates/{quote(template_id)}/examples/{quote(name, safe='')}"
        return await self._stream_to(url, {}, Path(dest) / safe_relpath(name), progress)

    # --- jobs ----------------------------------------------------------------------------

    async def create_job(self, template_id: str, params: dict[str, ParamValue] | None = None,
                         *, output_formats: Sequence[str] | None = None,
                         inputs: dict[str, str] | None = None,
                         sheets: dict[str, str] | None = None, engine: str | None = None,
                         timeout_s: float | None = None, labels: dict[str, str] | None = None,
                         idempotency_key: str | None = None) -> JobView:
        """Create a job (state ``created``); upload its inputs next, then ``submit``."""
        body: dict[str, Any] = {"template_id": template_id, "params": params or {}}
        optional = {"output_formats": list(output_formats) if output_formats else None,
                    "inputs": inputs, "sheets": sheets, "engine": engine,
                    "timeout_s": timeout_s, "labels": labels}
        body.update({k: v for k, v in optional.items() if v is not None})
        return await self._call("POST", "/v1/jobs/", JobView, retry=True, json=body,
                                headers=self._idempotency(idempotency_key))

    async def create_dofile_job(self, *, source: str | None = None, input: str | None = None,
                                engine: str | None = None,
                                output_formats: Sequence[str] | None = None,
                                timeout_s: float | None = None,
                                labels: dict[str, str] | None = None,
                                idempotency_key: str | None = None) -> JobView:
        """Create a job that runs the client's own do-file: its text (``source``) or the name
        of an upload that is the do-file (``input``); ``engine`` embedded, stata or any."""
        dofile = {k: v for k, v in (("source", source), ("input", input)) if v is not None}
        body: dict[str, Any] = {"dofile": dofile}
        optional = {"output_formats": list(output_formats) if output_formats else None,
                    "engine": engine, "timeout_s": timeout_s, "labels": labels}
        body.update({k: v for k, v in optional.items() if v is not None})
        return await self._call("POST", "/v1/jobs/", JobView, retry=True, json=body,
                                headers=self._idempotency(idempotency_key))

    async def check_dofile(self, dofile: Path | str, files: Sequence[Path | str] = (), *,
                           engine: str | None = None) -> CheckAnswer:
        """What in the do-file at path ``dofile`` will not work with ``files`` beside it, per
        line and engine (``POST /v1/dofiles/check``; the do- and ado-files among ``files``
        are sent for checking too)."""
        path = Path(dofile)
        others = [Path(f) for f in files]
        request = CheckRequest(
            source=path.read_text(encoding="utf-8", errors="replace"), name=path.name,
            files=[f.name for f in others], engine=engine,
            texts={f.name: f.read_text(encoding="utf-8", errors="replace")
                   for f in others if f.name.lower().endswith(_TEXT_SUFFIXES)})
        return await self._call("POST", "/v1/dofiles/check", CheckAnswer, retry=True,
                                json=request)

    async def upload(self, job_id: str, path: Path | str, *, name: str | None = None,
                     progress: Progress | None = None) -> InputFile:
        """Stream the file at ``path`` as input ``name`` (default: the file name)."""
        path = Path(path)
        total = path.stat().st_size
        url = f"/v1/jobs/{quote(job_id)}/inputs/{quote(name or path.name, safe='')}"

        def build() -> httpx.Request:
            headers = {"content-length": str(total), "content-type": "application/octet-stream"}
            return self.http.build_request("PUT", url, headers=headers,
                                           content=file_chunks(path, total, progress))

        # Re-uploading an input replaces it, so a retried upload is safe.
        response = await self._send(build, retry=True)
        return msgspec.json.decode(response.content, type=InputFile)

    async def submit(self, job_id: str, *, idempotency_key: str | None = None) -> JobView:
        """Queue the job to run."""
        return await self._call("POST", f"/v1/jobs/{quote(job_id)}/submit", JobView,
                                retry=True, headers=self._idempotency(idempotency_key))

    async def job(self, job_id: str) -> JobView:
        """The job as it is now."""
        return await self._call("GET", f"/v1/jobs/{quote(job_id)}", JobView, retry=True)

    async def jobs(self, *, page_size: int = 50) -> AsyncIterator[JobView]:
        """Every job of the caller, newest first, fetched a page at a time."""
        cursor: str | None = None
        while True:
            page = await self._call("GET", "/v1/jobs/", JobPage, retry=True,
                                    params={"limit": page_size, "cursor": cursor})
            for item in page.items:
                yield item
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    async def cancel(self, job_id: str) -> JobView:
        """Cancel a queued or running job."""
        return await self._call("POST", f"/v1/jobs/{quote(job_id)}/cancel", JobView,
                                retry=False)

    async def retry(self, job_id: str, *, idempotency_key: str | None = None) -> JobView:
        """Run a failed or cancelled job again (a new submission)."""
        return await self._call("POST", f"/v1/jobs/{quote(job_id)}/retry", JobView,
                                retry=True, headers=self._idempotency(idempotency_key))

    # --- artifacts -----------------------------------------------------------------------

    async def artifacts(self, job_id: str) -> list[Artifact]:
        """The job's stored files: raw ones per attempt, and the formatted outputs."""
        found = await self._call("GET", f"/v1/jobs/{quote(job_id)}/artifacts/", ArtifactList,
                                 retry=True)
        return found.items

    async def download(self, job_id: str, name: str, dest: Path | str, *,
                       attempt: int | None = None, progress: Progress | None = None) -> Path:
        """Stream artifact ``name`` into folder ``dest`` (same relative name); return the path.

        Raw artifacts come from ``attempt`` (default: the latest); outputs ignore it.
        """
        url = f"/v1/jobs/{quote(job_id)}/artifacts/{quote(name)}"
        query = {"attempt": attempt} if attempt is not None else {}
        return await self._stream_to(url, query, Path(dest) / safe_relpath(name), progress)

    async def _stream_to(self, url: str, query: dict[str, int], target: Path,
                         progress: Progress | None) -> Path:
        """GET ``url`` into ``target``, whole or not at all (:func:`write_body`)."""
        response = await self._send(lambda: self.http.build_request("GET", url, params=query),
                                    retry=True, stream=True)
        return await write_body(response, target, progress)

    async def read_artifact(self, job_id: str, name: str, *, attempt: int | None = None) -> bytes:
        """A small artifact's bytes (``main.log``, ``run.json``)."""
        url = f"/v1/jobs/{quote(job_id)}/artifacts/{quote(name)}"
        query = {"attempt": attempt} if attempt is not None else {}
        response = await self._send(lambda: self.http.build_request("GET", url, params=query),
                                    retry=True)
        return response.content

    # --- events --------------------------------------------------------------------------

    async def events(self, job_id: str, *, last_event_id: str = "",
                     max_reconnects: int = 5) -> AsyncGenerator[EventMessage]:
        """The job's events from the start (or after ``last_event_id``), live, until the
        stream ends after a ``completed`` event. A dropped connection is resumed with
        ``Last-Event-ID`` so no event is lost or repeated."""
        parser = SSEParser(last_event_id)
        failures = 0
        url = f"/v1/jobs/{quote(job_id)}/events/"
        while True:
            seen_completed = got_any = False
            refused: SSClientError | None = None

            def build() -> httpx.Request:
                headers = {"accept": "text/event-stream"}
                if parser.last_event_id:
                    headers["last-event-id"] = parser.last_event_id
                # The server sends a keepalive every 15 s; silence for longer means a dead link.
                return self.http.build_request("GET", url, headers=headers,
                                               timeout=httpx.Timeout(10.0, read=45.0))

            response = await self._send(build, retry=True, stream=True)
            try:
                async for line in response.aiter_lines():
                    message = parser.feed(line.rstrip("\r\n"))
                    if message is None:
                        continue
                    if message.event == "error":
                        # The server could not go on (its event feed is away) and ends the
                        # stream saying why: resume from the last id after a backoff.
                        refused = error_from_response(0, message.data.encode())
                        break
                    failures, got_any = 0, True
                    event = job_event(message)
                    seen_completed = isinstance(event.event, JobCompleted)
                    yield event
            except httpx.TransportError as exc:
                failures += 1
                if failures > max_reconnects:
                    raise connection_error(exc) from exc
            else:
                # A stream that ends early without a word, or with an error event, counts as a
                # failure too, so a server that keeps hanging up cannot make us reconnect
                # forever.
                failures += 0 if got_any and refused is None else 1
                if failures > max_reconnects:
                    raise refused or SSClientError(
                        0, "EVENTS_STREAM_ENDED", f"the event stream of job {job_id} keeps ending")
            finally:
                await response.aclose()
            if seen_completed:
                return
            await asyncio.sleep(parser.retry_s or self.backoff_s * 2 ** min(failures, 4))

    async def wait(self, job_id: str, *,
                   on_event: Callable[[EventMessage], None] | None = None) -> JobView:
        """Follow the job's events (replayed from its creation, so ``on_event`` sees every
        step even of a job that already ended) until its current submission completes;
        return the job as it ended."""
        job = await self.job(job_id)
        # aclosing: leaving the loop early must close the HTTP stream now, not at GC time.
        async with contextlib.aclosing(self.events(job_id)) as stream:
            async for message in stream:
                if on_event:
                    on_event(message)
                event = message.event
                if isinstance(event, JobCompleted) and event.submission >= job.submission:
                    break
        return await self.job(job_id)

    async def run(self, template_id: str, data: Path | str | Sequence[Path | str],
                  params: dict[str, ParamValue] | None = None, *,
                  formats: Sequence[str] | None = None, inputs: dict[str, str] | None = None,
                  wait: bool = True, out: Path | str | None = None,
                  observer: RunObserver | None = None) -> RunResult:
        """Create, upload ``data``, submit; with ``wait``, follow the job to its end and
        download its outputs into ``out`` (when given and the job succeeded). ``inputs`` maps
        template inputs to the uploaded file names (default: matched by the API)."""
        paths = [Path(data)] if isinstance(data, (str, Path)) else [Path(p) for p in data]
        job = await self.create_job(template_id, params, output_formats=formats, inputs=inputs)
        return await self._carry_out(job, paths, wait, out, observer or RunObserver())

    async def run_dofile(self, dofile: Path | str, files: Sequence[Path | str] = (), *,
                         engine: str | None = None, formats: Sequence[str] | None = None,
                         timeout_s: float | None = None, wait: bool = True,
                         out: Path | str | None = None,
                         observer: RunObserver | None = None) -> RunResult:
        """Run the client's own do-file at path ``dofile`` with ``files`` beside it (data,
        other do-files, ado-files; each under its own name) as ``run`` runs a template; its
        outputs, when downloaded, include every file the do-file wrote."""
        path = Path(dofile)
        job = await self.create_dofile_job(input=path.name, engine=engine,
                                           output_formats=formats, timeout_s=timeout_s)
        return await self._carry_out(job, [path, *(Path(f) for f in files)], wait, out,
                                     observer or RunObserver(), raw=True)

    async def _carry_out(self, job: JobView, paths: list[Path], wait: bool,
                         out: Path | str | None, seen: RunObserver, *,
                         raw: bool = False) -> RunResult:
        """Upload ``paths`` to the created ``job``, submit it and, with ``wait``, follow it and
        download its outputs into ``out`` (``raw``: the files its latest attempt wrote
        too)."""
        seen.created(job)
        for path in paths:
            await self.upload(job.id, path, progress=seen.upload(path.name))
        job = await self.submit(job.id)
        if not wait:
            return RunResult(job=job)
        job = await self.wait(job.id, on_event=seen.event)
        files: list[Path] = []
        if out is not None and job.state is JobState.SUCCEEDED:
            for artifact in job.artifacts:
                wanted = artifact.kind == "output" or (
                    raw and artifact.kind == "raw" and artifact.attempt == job.attempt)
                if wanted:
                    folder = Path(out) if artifact.kind == "output" else Path(out) / "files"
                    files.append(await self.download(job.id, artifact.name, folder,
                                                     attempt=artifact.attempt,
                                                     progress=seen.download(artifact.name)))
        return RunResult(job=job, files=files)
