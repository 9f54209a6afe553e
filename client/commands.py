"""What each ``ss`` subcommand does, given parsed arguments, a client and a terminal."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import msgspec

from client.async_client import AsyncSSClient
from client.errors import SSClientError
from client.nats_tail import tail_events
from client.params import parse_params
from client.records import RunResult
from client.sse import EventMessage
from client.terminal import Terminal, TerminalObserver, describe_event, human_size
from libs.contracts.events import JobCompleted
from libs.contracts.jobs import JobState, ParamValue
from libs.contracts.views import JobView

#: Exit status of a job that ended failed or cancelled (``ss run --wait``).
EXIT_JOB_FAILED = 1


def print_json(term: Terminal, value: object) -> None:
    term.line(msgspec.json.format(msgspec.json.encode(value), indent=2).decode())


async def templates(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    found = await ss.templates(family=args.family, shape=args.shape, engine=args.engine,
                               tag=args.tag, q=args.q)
    if args.json:
        print_json(term, found)
        return 0
    width = max((len(t.id) for t in found), default=2)
    for t in found:
        term.line(f"{t.id:<{width}}  {t.family.value:<11}  {t.title}")
    return 0


async def template(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    info = await ss.template(args.template_id)
    if args.json:
        print_json(term, info)
        return 0
    t = info.template
    term.line(f"{t.id} {t.version}: {t.title}")
    term.line(f"family {t.family.value}; shapes {', '.join(s.kind.value for s in t.shapes)}; "
              f"engines {', '.join(e.value for e in t.engines)}")
    term.line("")
    term.line(t.description.strip())
    term.line("")
    term.line("use when: " + " ".join(t.use_when.split()))
    term.line("avoid when: " + " ".join(t.avoid_when.split()))
    term.line("assumptions:")
    for assumption in t.assumptions:
        term.line(f"  - {assumption}")
    term.line("stata commands: " + ", ".join(info.stata_commands)
              + "; ado helpers: " + (", ".join(info.ado_helpers) or "none")
              + (f"; SSC packages: {', '.join(t.ssc_packages)}" if t.ssc_packages else ""))
    term.line("")
    term.line("parameters:")
    for p in t.parameters:
        need = "required" if p.required else f"default {p.default!r}"
        term.line(f"  {p.name:<14} {p.type.value:<10} {need:<14} {p.description}")
    term.line("inputs: " + ", ".join(f"{i.name} ({i.role.value})" for i in t.inputs))
    example = " ".join(
        "-p " + shlex.quote(f"{k}={' '.join(v) if isinstance(v, list) else v}")
        for k, v in info.example_request.get("params", {}).items())
    term.line(f"example: ss run {t.id} DATA {example}".rstrip())
    files = ", ".join(f"{k}={v}" for k, v in info.example_request.get("inputs", {}).items())
    term.line(f"bundled: ss run {t.id} --example  (data {files})")
    return 0


@contextlib.asynccontextmanager
async def ticking(term: Terminal, wait: bool = True) -> AsyncIterator[None]:
    """Keep the live status line moving while a job runs (terminals only, when waiting)."""

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.1)
            term.tick()

    task = asyncio.create_task(tick()) if term.tty and wait else None
    try:
        yield
    finally:
        if task:
            task.cancel()
        if wait:
            term.end_status()


async def run(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    info = await ss.template(args.template_id)
    if not args.example:
        params = parse_params(args.param, info.parameters_schema)
        return await _run(args, ss, term, args.data, params, None)
    request = info.example_request
    inputs: dict[str, str] = request["inputs"]
    with tempfile.TemporaryDirectory(prefix="ss-example-") as folder:
        paths = [await ss.example_file(args.template_id, name, folder)
                 for name in dict.fromkeys(inputs.values())]
        return await _run(args, ss, term, paths, request["params"], inputs)


async def _run(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal,
               data: Sequence[Path], params: dict[str, ParamValue],
               inputs: dict[str, str] | None) -> int:
    formats = [f for f in ",".join(args.format).split(",") if f] if args.format else None
    wait = args.wait or args.out is not None
    async with ticking(term, wait):
        result = await ss.run(args.template_id, data, params, formats=formats, inputs=inputs,
                              wait=wait, out=args.out, observer=TerminalObserver(term))
    return finish_run(term, result, wait, args.out)


def finish_run(term: Terminal, result: RunResult, wait: bool, out: Path | None) -> int:
    """Say how a run ended; the exit status."""
    job = result.job
    if not wait:
        term.line(f"job {job.id} {job.state.value}; follow it with: ss events --job {job.id}")
        return 0
    for path in result.files:
        term.line(f"saved {path}")
    if job.state is JobState.SUCCEEDED:
        if out is None:
            outputs = [a.name for a in job.artifacts if a.kind == "output"]
            term.line(f"outputs: {', '.join(outputs)} (download with --out DIR)")
        return 0
    if job.error is not None:
        term.line(f"error {job.error.error_code.value}: {job.error.message}")
    term.line(f"job {job.id} {job.state.value}; its log: ss logs {job.id}")
    return EXIT_JOB_FAILED


async def status(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    job = await ss.job(args.job_id)
    if args.json:
        print_json(term, job)
        return 0
    for line in describe_job(job):
        term.line(line)
    return 0


def describe_job(job: JobView) -> Iterator[str]:
    """The lines ``ss status`` prints."""
    yield f"job        {job.id}"
    yield (f"do-file    {job.spec.dofile.input or 'main.do (inline)'}" if job.spec.dofile
           else f"template   {job.spec.template_id}")
    yield f"state      {job.state.value}"
    if job.engine is not None:
        yield f"engine     {job.engine} (chosen for engine any)"
    yield f"submission {job.submission}, attempt {job.attempt}"
    yield f"created    {job.created_at}" + (f", finished {job.finished_at}"
                                             if job.finished_at else "")
    if job.pool is not None and job.pool.message:
        yield f"waiting    {job.pool.message}"
    for a in job.attempts:
        took = f", {a.duration_s:.2f} s" if a.duration_s is not None else ""
        rc = f", rc {a.rc}" if a.rc is not None else ""
        yield f"attempt {a.number}  {a.outcome} on {a.worker_id} ({a.engine}{rc}{took})"
    if job.error is not None:
        yield f"error      {job.error.error_code.value}: {job.error.message}"
    for artifact in job.artifacts:
        if artifact.kind == "output":
            yield f"output     {artifact.name} ({human_size(artifact.size)})"


async def logs(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    text = await ss.read_artifact(args.job_id, "main.log", attempt=args.attempt)
    term.stream.write(text.decode("utf-8", "replace"))
    term.stream.flush()
    return 0


async def cancel(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    job = await ss.cancel(args.job_id)
    term.line(f"job {job.id} {job.state.value}")
    return 0


async def retry(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    job = await ss.retry(args.job_id)
    term.line(f"job {job.id} {job.state.value} (submission {job.submission})")
    return 0


async def events(args: argparse.Namespace, ss: AsyncSSClient, term: Terminal) -> int:
    source: AsyncIterator[EventMessage]
    if args.job:
        source = ss.events(args.job)
    else:
        url = args.nats or os.environ.get("SS_NATS_URL")
        if not url:
            raise SSClientError(0, "NATS_URL_MISSING",
                                "tailing every job needs NATS: pass --nats URL or set "
                                "SS_NATS_URL (or follow one job with --job JOB)")
        creds = args.nats_creds or os.environ.get("SS_NATS_CREDS", "")
        source = tail_events(url, creds=creds, completed_only=args.completed,
                             from_start=args.from_start)
    async for message in source:
        if args.completed and not isinstance(message.event, JobCompleted):
            continue
        if args.json:
            term.line(msgspec.json.encode(message).decode())
        else:
            term.line(f"{message.seq:>8}  {message.event.job_id}  {describe_event(message)}")
    return 0
