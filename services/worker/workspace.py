"""Preparing an attempt's workspace and collecting what it produced.

Layout of ``<workroot>/<tenant>-<job>-<attempt>-<random>/``::

    uploads/<input>         originals downloaded from S3, one per template input, named by the
                            input (the client's file name is any Unicode; readers take the
                            format from the content and that name, never from this path)
    uploads/<input>.normalised  the input as the API normalised it at upload, when usable
    inputs/<input>.dta      normalised inputs the do-file reads
    main.do                 header of locals + template body (what ran)
    main.log                the engine's log
    run.json                engine, rc, duration, command, versions, input reports
    results/*.csv|*.dta     result tables and datasets the template wrote (and figures it
                            exported there, e.g. results/*.png)
    *.png|*.svg|*.pdf ...   files ``graph export`` wrote beside main.do
    graphs/*.png, index.json  every graph the embedded engine drew (libs.contracts.graphs)
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

import msgspec

from libs import names
from libs.contracts.errors import JobFailed, SSError
from libs.contracts.graphs import GRAPH_SUFFIXES, GRAPHS_DIR
from libs.contracts.jobs import Artifact, InputFile, JobRecord, NormalisedInput
from libs.datasets.errors import DatasetError, ReadMemoryExceeded
from libs.datasets.isolation import call_isolated, normalise_isolated
from libs.datasets.limits import Limits
from libs.datasets.report import Kind, NormaliseReport
from libs.runners.base import RunLimits
from libs.settings import Settings
from libs.storage import ObjectStore, content_type
from libs.templates.catalogue import Catalogue
from libs.templates.errors import DataShapeInvalid
from libs.templates.frame import problems_by_columns, shape_problems
from libs.templates.params import DatasetColumns, validate_params
from libs.templates.render import default_input_files, render_do_file
from services.common.failures import catalogued
from services.worker import prenormalised
from services.worker.input_cache import InputCache, cache_key

log = logging.getLogger(__name__)

DO_FILE = "main.do"
#: Longest the normalisation of one input may take.
NORMALISE_TIMEOUT_S = 600.0
RUN_FILE = "run.json"


def columns_of(report: NormaliseReport) -> DatasetColumns:
    return DatasetColumns.of([(c.name, c.kind is not Kind.STRING) for c in report.columns])


@dataclass(frozen=True, slots=True)
class Prepared:
    """The inputs of a prepared attempt: each one's normalise report, and which of them were
    not read by this worker (copied from its cache, or normalised at upload)."""

    reports: dict[str, NormaliseReport]
    reused: frozenset[str] = frozenset()


class InputFetch:
    """The downloads of an attempt's inputs that the worker's cache does not hold: the
    normalised object of each one the API normalised at upload and the worker may start from
    (``services.worker.prenormalised``; none when the run item carried a copy of it,
    ``inline``), else the original.

    It may start before the attempt is claimed (while the claim's CAS is in flight): it
    writes only under ``<workdir>/uploads/``, names nothing in any record or event, and once
    ``discard``-ed it has stopped writing, so removing the workdir leaves no trace. Raises
    ``JobFailed`` on creation when the record cannot bind the template's inputs.
    """

    def __init__(self, record: JobRecord, workdir: Path, store: ObjectStore,
                 catalogue: Catalogue, limits: Limits, cache: InputCache | None,
                 inline: Mapping[str, bytes] | None = None) -> None:
        template = catalogue.get(record.spec.template_id)
        try:
            self.bound = record.bind_inputs([i.name for i in template.inputs])
        except SSError as exc:
            raise catalogued(exc, JobFailed) from exc
        self.keys = {name: cache_key(record.tenant, upload, sheet_of(record, upload), limits)
                     for name, upload in self.bound.items()}
        self._folder = workdir / "uploads"
        self._store = store
        held = cache.holds if cache is not None else (lambda _: False)
        wanted = [n for n in self.bound if not held(self.keys[n])]
        self._normalised = {n: found for n in wanted if (found := prenormalised.usable(
            record, self.bound[n], sheet_of(record, self.bound[n]), limits)) is not None}
        self._carried = {n: data for n, found in self._normalised.items()
                         if (data := prenormalised.carried(found, inline or {})) is not None}
        self._started = frozenset(wanted) - frozenset(self._normalised)
        self._fetched: dict[str, Path] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> InputFetch:
        """Begin downloading the inputs the cache does not hold now (``uploads/`` is made
        only when something is written there: a job whose inputs all come from the cache
        makes and removes one folder less)."""
        self._task = asyncio.create_task(self._first())
        return self

    async def normalised(self) -> dict[str, tuple[NormalisedInput, Path]]:
        """The normalised objects downloaded, by input: each one's record and local copy
        (not yet verified: ``prenormalised.unpacked`` does)."""
        await self._wait()
        return {name: (self._normalised[name], path) for name, path in self._fetched.items()}

    async def originals(self, names: frozenset[str]) -> None:
        """Wait until the originals of ``names`` are in ``uploads/`` (downloading those the
        cache held at the start but no longer gives, and those whose normalised object was
        not usable)."""
        await self._wait()
        await self._download(names - self._started)

    async def _wait(self) -> None:
        if self._task is None:
            self.start()
        assert self._task is not None
        await self._task

    def _folder_made(self) -> Path:
        self._folder.mkdir(parents=True, exist_ok=True)
        return self._folder

    async def _first(self) -> None:
        if self._carried or self._normalised:
            self._folder_made()
        for name, data in self._carried.items():  # at most SS_WORK_INLINE_MAX_BYTES
            path = self._folder / f"{name}.normalised"
            path.write_bytes(data)
            self._fetched[name] = path
        await asyncio.gather(self._download(self._started),
                             *(self._fetch_normalised(n) for n in sorted(self._normalised)
                               if n not in self._carried))

    async def _fetch_normalised(self, name: str) -> None:
        path = self._folder / f"{name}.normalised"
        try:
            await self._store.download_file(self._normalised[name].key, path)
        except Exception:  # gone or unreadable: the original is read instead
            log.warning("normalised input %s not fetched; reading the upload",
                        self._normalised[name].key, exc_info=True)
            return
        self._fetched[name] = path

    async def discard(self) -> None:
        """Stop the downloads and wait until they have (their files are then closed)."""
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.wait([self._task])
        if not self._task.cancelled():
            self._task.exception()  # retrieved: a failed speculative download is no error

    async def _download(self, names: frozenset[str]) -> None:
        if not names:
            return
        folder = self._folder_made()
        await asyncio.gather(*(self._store.download_file(self.bound[name].key, folder / name)
                               for name in sorted(names)))


def sheet_of(record: JobRecord, upload: InputFile) -> str | None:
    """The sheet an input is read from (``spec.sheets`` for records stored before inputs
    kept the sheet they read)."""
    return upload.sheet or record.spec.sheets.get(upload.name)


async def prepare(
    record: JobRecord, workdir: Path, store: ObjectStore, catalogue: Catalogue,
    memory_bytes: int | None = None, cache: InputCache | None = None,
    fetch: InputFetch | None = None, inline: Mapping[str, bytes] | None = None,
) -> Prepared:
    """Download and normalise inputs (each read within ``memory_bytes``, the run's memory
    limit; those ``cache`` holds are copied from it instead), validate parameters, write
    ``main.do``. ``fetch``: the inputs' downloads, started earlier (same ``memory_bytes``,
    ``cache`` and ``inline``); ``inline``: the copies of objects the run item carried.

    Raises ``JobFailed`` for anything the client must fix (unknown template, bad parameter,
    unreadable input, unsafe do-file); S3 problems propagate as they are (transient).
    """
    template = catalogue.get(record.spec.template_id)
    body = catalogue.body(template.id)
    limits = Limits(memory_bytes=memory_bytes or 0)
    if fetch is None:
        fetch = InputFetch(record, workdir, store, catalogue, limits, cache, inline)
    files = default_input_files(template)
    (workdir / "inputs").mkdir(parents=True, exist_ok=True)
    (workdir / "results").mkdir(exist_ok=True)
    prepared = await _normalised_inputs(record, workdir, fetch, files, limits, cache)
    reports = prepared.reports
    params = validate_params(
        template, record.spec.params, {name: columns_of(r) for name, r in reports.items()}
    )
    if "main" in reports:
        # Refuse a dataset of the wrong shape (panel without unique id-time pairs...) before
        # anything runs, with one reason per shape the template accepts. Most shapes are
        # settled by the column list; questions about the rows read the file in a reader
        # child, like the normalise: within the run's memory limit, off the event loop.
        columns = columns_of(reports["main"])
        reasons = problems_by_columns(template, params, columns)
        if reasons is None:
            try:
                reasons = await asyncio.to_thread(
                    call_isolated, shape_problems, workdir / "inputs" / files["main"],
                    template, params, columns, limits=limits, timeout=NORMALISE_TIMEOUT_S)
            except (DatasetError, ReadMemoryExceeded) as exc:
                raise catalogued(exc, JobFailed, input=fetch.bound["main"].name) from exc
        if reasons:
            raise DataShapeInvalid(template.id, reasons)
    (workdir / DO_FILE).write_text(render_do_file(template, body, params, files),
                                   encoding="utf-8")
    return prepared


async def _normalised_inputs(
    record: JobRecord, workdir: Path, fetch: InputFetch, files: dict[str, str],
    limits: Limits, cache: InputCache | None,
) -> Prepared:
    """``inputs/<file>`` for every bound input: from the cache, from its object normalised at
    upload, or downloaded and normalised."""
    bound, keys = fetch.bound, fetch.keys
    reports: dict[str, NormaliseReport] = {}
    if cache is not None:
        for name, key in keys.items():
            if (found := await cache.fetch(key, workdir / "inputs" / files[name])) is not None:
                reports[name] = found
    for name, (stored, packed) in (await fetch.normalised()).items():
        normalised = workdir / "inputs" / files[name]
        if (report := await prenormalised.unpacked(stored, packed, normalised)) is not None:
            reports[name] = report
            if cache is not None:
                await cache.keep(keys[name], normalised, report)
    missing = {name: upload for name, upload in bound.items() if name not in reports}
    await fetch.originals(frozenset(missing))
    for name, upload in missing.items():
        original, normalised = workdir / "uploads" / name, workdir / "inputs" / files[name]
        try:
            # Isolated: a damaged file can crash a native reader; it must not take the
            # worker (and its other running jobs) down with it.
            reports[name] = await asyncio.to_thread(
                normalise_isolated, original, normalised, filename=upload.name,
                sheet=sheet_of(record, upload), limits=limits, timeout=NORMALISE_TIMEOUT_S,
            )
        except (DatasetError, ReadMemoryExceeded) as exc:
            raise catalogued(exc, JobFailed, input=upload.name) from exc
        if cache is not None:
            await cache.store(keys[name], upload, original, normalised, reports[name])
    return Prepared(reports, frozenset(bound) - frozenset(missing))


def run_limits(settings: Settings, timeout_s: float) -> RunLimits:
    """What one run may take (``SS_JOB_*``, its share of ``SS_WORKER_MAX_MEMORY``); CPU time
    defaults to twice the time limit."""
    return RunLimits(memory_bytes=settings.run_memory_bytes,
                     cpu_s=settings.job_cpu_s or 2 * timeout_s,
                     output_bytes=settings.job_output_max_bytes, files=settings.job_max_files)


def write_run_json(workdir: Path, info: dict[str, object]) -> None:
    (workdir / RUN_FILE).write_bytes(msgspec.json.format(msgspec.json.encode(info)))


def _files(folder: Path) -> list[str]:
    """Names of the regular files in ``folder`` (links followed), none if it is missing; from
    the directory's entry types, without a ``stat`` per file."""
    try:
        with os.scandir(folder) as entries:
            return [entry.name for entry in entries if entry.is_file()]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _produced(workdir: Path) -> list[str]:
    # graph export files beside main.do, and the graph list (libs.contracts.graphs)
    found = [name for name in _files(workdir) if not name.startswith("ss_")
             and (PurePath(name).suffix in (".do", ".log", ".json")
                  or PurePath(name).suffix.lower() in GRAPH_SUFFIXES)]
    for folder in ("inputs", "results", GRAPHS_DIR):
        found += [f"{folder}/{name}" for name in _files(workdir / folder)]
    return sorted(found)


def _nothing(rel: str) -> bool:
    return False


class AttemptUploader:
    """Uploads an attempt's raw files under its own prefix, some of them early.

    The do-file and the normalised inputs are final once prepared, so they go to S3 while the
    engine runs; ``finish`` uploads whatever else the attempt produced and returns the index.

    It also keeps the bytes it stored of the files ``carry`` names, up to ``carry_max_bytes``
    in all (0: none), for the format item to carry (``carried``): the result tables claim
    that room first, after any such file stored while the engine ran (``main.do``).
    """

    def __init__(self, workdir: Path, store: ObjectStore, tenant: str, job_id: str,
                 attempt: int, *, carry: Callable[[str], bool] = _nothing,
                 carry_max_bytes: int = 0) -> None:
        self._workdir = workdir
        self._store = store
        self._tenant = tenant
        self._job_id = job_id
        self._attempt = attempt
        self._started: dict[str, asyncio.Task[Artifact | None]] = {}
        self._carry = carry
        self._room = carry_max_bytes
        #: S3 key -> the bytes stored there, of the files kept for the format item
        self._kept: dict[str, bytes] = {}
        #: the attempt's files to store (a template's; a do-file job's are all it wrote)
        self.listing: Callable[[Path], list[str]] = _produced

    def start_prepared(self) -> None:
        """Begin uploading ``main.do`` and ``inputs/*`` in the background."""
        for rel in self.listing(self._workdir):
            if rel == DO_FILE or rel.startswith("inputs/"):
                self._start(rel)

    async def finish(self) -> list[Artifact]:
        """Upload the rest, wait for everything, return the attempt's artifact index."""
        if not self._workdir.is_dir():
            return []
        for rel in sorted(self.listing(self._workdir),
                          key=lambda rel: not rel.startswith("results/")):
            if rel not in self._started:
                self._start(rel)
        done = await asyncio.gather(*self._started.values())
        return [artifact for artifact in done if artifact is not None]

    def carried(self) -> dict[str, bytes]:
        """The kept files, by S3 key, as stored (after ``finish``)."""
        return dict(self._kept)

    def cancel(self) -> None:
        for task in self._started.values():
            task.cancel()

    def _start(self, rel: str) -> None:
        path = self._workdir / rel
        data: bytes | None = None
        if self._carry(rel) and self._room > 0 and path.stat().st_size <= self._room:
            data = path.read_bytes()
            if len(data) > self._room:  # grew since: stored from the file instead
                data = None
            else:
                self._room -= len(data)
        self._started[rel] = asyncio.create_task(self._put(rel, data))

    async def _put(self, rel: str, data: bytes | None) -> Artifact | None:
        try:
            key = names.attempt_key(self._tenant, self._job_id, self._attempt, rel)
        except ValueError:
            return None  # a file name S3 keys cannot carry; it stays in the log only
        path = self._workdir / rel
        ctype = content_type(path)
        if data is None:
            size = await self._store.put_file(key, path, ctype)
        else:
            await self._store.put_bytes(key, data, ctype)
            size = len(data)
            self._kept[key] = data
        return Artifact(name=rel, key=key, size=size, kind="raw", attempt=self._attempt,
                        content_type=ctype)


def remove(workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
